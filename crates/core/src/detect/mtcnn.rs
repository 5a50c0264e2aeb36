//! MTCNN's first two stages: P-Net slides over an image pyramid and proposes faces,
//! R-Net looks at each proposal again (see [`crate::detect`] for the conventions).

use super::layers::{prelu_in_place, softmax_channels};
use super::weights;
use crate::conv::{conv2d, ConvParams};
use crate::error::{Error, Result};
use crate::pool::{pool2d, PoolFunction, PoolParams};
use crate::tensor::{Shape, Tensor};

/// P-Net's window: it sees 12x12 pixels of its input.
pub const WINDOW: usize = 12;
/// P-Net's step: neighbouring cells of its maps are 2 input pixels apart.
pub const STEP: usize = 2;
/// R-Net's input side.
pub const RNET_SIDE: usize = 24;

/// A convolution with its learned weights and biases.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvLayer {
    /// `C_out x C_in x K_h x K_w`.
    pub weight: Tensor,
    /// One per output channel.
    pub bias: Vec<f32>,
}

impl ConvLayer {
    fn new(weight: Vec<f32>, bias: Vec<f32>, shape: [usize; 4]) -> Result<Self> {
        let [o, i, h, w] = shape;
        Ok(ConvLayer {
            weight: Tensor::with_batch(o, i, h, w, weight)?,
            bias,
        })
    }

    /// The layer's convolution: stride 1, no padding, as all of MTCNN's.
    ///
    /// # Errors
    /// As [`conv2d`].
    pub fn apply(&self, input: &Tensor) -> Result<Tensor> {
        conv2d(
            input,
            &self.weight,
            Some(&self.bias),
            &ConvParams::default(),
        )
    }

    /// Its weights and biases.
    pub fn parameters(&self) -> usize {
        self.weight.data().len() + self.bias.len()
    }
}

/// A convolution followed by PReLU (one slope per output channel).
fn conv_prelu(layer: &ConvLayer, slopes: &[f32], input: &Tensor) -> Result<Tensor> {
    let mut output = layer.apply(input)?;
    prelu_in_place(&mut output, slopes)?;
    Ok(output)
}

/// Max pooling as Keras's `MaxPooling2D(padding="same")` does it for MTCNN's odd sizes:
/// PyTorch's `MaxPool2d(kernel, stride, ceil_mode=True)` (the last window may hang over
/// the bottom and right edge).
fn max_pool(input: &Tensor, kernel: usize, ceil_mode: bool) -> Result<Tensor> {
    let params = PoolParams {
        stride: Some((2, 2)),
        ceil_mode,
        ..PoolParams::square(kernel)
    };
    pool2d(input, PoolFunction::Max, &params)
}

/// The Proposal Network: a fully convolutional network of 6,632 parameters that gives,
/// for every 12x12 window of its input (2 pixels apart), the probability of a face and
/// four box offsets.
///
/// ```text
/// conv1 3x3, 3 -> 10, PReLU    12x12 -> 10x10
/// max pool 2x2, stride 2       -> 5x5
/// conv2 3x3, 10 -> 16, PReLU   -> 3x3
/// conv3 3x3, 16 -> 32, PReLU   -> 1x1
/// conv4_1 1x1, 32 -> 4         box offsets (x1, y1, x2, y2) in window sides
/// conv4_2 1x1, 32 -> 2, softmax  (not face, face)
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PNet {
    /// First convolution.
    pub conv1: ConvLayer,
    /// Its PReLU slopes.
    pub prelu1: Vec<f32>,
    /// Second convolution.
    pub conv2: ConvLayer,
    /// Its PReLU slopes.
    pub prelu2: Vec<f32>,
    /// Third convolution.
    pub conv3: ConvLayer,
    /// Its PReLU slopes.
    pub prelu3: Vec<f32>,
    /// The 1x1 convolution that gives the box offsets (the package's `conv4_1`).
    pub offsets: ConvLayer,
    /// The 1x1 convolution that classifies (the package's `conv4_2`): the classifier is
    /// a convolution, so the network slides over any image size.
    pub classes: ConvLayer,
}

/// Every map P-Net computes for one input, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct PNetMaps {
    /// After conv1 and PReLU: 10 channels.
    pub conv1: Tensor,
    /// After the max pooling: 10 channels, half the size.
    pub pool1: Tensor,
    /// After conv2 and PReLU: 16 channels.
    pub conv2: Tensor,
    /// After conv3 and PReLU: 32 channels.
    pub conv3: Tensor,
    /// The 4 box offsets.
    pub offsets: Tensor,
    /// The 2 class scores before the softmax (not face, face).
    pub scores: Tensor,
    /// The softmax's face probability: one channel.
    pub face: Tensor,
}

