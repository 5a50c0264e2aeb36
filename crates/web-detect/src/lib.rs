//! The page's face detector as its own WebAssembly module: the core's `detect` (MTCNN's
//! P-Net over an image pyramid, then R-Net, with the weights of `www/data/mtcnn.bin`)
//! and its template matching, behind two handles. The detector view of `convlens-web`
//! loads this module when it opens (`www/main.js`'s `convlensModule('detect')`), then
//! `Detector.load('data/mtcnn.bin')`, and sends it photos and webcam frames:
//!
//! ```js
//! const detector = await Detector.load('data/mtcnn.bin');
//! const boxes = detector.detect(rgba, w, h, 20, 0.95, true); // [x, y, w, h, score, …]
//! detector.draw(rgba, w, h, out);                            // out: the frame, heat, boxes
//! ```
//!
//! The arithmetic is the core's, so the boxes are those of `convlens detect` on the same
//! pixels, to the bit.

use convlens_core::detect::{Detection, Settings};

#[cfg(target_arch = "wasm32")]
mod detector;

#[cfg(target_arch = "wasm32")]
pub use detector::Detector;

/// The detector's settings from the page's three controls (as `convlens detect`'s
/// options): faces from `min_face` pixels, R-Net or not, the last stage's threshold.
pub fn settings(min_face: f32, threshold: f32, rnet: bool) -> Settings {
    Settings::answer(min_face, rnet, Some(threshold))
}

/// The faces as one flat list, five numbers a face: x, y (the top-left corner), width,
/// height (input pixels) and score, by decreasing score.
pub fn boxes(detection: &Detection) -> Vec<f32> {
    detection
        .faces
        .iter()
        .flat_map(|f| [f.x1, f.y1, f.width(), f.height(), f.score])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use convlens_core::detect::Mtcnn;

    #[test]
    fn the_boxes_are_the_cores_faces_five_numbers_each() {
        let net = Mtcnn::decode(include_bytes!("../../../www/data/mtcnn.bin")).unwrap();
        // A grey frame with a dark disc: whatever it finds, the list mirrors the faces.
        let (w, h) = (64usize, 48usize);
        let mut data = vec![128.0f32; 3 * w * h];
        for y in 0..h {
            for x in 0..w {
                if (x as f32 - 32.0).hypot(y as f32 - 24.0) < 12.0 {
                    for c in 0..3 {
                        data[c * w * h + y * w + x] = 20.0;
                    }
                }
            }
        }
        let frame = convlens_core::Tensor::new(3, h, w, data).unwrap();
        let settings = settings(12.0, 0.0, false);
        assert_eq!((settings.pnet_threshold, settings.rnet), (0.0, false));
        let detection = net.detect(&frame, &settings).unwrap();
        let flat = boxes(&detection);
        assert_eq!(flat.len(), 5 * detection.faces.len());
        assert!(!detection.faces.is_empty());
        for (chunk, face) in flat.chunks_exact(5).zip(&detection.faces) {
            assert_eq!(
                chunk,
                [face.x1, face.y1, face.width(), face.height(), face.score]
            );
        }
        let with_rnet = super::settings(40.0, 0.9, true);
        assert_eq!(
            (
                with_rnet.min_face,
                with_rnet.rnet_threshold,
                with_rnet.pnet_threshold
            ),
            (40.0, 0.9, 0.6)
        );
    }
}
