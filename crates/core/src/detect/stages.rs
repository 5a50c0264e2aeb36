//! The detector around the networks: the image pyramid, boxes from P-Net's maps,
//! non-maximum suppression, R-Net's crops, and the heat map.

use super::mtcnn::{Mtcnn, PNetMaps, RNET_SIDE, STEP, WINDOW};
use crate::error::{setting_within, Error, Result};
use crate::tensor::{Shape, Tensor};

/// `(x − 127.5) / 128`: the scaling MTCNN was trained with, 0..255 to about −1..1.
///
/// # Errors
/// An input that is not 3 channels (red, green, blue).
pub fn normalise(rgb: &Tensor) -> Result<Tensor> {
    super::mtcnn::check_input(rgb, 1, "detector input")?;
    let mut out = rgb.clone();
    for v in out.data_mut() {
        *v = (*v - 127.5) / 128.0;
    }
    Ok(out)
}

/// A box in input pixels: `x1, y1` its top-left corner, `x2, y2` its bottom-right (so
/// its width is `x2 − x1`), and a score (a face probability).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaceBox {
    /// Left edge.
    pub x1: f32,
    /// Top edge.
    pub y1: f32,
    /// Right edge.
    pub x2: f32,
    /// Bottom edge.
    pub y2: f32,
    /// The face probability.
    pub score: f32,
}

impl FaceBox {
    /// `x2 − x1`.
    pub fn width(&self) -> f32 {
        self.x2 - self.x1
    }

    /// `y2 − y1`.
    pub fn height(&self) -> f32 {
        self.y2 - self.y1
    }

    /// Its area (0 for an inverted box).
    pub fn area(&self) -> f32 {
        self.width().max(0.0) * self.height().max(0.0)
    }

    /// Intersection over union with `other` (0 when either is empty).
    pub fn iou(&self, other: &FaceBox) -> f32 {
        let w = (self.x2.min(other.x2) - self.x1.max(other.x1)).max(0.0);
        let h = (self.y2.min(other.y2) - self.y1.max(other.y1)).max(0.0);
        let inter = w * h;
        let union = self.area() + other.area() - inter;
        if union > 0.0 {
            inter / union
        } else {
            0.0
        }
    }

    /// The square of the same centre whose side is the larger of width and height (what
    /// the next stage looks at).
    pub fn square(&self) -> FaceBox {
        let side = self.width().max(self.height());
        let x1 = self.x1 + self.width() * 0.5 - side * 0.5;
        let y1 = self.y1 + self.height() * 0.5 - side * 0.5;
        FaceBox {
            x1,
            y1,
            x2: x1 + side,
            y2: y1 + side,
            score: self.score,
        }
    }

    /// Moves the edges by `offsets` (x1, y1, x2, y2) given in widths and heights of the box.
    pub fn shifted(&self, offsets: [f32; 4]) -> FaceBox {
        let (w, h) = (self.width(), self.height());
        FaceBox {
            x1: self.x1 + offsets[0] * w,
            y1: self.y1 + offsets[1] * h,
            x2: self.x2 + offsets[2] * w,
            y2: self.y2 + offsets[3] * h,
            score: self.score,
        }
    }
}

/// Greedy non-maximum suppression, as `torchvision.ops.nms`: boxes by decreasing score
/// (ties in their given order); each is kept unless it overlaps a kept one by an IoU
/// above `threshold`.
pub fn nms(boxes: &[FaceBox], threshold: f32) -> Vec<FaceBox> {
    let mut order: Vec<usize> = (0..boxes.len()).collect();
    order.sort_by(|&a, &b| boxes[b].score.total_cmp(&boxes[a].score));
    let mut kept: Vec<FaceBox> = Vec::new();
    for i in order {
        if kept.iter().all(|k| k.iou(&boxes[i]) <= threshold) {
            kept.push(boxes[i]);
        }
    }
    kept
}

/// How the detector runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// The smallest face to look for, in input pixels (at least P-Net's 12): the
    /// pyramid's first level shrinks the image by `12 / min_face`.
    pub min_face: f32,
    /// Each level of the pyramid is this much smaller than the one before (0.709: half
    /// the area).
    pub factor: f32,
    /// P-Net's face probability for a proposal.
    pub pnet_threshold: f32,
    /// R-Net's face probability for a face.
    pub rnet_threshold: f32,
    /// Run R-Net on P-Net's proposals (else the proposals are the answer).
    pub rnet: bool,
}

impl Default for Settings {
    /// The package's defaults (faces from 20 pixels, factor 0.709, P-Net's threshold
    /// 0.6), but R-Net's threshold 0.95, not 0.7: the package follows R-Net with a third
    /// network (O-Net) that this detector does not have, and R-Net alone at 0.7 keeps
    /// five boxes off the astronaut's face (0.71 to 0.91; the face has 0.9993).
    fn default() -> Self {
        Settings {
            min_face: 20.0,
            factor: 0.709,
            pnet_threshold: 0.6,
            rnet_threshold: 0.95,
            rnet: true,
        }
    }
}