impl PNet {
    /// Runs the network on normalised images (`N x 3 x H x W`, see
    /// [`crate::detect::normalise`]), at least 12x12.
    ///
    /// # Errors
    /// An input that is not 3 channels or smaller than 12x12.
    pub fn forward(&self, input: &Tensor) -> Result<PNetMaps> {
        check_input(input, WINDOW, "P-Net input")?;
        let conv1 = conv_prelu(&self.conv1, &self.prelu1, input)?;
        let pool1 = max_pool(&conv1, 2, true)?;
        let conv2 = conv_prelu(&self.conv2, &self.prelu2, &pool1)?;
        let conv3 = conv_prelu(&self.conv3, &self.prelu3, &conv2)?;
        let offsets = self.offsets.apply(&conv3)?;
        let scores = self.classes.apply(&conv3)?;
        let face = face_channel(&softmax_channels(&scores))?;
        Ok(PNetMaps {
            conv1,
            pool1,
            conv2,
            conv3,
            offsets,
            scores,
            face,
        })
    }

    /// Its weights, biases and slopes: 6,632.
    pub fn parameters(&self) -> usize {
        self.conv1.parameters()
            + self.conv2.parameters()
            + self.conv3.parameters()
            + self.offsets.parameters()
            + self.classes.parameters()
            + self.prelu1.len()
            + self.prelu2.len()
            + self.prelu3.len()
    }
}

/// The Refinement Network: looks at a 24x24 crop of each proposal and gives a new face
/// probability and box offsets.
///
/// ```text
/// conv1 3x3, 3 -> 28, PReLU       24x24 -> 22x22
/// max pool 3x3, stride 2, ceil    -> 11x11
/// conv2 3x3, 28 -> 48, PReLU      -> 9x9
/// max pool 3x3, stride 2          -> 4x4
/// conv3 2x2, 48 -> 64, PReLU      -> 3x3
/// fc4 576 -> 128, PReLU           a 3x3 convolution over the whole 64x3x3 map
/// fc5_1 128 -> 4, fc5_2 128 -> 2  box offsets; softmax (not face, face)
/// ```
///
/// Its fully connected layers are run as the convolutions they are: `fc4` is a 3x3
/// kernel that covers its whole input, `fc5_*` are 1x1 kernels.
#[derive(Debug, Clone, PartialEq)]
pub struct RNet {
    /// First convolution.
    pub conv1: ConvLayer,
    /// Its PReLU slopes.
    pub prelu1: Vec<f32>,
    /// Second convolution.
    pub conv2: ConvLayer,
    /// Its PReLU slopes.
    pub prelu2: Vec<f32>,
    /// Third convolution.
    pub conv3: ConvLayer,
    /// Its PReLU slopes.
    pub prelu3: Vec<f32>,
    /// The first fully connected layer, as a `128 x 64 x 3 x 3` convolution.
    pub fc4: ConvLayer,
    /// Its PReLU slopes.
    pub prelu4: Vec<f32>,
    /// Box offsets, as a `4 x 128 x 1 x 1` convolution.
    pub offsets: ConvLayer,
    /// Classes, as a `2 x 128 x 1 x 1` convolution.
    pub classes: ConvLayer,
}

/// What R-Net says of a batch of crops.
#[derive(Debug, Clone, PartialEq)]
pub struct RNetOutput {
    /// Each crop's face probability.
    pub face: Vec<f32>,
    /// Each crop's four box offsets `(x1, y1, x2, y2)`, in box sides.
    pub offsets: Vec<[f32; 4]>,
}

