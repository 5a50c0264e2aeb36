//! What several test files share: a small reproducible random source.
// Each test file is its own crate and uses only some of these.
#![allow(dead_code)]

/// xorshift64*: small, fast and reproducible from its seed.
pub struct Random(pub u64);

impl Random {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn range(&mut self, low: usize, high: usize) -> usize {
        low + self.below(high - low + 1)
    }

    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// Mostly small, sometimes 0 or enormous.
    pub fn size(&mut self, low: usize, high: usize) -> usize {
        match self.below(40) {
            0 => 0,
            1 => usize::MAX,
            2 => usize::MAX / 3,
            3 => 1 << self.range(20, 62),
            _ => self.range(low, high),
        }
    }

    /// A `width x height` RGBA frame of random bytes.
    pub fn frame(&mut self, width: usize, height: usize) -> Vec<u8> {
        (0..width * height * 4)
            .map(|_| self.below(256) as u8)
            .collect()
    }

    pub fn value(&mut self) -> f32 {
        match self.below(60) {
            0 => f32::NAN,
            1 => f32::INFINITY,
            2 => f32::NEG_INFINITY,
            3 => 1e38,
            4 => -1e38,
            _ => (self.below(2001) as f32 - 1000.0) / 8.0,
        }
    }
}