/// The largest `min_face` accepted, in pixels.
pub const MAX_MIN_FACE: f32 = 10_000.0;
/// IoU above which P-Net's boxes of one level suppress each other.
pub const NMS_LEVEL: f32 = 0.5;
/// IoU above which P-Net's boxes of all levels suppress each other.
pub const NMS_PYRAMID: f32 = 0.7;
/// IoU above which R-Net's boxes suppress each other.
pub const NMS_RNET: f32 = 0.7;
/// The most proposals R-Net looks at (the highest scores).
pub const MAX_PROPOSALS: usize = 1_000;

impl Settings {
    /// The defaults with faces from `min_face` pixels, R-Net or not, and the threshold of
    /// the last stage run (R-Net's, or P-Net's without it) if given: what the page's
    /// and the command line's three controls mean.
    pub fn answer(min_face: f32, rnet: bool, threshold: Option<f32>) -> Settings {
        let defaults = Settings::default();
        Settings {
            min_face,
            rnet,
            pnet_threshold: match (rnet, threshold) {
                (false, Some(t)) => t,
                _ => defaults.pnet_threshold,
            },
            rnet_threshold: match (rnet, threshold) {
                (true, Some(t)) => t,
                _ => defaults.rnet_threshold,
            },
            ..defaults
        }
    }

    /// Checks every setting is in its range.
    ///
    /// # Errors
    /// [`Error::Setting`] naming the setting.
    pub fn check(&self) -> Result<()> {
        let range = |what, value, low, high| setting_within(what, value, low, high, false);
        range(
            "minimum face size",
            self.min_face,
            WINDOW as f32,
            MAX_MIN_FACE,
        )?;
        range("pyramid factor", self.factor, 0.1, 0.95)?;
        range("face threshold", self.pnet_threshold, 0.0, 1.0)?;
        range("face threshold", self.rnet_threshold, 0.0, 1.0)
    }
}

/// One level of the image pyramid.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Level {
    /// The scale asked for, `(12 / min_face) · factor^k`.
    pub scale: f32,
    /// The level's size in pixels, `ceil(size · scale)`.
    pub height: usize,
    /// Its width.
    pub width: usize,
}

/// The pyramid for an image of `height x width`: levels while the smaller side stays at
/// least P-Net's 12 pixels. Empty for an image smaller than `min_face`.
///
/// # Errors
/// As [`Settings::check`].
pub fn pyramid(height: usize, width: usize, settings: &Settings) -> Result<Vec<Level>> {
    settings.check()?;
    let mut levels = Vec::new();
    // In f64 and by repeated products, so every platform gives the same levels.
    let mut scale = WINDOW as f64 / f64::from(settings.min_face);
    let smaller = height.min(width) as f64;
    while smaller * scale >= WINDOW as f64 {
        let side = |n: usize| ((n as f64 * scale).ceil() as usize).max(WINDOW);
        levels.push(Level {
            scale: scale as f32,
            height: side(height),
            width: side(width),
        });
        scale *= f64::from(settings.factor);
    }
    Ok(levels)
}

/// What P-Net says at one level of the pyramid.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelResult {
    /// The level.
    pub level: Level,
    /// Every map of P-Net at this level (the face probability is `maps.face`).
    pub maps: PNetMaps,
    /// Its boxes above the threshold, in input pixels, after this level's NMS.
    pub boxes: Vec<FaceBox>,
}

/// Everything the detector found in one image.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    /// The input's height and width.
    pub size: (usize, usize),
    /// P-Net at each level of the pyramid.
    pub levels: Vec<LevelResult>,
    /// P-Net's proposals: all levels' boxes after NMS across the pyramid.
    pub proposals: Vec<FaceBox>,
    /// R-Net's answer for each proposal it looked at (the squares it saw, scored by it
    /// and moved by its offsets), before its threshold; empty without R-Net.
    pub refined: Vec<FaceBox>,
    /// The faces: R-Net's boxes above its threshold after NMS (P-Net's proposals
    /// without R-Net), by decreasing score.
    pub faces: Vec<FaceBox>,
}

