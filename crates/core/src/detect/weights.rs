//! The face detector's weights file, `www/data/mtcnn.bin`.
//!
//! `scripts/mtcnn-weights.py` writes it from the PyPI package `mtcnn` 1.0.0 (MIT,
//! © Iván de Paz Centeno): the package's trained P-Net and R-Net, every `float32` exactly
//! as the package stores it, reordered from Keras's layouts into PyTorch's (convolution
//! kernels `out x in x height x width`, dense layers `out x in`, one PReLU slope per
//! channel). R-Net's first dense layer reads its 64x3x3 map flattened in NCHW order
//! (channel, row, column), as `torch.flatten` gives it.
//!
//! The file, all numbers little-endian:
//!
//! ```text
//! bytes 0..8    "CLMTCNN1"
//! bytes 8..12   number of tensors T (29)
//! bytes 12..16  FNV-1a (32-bit) of every byte after byte 16
//! then T times: a byte L, L bytes of ASCII name, a byte R (rank), R u32 dimensions,
//!               then as many f32 values as the dimensions' product, row-major
//! ```
//!
//! The tensors, in this order, are those of [`LAYOUT`].

use std::fmt;

use crate::error::{Error, Result};
use crate::nn::digits::{fnv1a, FNV_OFFSET};

/// What starts every weights file.
pub const MAGIC: &[u8; 8] = b"CLMTCNN1";

const HEADER: usize = 16;

/// Every tensor of the file: its name and shape, in the file's order. `conv4_1` and
/// `fc5_1` are the box offsets, `conv4_2` and `fc5_2` the two classes (not face, face).
pub const LAYOUT: [(&str, &[usize]); 29] = [
    ("pnet.conv1.weight", &[10, 3, 3, 3]),
    ("pnet.conv1.bias", &[10]),
    ("pnet.prelu1.weight", &[10]),
    ("pnet.conv2.weight", &[16, 10, 3, 3]),
    ("pnet.conv2.bias", &[16]),
    ("pnet.prelu2.weight", &[16]),
    ("pnet.conv3.weight", &[32, 16, 3, 3]),
    ("pnet.conv3.bias", &[32]),
    ("pnet.prelu3.weight", &[32]),
    ("pnet.conv4_1.weight", &[4, 32, 1, 1]),
    ("pnet.conv4_1.bias", &[4]),
    ("pnet.conv4_2.weight", &[2, 32, 1, 1]),
    ("pnet.conv4_2.bias", &[2]),
    ("rnet.conv1.weight", &[28, 3, 3, 3]),
    ("rnet.conv1.bias", &[28]),
    ("rnet.prelu1.weight", &[28]),
    ("rnet.conv2.weight", &[48, 28, 3, 3]),
    ("rnet.conv2.bias", &[48]),
    ("rnet.prelu2.weight", &[48]),
    ("rnet.conv3.weight", &[64, 48, 2, 2]),
    ("rnet.conv3.bias", &[64]),
    ("rnet.prelu3.weight", &[64]),
    ("rnet.fc4.weight", &[128, 576]),
    ("rnet.fc4.bias", &[128]),
    ("rnet.prelu4.weight", &[128]),
    ("rnet.fc5_1.weight", &[4, 128]),
    ("rnet.fc5_1.bias", &[4]),
    ("rnet.fc5_2.weight", &[2, 128]),
    ("rnet.fc5_2.bias", &[2]),
];

/// What is wrong with a weights file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WeightsProblem {
    /// It does not start with [`MAGIC`].
    NotWeights,
    /// It ends before the data its header and tensors announce.
    Truncated {
        /// The file's length in bytes.
        length: usize,
    },
    /// Its checksum is not that of its contents.
    Checksum {
        /// The checksum in the header.
        expected: u32,
        /// The checksum of the contents.
        found: u32,
    },
    /// A tensor is not the one [`LAYOUT`] has at its place (name, shape or count).
    Layout {
        /// The tensor's place, from 0.
        index: usize,
        /// The tensor [`LAYOUT`] has there (`"end of file"` past the last).
        expected: &'static str,
    },
    /// More bytes follow the last tensor.
    TrailingBytes {
        /// How many.
        count: usize,
    },
}

