//! PyTorch's default initialisation of `nn.Conv2d` and `nn.Linear`.
//!
//! `reset_parameters()` draws the weights with `kaiming_uniform_(w, a=√5)`:
//! `U(−b, b)` with `b = gain · √(3 / fan_in)` and `gain = √(2 / (1 + a²)) = √(1/3)`, so
//! `b = 1/√fan_in`; and the bias from `U(−1/√fan_in, 1/√fan_in)`. `fan_in` is what one
//! output sees: `C_in/groups · K_h · K_w` for a convolution, the input features for a
//! linear layer.

use super::rng::Rng;

/// The bound of `kaiming_uniform_(a=√5)` for `fan_in` inputs, computed as PyTorch does
/// (in double precision): `√3 · gain / √fan_in`.
pub fn weight_bound(fan_in: usize) -> f32 {
    let gain = (2.0 / (1.0 + 5.0f64)).sqrt();
    (3.0f64.sqrt() * (gain / (fan_in.max(1) as f64).sqrt())) as f32
}

/// The bound of the bias: `1/√fan_in`.
pub fn bias_bound(fan_in: usize) -> f32 {
    (1.0 / (fan_in.max(1) as f64).sqrt()) as f32
}

/// Fills `values` from `U(−bound, bound)`, in order.
pub fn uniform(rng: &mut Rng, values: &mut [f32], bound: f32) {
    for value in values {
        *value = rng.uniform_in(-bound, bound);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_one_over_the_root_of_fan_in() {
        // nn.Conv2d(1, 6, 5): fan_in 25, bound 0.2; nn.Linear(400, 120): 0.05.
        assert!((weight_bound(25) - 0.2).abs() < 1e-7);
        assert!((bias_bound(400) - 0.05).abs() < 1e-7);
        let mut rng = Rng::new(3);
        let mut w = vec![0.0; 1000];
        uniform(&mut rng, &mut w, weight_bound(25));
        assert!(w.iter().all(|v| v.abs() <= 0.2));
        assert!(w.iter().any(|&v| v > 0.19) && w.iter().any(|&v| v < -0.19));
    }
}