/// P-Net's boxes at one level: every cell whose face probability exceeds `threshold`,
/// its 12x12 window (cell `(i, j)` covers level pixels `2j..2j+12` by `2i..2i+12`) moved
/// by the offsets, mapped back to input pixels by the level's true ratio along each axis.
pub fn level_boxes(
    maps: &PNetMaps,
    level: &Level,
    input: (usize, usize),
    threshold: f32,
) -> Vec<FaceBox> {
    let (h, w) = (maps.face.height(), maps.face.width());
    let plane = h * w;
    let ry = input.0 as f32 / level.height as f32;
    let rx = input.1 as f32 / level.width as f32;
    let side = WINDOW as f32;
    let offsets = maps.offsets.data();
    let mut boxes = Vec::new();
    for (cell, &p) in maps.face.data().iter().enumerate().take(plane) {
        if p <= threshold {
            continue;
        }
        let (i, j) = ((cell / w) as f32, (cell % w) as f32);
        let (x, y) = (j * STEP as f32, i * STEP as f32);
        let d = |k: usize| offsets[k * plane + cell] * side;
        boxes.push(FaceBox {
            x1: (x + d(0)) * rx,
            y1: (y + d(1)) * ry,
            x2: (x + side + d(2)) * rx,
            y2: (y + side + d(3)) * ry,
            score: p,
        });
    }
    boxes
}

impl Mtcnn {
    /// Finds faces in an RGB image (`1 x 3 x H x W`, values 0..255): P-Net over the
    /// pyramid, NMS per level and across levels, then (with `settings.rnet`) R-Net on
    /// each proposal's square, its threshold and NMS.
    ///
    /// # Errors
    /// A setting out of range; an input that is not one 3-channel image.
    pub fn detect(&self, rgb: &Tensor, settings: &Settings) -> Result<Detection> {
        settings.check()?;
        let shape = rgb.shape();
        if shape.batch != 1 || shape.channels != 3 {
            return Err(Error::WrongShape {
                what: "detector input",
                expected: [1, 3, shape.height, shape.width],
                actual: [shape.batch, shape.channels, shape.height, shape.width],
            });
        }
        let input = (shape.height, shape.width);
        let image = normalise(rgb)?;
        let mut levels = Vec::new();
        let mut all = Vec::new();
        for level in pyramid(shape.height, shape.width, settings)? {
            let scaled = resize_area_of(&image, &level)?;
            let maps = self.pnet.forward(&scaled)?;
            let boxes = nms(
                &level_boxes(&maps, &level, input, settings.pnet_threshold),
                NMS_LEVEL,
            );
            all.extend_from_slice(&boxes);
            levels.push(LevelResult { level, maps, boxes });
        }
        let proposals = nms(&all, NMS_PYRAMID);
        let (refined, faces) = if settings.rnet {
            let refined = self.refine(&image, &proposals)?;
            let above: Vec<FaceBox> = refined
                .iter()
                .copied()
                .filter(|b| b.score > settings.rnet_threshold)
                .collect();
            (refined, nms(&above, NMS_RNET))
        } else {
            (Vec::new(), proposals.clone())
        };
        Ok(Detection {
            size: input,
            levels,
            proposals,
            refined,
            faces,
        })
    }

    /// R-Net on the squares of (at most [`MAX_PROPOSALS`] of) the proposals: each box
    /// scored by R-Net and moved by its offsets.
    fn refine(&self, image: &Tensor, proposals: &[FaceBox]) -> Result<Vec<FaceBox>> {
        let squares: Vec<FaceBox> = proposals
            .iter()
            .take(MAX_PROPOSALS)
            .map(FaceBox::square)
            .collect();
        if squares.is_empty() {
            return Ok(Vec::new());
        }
        let side = RNET_SIDE;
        let mut data = Vec::with_capacity(squares.len() * 3 * side * side);
        for b in &squares {
            crop(image, b, side, &mut data);
        }
        let crops = Tensor::with_batch(squares.len(), 3, side, side, data)?;
        let out = self.rnet.forward(&crops)?;
        Ok(squares
            .iter()
            .zip(out.face.iter().zip(&out.offsets))
            .map(|(b, (&score, &offsets))| FaceBox {
                score,
                ..b.shifted(offsets)
            })
            .collect())
    }
}

fn resize_area_of(image: &Tensor, level: &Level) -> Result<Tensor> {
    super::layers::resize_area(image, level.height, level.width)
}

/// Appends the `side x side` bilinear samples of `b` (pixel centres: output cell `i`
/// samples `y1 + (i + ½) · height / side − ½`) from every channel of `image`, with 0
/// (mid-grey once normalised) outside the image.
fn crop(image: &Tensor, b: &FaceBox, side: usize, out: &mut Vec<f32>) {
    let shape = image.shape();
    let (h, w) = (shape.height as isize, shape.width as isize);
    let sy = b.height() / side as f32;
    let sx = b.width() / side as f32;
    let taps = |start: f32, step: f32| -> Vec<(isize, f32)> {
        (0..side)
            .map(|i| {
                let p = start + (i as f32 + 0.5) * step - 0.5;
                let f = p.floor();
                (f as isize, p - f)
            })
            .collect()
    };
    let rows = taps(b.y1, sy);
    let columns = taps(b.x1, sx);
    for plane in image.data().chunks_exact(shape.plane_len()).take(3) {
        let at = |y: isize, x: isize| -> f32 {
            if (0..h).contains(&y) && (0..w).contains(&x) {
                plane[(y * w + x) as usize]
            } else {
                0.0
            }
        };
        for &(y, fy) in &rows {
            for &(x, fx) in &columns {
                let top = at(y, x) * (1.0 - fx) + at(y, x + 1) * fx;
                let bottom = at(y + 1, x) * (1.0 - fx) + at(y + 1, x + 1) * fx;
                out.push(top * (1.0 - fy) + bottom * fy);
            }
        }
    }
}