impl fmt::Display for WeightsProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            WeightsProblem::NotWeights => {
                f.write_str("is not a weights file (it does not start with 'CLMTCNN1')")
            }
            WeightsProblem::Truncated { length } => {
                write!(f, "ends too soon, after {length} bytes")
            }
            WeightsProblem::Checksum { expected, found } => write!(
                f,
                "has the checksum {found:08x} instead of {expected:08x}: it is damaged"
            ),
            WeightsProblem::Layout { index, expected } => write!(
                f,
                "holds another tensor at place {} where {expected} belongs",
                index + 1
            ),
            WeightsProblem::TrailingBytes { count } => {
                write!(f, "has {count} bytes after its last tensor")
            }
        }
    }
}

fn problem(problem: WeightsProblem) -> Error {
    Error::Weights { problem }
}

/// Reads the file into its tensors' values, in [`LAYOUT`]'s order, checking the magic,
/// the checksum, every name and shape, and that every value is finite.
///
/// # Errors
/// [`Error::Weights`] for a file that is not this one or is damaged;
/// [`Error::WeightNotFinite`] for a NaN or infinite weight.
pub fn decode(bytes: &[u8]) -> Result<Vec<Vec<f32>>> {
    let truncated = || {
        problem(WeightsProblem::Truncated {
            length: bytes.len(),
        })
    };
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(problem(WeightsProblem::NotWeights));
    }
    if bytes.len() < HEADER {
        return Err(truncated());
    }
    let word = |at: usize| -> Option<u32> {
        let four = bytes.get(at..at.checked_add(4)?)?;
        Some(u32::from_le_bytes([four[0], four[1], four[2], four[3]]))
    };
    let count = word(8).ok_or_else(truncated)? as usize;
    let expected = word(12).ok_or_else(truncated)?;
    let found = fnv1a(FNV_OFFSET, &bytes[HEADER..]);
    if found != expected {
        return Err(problem(WeightsProblem::Checksum { expected, found }));
    }
    if count != LAYOUT.len() {
        return Err(problem(WeightsProblem::Layout {
            index: count.min(LAYOUT.len()),
            expected: LAYOUT.get(count).map_or("end of file", |(name, _)| name),
        }));
    }
    let mut at = HEADER;
    let mut tensors = Vec::with_capacity(LAYOUT.len());
    let mut finite_index = 0;
    for (index, (name, shape)) in LAYOUT.iter().enumerate() {
        let layout = || {
            problem(WeightsProblem::Layout {
                index,
                expected: name,
            })
        };
        let length = usize::from(*bytes.get(at).ok_or_else(truncated)?);
        let written = bytes.get(at + 1..at + 1 + length).ok_or_else(truncated)?;
        at += 1 + length;
        let rank = usize::from(*bytes.get(at).ok_or_else(truncated)?);
        at += 1;
        let mut dims = Vec::with_capacity(rank);
        for _ in 0..rank {
            dims.push(word(at).ok_or_else(truncated)? as usize);
            at += 4;
        }
        if written != name.as_bytes() || dims != *shape {
            return Err(layout());
        }
        let values: usize = shape.iter().product();
        let data = bytes.get(at..at + 4 * values).ok_or_else(truncated)?;
        at += 4 * values;
        let tensor: Vec<f32> = data
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        if let Some(bad) = tensor.iter().position(|v| !v.is_finite()) {
            return Err(Error::WeightNotFinite {
                index: finite_index + bad,
                value: tensor[bad],
            });
        }
        finite_index += values;
        tensors.push(tensor);
    }
    if at != bytes.len() {
        return Err(problem(WeightsProblem::TrailingBytes {
            count: bytes.len() - at,
        }));
    }
    Ok(tensors)
}

