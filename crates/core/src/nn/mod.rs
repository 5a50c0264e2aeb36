//! Training networks: layers with learned weights, the loss, the optimizers, PyTorch's
//! initialisation, one seeded random generator, the digits to learn from, and the
//! training loop.
//!
//! - [`Model`]: a stack of [`crate::network::Layer`]s (the stack view's layer syntax)
//!   with its weights; [`Model::forward`] on a batch and [`Model::backward`], whose
//!   convolution and pooling gradients are [`crate::backward`]'s.
//! - [`cross_entropy`]: `nn.CrossEntropyLoss()`, mean over the batch, and its gradient.
//! - [`Optimizer`]: SGD with momentum and Adam, with weight decay, as `torch.optim`.
//! - [`init`]: `nn.Conv2d` / `nn.Linear`'s default initialisation.
//! - [`Rng`]: PCG32; the same seed gives the same run natively and in WebAssembly.
//! - [`Digits`]: the MNIST digits file and its batches; [`Trainer`]: the loop.
//!
//! Every number is an `f32` computed in a fixed order, without fused multiply-adds and
//! with this crate's own [`math::exp`] and [`math::ln`]: results are the same bits on
//! every machine and in both WebAssembly builds (SIMD and scalar).

pub mod digits;
pub mod drawn;
pub mod init;
pub mod loss;
pub mod math;
pub mod model;
pub mod optim;
pub mod residual;
pub mod rng;
pub mod train;

pub use digits::Digits;
pub use loss::{argmax, cross_entropy, softmax, CrossEntropy};
pub use model::{Activations, Model, Parameter};
pub use optim::{Method, Optimizer, Settings};
pub use rng::Rng;
pub use train::{evaluate, EpochTally, Evaluation, Step, TrainSettings, Trainer, LENET5};
