//! Why residual connections: a deep plain stack of 3x3 convolutions and the same stack
//! with a shortcut around every pair of them (`y = F(x) + x`), trained side by side on
//! the digits from the same initial weights and the same batches, so that the only
//! difference is the shortcuts. Each step gives both losses and every weighted layer's
//! gradient norm ([`Model::gradient_norms`](super::Model::gradient_norms)): the plain
//! stack's early layers get gradients orders of magnitude smaller (each layer scales the
//! gradient it passes back by its `∂F/∂x`, and with PyTorch's initial weights that is
//! well below 1), while the shortcut adds `∂x/∂x = 1` to every block's.

use super::digits::Digits;
use super::train::{Step, TrainSettings, Trainer};
use crate::error::{Error, Result};
use crate::network::Architecture;

/// The most blocks (pairs of convolutions) of a stack.
pub const MAX_BLOCKS: usize = 30;
/// The most channels of its convolutions.
pub const MAX_CHANNELS: usize = 32;

/// A deep stack for 28x28 digits: a 2x2 max pooling (to 14x14, for speed), one 3x3
/// convolution to `channels` with its ReLU, then `blocks` blocks of two 3x3
/// convolutions (`conv, relu, conv, relu`; with `residual`, `conv, relu, conv, add(3),
/// relu`: the block's input added before the last ReLU, as ResNet's `BasicBlock` without
/// batch normalisation), a 2x2 max pooling and a linear layer to the 10 classes. Both
/// kinds have the same layers with weights, so the same parameters.
///
/// # Errors
/// [`Error::Setting`] for blocks or channels out of range.
pub fn deep_stack(blocks: usize, channels: usize, residual: bool) -> Result<Architecture> {
    for (what, value, high) in [
        ("number of blocks", blocks, MAX_BLOCKS),
        ("number of channels", channels, MAX_CHANNELS),
    ] {
        if !(1..=high).contains(&value) {
            return Err(Error::Setting {
                what,
                value: value as f64,
                low: 1.0,
                high: high as f64,
            });
        }
    }
    let conv = format!("conv({channels},3,1,1)");
    let block = if residual {
        format!("{conv}; relu; {conv}; add(3); relu; ")
    } else {
        format!("{conv}; relu; {conv}; relu; ")
    };
    let text = format!(
        "input(1,28,28); max(2); {conv}; relu; {}max(2); flatten; linear(10)",
        block.repeat(blocks)
    );
    let mut architecture = Architecture::parse(&text)?;
    architecture.name = if residual {
        "residual stack"
    } else {
        "plain stack"
    };
    Ok(architecture)
}

/// One step of both stacks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Steps {
    /// The plain stack's step.
    pub plain: Step,
    /// The residual stack's step.
    pub residual: Step,
}

/// The plain and the residual stack, trained side by side.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// The plain stack's run.
    pub plain: Trainer,
    /// The residual stack's run.
    pub residual: Trainer,
}

impl Comparison {
    /// Both stacks of `blocks` blocks of `channels` channels, from the same seed (the
    /// same initial weights: they have the same layers with weights, drawn in the same
    /// order) on the same digits in the same order.
    ///
    /// # Errors
    /// As [`deep_stack`] and [`Trainer::new`].
    pub fn new(
        digits: Digits,
        blocks: usize,
        channels: usize,
        settings: TrainSettings,
    ) -> Result<Self> {
        let plain = Trainer::new(
            &deep_stack(blocks, channels, false)?,
            digits.clone(),
            settings,
        )?;
        let residual = Trainer::new(&deep_stack(blocks, channels, true)?, digits, settings)?;
        Ok(Comparison { plain, residual })
    }

    /// One optimizer step of each on the same batch.
    ///
    /// # Errors
    /// As [`Trainer::step`] (a stack that diverged).
    pub fn step(&mut self) -> Result<Steps> {
        Ok(Steps {
            plain: self.plain.step()?,
            residual: self.residual.step()?,
        })
    }