/// Writes tensors (in [`LAYOUT`]'s order and shapes) as a weights file: what
/// `scripts/mtcnn-weights.py` writes, for tests that need a file of their own.
pub fn encode(tensors: &[Vec<f32>]) -> Vec<u8> {
    let mut body = Vec::new();
    for ((name, shape), values) in LAYOUT.iter().zip(tensors) {
        body.push(name.len() as u8);
        body.extend(name.as_bytes());
        body.push(shape.len() as u8);
        for &d in *shape {
            body.extend((d as u32).to_le_bytes());
        }
        for v in values {
            body.extend(v.to_le_bytes());
        }
    }
    let mut bytes = MAGIC.to_vec();
    bytes.extend((tensors.len() as u32).to_le_bytes());
    bytes.extend(fnv1a(FNV_OFFSET, &body).to_le_bytes());
    bytes.extend(body);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &[u8] = include_bytes!("../../../../www/data/mtcnn.bin");

    #[test]
    fn the_committed_file_holds_both_networks() {
        let tensors = decode(FILE).unwrap();
        assert_eq!(tensors.len(), 29);
        let pnet: usize = tensors[..13].iter().map(Vec::len).sum();
        let rnet: usize = tensors[13..].iter().map(Vec::len).sum();
        assert_eq!((pnet, rnet), (6_632, 100_178));
        // The package's first values (conv1's kernel is HWIO there: [0,0,0,0] is filter
        // 1's first weight, [0,0,0,1] filter 2's) and its last bias.
        assert_eq!(tensors[0][0], -0.081_647_16);
        assert_eq!(tensors[0][27], 0.487_900_67);
        assert_eq!(tensors[12], vec![0.000_530_267_4, -0.000_507_683_96]);
        assert_eq!(encode(&tensors), FILE);
    }

    #[test]
    fn damaged_files_are_named() {
        let mut other = FILE.to_vec();
        other[0] = b'X';
        assert_eq!(decode(&other), Err(problem(WeightsProblem::NotWeights)));
        assert_eq!(
            decode(&FILE[..1000]).unwrap_err(),
            problem(WeightsProblem::Checksum {
                expected: u32::from_le_bytes([FILE[12], FILE[13], FILE[14], FILE[15]]),
                found: fnv1a(FNV_OFFSET, &FILE[16..1000]),
            })
        );
        assert_eq!(
            decode(&FILE[..12]),
            Err(problem(WeightsProblem::Truncated { length: 12 }))
        );
        let mut tensors = decode(FILE).unwrap();
        let full = encode(&tensors);
        assert_eq!(
            decode(&full[..full.len() - 4]).unwrap_err(),
            problem(WeightsProblem::Checksum {
                expected: u32::from_le_bytes([full[12], full[13], full[14], full[15]]),
                found: fnv1a(FNV_OFFSET, &full[16..full.len() - 4]),
            })
        );
        tensors[3][5] = f32::NAN;
        assert!(matches!(
            decode(&encode(&tensors)),
            Err(Error::WeightNotFinite { index: 295, .. })
        ));
        tensors[3][5] = 0.0;
        let mut longer = encode(&tensors);
        longer.push(0);
        let body = fnv1a(FNV_OFFSET, &longer[16..]);
        longer[12..16].copy_from_slice(&body.to_le_bytes());
        assert_eq!(
            decode(&longer),
            Err(problem(WeightsProblem::TrailingBytes { count: 1 }))
        );
        let mut renamed = encode(&tensors);
        renamed[17] = b'q'; // "pnet" -> "qnet"
        let body = fnv1a(FNV_OFFSET, &renamed[16..]);
        renamed[12..16].copy_from_slice(&body.to_le_bytes());
        assert_eq!(
            decode(&renamed),
            Err(problem(WeightsProblem::Layout {
                index: 0,
                expected: "pnet.conv1.weight"
            }))
        );
    }
}
