//! The face detector (MTCNN's P-Net and R-Net) on the sample photos, against the naive
//! reference, and its conventions checked on a real face.

use std::io::Cursor;

use convlens_core::detect::{self, FaceBox, Mtcnn, Settings};
use convlens_core::pool::{PoolFunction, PoolParams};
use convlens_core::{reference, ConvParams, Error, Tensor};

const WEIGHTS: &[u8] = include_bytes!("../../../www/data/mtcnn.bin");

fn mtcnn() -> Mtcnn {
    Mtcnn::decode(WEIGHTS).expect("a test input")
}

/// A sample photo as a `1 x 3 x H x W` tensor of 0..255 (grey photos on all three).
fn sample(name: &str) -> Tensor {
    let path = format!(
        "{}/../../www/samples/{name}.png",
        env!("CARGO_MANIFEST_DIR")
    );
    let bytes = std::fs::read(&path).expect("a test input");
    let mut decoder = png::Decoder::new(std::io::BufReader::new(Cursor::new(bytes)));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().expect("a test input");
    let mut buffer = vec![0; reader.output_buffer_size().expect("a test input")];
    let info = reader.next_frame(&mut buffer).expect("a test input");
    let (w, h) = (info.width as usize, info.height as usize);
    let samples = info.line_size / w;
    let mut data = vec![0.0; 3 * w * h];
    for y in 0..h {
        for x in 0..w {
            let p = &buffer[y * info.line_size + x * samples..][..samples];
            for c in 0..3 {
                data[c * w * h + y * w + x] = f32::from(if samples >= 3 { p[c] } else { p[0] });
            }
        }
    }
    Tensor::new(3, h, w, data).expect("a test input")
}

/// The astronaut's face, as a person draws its box on the photo (x, y, width, height).
const FACE: (f32, f32, f32, f32) = (172.0, 68.0, 110.0, 120.0);

fn face_box((x, y, w, h): (f32, f32, f32, f32)) -> FaceBox {
    FaceBox {
        x1: x,
        y1: y,
        x2: x + w,
        y2: y + h,
        score: 1.0,
    }
}

/// The image with rows and columns exchanged.
fn transposed(t: &Tensor) -> Tensor {
    let (h, w) = (t.height(), t.width());
    let mut data = vec![0.0; 3 * w * h];
    for c in 0..3 {
        for r in 0..h {
            for q in 0..w {
                data[c * w * h + q * h + r] = t.data()[c * w * h + r * w + q];
            }
        }
    }
    Tensor::new(3, w, h, data).expect("a test input")
}

/// The image with red and blue exchanged.
fn swapped(t: &Tensor) -> Tensor {
    let n = t.height() * t.width();
    let mut data = t.data()[2 * n..].to_vec();
    data.extend_from_slice(&t.data()[n..2 * n]);
    data.extend_from_slice(&t.data()[..n]);
    Tensor::new(3, t.height(), t.width(), data).expect("a test input")
}

/// A reproducible input of values about −1..1.
fn noise(batch: usize, height: usize, width: usize, seed: u32) -> Tensor {
    let mut state = seed;
    let data = (0..batch * 3 * height * width)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (state >> 8) as f32 / (1u32 << 24) as f32 * 2.0 - 1.0
        })
        .collect();
    Tensor::with_batch(batch, 3, height, width, data).expect("a test input")
}

fn naive_prelu(x: &Tensor, slopes: &[f32]) -> Tensor {
    let s = x.shape();
    let mut data = Vec::new();
    for n in 0..s.batch {
        for (c, &a) in slopes.iter().enumerate().take(s.channels) {
            for y in 0..s.height {
                for q in 0..s.width {
                    let v = x.get(n, c, y, q).expect("a test input");
                    data.push(if v >= 0.0 { v } else { a * v });
                }
            }
        }
    }
    Tensor::with_batch(s.batch, s.channels, s.height, s.width, data).expect("a test input")
}

/// The face probability of two class scores, in f64.
fn naive_face(not_face: f32, face: f32) -> f32 {
    let (a, b) = (f64::from(not_face), f64::from(face));
    (b.exp() / (a.exp() + b.exp())) as f32
}

fn naive_conv(x: &Tensor, layer: &detect::ConvLayer) -> Tensor {
    reference::conv2d(x, &layer.weight, Some(&layer.bias), &ConvParams::default())
        .expect("a test input")
}

