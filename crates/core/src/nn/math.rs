//! `exp` and `ln` from additions, multiplications and divisions only.
//!
//! The standard library's `f32::exp` calls the platform's maths library natively and a
//! Rust port of it in WebAssembly; the two may differ in the last bit, and a training
//! run would then drift apart. These are evaluated in `f64` (a Taylor series after range
//! reduction) and rounded once to `f32`: the same bits everywhere, and within one unit
//! in the last place of the exact value.

use std::f64::consts::{LN_2, LOG2_E};

/// `e^x`: `0` below about −103.97, `+∞` above about 88.72, NaN for NaN.
pub fn exp(x: f32) -> f32 {
    if x.is_nan() {
        return x;
    }
    if x > 88.73 {
        return f32::INFINITY;
    }
    if x < -104.0 {
        return 0.0;
    }
    let x = f64::from(x);
    // x = k ln 2 + r with |r| <= ln 2 / 2; e^x = 2^k e^r.
    let k = (x * LOG2_E).round();
    let r = x - k * LN_2;
    // Taylor series of e^r to r^12 / 12!: the remainder is below 1e-16 for |r| < 0.35.
    let mut term = 1.0;
    let mut sum = 1.0;
    for n in 1..=12 {
        term *= r / f64::from(n);
        sum += term;
    }
    // k lies in [-150, 128]: 2^k is an exact f64, built from its bits.
    let scale = f64::from_bits(((k as i64 + 1023) as u64) << 52);
    (sum * scale) as f32
}

/// The natural logarithm: NaN below 0 (and for NaN), `−∞` at 0, `+∞` at `+∞`.
pub fn ln(x: f32) -> f32 {
    if x.is_nan() || x < 0.0 {
        return f32::NAN;
    }
    if x == 0.0 {
        return f32::NEG_INFINITY;
    }
    if x.is_infinite() {
        return x;
    }
    f64_ln(f64::from(x)) as f32
}

/// `ln x` for a positive, finite, normal or subnormal `x` (as an `f32` widened).
fn f64_ln(x: f64) -> f64 {
    // x = m 2^e with m in [1, 2) (f32 subnormals are normal f64s).
    let bits = x.to_bits();
    let mut exponent = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mut mantissa = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | (1023 << 52));
    if mantissa > std::f64::consts::SQRT_2 {
        mantissa /= 2.0;
        exponent += 1;
    }
    // ln m = 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...), s = (m - 1) / (m + 1), |s| < 0.172.
    let s = (mantissa - 1.0) / (mantissa + 1.0);
    let s2 = s * s;
    let mut power = s;
    let mut sum = 0.0;
    for n in 0..10 {
        sum += power / f64::from(2 * n + 1);
        power *= s2;
    }
    exponent as f64 * LN_2 + 2.0 * sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_to_the_standard_library() {
        let mut worst = 0.0f64;
        for i in -20_000..=20_000 {
            let x = i as f32 * 0.004_3;
            let ours = f64::from(exp(x));
            let exact = f64::from(x).exp();
            worst = worst.max(((ours - exact) / exact).abs());
        }
        assert!(worst < 1.2e-7, "exp: relative error {worst}");
        let mut worst = 0.0f64;
        for i in 1..=40_000 {
            let x = i as f32 * 0.013;
            let ours = f64::from(ln(x));
            let exact = f64::from(x).ln();
            worst = worst.max((ours - exact).abs() / exact.abs().max(1e-3));
        }
        assert!(worst < 1.2e-7, "ln: error {worst}");
        for x in [1e-30f32, 1e-40, 3.4e38] {
            let exact = f64::from(x).ln();
            assert!((f64::from(ln(x)) - exact).abs() < 1e-5 * exact.abs(), "{x}");
        }
    }

    #[test]
    fn edges() {
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(ln(1.0), 0.0);
        assert_eq!(exp(-200.0), 0.0);
        assert_eq!(exp(100.0), f32::INFINITY);
        assert!(exp(f32::NAN).is_nan());
        assert_eq!(ln(0.0), f32::NEG_INFINITY);
        assert!(ln(-1.0).is_nan());
        assert_eq!(ln(f32::INFINITY), f32::INFINITY);
        assert!(exp(88.7) < f32::INFINITY && exp(88.7) > 3e38);
        assert!(exp(-103.0) > 0.0);
    }
}
