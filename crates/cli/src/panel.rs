//! The slide figure: input | kernel (a grid with its numbers) | map, side by side on
//! white, every picture scaled by a whole number with nearest-neighbour pixels so it
//! stays crisp when a slide is enlarged.

use convlens_core::image::diverging_colour;
use convlens_core::Kernel;
use convlens_web::figure::{glyph, GLYPH_ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH};
use convlens_web::pipeline::{self, Frame};

/// The most a figure may be scaled.
pub const MAX_SCALE: usize = 16;

/// The largest panel, in pixels (a guard against `--scale 16` on a huge input).
pub const MAX_PANEL_PIXELS: usize = 1 << 26;

/// The middle of the panel: what slides over the input.
#[derive(Debug, Clone, PartialEq)]
pub enum Window {
    /// A convolution kernel: its weights are written in the cells.
    Kernel(Kernel),
    /// A pooling window of this side: empty cells.
    Pool(usize),
}

/// An RGBA canvas being drawn on.
struct Canvas {
    width: usize,
    height: usize,
    rgba: Vec<u8>,
}

impl Canvas {
    fn new(width: usize, height: usize) -> Self {
        Canvas {
            width,
            height,
            rgba: vec![255; width * height * 4],
        }
    }

    /// Fills a rectangle (clipped to the canvas).
    fn fill(&mut self, left: usize, top: usize, width: usize, height: usize, rgb: [u8; 3]) {
        for y in top..(top + height).min(self.height) {
            for x in left..(left + width).min(self.width) {
                self.rgba[(y * self.width + x) * 4..][..3].copy_from_slice(&rgb);
            }
        }
    }

    /// Draws `frame` with its top-left at `(left, top)`, each pixel `scale` wide.
    fn picture(&mut self, frame: &Frame, left: usize, top: usize, scale: usize) {
        for y in 0..frame.height * scale {
            for x in 0..frame.width * scale {
                let source = &frame.rgba[((y / scale) * frame.width + x / scale) * 4..][..3];
                let (cx, cy) = (left + x, top + y);
                if cx < self.width && cy < self.height {
                    self.rgba[(cy * self.width + cx) * 4..][..3].copy_from_slice(source);
                }
            }
        }
    }

    /// Writes `text` (digits, `-`, `.`, `/`) with its top-left at `(left, top)`, each
    /// font pixel `size` wide.
    fn text(&mut self, text: &str, left: usize, top: usize, size: usize, rgb: [u8; 3]) {
        for (i, ch) in text.chars().enumerate() {
            let origin = left + i * GLYPH_ADVANCE * size;
            for (row, bits) in glyph(ch).iter().enumerate() {
                for column in 0..GLYPH_WIDTH {
                    if bits & (1 << (GLYPH_WIDTH - 1 - column)) != 0 {
                        self.fill(origin + column * size, top + row * size, size, size, rgb);
                    }
                }
            }
        }
    }
}

/// The kernel's weights as the figure writes them: short decimals when they are exact
/// (`-2`, `0.5`); else fractions over the smallest common denominator when that makes
/// them exact (`1/16`, `2/16`, `4/16` for the lecture's blur); else each rounded to 3
/// decimals as the page does.
pub fn weight_labels(weights: &[f32]) -> Vec<String> {
    let decimals: Vec<String> = weights.iter().map(|&w| pipeline::number(w)).collect();
    if decimals
        .iter()
        .zip(weights)
        .all(|(d, &w)| d.parse::<f32>() == Ok(w))
    {
        return decimals;
    }
    let exact = |w: f32, denominator: f32| {
        let numerator = (w * denominator).round();
        numerator / denominator == w && numerator.abs() < 1e6
    };
    match (2..=4096u32).find(|&d| weights.iter().all(|&w| exact(w, d as f32))) {
        Some(denominator) => weights
            .iter()
            .map(|&w| {
                let numerator = (w * denominator as f32).round() as i64;
                if numerator % i64::from(denominator) == 0 {
                    (numerator / i64::from(denominator)).to_string()
                } else {
                    format!("{numerator}/{denominator}")
                }
            })
            .collect(),
        None => decimals,
    }
}

