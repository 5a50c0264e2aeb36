//! The mathematics of convlens: convolution, pooling, and the formulas a CNN lecture
//! computes, with the semantics of PyTorch and ONNX.
//!
//! - [`Tensor`]: `f32` values in NCHW layout (batch, channels, height, width); images
//!   keep their 0..255 scale. [`image`] converts RGBA frames to tensors and back.
//! - [`Kernel`] and its [`Preset`]s: the lecture's Edges, Blur, Sharpen, Sobels and
//!   Identity, and the classic image filters.
//! - [`conv2d`] is `torch.nn.functional.conv2d`: a cross-correlation (the kernel is not
//!   flipped) with stride, padding (`same`, `valid`, per side, four padding modes),
//!   dilation, groups and bias. [`conv1d`] is its one-dimensional case.
//! - [`FrameConv`] and [`FramePool`]: the same convolution and pooling on whole RGBA
//!   video frames, planned once per kernel, at video rate.
//! - [`conv_transpose2d`] is `nn.ConvTranspose2d`: every input cell stamps the kernel
//!   onto the output, overlaps summed.
//! - [`pool2d`] is `nn.MaxPool2d` / `nn.AvgPool2d` / `nn.LPPool2d` (and min pooling),
//!   with padding per side and ceil mode; [`global_pool`]; [`max_pool2d_with_indices`] is
//!   `return_indices=True`, and [`max_unpool2d`] is `nn.MaxUnpool2d`; `divisor_override`
//!   for the mean. [`adaptive_max_pool2d`] (with indices) and [`adaptive_avg_pool2d`] are
//!   `nn.AdaptiveMaxPool2d` / `nn.AdaptiveAvgPool2d`.
//! - [`rearrange`]: the padding layers (`pad2d`, four modes) and `nn.PixelShuffle` /
//!   `nn.PixelUnshuffle`.
//! - [`backward`]: the gradients of convolution (its input gradient is
//!   [`conv_transpose2d`]) and of pooling, for training.
//! - [`geometry`], [`cost`] and [`receptive_field`]: output sizes, parameter and FLOP
//!   counts, and the receptive fields of a stack of layers.
//! - [`graph`]: networks as graphs (branches, merges, batch norm, squeeze-and-excitation)
//!   and the lecture's architectures as torchvision builds them ([`graph::torchvision`]):
//!   every node's shape, parameters, multiply-adds and receptive field.
//! - [`network`]: whole stacks (LeNet-5, AlexNet, VGG-16 as torchvision builds them):
//!   every layer's shape, parameters, multiply-adds and receptive field, and a forward
//!   pass with simple fixed weights.
//! - [`detect`]: MTCNN's trained face detector (P-Net over an image pyramid, then
//!   R-Net), its PReLU and channel softmax, non-maximum suppression.
//! - [`nn`]: training: layers with learned weights, cross-entropy, SGD and Adam,
//!   PyTorch's initialisation, a seeded random generator, the MNIST digits.
//! - [`mod@reference`]: deliberately naive versions that the fast paths are tested against.
//!
//! No public function panics: every failure is an [`Error`], a structured value whose
//! English text is written for a student (a page renders it in its own languages).
#![deny(missing_docs)]

pub mod backward;
pub mod conv;
pub mod cost;
pub mod detect;
pub mod error;
pub mod frame;
mod gemm;
pub mod geometry;
pub mod graph;
pub mod image;
pub mod kernel;
pub mod network;
pub mod nn;
pub mod pool;
pub mod rearrange;
pub mod receptive_field;
pub mod reference;
pub mod tensor;
pub mod transpose;

pub use backward::{
    conv2d_backward, conv2d_input_gradient, conv2d_weight_gradient, max_pool2d_backward,
    max_pool2d_with_indices, pool2d_backward, ConvGradients,
};
pub use conv::{conv1d, conv2d, depthwise_conv2d, ConvParams, ConvPlan};
pub use cost::{ConvLayerShape, Flops};
pub use error::{Error, LayerProblem, Named, Position, Result};
pub use frame::{FrameConv, FramePool};
pub use geometry::{output_size, Padding, PaddingMode, Pads};
pub use image::{Channels, DisplayMapping};
pub use kernel::{Kernel, Preset};
pub use pool::{
    adaptive_avg_pool2d, adaptive_max_pool2d, global_pool, max_unpool2d, pool2d, PoolFunction,
    PoolParams, Power,
};
pub use receptive_field::{input_region, receptive_fields, LayerGeometry, ReceptiveField, Rect};
pub use tensor::{Shape, Tensor};
pub use transpose::{conv_transpose2d, ConvTransposeParams, ConvTransposePlan};