    /// The gradient norm of each convolution and of the linear layer, first to last, of
    /// the last step: `(plain, residual)`.
    pub fn gradient_norms(&self) -> (Vec<f32>, Vec<f32>) {
        let norms = |t: &Trainer| {
            t.model()
                .gradient_norms()
                .into_iter()
                .map(|(_, n)| n)
                .collect()
        };
        (norms(&self.plain), norms(&self.residual))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::loss::cross_entropy;
    use crate::nn::{Method, Model, Rng, Settings};
    use crate::tensor::Tensor;

    fn digits() -> Digits {
        Digits::decode(include_bytes!("../../../../www/data/mnist.bin")).unwrap()
    }

    #[test]
    fn both_stacks_have_the_same_weights_and_differ_by_the_shortcuts() {
        let plain = deep_stack(3, 4, false).unwrap();
        let residual = deep_stack(3, 4, true).unwrap();
        assert_eq!(residual.layers.len(), plain.layers.len() + 3);
        let a = Model::new(&plain, &mut Rng::new(7)).unwrap();
        let b = Model::new(&residual, &mut Rng::new(7)).unwrap();
        assert_eq!(a.values(), b.values());
        // Seven convolutions and the linear layer.
        assert_eq!(a.gradient_norms().len(), 8);
        assert!(deep_stack(0, 4, true).is_err() && deep_stack(2, 33, true).is_err());
    }

    /// The norms are those of the gradients, and the gradients through three-layer
    /// shortcuts are the loss's central differences.
    #[test]
    fn gradient_norms_are_the_central_differences_norms() {
        // Without the poolings: a max over ReLU's zeros is a tie, a kink that central
        // differences straddle the same way at every step size.
        let stack = deep_stack(2, 2, true).unwrap();
        let architecture = Architecture {
            input: (1, 8, 8),
            layers: stack
                .layers
                .into_iter()
                .filter(|l| !matches!(l, crate::network::Layer::Pool { .. }))
                .collect(),
            ..stack
        };
        let mut rng = Rng::new(3);
        let mut model = Model::new(&architecture, &mut rng).unwrap();
        let data = (0..2 * 64).map(|_| rng.uniform_in(-1.0, 1.0)).collect();
        let input = Tensor::with_batch(2, 1, 8, 8, data).unwrap();
        let labels = [3, 8];
        let loss = |m: &Model| {
            let scores = m.forward(&input).unwrap();
            cross_entropy(scores.scores().unwrap().data(), &labels, 10).unwrap()
        };
        let result = loss(&model);
        let activations = model.forward(&input).unwrap();
        model
            .backward(&input, &activations, &result.gradient)
            .unwrap();
        let norms = model.gradient_norms();
        // The first convolution: every weight's derivative.
        let (layer, norm) = norms[0];
        assert_eq!(layer, 0);
        let values = model.values();
        let weights = model.weight(0).unwrap().gradient.len();
        let (mut squares, mut kinks) = (0.0f64, 0);
        for i in 0..weights {
            let at = |delta: f32| {
                let mut moved = values.clone();
                moved[i] += delta;
                let mut probe = model.clone();
                probe.set_values(&moved).unwrap();
                f64::from(loss(&probe).loss)
            };
            let difference = |h: f32| (at(h) - at(-h)) / (2.0 * f64::from(h));
            let (numeric, half) = (difference(2e-3), difference(1e-3));
            let analytic = f64::from(model.weight(0).unwrap().gradient[i]);
            let close = |n: f64| (n - analytic).abs() <= 5e-4 + 3e-2 * n.abs();
            if !close(numeric) && !close(half) {
                // A ReLU changes sign within ±h: a kink, where the two steps disagree.
                assert!(
                    (numeric - half).abs() > 5e-4 + 2e-2 * numeric.abs(),
                    "weight {i}: finite differences {numeric} and {half}, backward {analytic}"
                );
                kinks += 1;
                squares += analytic * analytic;
                continue;
            }
            squares += numeric * numeric;
        }
        assert!(kinks * 4 < weights, "{kinks} kinks of {weights}");
        let numeric_norm = squares.sqrt();
        assert!(
            (numeric_norm - f64::from(norm)).abs() <= 3e-2 * numeric_norm,
            "norm {norm} against {numeric_norm}"
        );
        assert_eq!(norms.len(), 6);
    }

    #[test]
    fn the_plain_stacks_early_layers_get_vanishing_gradients() {
        let settings = TrainSettings {
            batch: 16,
            seed: 1,
            shift: 0,
            lr_decay: 1.0,
            optimizer: Settings {
                method: Method::Sgd { momentum: 0.9 },
                learning_rate: 0.02,
                weight_decay: 0.0,
            },
            ..TrainSettings::default()
        };
        // The page's stacks: 6 blocks of 4 channels.
        let mut comparison = Comparison::new(digits(), 6, 4, settings).unwrap();
        comparison.step().unwrap();
        let (plain, residual) = comparison.gradient_norms();
        assert_eq!(plain.len(), 14);
        // The first convolution's gradient, against the last one's.
        let ratio = |norms: &[f32]| norms[0] / norms[norms.len() - 2];
        assert!(ratio(&plain) < 1e-3, "plain: {plain:?}");
        assert!(ratio(&residual) > 0.1, "residual: {residual:?}");
        let mut losses = (0.0, 0.0);
        for _ in 0..40 {
            let steps = comparison.step().unwrap();
            losses = (steps.plain.loss, steps.residual.loss);
        }
        // The residual stack learns; the plain one is still where it started (ln 10).
        assert!(losses.1 < 1.5, "{losses:?}");
        assert!(losses.0 > 2.2, "{losses:?}");
    }
}