fn naive_pool(x: &Tensor, kernel: usize, ceil_mode: bool) -> Tensor {
    let params = PoolParams {
        stride: Some((2, 2)),
        ceil_mode,
        ..PoolParams::square(kernel)
    };
    reference::pool2d(x, PoolFunction::Max, &params).expect("a test input")
}

#[test]
fn every_map_has_its_shape_and_the_networks_their_parameters() {
    let net = mtcnn();
    assert_eq!(net.pnet.parameters(), 6_632);
    assert_eq!(net.rnet.parameters(), 100_178);
    let dims = |t: &Tensor| {
        let s = t.shape();
        [s.batch, s.channels, s.height, s.width]
    };
    // One 12x12 window: one cell.
    let maps = net.pnet.forward(&noise(1, 12, 12, 1)).unwrap();
    assert_eq!(dims(&maps.conv1), [1, 10, 10, 10]);
    assert_eq!(dims(&maps.pool1), [1, 10, 5, 5]);
    assert_eq!(dims(&maps.conv2), [1, 16, 3, 3]);
    assert_eq!(dims(&maps.conv3), [1, 32, 1, 1]);
    assert_eq!(dims(&maps.offsets), [1, 4, 1, 1]);
    assert_eq!(dims(&maps.scores), [1, 2, 1, 1]);
    assert_eq!(dims(&maps.face), [1, 1, 1, 1]);
    // Any size: 2 pixels a cell; the odd 11 pools to 6 (Keras's "same", ceil mode).
    let maps = net.pnet.forward(&noise(2, 13, 40, 2)).unwrap();
    assert_eq!(dims(&maps.pool1), [2, 10, 6, 19]);
    assert_eq!(dims(&maps.face), [2, 1, 2, 15]);
    let out = net.rnet.forward(&noise(5, 24, 24, 3)).unwrap();
    assert_eq!((out.face.len(), out.offsets.len()), (5, 5));
    assert!(out.face.iter().all(|p| (0.0..=1.0).contains(p)));
}

#[test]
fn pnet_and_rnet_agree_with_the_naive_reference() {
    let net = mtcnn();
    let p = &net.pnet;
    let x = noise(1, 29, 31, 7);
    let maps = p.forward(&x).unwrap();
    let conv1 = naive_prelu(&naive_conv(&x, &p.conv1), &p.prelu1);
    assert_eq!(maps.conv1, conv1);
    let pool1 = naive_pool(&conv1, 2, true);
    assert_eq!(maps.pool1, pool1);
    let conv2 = naive_prelu(&naive_conv(&pool1, &p.conv2), &p.prelu2);
    assert_eq!(maps.conv2, conv2);
    let conv3 = naive_prelu(&naive_conv(&conv2, &p.conv3), &p.prelu3);
    assert_eq!(maps.conv3, conv3);
    assert_eq!(maps.offsets, naive_conv(&conv3, &p.offsets));
    let scores = naive_conv(&conv3, &p.classes);
    assert_eq!(maps.scores, scores);
    let plane = scores.shape().plane_len();
    for (cell, &face) in maps.face.data().iter().enumerate() {
        let expected = naive_face(scores.data()[cell], scores.data()[plane + cell]);
        assert!(
            (face - expected).abs() < 1e-6,
            "cell {cell}: {face} vs {expected}"
        );
    }

    // R-Net's dense layers as dense layers: fc4 reads the 64x3x3 map flattened in NCHW
    // order (channel, row, column).
    let r = &net.rnet;
    let crops = noise(3, 24, 24, 8);
    let out = r.forward(&crops).unwrap();
    let x = naive_prelu(&naive_conv(&crops, &r.conv1), &r.prelu1);
    let x = naive_pool(&x, 3, true);
    let x = naive_prelu(&naive_conv(&x, &r.conv2), &r.prelu2);
    let x = naive_pool(&x, 3, false);
    let x = naive_prelu(&naive_conv(&x, &r.conv3), &r.prelu3);
    assert_eq!(x.shape().plane_len() * x.channels(), 576);
    let dense = |input: &[f32], layer: &detect::ConvLayer| -> Vec<f32> {
        let w = layer.weight.data();
        (0..layer.bias.len())
            .map(|o| {
                let row = &w[o * input.len()..][..input.len()];
                layer.bias[o] + row.iter().zip(input).map(|(a, b)| a * b).sum::<f32>()
            })
            .collect()
    };
    for (n, flat) in x.data().chunks_exact(576).enumerate() {
        let hidden: Vec<f32> = dense(flat, &r.fc4)
            .iter()
            .zip(&r.prelu4)
            .map(|(&v, &a)| if v >= 0.0 { v } else { a * v })
            .collect();
        let offsets = dense(&hidden, &r.offsets);
        let scores = dense(&hidden, &r.classes);
        for (fast, naive) in out.offsets[n].iter().zip(&offsets) {
            assert!((fast - naive).abs() < 1e-4, "{fast} vs {naive}");
        }
        let face = naive_face(scores[0], scores[1]);
        assert!(
            (out.face[n] - face).abs() < 1e-5,
            "{} vs {face}",
            out.face[n]
        );
    }
}