impl Detection {
    /// The face probability over the input, `1 x 1 x H x W`: at each pixel the largest,
    /// over the levels, of the probability of the cell whose window is centred nearest
    /// to it (0 everywhere when the pyramid is empty).
    ///
    /// # Errors
    /// A size too large for a tensor.
    pub fn heat_map(&self) -> Result<Tensor> {
        let (height, width) = self.size;
        let mut heat = Tensor::filled(Shape::new(1, 1, height, width)?, 0.0);
        for result in &self.levels {
            let face = &result.maps.face;
            let (mh, mw) = (face.height(), face.width());
            let level = &result.level;
            let nearest = |pixel: usize, size: usize, level_size: usize, cells: usize| {
                // The pixel's centre in level pixels, then the window centred nearest.
                let at = (pixel as f32 + 0.5) * level_size as f32 / size as f32;
                let cell = ((at - WINDOW as f32 / 2.0) / STEP as f32).round();
                cell.clamp(0.0, cells as f32 - 1.0) as usize
            };
            let columns: Vec<usize> = (0..width)
                .map(|x| nearest(x, width, level.width, mw))
                .collect();
            let data = heat.data_mut();
            for y in 0..height {
                let row = nearest(y, height, level.height, mh) * mw;
                for (x, &c) in columns.iter().enumerate() {
                    let p = face.data()[row + c];
                    let cell = &mut data[y * width + x];
                    if p > *cell {
                        *cell = p;
                    }
                }
            }
        }
        Ok(heat)
    }
}

/// The colour of the faces' boxes in [`draw`].
pub const FACE_COLOUR: [u8; 3] = [0, 230, 64];
/// The colour of the heat in [`draw`]: a pixel of face probability `p` is mixed with it
/// by `0.7 p³` (so that the cells P-Net is sure of stand out).
pub const HEAT_COLOUR: [u8; 3] = [255, 32, 0];

/// Draws a detection over its `width x height` RGBA frame: the heat map
/// ([`Detection::heat_map`]) as a red veil if `heat`, then each face's box as an outline
/// (inside the box's rounded edges, `max(2, side / 256)` pixels wide, clipped to the
/// frame).
///
/// # Errors
/// A frame of another size than the detection's input, or not `4 · width · height`
/// bytes.
pub fn draw(
    rgba: &mut [u8],
    width: usize,
    height: usize,
    detection: &Detection,
    heat: bool,
) -> Result<()> {
    if detection.size != (height, width) || rgba.len() != width * height * 4 {
        return Err(Error::DataLength {
            what: "RGBA frame (4 bytes per pixel)",
            expected: detection.size.0 * detection.size.1 * 4,
            actual: rgba.len(),
        });
    }
    if heat {
        let map = detection.heat_map()?;
        for (pixel, &p) in rgba.chunks_exact_mut(4).zip(map.data()) {
            let p = p.clamp(0.0, 1.0);
            let a = 0.7 * p * p * p;
            for (c, &h) in pixel.iter_mut().zip(&HEAT_COLOUR) {
                *c = (f32::from(*c) * (1.0 - a) + f32::from(h) * a).round() as u8;
            }
        }
    }
    let thickness = (width.max(height) / 256).max(2) as i64;
    for face in &detection.faces {
        let edge = |v: f32, size: usize| (v.round() as i64).clamp(0, size as i64);
        let (x1, x2) = (edge(face.x1, width), edge(face.x2, width));
        let (y1, y2) = (edge(face.y1, height), edge(face.y2, height));
        let mut paint = |y: i64, xs: std::ops::Range<i64>| {
            for x in xs {
                let at = (y as usize * width + x as usize) * 4;
                rgba[at..at + 3].copy_from_slice(&FACE_COLOUR);
            }
        };
        for y in y1..y2 {
            if y - y1 < thickness || y2 - 1 - y < thickness {
                paint(y, x1..x2);
            } else {
                paint(y, x1..x2.min(x1 + thickness));
                paint(y, (x2 - thickness).max(x1)..x2);
            }
        }
    }
    Ok(())
}
