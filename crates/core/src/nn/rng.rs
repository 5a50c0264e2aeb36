//! The one random generator of training: PCG32 (O'Neill's PCG-XSH-RR, 64-bit state,
//! 32-bit output), seeded from one `u64`.
//!
//! Only integer arithmetic, so a seed gives the same numbers on every machine and in
//! WebAssembly: the same seed, the same initial weights, the same order of examples,
//! the same run bit for bit.

/// A seeded PCG32 generator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rng {
    state: u64,
    increment: u64,
}

const MULTIPLIER: u64 = 6_364_136_223_846_793_005;

impl Rng {
    /// The generator for `seed` (any number; the stream is fixed, the state is the seed
    /// mixed by SplitMix64 so that nearby seeds give unrelated runs).
    pub fn new(seed: u64) -> Self {
        let mut mixer = seed;
        let mut rng = Rng {
            state: 0,
            increment: (split_mix(&mut mixer) << 1) | 1,
        };
        rng.next_u32();
        rng.state = rng.state.wrapping_add(split_mix(&mut mixer));
        rng.next_u32();
        rng
    }

    /// The next 32 random bits.
    pub fn next_u32(&mut self) -> u32 {
        let old = self.state;
        self.state = old.wrapping_mul(MULTIPLIER).wrapping_add(self.increment);
        let xorshifted = (((old >> 18) ^ old) >> 27) as u32;
        xorshifted.rotate_right((old >> 59) as u32)
    }

    /// A uniform number in `[0, 1)` with 24 random bits (every `f32` step of that
    /// interval's top binade).
    pub fn uniform(&mut self) -> f32 {
        (self.next_u32() >> 8) as f32 * (1.0 / (1u32 << 24) as f32)
    }

    /// A uniform number in `[low, high)`, as `torch.nn.init.uniform_` draws one:
    /// `low + (high - low) * u`.
    pub fn uniform_in(&mut self, low: f32, high: f32) -> f32 {
        low + (high - low) * self.uniform()
    }

    /// A uniform whole number in `0..bound` (`0` when `bound` is 0), without bias
    /// (Lemire's multiply-and-reject).
    pub fn below(&mut self, bound: u32) -> u32 {
        if bound == 0 {
            return 0;
        }
        let threshold = bound.wrapping_neg() % bound;
        loop {
            let product = u64::from(self.next_u32()) * u64::from(bound);
            if (product as u32) >= threshold {
                return (product >> 32) as u32;
            }
        }
    }

    /// Shuffles `items` in place (Fisher–Yates), every order equally likely.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            // Training sets have far fewer than 2^32 items; longer slices shuffle only
            // their first 2^32 positions' choices, which never happens here.
            let bound = u32::try_from(i + 1).unwrap_or(u32::MAX);
            let j = self.below(bound) as usize;
            items.swap(i, j);
        }
    }
}

/// SplitMix64: turns any seed into well-mixed 64-bit words.
fn split_mix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_is_a_fixed_stream() {
        let mut a = Rng::new(14);
        let mut b = Rng::new(14);
        let first: Vec<u32> = (0..8).map(|_| a.next_u32()).collect();
        assert_eq!(first, (0..8).map(|_| b.next_u32()).collect::<Vec<_>>());
        // Pinned: the same numbers natively and in WebAssembly, today and later.
        assert_eq!(first[..3], [221_773_364, 257_613_623, 2_496_116_701]);
        let mut other = Rng::new(15);
        assert_ne!(first[0], other.next_u32());
    }

    #[test]
    fn uniform_numbers_fill_their_interval() {
        let mut rng = Rng::new(1);
        let values: Vec<f32> = (0..10_000).map(|_| rng.uniform_in(-0.5, 0.5)).collect();
        assert!(values.iter().all(|v| (-0.5..0.5).contains(v)));
        let mean = values.iter().sum::<f32>() / values.len() as f32;
        assert!(mean.abs() < 0.01, "{mean}");
        let low = values.iter().filter(|&&v| v < -0.4).count();
        assert!((800..1200).contains(&low), "{low}");
    }

    #[test]
    fn below_is_unbiased_and_shuffle_permutes() {
        let mut rng = Rng::new(7);
        let mut counts = [0usize; 3];
        for _ in 0..30_000 {
            counts[rng.below(3) as usize] += 1;
        }
        assert!(
            counts.iter().all(|&c| (9_500..10_500).contains(&c)),
            "{counts:?}"
        );
        assert_eq!(rng.below(0), 0);
        let mut items: Vec<usize> = (0..100).collect();
        rng.shuffle(&mut items);
        assert_ne!(items, (0..100).collect::<Vec<_>>());
        items.sort_unstable();
        assert_eq!(items, (0..100).collect::<Vec<_>>());
    }
}
