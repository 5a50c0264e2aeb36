//! "Why residual connections" on the page: the core's [`Comparison`] (a deep plain stack
//! of 3x3 convolutions and the same stack with a shortcut around every pair, trained
//! side by side from the same weights on the same batches) behind wasm-bindgen. The
//! page (`convlens-web`'s block views) loads this module on the main thread and runs a
//! step at a time between frames; each step gives both losses and every weighted
//! layer's gradient norm.
//!
//! ```js
//! const run = new Residual(digitsFileBytes, 6, 4, 0.02, 16, 1);
//! run.run(1);                       // one step of both stacks; false once one diverged
//! run.losses_from(0);               // [plain, residual, plain, residual, ...], per step
//! run.plain_norms(); run.residual_norms(); // ‖∂L/∂W‖₂ per layer, first to last
//! ```

use convlens_core::nn::residual::Comparison;
use convlens_core::nn::{Digits, Method, Settings, TrainSettings};
use convlens_core::Error;
use wasm_bindgen::prelude::*;

/// The plain and the residual stack, trained side by side.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Residual {
    comparison: Comparison,
    /// Both losses of every step, `[plain, residual]` after each other.
    losses: Vec<f32>,
    /// The step and loss at which a stack diverged.
    diverged: Option<(u64, f32)>,
}

#[wasm_bindgen]
impl Residual {
    /// Both stacks of `blocks` blocks of `channels` channels on the digits file
    /// `digits`, trained by SGD with momentum 0.9 at `learning_rate`, `batch` digits a
    /// step, from `seed`, no augmentation.
    #[wasm_bindgen(constructor)]
    pub fn new(
        digits: &[u8],
        blocks: usize,
        channels: usize,
        learning_rate: f32,
        batch: usize,
        seed: u32,
    ) -> Result<Residual, JsError> {
        let js = |error: Error| JsError::new(&error.to_string());
        let digits = Digits::decode(digits).map_err(js)?;
        let settings = TrainSettings {
            batch,
            seed: u64::from(seed),
            optimizer: Settings {
                method: Method::Sgd { momentum: 0.9 },
                learning_rate,
                weight_decay: 0.0,
            },
            shift: 0,
            lr_decay: 1.0,
            ..TrainSettings::default()
        };
        let comparison = Comparison::new(digits, blocks, channels, settings).map_err(js)?;
        Ok(Residual {
            comparison,
            losses: Vec::new(),
            diverged: None,
        })
    }

    /// Runs `steps` steps of both stacks; false once one of them has diverged (it stops
    /// there: [`Residual::diverged_step`]).
    pub fn run(&mut self, steps: usize) -> bool {
        for _ in 0..steps {
            if self.diverged.is_some() {
                break;
            }
            match self.comparison.step() {
                Ok(steps) => self.losses.extend([steps.plain.loss, steps.residual.loss]),
                Err(Error::Diverged { step, loss }) => self.diverged = Some((step, loss)),
                Err(_) => self.diverged = Some((self.steps() as u64 + 1, f32::NAN)),
            }
        }
        self.diverged.is_none()
    }

    /// The steps both have taken.
    pub fn steps(&self) -> u32 {
        (self.losses.len() / 2) as u32
    }

    /// The losses from step `start` (from 0) on: `[plain, residual]` per step.
    pub fn losses_from(&self, start: usize) -> Vec<f32> {
        self.losses.get(2 * start..).unwrap_or_default().to_vec()
    }

    /// The plain stack's gradient norm per weighted layer, first to last, at the last
    /// step.
    pub fn plain_norms(&self) -> Vec<f32> {
        self.comparison.gradient_norms().0
    }

    /// The residual stack's gradient norm per weighted layer.
    pub fn residual_norms(&self) -> Vec<f32> {
        self.comparison.gradient_norms().1
    }

    /// The step at which a stack diverged, or 0.
    pub fn diverged_step(&self) -> f64 {
        self.diverged.map_or(0.0, |(step, _)| step as f64)
    }

    /// The loss it had then.
    pub fn diverged_loss(&self) -> f32 {
        self.diverged.map_or(0.0, |(_, loss)| loss)
    }
}
