//! PNG files in and out, and the input frame as the page makes it: any PNG becomes
//! opaque 8-bit RGBA (transparent parts over white, as the page draws them), optionally
//! scaled so its longest side is the page's `size`.

use std::io::{BufReader, Cursor, Write};
use std::path::Path;

use convlens_core::image::area_weights;
use convlens_web::pipeline::Frame;
use png::{BitDepth, ColorType, Transformations};

use crate::Failure;

/// The most pixels an input may have (4096 x 4096): larger files are refused before
/// their pixels are decoded, so a hostile file cannot exhaust memory.
pub const MAX_PIXELS: u64 = 4096 * 4096;

pub use convlens_web::pipeline::scaled_size;

/// Decodes the PNG file at `path` into an opaque RGBA frame.
///
/// Palette, grayscale, 1- to 16-bit images are expanded to 8-bit RGBA (16-bit samples
/// keep their high byte); alpha is composited over white, as the page does.
///
/// # Errors
/// A missing or unreadable file, a file that is not a PNG, a broken PNG, or one larger
/// than [`MAX_PIXELS`].
pub fn read_png(path: &Path) -> Result<Frame, Failure> {
    let name = path.display();
    let bytes = std::fs::read(path)
        .map_err(|e| Failure::usage(format!("cannot read the image '{name}': {e}")))?;
    decode_png(&bytes).map_err(|why| Failure::usage(format!("the image '{name}' {why}")))
}

/// Decodes PNG bytes; the error completes the sentence "the image ... ".
fn decode_png(bytes: &[u8]) -> Result<Frame, String> {
    const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];
    if !bytes.starts_with(&SIGNATURE) {
        return Err(format!(
            "is not a PNG file{}; convert it to PNG first",
            other_format(bytes)
                .map(|f| format!(" (it looks like {f})"))
                .unwrap_or_default()
        ));
    }
    let mut decoder = png::Decoder::new(BufReader::new(Cursor::new(bytes)));
    let header = decoder
        .read_header_info()
        .map_err(|e| format!("is not a readable PNG: {e}"))?;
    let (width, height) = (header.width, header.height);
    let pixels = u64::from(width) * u64::from(height);
    if pixels > MAX_PIXELS {
        return Err(format!(
            "is {width}×{height} pixels; the most this tool reads is {MAX_PIXELS} pixels \
             (4096×4096): scale it down first"
        ));
    }
    decoder.set_transformations(Transformations::normalize_to_color8());
    // The pixels themselves are within MAX_PIXELS; the decoder's own buffers stay small.
    let mut reader = decoder
        .read_info()
        .map_err(|e| format!("is not a readable PNG: {e}"))?;
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| "is too large to decode".to_string())?;
    let mut buffer = vec![0; size];
    let info = reader
        .next_frame(&mut buffer)
        .map_err(|e| format!("is a broken PNG: {e}"))?;
    let samples = match (info.color_type, info.bit_depth) {
        (ColorType::Grayscale, BitDepth::Eight) => 1,
        (ColorType::GrayscaleAlpha, BitDepth::Eight) => 2,
        (ColorType::Rgb, BitDepth::Eight) => 3,
        (ColorType::Rgba, BitDepth::Eight) => 4,
        (colour, depth) => {
            return Err(format!(
                "has a pixel format this tool cannot read ({colour:?}, {depth:?})"
            ))
        }
    };
    let (width, height) = (info.width as usize, info.height as usize);
    let mut rgba = Vec::with_capacity(width * height * 4);
    for row in buffer.chunks(info.line_size).take(height) {
        for pixel in row.chunks_exact(samples).take(width) {
            let (rgb, alpha) = match *pixel {
                [v] => ([v; 3], 255),
                [v, a] => ([v; 3], a),
                [r, g, b] => ([r, g, b], 255),
                [r, g, b, a] => ([r, g, b], a),
                _ => ([0; 3], 255),
            };
            rgba.extend(rgb.map(|c| over_white(c, alpha)));
            rgba.push(255);
        }
    }
    Ok(Frame {
        width,
        height,
        rgba,
    })
}

/// `c` at opacity `alpha` over white: `c·a + 255·(1 − a)`, rounded.
fn over_white(c: u8, alpha: u8) -> u8 {
    let (c, a) = (u32::from(c), u32::from(alpha));
    ((c * a + 255 * (255 - a) + 127) / 255) as u8
}

/// A few common formats a lecturer might pass by mistake.
fn other_format(bytes: &[u8]) -> Option<&'static str> {
    [
        (&b"\xff\xd8\xff"[..], "a JPEG"),
        (b"GIF8", "a GIF"),
        (b"RIFF", "a WebP"),
        (b"BM", "a BMP"),
        (b"%PDF", "a PDF"),
        (b"<svg", "an SVG"),
        (b"<?xml", "an SVG or other XML"),
    ]
    .into_iter()
    .find(|(magic, _)| bytes.starts_with(magic))
    .map(|(_, name)| name)
}