/// The best score of a final box on `face` (IoU at least ½), and P-Net's best proposal's
/// overlap with it.
fn on_face(d: &detect::Detection, face: &FaceBox) -> (f32, f32) {
    let best = d
        .faces
        .iter()
        .filter(|b| b.iou(face) >= 0.5)
        .map(|b| b.score)
        .fold(0.0, f32::max);
    (best, d.proposals.first().map_or(0.0, |b| b.iou(face)))
}

#[test]
fn the_conventions_are_those_of_the_port() {
    // Checked on a real face: RGB, (x − 127.5)/128, the image as it is (not transposed).
    let net = mtcnn();
    let astronaut = sample("astronaut");
    let face = face_box(FACE);
    let (x, y, w, h) = FACE;
    let face_transposed = face_box((y, x, h, w));
    // Faces from 40 pixels (the astronaut's is 110): a quarter of the work.
    let settings = Settings {
        rnet_threshold: 0.0,
        min_face: 40.0,
        ..Settings::default()
    };
    let rgb = net.detect(&astronaut, &settings).unwrap();
    let bgr = net.detect(&swapped(&astronaut), &settings).unwrap();
    let transposed = net.detect(&transposed(&astronaut), &settings).unwrap();
    let (rgb, bgr, transposed) = (
        on_face(&rgb, &face),
        on_face(&bgr, &face),
        on_face(&transposed, &face_transposed),
    );
    println!("R-Net's best score on the face, P-Net's best proposal's IoU with it:");
    println!("  RGB {rgb:?}, BGR {bgr:?}, transposed {transposed:?}");
    // As it is: P-Net's most certain proposal is the face, and R-Net is sure of it.
    assert!(rgb.0 > 0.99 && rgb.1 > 0.5, "{rgb:?}");
    // Red and blue swapped: P-Net's most certain proposal is elsewhere.
    assert!(bgr.1 < 0.1, "{bgr:?}");
    // Transposed: R-Net doubts the face.
    assert!(transposed.0 < 0.9, "{transposed:?}");
}

#[test]
fn the_astronaut_has_one_face_and_the_other_photos_none() {
    let net = mtcnn();
    let d = net
        .detect(&sample("astronaut"), &Settings::default())
        .unwrap();
    assert_eq!(d.faces.len(), 1, "{:?}", d.faces);
    let found = d.faces[0];
    assert!(found.iou(&face_box(FACE)) > 0.6, "{found:?}");
    assert!(found.score > 0.999, "{found:?}");
    // P-Net alone proposes many more; R-Net keeps the face.
    assert!(d.proposals.len() > 50, "{}", d.proposals.len());
    // Its heat map: the input's size, sure of the face.
    let heat = d.heat_map().unwrap();
    assert_eq!((heat.height(), heat.width()), (512, 512));
    let at = |x: usize, y: usize| heat.data()[y * 512 + x];
    assert!(at(220, 125) > 0.99, "{}", at(220, 125));
    for name in ["coffee", "chelsea", "brick"] {
        let d = net.detect(&sample(name), &Settings::default()).unwrap();
        assert_eq!(d.faces, Vec::new(), "{name}");
    }
}

#[test]
fn p_net_alone_answers_with_its_proposals() {
    let net = mtcnn();
    let settings = Settings {
        rnet: false,
        min_face: 40.0,
        ..Settings::default()
    };
    let d = net.detect(&sample("astronaut"), &settings).unwrap();
    assert!(d.refined.is_empty());
    assert_eq!(d.faces, d.proposals);
    assert!(d.faces[0].iou(&face_box(FACE)) > 0.5, "{:?}", d.faces[0]);
    // The pyramid starts at 12/40 and shrinks by 0.709 while the image is 12 pixels.
    let scales: Vec<f32> = d.levels.iter().map(|l| l.level.scale).collect();
    assert_eq!(scales.len(), 8);
    assert!((scales[0] - 0.3).abs() < 1e-6 && (scales[1] - 0.2127).abs() < 1e-6);
    assert_eq!(
        (d.levels[0].level.height, d.levels[0].level.width),
        (154, 154)
    );
    assert!(d.levels.iter().all(|l| l.level.height >= 12));
}

