//! Softmax and cross-entropy, as `torch.nn.CrossEntropyLoss()` (mean over the batch).
//!
//! For scores (logits) `z` of one example and its class `y`:
//!
//! ```text
//! p_i  = e^(z_i - m) / Σ_j e^(z_j - m)          (m = max_j z_j, for stability)
//! loss = log Σ_j e^(z_j) − z_y = m + log Σ_j e^(z_j - m) − z_y
//! ∂loss/∂z_i = p_i − [i = y]
//! ```
//!
//! The batch's loss is the mean of its examples', so each example's gradient is divided
//! by the batch size.

use super::math::{exp, ln};
use crate::error::{Error, Result};

/// The class probabilities of one example's scores.
pub fn softmax(scores: &[f32]) -> Vec<f32> {
    let (_, exps, total) = shifted_exps(scores);
    exps.iter()
        .map(|&e| (f64::from(e) / total) as f32)
        .collect()
}

/// `(m, e^(z_i − m), Σ_i e^(z_i − m))` with `m` the largest score.
fn shifted_exps(scores: &[f32]) -> (f32, Vec<f32>, f64) {
    let max = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exps: Vec<f32> = scores.iter().map(|&z| exp(z - max)).collect();
    let total = exps.iter().map(|&e| f64::from(e)).sum();
    (max, exps, total)
}

/// What a batch's cross-entropy gives: its mean loss, the gradient of that mean with
/// respect to every score, and how many examples the largest score got right.
#[derive(Debug, Clone, PartialEq)]
pub struct CrossEntropy {
    /// The mean loss over the batch.
    pub loss: f32,
    /// `∂loss/∂scores`, the same layout as the scores (`batch x classes`).
    pub gradient: Vec<f32>,
    /// Examples whose largest score is their class (the first largest on ties).
    pub correct: usize,
}

/// `nn.CrossEntropyLoss()(scores, labels)`: `scores` holds `labels.len()` rows of
/// `classes` values.
///
/// # Errors
/// No examples or no classes, scores of the wrong length, or a label that is not a
/// class.
pub fn cross_entropy(scores: &[f32], labels: &[u8], classes: usize) -> Result<CrossEntropy> {
    crate::error::positive(labels.len(), "batch size")?;
    crate::error::positive(classes, "number of classes")?;
    if scores.len() != labels.len() * classes {
        return Err(Error::DataLength {
            what: "scores (one per class per example)",
            expected: labels.len() * classes,
            actual: scores.len(),
        });
    }
    if let Some(index) = labels.iter().position(|&l| usize::from(l) >= classes) {
        return Err(Error::Label {
            index,
            label: usize::from(labels[index]),
            classes,
        });
    }
    let batch = labels.len() as f32;
    let mut total = 0.0f64;
    let mut correct = 0;
    let mut gradient = Vec::with_capacity(scores.len());
    for (row, &label) in scores.chunks_exact(classes).zip(labels) {
        let label = usize::from(label);
        let (max, exps, sum) = shifted_exps(row);
        total += f64::from(max) + f64::from(ln(sum as f32)) - f64::from(row[label]);
        if argmax(row) == label {
            correct += 1;
        }
        gradient.extend(exps.iter().enumerate().map(|(i, &e)| {
            let target = if i == label { 1.0 } else { 0.0 };
            ((f64::from(e) / sum) as f32 - target) / batch
        }));
    }
    Ok(CrossEntropy {
        loss: (total / f64::from(batch)) as f32,
        gradient,
        correct,
    })
}

/// The index of the largest value (the first on ties; NaN never wins), 0 for none.
pub fn argmax(values: &[f32]) -> usize {
    let mut best = 0;
    for (i, &v) in values.iter().enumerate() {
        if v > values[best] || values[best].is_nan() {
            best = i;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_pytorch_on_a_small_batch() {
        // torch.nn.functional.cross_entropy(torch.tensor([[1., 2., 3.], [1., 0., -1.]]),
        //     torch.tensor([2, 1])) = 0.9076059...
        let scores = [1.0, 2.0, 3.0, 1.0, 0.0, -1.0];
        let result = cross_entropy(&scores, &[2, 1], 3).unwrap();
        assert!((result.loss - 0.907_606).abs() < 1e-6, "{}", result.loss);
        assert_eq!(result.correct, 1);
        let p = softmax(&[1.0, 2.0, 3.0]);
        assert!((p[2] - 0.665_241).abs() < 1e-6);
        assert!((result.gradient[2] - (p[2] - 1.0) / 2.0).abs() < 1e-7);
        assert!((result.gradient[0] - p[0] / 2.0).abs() < 1e-7);
    }

    #[test]
    fn gradient_is_the_central_difference() {
        let scores = [0.3, -1.2, 2.5, 0.0, 0.7, 1.1, -0.4, 0.2];
        let labels = [1, 3];
        let analytic = cross_entropy(&scores, &labels, 4).unwrap().gradient;
        for i in 0..scores.len() {
            let at = |delta: f32| {
                let mut moved = scores;
                moved[i] += delta;
                f64::from(cross_entropy(&moved, &labels, 4).unwrap().loss)
            };
            let h = 1e-2;
            let numeric = (at(h) - at(-h)) / (2.0 * f64::from(h));
            assert!(
                (numeric - f64::from(analytic[i])).abs() < 2e-4,
                "score {i}: {numeric} against {}",
                analytic[i]
            );
        }
    }

    #[test]
    fn huge_scores_stay_finite_and_bad_input_is_refused() {
        let result = cross_entropy(&[1000.0, -1000.0], &[0], 2).unwrap();
        assert_eq!(result.loss, 0.0);
        let result = cross_entropy(&[1000.0, -1000.0], &[1], 2).unwrap();
        assert_eq!(result.loss, 2000.0);
        assert!(cross_entropy(&[0.0; 3], &[0], 2).is_err());
        assert!(matches!(
            cross_entropy(&[0.0; 2], &[2], 2),
            Err(Error::Label {
                index: 0,
                label: 2,
                classes: 2
            })
        ));
        assert!(cross_entropy(&[], &[], 2).is_err());
        assert_eq!(argmax(&[1.0, 3.0, 3.0]), 1);
        assert_eq!(argmax(&[f32::NAN, 0.5]), 1);
    }
}