/// Composes the panel: `input | window | map`, vertically centred, each picture `scale`
/// times its size.
///
/// # Errors
/// A scale of 0 or above [`MAX_SCALE`], or a panel above [`MAX_PANEL_PIXELS`].
pub fn compose(input: &Frame, window: &Window, map: &Frame, scale: usize) -> Result<Frame, String> {
    if !(1..=MAX_SCALE).contains(&scale) {
        return Err(format!(
            "scale must be a whole number from 1 to {MAX_SCALE}, not {scale}"
        ));
    }
    let (rows, columns, labels) = match window {
        Window::Kernel(kernel) => (
            kernel.height(),
            kernel.width(),
            weight_labels(kernel.weights()),
        ),
        Window::Pool(side) => (*side, *side, vec![String::new(); side * side]),
    };
    // Text 2 font pixels a pixel at scale 1, cells fit the longest label with a margin.
    let font = 2 * scale;
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let cell = (longest * GLYPH_ADVANCE * font + 6 * font).max((GLYPH_HEIGHT + 6) * font);
    let line = scale.max(1);
    let grid = (columns * cell + line, rows * cell + line);
    let margin = 16 * scale;
    let parts = [
        (input.width * scale, input.height * scale),
        grid,
        (map.width * scale, map.height * scale),
    ];
    let width = parts.iter().map(|p| p.0).sum::<usize>() + 4 * margin;
    let height = parts.iter().map(|p| p.1).max().unwrap_or(0) + 2 * margin;
    if width.saturating_mul(height) > MAX_PANEL_PIXELS {
        return Err(format!(
            "the panel would be {width}×{height} pixels, more than this tool draws ({} \
             million); use a smaller --scale or --size",
            MAX_PANEL_PIXELS >> 20
        ));
    }
    let mut canvas = Canvas::new(width, height);
    let top = |part_height: usize| margin + (height - 2 * margin - part_height) / 2;
    let mut left = margin;
    canvas.picture(input, left, top(parts[0].1), scale);
    left += parts[0].0 + margin;
    // The grid: shaded cells (blue negative, red positive), dark lines, black numbers.
    let (grid_left, grid_top) = (left, top(grid.1));
    let largest = match window {
        Window::Kernel(kernel) => kernel.weights().iter().fold(0f32, |m, w| m.max(w.abs())),
        Window::Pool(_) => 0.0,
    };
    for (index, label) in labels.iter().enumerate() {
        let (row, column) = (index / columns, index % columns);
        let (x, y) = (grid_left + column * cell, grid_top + row * cell);
        let shade = match window {
            Window::Kernel(kernel) if largest > 0.0 => {
                let weight = kernel.weights()[index];
                // Halfway to white, so black numbers stay readable on it.
                diverging_colour(weight / largest).map(|c| ((u16::from(c) + 255) / 2) as u8)
            }
            _ => [235, 235, 235],
        };
        canvas.fill(x, y, cell, cell, shade);
        let text_width = (label.chars().count() * GLYPH_ADVANCE).saturating_sub(1) * font;
        canvas.text(
            label,
            x + (cell - text_width.min(cell)) / 2 + line / 2,
            y + (cell - GLYPH_HEIGHT * font) / 2 + line / 2,
            font,
            [0, 0, 0],
        );
    }
    let dark = [64, 64, 64];
    for i in 0..=rows {
        canvas.fill(grid_left, grid_top + i * cell, grid.0, line, dark);
    }
    for i in 0..=columns {
        canvas.fill(grid_left + i * cell, grid_top, line, grid.1, dark);
    }
    left += grid.0 + margin;
    canvas.picture(map, left, top(parts[2].1), scale);
    Ok(Frame {
        width: canvas.width,
        height: canvas.height,
        rgba: canvas.rgba,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use convlens_core::Preset;

    fn solid(width: usize, height: usize, rgb: [u8; 3]) -> Frame {
        Frame {
            width,
            height,
            rgba: [rgb[0], rgb[1], rgb[2], 255].repeat(width * height),
        }
    }

    fn pixel(frame: &Frame, x: usize, y: usize) -> [u8; 3] {
        let p = &frame.rgba[(y * frame.width + x) * 4..];
        [p[0], p[1], p[2]]
    }

    #[test]
    fn labels_are_short_and_exact() {
        assert_eq!(weight_labels(&[-2.0, 0.5, 0.0]), ["-2", "0.5", "0"]);
        assert_eq!(
            weight_labels(Preset::Blur.kernel().weights()),
            ["1/16", "2/16", "1/16", "2/16", "4/16", "2/16", "1/16", "2/16", "1/16"]
        );
        assert_eq!(weight_labels(&[1.0 / 9.0; 2]), ["1/9", "1/9"]);
        assert_eq!(weight_labels(&[0.0625, 0.0, -1.0]), ["1/16", "0", "-1"]);
        assert_eq!(weight_labels(&[0.299, 0.25]), ["0.299", "0.25"]);
        assert_eq!(weight_labels(&[std::f32::consts::PI]), ["3.142"]);
    }

    #[test]
    fn every_font_character_is_drawn_and_others_are_blank() {
        for ch in "0123456789-./".chars() {
            assert!(glyph(ch).iter().any(|&row| row != 0), "{ch}");
            assert!(glyph(ch).iter().all(|&row| row < 32), "{ch}");
        }
        assert_eq!(glyph('x'), [0; GLYPH_HEIGHT]);
    }

    #[test]
    fn the_panel_places_input_grid_and_map() {
        let input = solid(10, 8, [200, 10, 10]);
        let map = solid(4, 4, [10, 10, 200]);
        let kernel = Preset::SobelLeft.kernel();
        let panel = compose(&input, &Window::Kernel(kernel), &map, 2).unwrap();
        let margin = 32;
        // The input, scaled by 2, starts after the margin on the left, centred vertically.
        let input_top = (panel.height - 16) / 2;
        assert_eq!(pixel(&panel, margin, input_top), [200, 10, 10]);
        assert_eq!(pixel(&panel, margin + 19, input_top + 15), [200, 10, 10]);
        assert_eq!(pixel(&panel, margin + 20, input_top), [255, 255, 255]);
        // The map ends a margin before the right edge.
        let map_top = (panel.height - 8) / 2;
        assert_eq!(
            pixel(&panel, panel.width - margin - 1, map_top),
            [10, 10, 200]
        );
        assert_eq!(
            pixel(&panel, panel.width - margin - 8, map_top + 7),
            [10, 10, 200]
        );
        // The grid: lines are dark, a positive cell is reddish, a zero cell near white,
        // a negative one bluish, and each holds black text.
        let grid_left = margin + 20 + margin;
        let grid_top = margin;
        assert_eq!(pixel(&panel, grid_left, grid_top), [64, 64, 64]);
        let cell = (panel.width - 4 * margin - 20 - 8 - 2) / 3;
        let centre = |r: usize, c: usize| (grid_left + c * cell + 4, grid_top + r * cell + 4);
        let (x, y) = centre(1, 0);
        let red = pixel(&panel, x, y);
        assert!(red[0] > red[2], "{red:?}");
        let (x, y) = centre(1, 2);
        let blue = pixel(&panel, x, y);
        assert!(blue[2] > blue[0], "{blue:?}");
        let (x, y) = centre(1, 1);
        assert_eq!(pixel(&panel, x, y), [251, 251, 251]);
        for r in 0..3 {
            for c in 0..3 {
                let (x0, y0) = (grid_left + c * cell, grid_top + r * cell);
                let black = (y0..y0 + cell)
                    .flat_map(|y| (x0..x0 + cell).map(move |x| (x, y)))
                    .filter(|&(x, y)| pixel(&panel, x, y) == [0, 0, 0])
                    .count();
                assert!(black > 0, "cell {r},{c} has text");
            }
        }
    }

    #[test]
    fn bad_scales_and_huge_panels_are_refused() {
        let tiny = solid(1, 1, [0, 0, 0]);
        let window = Window::Pool(2);
        assert!(compose(&tiny, &window, &tiny, 0).is_err());
        assert!(compose(&tiny, &window, &tiny, 17).is_err());
        let big = solid(2048, 2048, [0, 0, 0]);
        assert!(compose(&big, &window, &big, 16)
            .unwrap_err()
            .contains("use a smaller --scale"));
        let pooled = compose(&tiny, &window, &tiny, 1).unwrap();
        assert!(pooled.width > 32 && pooled.rgba.len() == pooled.width * pooled.height * 4);
    }
}