#[test]
fn bad_settings_and_inputs_are_errors() {
    let net = mtcnn();
    let image = noise(1, 40, 40, 9);
    let refused = |settings: Settings| net.detect(&image, &settings).unwrap_err();
    assert_eq!(
        refused(Settings {
            min_face: 11.0,
            ..Settings::default()
        }),
        Error::Setting {
            what: "minimum face size",
            value: 11.0,
            low: 12.0,
            high: 10_000.0
        }
    );
    for threshold in [f32::NAN, -0.1, 1.5] {
        assert!(matches!(
            refused(Settings {
                rnet_threshold: threshold,
                ..Settings::default()
            }),
            Error::Setting {
                what: "face threshold",
                ..
            }
        ));
    }
    assert!(matches!(
        refused(Settings {
            factor: 1.0,
            ..Settings::default()
        }),
        Error::Setting {
            what: "pyramid factor",
            ..
        }
    ));
    let grey = Tensor::new(1, 40, 40, vec![0.0; 1600]).unwrap();
    assert!(matches!(
        net.detect(&grey, &Settings::default()),
        Err(Error::WrongShape {
            what: "detector input",
            ..
        })
    ));
    assert!(matches!(
        net.pnet.forward(&noise(1, 11, 30, 1)),
        Err(Error::WrongShape {
            what: "P-Net input",
            ..
        })
    ));
    assert!(net.rnet.forward(&noise(1, 12, 12, 1)).is_err());
    // Smaller than the smallest face: nothing to look at, no face.
    let small = net
        .detect(&noise(1, 15, 30, 2), &Settings::default())
        .unwrap();
    assert!(small.levels.is_empty() && small.faces.is_empty());
    assert_eq!(small.heat_map().unwrap().data(), &[0.0; 450][..]);
}

#[test]
fn nms_keeps_the_best_of_each_overlapping_group() {
    let b = |x1: f32, score: f32| FaceBox {
        x1,
        y1: 0.0,
        x2: x1 + 10.0,
        y2: 10.0,
        score,
    };
    // 0 and 1 overlap by 9/11; 1 and 2 too; 0 and 2 by 8/12 = 0.67.
    let boxes = [b(0.0, 0.9), b(1.0, 0.95), b(2.0, 0.5), b(30.0, 0.1)];
    assert_eq!(detect::nms(&boxes, 0.7), vec![boxes[1], boxes[3]]);
    assert_eq!(
        detect::nms(&boxes, 0.85),
        vec![boxes[1], boxes[0], boxes[2], boxes[3]]
    );
    // Greedy: a box dropped suppresses nothing (0 is dropped by 1, so 2 stays).
    let chain = [b(1.0, 0.95), b(0.0, 0.9), b(-1.0, 0.5)];
    assert_eq!(detect::nms(&chain, 0.7), vec![chain[0], chain[2]]);
}

#[test]
fn a_patch_of_the_photo_is_found_where_it_was_cut_and_follows_a_shift() {
    // The astronaut at 128x128; a 16x16 patch about her eyes.
    let photo = detect::resize_area(&sample("astronaut"), 128, 128).unwrap();
    let (x, y) = (50, 26);
    let template = detect::Template::new(detect::cut(&photo, x, y, 16, 16).unwrap()).unwrap();
    let m = template.matches(&photo).unwrap();
    let (row, column, value) = detect::best_match(&m.ncc).unwrap();
    assert_eq!((row, column), (y, x));
    assert!(value > 0.9999, "{value}");
    // Plain correlation is drawn to the brightest region instead.
    let (row, column, _) = detect::best_match(&m.correlation).unwrap();
    assert_ne!((row, column), (y, x));
    // The photo moved 5 pixels right and 3 down (edges repeated): the same weights, the
    // answer moved with it.
    let (h, w) = (photo.height(), photo.width());
    let mut moved = Vec::with_capacity(photo.data().len());
    for plane in photo.data().chunks_exact(h * w) {
        for r in 0..h {
            for q in 0..w {
                moved.push(plane[r.saturating_sub(3) * w + q.saturating_sub(5)]);
            }
        }
    }
    let moved = Tensor::new(3, h, w, moved).unwrap();
    let (row, column, _) = detect::best_match(&template.matches(&moved).unwrap().ncc).unwrap();
    assert_eq!((row, column), (y + 3, x + 5));
}
