//! Optimizers, with PyTorch's formulas: SGD with momentum and Adam, both with L2
//! weight decay (`weight_decay` as `torch.optim.SGD` / `torch.optim.Adam` take it).
//!
//! For a parameter `p` with gradient `g`, after `g ← g + λ p` (weight decay λ):
//!
//! ```text
//! SGD:   b ← μ b + g   (b = g at the first step);   p ← p − η b
//! Adam:  m ← m + (1 − β₁)(g − m);   v ← β₂ v + (1 − β₂) g²
//!        p ← p − η / (1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
//! ```

use crate::error::{Error, Result};

/// Which optimizer, with its own settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Method {
    /// `torch.optim.SGD(momentum=μ)` (no dampening, not Nesterov).
    Sgd {
        /// μ, from 0 (plain gradient descent) to below 1.
        momentum: f32,
    },
    /// `torch.optim.Adam(betas=(β₁, β₂), eps=ε)`.
    Adam {
        /// β₁, the decay of the mean of the gradients (0.9).
        beta1: f32,
        /// β₂, the decay of the mean of their squares (0.999).
        beta2: f32,
        /// ε, added to the denominator (1e-8).
        epsilon: f32,
    },
}

impl Method {
    /// `SGD(momentum=0.9)`.
    pub const SGD: Method = Method::Sgd { momentum: 0.9 };
    /// `Adam()` with PyTorch's defaults.
    pub const ADAM: Method = Method::Adam {
        beta1: 0.9,
        beta2: 0.999,
        epsilon: 1e-8,
    };

    /// The name the URL and the command line use: `sgd` or `adam`.
    pub fn name(&self) -> &'static str {
        match self {
            Method::Sgd { .. } => "sgd",
            Method::Adam { .. } => "adam",
        }
    }
}

/// An optimizer's settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// The method and its own settings.
    pub method: Method,
    /// The learning rate η.
    pub learning_rate: f32,
    /// The weight decay λ (L2 penalty `λ/2 ‖p‖²`, added to the gradient as `λ p`).
    pub weight_decay: f32,
}

impl Settings {
    /// Checks every number: a learning rate in `(0, 10]`, weight decay in `[0, 1]`,
    /// momentum and betas in `[0, 1)`, ε in `(0, 1]`.
    ///
    /// # Errors
    /// [`Error::Setting`] for the first number out of its range.
    pub fn check(&self) -> Result<()> {
        let within = crate::error::setting_within;
        within("learning rate", self.learning_rate, 0.0, 10.0, false)?;
        if self.learning_rate == 0.0 {
            return Err(Error::Setting {
                what: "learning rate",
                value: 0.0,
                low: 1e-6,
                high: 10.0,
            });
        }
        within("weight decay", self.weight_decay, 0.0, 1.0, false)?;
        match self.method {
            Method::Sgd { momentum } => within("momentum", momentum, 0.0, 1.0, true),
            Method::Adam {
                beta1,
                beta2,
                epsilon,
            } => {
                within("beta1", beta1, 0.0, 1.0, true)?;
                within("beta2", beta2, 0.0, 1.0, true)?;
                within("epsilon", epsilon, f32::MIN_POSITIVE, 1.0, false)
            }
        }
    }
}

/// An optimizer and its state: one or two buffers per parameter and the step count.
#[derive(Debug, Clone, PartialEq)]
pub struct Optimizer {
    settings: Settings,
    steps: u64,
    /// SGD's momentum buffers or Adam's first moments, one per parameter.
    first: Vec<Vec<f32>>,
    /// Adam's second moments.
    second: Vec<Vec<f32>>,
    /// β₁ᵗ and β₂ᵗ, kept as running products (the same bits everywhere).
    powers: (f64, f64),
}

impl Optimizer {
    /// A fresh optimizer (no step taken).
    ///
    /// # Errors
    /// As [`Settings::check`].
    pub fn new(settings: Settings) -> Result<Self> {
        settings.check()?;
        Ok(Optimizer {
            settings,
            steps: 0,
            first: Vec::new(),
            second: Vec::new(),
            powers: (1.0, 1.0),
        })
    }

    /// Its settings.
    pub fn settings(&self) -> Settings {
        self.settings
    }

    /// Changes the learning rate from the next step on (a schedule's decay).
    ///
    /// # Errors
    /// As [`Settings::check`] (the old rate is kept).
    pub fn set_learning_rate(&mut self, learning_rate: f32) -> Result<()> {
        let settings = Settings {
            learning_rate,
            ..self.settings
        };
        settings.check()?;
        self.settings = settings;
        Ok(())
    }