impl RNet {
    /// Runs the network on normalised 24x24 crops (`N x 3 x 24 x 24`).
    ///
    /// # Errors
    /// An input that is not `N x 3 x 24 x 24`.
    pub fn forward(&self, crops: &Tensor) -> Result<RNetOutput> {
        let shape = crops.shape();
        if (shape.channels, shape.height, shape.width) != (3, RNET_SIDE, RNET_SIDE) {
            return Err(wrong_shape(
                "R-Net input",
                [shape.batch, 3, RNET_SIDE, RNET_SIDE],
                shape,
            ));
        }
        let x = conv_prelu(&self.conv1, &self.prelu1, crops)?;
        let x = max_pool(&x, 3, true)?;
        let x = conv_prelu(&self.conv2, &self.prelu2, &x)?;
        let x = max_pool(&x, 3, false)?;
        let x = conv_prelu(&self.conv3, &self.prelu3, &x)?;
        let x = conv_prelu(&self.fc4, &self.prelu4, &x)?;
        let offsets = self.offsets.apply(&x)?;
        let face = face_channel(&softmax_channels(&self.classes.apply(&x)?))?;
        Ok(RNetOutput {
            face: face.into_data(),
            offsets: offsets
                .data()
                .chunks_exact(4)
                .map(|d| [d[0], d[1], d[2], d[3]])
                .collect(),
        })
    }

    /// Its weights, biases and slopes: 100,178.
    pub fn parameters(&self) -> usize {
        self.conv1.parameters()
            + self.conv2.parameters()
            + self.conv3.parameters()
            + self.fc4.parameters()
            + self.offsets.parameters()
            + self.classes.parameters()
            + self.prelu1.len()
            + self.prelu2.len()
            + self.prelu3.len()
            + self.prelu4.len()
    }
}

/// Both trained networks, as the weights file holds them.
#[derive(Debug, Clone, PartialEq)]
pub struct Mtcnn {
    /// The first stage.
    pub pnet: PNet,
    /// The second stage.
    pub rnet: RNet,
}

impl Mtcnn {
    /// Reads the networks from a weights file (`www/data/mtcnn.bin`; format in
    /// [`weights`]).
    ///
    /// # Errors
    /// As [`weights::decode`].
    pub fn decode(bytes: &[u8]) -> Result<Self> {
        // In the order of `weights::LAYOUT`, whose shapes `decode` has checked.
        let mut t = weights::decode(bytes)?.into_iter();
        let t = &mut t;
        let pnet = PNet {
            conv1: conv(t, [10, 3, 3, 3])?,
            prelu1: take(t),
            conv2: conv(t, [16, 10, 3, 3])?,
            prelu2: take(t),
            conv3: conv(t, [32, 16, 3, 3])?,
            prelu3: take(t),
            offsets: conv(t, [4, 32, 1, 1])?,
            classes: conv(t, [2, 32, 1, 1])?,
        };
        let rnet = RNet {
            conv1: conv(t, [28, 3, 3, 3])?,
            prelu1: take(t),
            conv2: conv(t, [48, 28, 3, 3])?,
            prelu2: take(t),
            conv3: conv(t, [64, 48, 2, 2])?,
            prelu3: take(t),
            fc4: conv(t, [128, 64, 3, 3])?,
            prelu4: take(t),
            offsets: conv(t, [4, 128, 1, 1])?,
            classes: conv(t, [2, 128, 1, 1])?,
        };
        Ok(Mtcnn { pnet, rnet })
    }
}

fn take(tensors: &mut impl Iterator<Item = Vec<f32>>) -> Vec<f32> {
    tensors.next().unwrap_or_default()
}

fn conv(tensors: &mut impl Iterator<Item = Vec<f32>>, shape: [usize; 4]) -> Result<ConvLayer> {
    let weight = take(tensors);
    ConvLayer::new(weight, take(tensors), shape)
}

/// Channel 1 (face) of a softmax over two channels, as an `N x 1 x H x W` tensor.
fn face_channel(probabilities: &Tensor) -> Result<Tensor> {
    let shape = probabilities.shape();
    let plane = shape.plane_len();
    let data: Vec<f32> = probabilities
        .data()
        .chunks_exact(2 * plane)
        .flat_map(|image| image[plane..].iter().copied())
        .collect();
    Tensor::with_batch(shape.batch, 1, shape.height, shape.width, data)
}

fn wrong_shape(what: &'static str, expected: [usize; 4], actual: Shape) -> Error {
    Error::WrongShape {
        what,
        expected,
        actual: [actual.batch, actual.channels, actual.height, actual.width],
    }
}

/// Checks an input has 3 channels and is at least `side x side`.
pub(crate) fn check_input(input: &Tensor, side: usize, what: &'static str) -> Result<()> {
    let shape = input.shape();
    if shape.channels != 3 || shape.height < side || shape.width < side {
        return Err(wrong_shape(
            what,
            [
                shape.batch,
                3,
                shape.height.max(side),
                shape.width.max(side),
            ],
            shape,
        ));
    }
    Ok(())
}
