//! The lecture's "kid detector" made real: MTCNN's trained face detector (P-Net and
//! R-Net), built on the same convolution and pooling as the rest of the crate.
//!
//! One set of weights slides over the whole picture: P-Net has no fully connected
//! layer (its classifier is a 1x1 convolution), so it runs on an image of any size and
//! answers for every 12x12 window, 2 pixels apart. Faces larger than 12 pixels are found
//! by shrinking the image (the pyramid, by 0.709 a level); R-Net then looks again at a
//! 24x24 crop of each proposal.
//!
//! - [`prelu`] (one slope per channel) and [`softmax_channels`] are the layers the
//!   networks add; their convolutions are [`crate::conv2d`], their pooling
//!   [`crate::pool2d`] (Keras's `padding="same"` pooling is PyTorch's `ceil_mode`).
//! - [`PNet`], [`RNet`], [`Mtcnn::decode`] (the weights file of [`weights`]) and
//!   [`Mtcnn::detect`]: pyramid ([`pyramid`], [`resize_area`]), boxes ([`level_boxes`],
//!   [`FaceBox`]), [`nms`], R-Net, [`Detection::heat_map`], [`draw`].
//! - [`template`]: a patch the student picks as the kernel: plain correlation and
//!   normalised cross-correlation (with integral images), [`best_match`].
//!
//! # Conventions
//!
//! The weights are those of the PyPI package `mtcnn` 1.0.0 (MIT, © Iván de Paz
//! Centeno), a Keras port of the original Caffe models. Its input conventions were
//! checked here on a real face, the astronaut sample (Eileen Collins, 512x512), by the
//! test `the_conventions_are_those_of_the_port` (the numbers below are what it measures):
//!
//! - **values**: `(x − 127.5) / 128` of the 0..255 pixels ([`normalise`]);
//! - **channel order**: red, green, blue (not Caffe's blue, green, red);
//! - **not transposed**: the image as it is, rows down and columns across (the original
//!   Caffe models, trained in MATLAB's column-major order, expect it transposed; this
//!   port's weights do not).
//!
//! What it measures (faces from 40 pixels, R-Net's threshold 0, the face's box drawn
//! by hand): as above, P-Net's most certain proposal is the face (IoU 0.80 with the
//! hand-drawn box) and R-Net gives it 0.997; with red and blue exchanged, P-Net's most
//! certain proposal lies elsewhere (IoU 0); on the transposed image, R-Net's best score
//! on the (transposed) face is 0.39.
//!
//! The box offsets are `(x1, y1, x2, y2)` in window sides (P-Net) or box sides
//! (R-Net), added to the window's edges (`x1` is the left edge). Boxes are in input
//! pixels with `x2 = x1 + width`. Where this module differs from the package: NMS is
//! the greedy one of `torchvision.ops.nms` (the package's drops a box overlapping any
//! higher-scored box, even one already dropped); the pyramid's levels are
//! `ceil(size · scale)` pixels and P-Net's cells map back by each level's true ratio
//! per axis; R-Net's crops are bilinear samples at pixel centres (0 outside the image)
//! and its offsets are in box sides `x2 − x1` (the package adds one pixel). So the
//! boxes agree with the package's to a pixel or so, not bit for bit.

mod layers;
mod mtcnn;
mod stages;
pub mod template;
pub mod weights;

pub use layers::{prelu, resize_area, softmax_channels};
pub use mtcnn::{ConvLayer, Mtcnn, PNet, PNetMaps, RNet, RNetOutput, RNET_SIDE, STEP, WINDOW};
pub use stages::{
    draw, level_boxes, nms, normalise, pyramid, Detection, FaceBox, Level, LevelResult, Settings,
    FACE_COLOUR, HEAT_COLOUR, MAX_MIN_FACE, MAX_PROPOSALS, NMS_LEVEL, NMS_PYRAMID, NMS_RNET,
};
pub use template::{best_match, cut, Matches, Template, MAX_PATCH};
pub use weights::WeightsProblem;
