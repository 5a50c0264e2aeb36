//! A handle on one training run for scripts (the benchmark, the tests): the same
//! `Trainer` the page's worker runs, with its weights readable and writable.
//!
//! ```js
//! const lab = new Lab(digitsFileBytes, 'input(1,28,28); ...', 'sgd', 0.01, 32, 1);
//! lab.set_values(weights);            // e.g. the same initial weights as another library
//! const loss = lab.step_on(indices);  // one forward + backward + update
//! const probabilities = lab.infer(pixels); // one 28x28 digit, bytes 0..255
//! ```

use convlens_core::network::Architecture;
use convlens_core::nn::{softmax, Digits, Method, Settings, TrainSettings, Trainer};
use convlens_core::Tensor;
use wasm_bindgen::prelude::*;

/// One model being trained on a set of digits.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Lab {
    trainer: Trainer,
}

fn js(error: convlens_core::Error) -> JsError {
    JsError::new(&error.to_string())
}

#[wasm_bindgen]
impl Lab {
    /// A fresh model of `stack` (the page's layer syntax) on the digits file `digits`
    /// (centre-cropped to the stack's input when that is smaller),
    /// trained with `optimizer` (`sgd`: momentum 0.9 — 0 when `momentum` is false —,
    /// `adam`) at `learning_rate`, `batch` digits a step, from `seed`; no augmentation.
    #[wasm_bindgen(constructor)]
    pub fn new(
        digits: &[u8],
        stack: &str,
        optimizer: &str,
        learning_rate: f32,
        batch: usize,
        seed: u32,
        momentum: bool,
    ) -> Result<Lab, JsError> {
        let mut digits = Digits::decode(digits).map_err(js)?;
        let architecture = Architecture::parse(stack).map_err(js)?;
        // A stack of a smaller input learns from the digits' centre (as ConvNetJS's demo).
        let (_, height, width) = architecture.input;
        if (height, width) != digits.size() {
            digits = digits.cropped((height, width)).unwrap_or(digits);
        }
        let method = match optimizer {
            "adam" => Method::ADAM,
            "sgd" => Method::Sgd {
                momentum: if momentum { 0.9 } else { 0.0 },
            },
            other => {
                return Err(JsError::new(&format!(
                    "no optimizer '{other}': sgd or adam"
                )))
            }
        };
        let settings = TrainSettings {
            batch,
            seed: u64::from(seed),
            optimizer: Settings {
                method,
                learning_rate,
                weight_decay: 0.0,
            },
            shift: 0,
            lr_decay: 1.0,
            ..TrainSettings::default()
        };
        let trainer = Trainer::new(&architecture, digits, settings).map_err(js)?;
        Ok(Lab { trainer })
    }

    /// The number of learned values.
    pub fn parameter_count(&self) -> usize {
        self.trainer.model().parameter_count()
    }

    /// Every learned value, layer after layer (PyTorch's layouts: a convolution's
    /// `out x in x kh x kw`, then its bias; a linear layer's `out x in`, then its bias).
    pub fn values(&self) -> Vec<f32> {
        self.trainer.model().values()
    }

    /// Replaces every learned value (the order of [`Lab::values`]).
    pub fn set_values(&mut self, values: &[f32]) -> Result<(), JsError> {
        self.trainer.set_values(values).map_err(js)
    }

    /// One training step on the next batch of the shuffled training digits; the loss.
    pub fn step(&mut self) -> Result<f32, JsError> {
        Ok(self.trainer.step().map_err(js)?.loss)
    }

    /// One training step on the digits `indices`, as they are; the loss before it.
    pub fn step_on(&mut self, indices: &[u32]) -> Result<f32, JsError> {
        let indices: Vec<usize> = indices.iter().map(|&i| i as usize).collect();
        Ok(self.trainer.step_on(&indices).map_err(js)?.loss)
    }

    /// The mean loss of the model on the digits `indices` (no update).
    pub fn loss_on(&self, indices: &[u32]) -> Result<f32, JsError> {
        let indices: Vec<usize> = indices.iter().map(|&i| i as usize).collect();
        let digits = self.trainer.digits();
        let evaluation =
            convlens_core::nn::evaluate(self.trainer.model(), digits, &indices).map_err(js)?;
        Ok(evaluation.loss)
    }

    /// The accuracy on the test digits.
    pub fn test_accuracy(&self) -> Result<f32, JsError> {
        Ok(self.trainer.evaluate_test().map_err(js)?.accuracy())
    }

    /// The class probabilities of one image (`height x width` bytes, 0 background, 255
    /// ink), as the page shows them for a drawn digit.
    pub fn infer(&self, pixels: &[u8]) -> Result<Vec<f32>, JsError> {
        let (_, height, width) = self.trainer.model().input();
        let data = pixels
            .iter()
            .map(|&p| convlens_core::nn::digits::normalise(p))
            .collect();
        let input = Tensor::with_batch(1, 1, height, width, data).map_err(js)?;
        let activations = self.trainer.model().forward(&input).map_err(js)?;
        Ok(softmax(activations.scores().map_or(&[][..], |s| s.data())))
    }

    /// A fingerprint of the weights' bits (equal across machines for the same run).
    pub fn fingerprint(&self) -> u32 {
        self.trainer.model().fingerprint()
    }
}