/// Encodes an RGBA frame as an 8-bit RGBA PNG.
///
/// # Errors
/// A frame whose buffer does not match its size (a bug), or a size PNG cannot hold.
pub fn encode_png(frame: &Frame) -> Result<Vec<u8>, Failure> {
    let failed = |e: png::EncodingError| Failure::output(format!("cannot encode the PNG: {e}"));
    let (width, height) = (
        u32::try_from(frame.width).map_err(|_| Failure::output("the image is too wide"))?,
        u32::try_from(frame.height).map_err(|_| Failure::output("the image is too tall"))?,
    );
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(ColorType::Rgba);
    encoder.set_depth(BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(failed)?;
    writer.write_image_data(&frame.rgba).map_err(failed)?;
    writer.finish().map_err(failed)?;
    Ok(bytes)
}

/// Writes `frame` as a PNG to `path`, or to standard output for `-`.
///
/// # Errors
/// The file cannot be written.
pub fn write_png(frame: &Frame, path: &Path) -> Result<(), Failure> {
    let bytes = encode_png(frame)?;
    if path.as_os_str() == "-" {
        let mut stdout = std::io::stdout().lock();
        return stdout
            .write_all(&bytes)
            .and_then(|()| stdout.flush())
            .map_err(|e| Failure::output(format!("cannot write the PNG to standard output: {e}")));
    }
    std::fs::write(path, bytes)
        .map_err(|e| Failure::output(format!("cannot write '{}': {e}", path.display())))
}

/// Scales `frame` down to `width x height` by area averaging: each output pixel is the
/// mean of the input it covers (fractions of pixels counted by area). Browsers resample
/// with their own filters, so a scaled input may differ from the page's by a level or so.
pub fn resample(frame: &Frame, width: usize, height: usize) -> Frame {
    if (width, height) == (frame.width, frame.height) {
        return frame.clone();
    }
    // Separable: rows first, then columns, on f32 RGB.
    let horizontal = area_weights(frame.width, width);
    let vertical = area_weights(frame.height, height);
    let mut rows = vec![0f32; frame.height * width * 3];
    for y in 0..frame.height {
        for (x, taps) in horizontal.iter().enumerate() {
            for &(source, weight) in taps {
                let pixel = &frame.rgba[(y * frame.width + source) * 4..][..3];
                for c in 0..3 {
                    rows[(y * width + x) * 3 + c] += weight * f32::from(pixel[c]);
                }
            }
        }
    }
    let mut rgba = vec![255u8; width * height * 4];
    for (y, taps) in vertical.iter().enumerate() {
        for x in 0..width {
            for c in 0..3 {
                let value: f32 = taps
                    .iter()
                    .map(|&(source, weight)| weight * rows[(source * width + x) * 3 + c])
                    .sum();
                rgba[(y * width + x) * 4 + c] = value.round().clamp(0.0, 255.0) as u8;
            }
        }
    }
    Frame {
        width,
        height,
        rgba,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_keeps_every_byte() {
        let frame = Frame {
            width: 3,
            height: 2,
            rgba: (0..24u8)
                .map(|i| if i % 4 == 3 { 255 } else { i * 10 })
                .collect(),
        };
        let bytes = encode_png(&frame).unwrap();
        assert_eq!(decode_png(&bytes).unwrap(), frame);
    }

    #[test]
    fn transparency_is_drawn_over_white() {
        assert_eq!(over_white(0, 0), 255);
        assert_eq!(over_white(0, 255), 0);
        assert_eq!(over_white(0, 128), 127);
        assert_eq!(over_white(200, 255), 200);
    }

    #[test]
    fn not_a_png_is_named() {
        assert!(decode_png(b"\xff\xd8\xff\xe0 jfif")
            .unwrap_err()
            .contains("is not a PNG file (it looks like a JPEG)"));
        assert!(decode_png(b"")
            .unwrap_err()
            .starts_with("is not a PNG file;"));
        let mut broken = encode_png(&Frame {
            width: 2,
            height: 2,
            rgba: vec![9; 16],
        })
        .unwrap();
        broken.truncate(40);
        assert!(decode_png(&broken).is_err());
    }

    #[test]
    fn sizes_follow_the_page() {
        assert_eq!(scaled_size(600, 400, 0), (600, 400));
        assert_eq!(scaled_size(600, 400, 256), (256, 171));
        assert_eq!(scaled_size(451, 300, 128), (128, 85));
        assert_eq!(scaled_size(32, 20, 64), (32, 20));
        assert_eq!(scaled_size(3000, 1000, 0), (2048, 683));
        assert_eq!(scaled_size(1000, 1, 32), (32, 1));
    }

    #[test]
    fn area_averaging_keeps_flat_colours_and_means() {
        let flat = Frame {
            width: 5,
            height: 3,
            rgba: [10, 200, 77, 255].repeat(15),
        };
        assert_eq!(resample(&flat, 2, 1).rgba, [10, 200, 77, 255].repeat(2));
        // Two columns of 0 and 100 average to 50.
        let stripes = Frame {
            width: 2,
            height: 1,
            rgba: vec![0, 0, 0, 255, 100, 100, 100, 255],
        };
        assert_eq!(resample(&stripes, 1, 1).rgba, [50, 50, 50, 255]);
        let shares: f32 = area_weights(7, 3).iter().flatten().map(|(_, w)| w).sum();
        assert!((shares - 3.0).abs() < 1e-5);
    }
}