    /// The steps taken.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// One step: updates every parameter from its gradient. `parameters` are
    /// `(values, gradient)` pairs, in the same order at every step.
    ///
    /// # Errors
    /// A gradient of another length than its parameter, or parameters that are not the
    /// ones of the steps before (their number or sizes changed).
    pub fn step<'a>(
        &mut self,
        parameters: impl IntoIterator<Item = (&'a mut [f32], &'a [f32])>,
    ) -> Result<()> {
        let parameters: Vec<(&mut [f32], &[f32])> = parameters.into_iter().collect();
        for (index, (values, gradient)) in parameters.iter().enumerate() {
            if values.len() != gradient.len() {
                return Err(Error::DataLength {
                    what: "gradient (one value per parameter)",
                    expected: values.len(),
                    actual: gradient.len(),
                });
            }
            if let Some(buffer) = self.first.get(index) {
                if buffer.len() != values.len() {
                    return Err(Error::DataLength {
                        what: "parameter (as at the steps before)",
                        expected: buffer.len(),
                        actual: values.len(),
                    });
                }
            }
        }
        if self.steps > 0 && self.first.len() != parameters.len() {
            return Err(Error::DataLength {
                what: "list of parameters (as at the steps before)",
                expected: self.first.len(),
                actual: parameters.len(),
            });
        }
        let first_step = self.steps == 0;
        self.steps += 1;
        let Settings {
            method,
            learning_rate: lr,
            weight_decay: decay,
        } = self.settings;
        if first_step {
            self.first = parameters.iter().map(|(v, _)| vec![0.0; v.len()]).collect();
            if matches!(method, Method::Adam { .. }) {
                self.second = self.first.clone();
            }
        }
        let decayed = |g: f32, p: f32| if decay == 0.0 { g } else { g + decay * p };
        match method {
            Method::Sgd { momentum } => {
                for ((values, gradient), buffer) in parameters.into_iter().zip(&mut self.first) {
                    for ((p, &g), b) in values.iter_mut().zip(gradient).zip(buffer.iter_mut()) {
                        let g = decayed(g, *p);
                        if momentum == 0.0 {
                            *p -= lr * g;
                        } else {
                            *b = if first_step { g } else { momentum * *b + g };
                            *p -= lr * *b;
                        }
                    }
                }
            }
            Method::Adam {
                beta1,
                beta2,
                epsilon,
            } => {
                self.powers.0 *= f64::from(beta1);
                self.powers.1 *= f64::from(beta2);
                let step_size = (f64::from(lr) / (1.0 - self.powers.0)) as f32;
                let correction2 = (1.0 - self.powers.1).sqrt() as f32;
                let (keep1, keep2) = (
                    (1.0 - f64::from(beta1)) as f32,
                    (1.0 - f64::from(beta2)) as f32,
                );
                for (((values, gradient), m), v) in parameters
                    .into_iter()
                    .zip(&mut self.first)
                    .zip(&mut self.second)
                {
                    for (((p, &g), m), v) in values
                        .iter_mut()
                        .zip(gradient)
                        .zip(m.iter_mut())
                        .zip(v.iter_mut())
                    {
                        let g = decayed(g, *p);
                        *m += keep1 * (g - *m);
                        *v = beta2 * *v + keep2 * g * g;
                        let denominator = v.sqrt() / correction2 + epsilon;
                        *p -= step_size * (*m / denominator);
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(method: Method, weight_decay: f32, steps: usize) -> Vec<f32> {
        let mut optimizer = Optimizer::new(Settings {
            method,
            learning_rate: 0.1,
            weight_decay,
        })
        .unwrap();
        let mut p = vec![1.0f32, -2.0];
        for step in 0..steps {
            // The gradient of (p0^2 + 3 p1^2) / 2, plus a step-dependent push.
            let g = [p[0] + step as f32 * 0.1, 3.0 * p[1]];
            optimizer.step([(&mut p[..], &g[..])]).unwrap();
        }
        p
    }

    #[test]
    fn sgd_with_momentum_is_pytorchs() {
        // By hand: b1 = g1 = (1, -6); p = (0.9, -1.4).
        //          g2 = (0.9 + 0.1, -4.2); b2 = 0.9 b1 + g2 = (1.9, -9.6); p = (0.71, -0.44).
        let p = run(Method::SGD, 0.0, 2);
        assert!(
            (p[0] - 0.71).abs() < 1e-6 && (p[1] + 0.44).abs() < 1e-6,
            "{p:?}"
        );
        // Weight decay adds λ p to the gradient: step 1 with λ = 0.5: g = (1.5, -7).
        let p = run(Method::Sgd { momentum: 0.0 }, 0.5, 1);
        assert!(
            (p[0] - 0.85).abs() < 1e-6 && (p[1] + 1.3).abs() < 1e-6,
            "{p:?}"
        );
    }

    #[test]
    fn adam_is_pytorchs() {
        // One step moves each parameter by η against the sign of its gradient
        // (m̂ / √v̂ = g / |g|). Three steps, worked out in double precision from
        // PyTorch's `_single_tensor_adam`: (0.700000003, -1.700623392).
        let p = run(Method::ADAM, 0.0, 1);
        assert!(
            (p[0] - 0.9).abs() < 1e-6 && (p[1] + 1.9).abs() < 1e-6,
            "{p:?}"
        );
        let p = run(Method::ADAM, 0.0, 3);
        assert!(
            (p[0] - 0.7).abs() < 1e-6 && (p[1] + 1.700_623_4).abs() < 1e-6,
            "{p:?}"
        );
    }

    #[test]
    fn bad_settings_and_mismatched_parameters_are_refused() {
        let settings = |learning_rate, method| Settings {
            method,
            learning_rate,
            weight_decay: 0.0,
        };
        assert!(matches!(
            Optimizer::new(settings(f32::NAN, Method::SGD)),
            Err(Error::Setting {
                what: "learning rate",
                ..
            })
        ));
        assert!(Optimizer::new(settings(0.0, Method::SGD)).is_err());
        assert!(Optimizer::new(settings(0.1, Method::Sgd { momentum: 1.0 })).is_err());
        assert_eq!(
            Optimizer::new(settings(20.0, Method::ADAM))
                .unwrap_err()
                .to_string(),
            "the learning rate must be from 0 to 10, not 20"
        );
        let mut optimizer = Optimizer::new(settings(0.1, Method::ADAM)).unwrap();
        let mut p = [0.0; 2];
        assert!(optimizer.step([(&mut p[..], &[1.0][..])]).is_err());
        optimizer.step([(&mut p[..], &[1.0, 1.0][..])]).unwrap();
        let mut q = [0.0; 3];
        assert!(optimizer.step([(&mut q[..], &[1.0; 3][..])]).is_err());
        assert_eq!(optimizer.steps(), 1);
    }
}
