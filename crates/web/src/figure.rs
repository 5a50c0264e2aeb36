//! Figures drawn pixel by pixel for export: the kernel as a grid of numbers, and the
//! step-by-step view at one window position (the frames of its GIF).
//!
//! Pure Rust with no web types, tested natively. A figure is a [`Picture`] of palette
//! indices ([`PALETTE`]), so the same pixels become a PNG (through a canvas) or GIF
//! frames. Coordinates: `(x, y)` from the top-left corner, `x` to the right. Numbers are
//! written with a built-in 5x7 pixel font, so every machine draws the same pixels.
//! Lines are `line` pixels wide: 1 normally, more in projector mode.

use crate::pipeline::number;
use crate::views::steps::StepsFacts;

/// The figures' colours, `[r, g, b]`: named entries first, then [`GRAYS`] gray levels.
pub const PALETTE: [[u8; 3]; 12 + GRAYS] = palette();

/// Palette index: white paper.
pub const WHITE: u8 = 0;
/// Palette index: ink.
pub const INK: u8 = 1;
/// Palette index: grid lines.
pub const LINE: u8 = 2;
/// Palette index: the window's outline (the page's `--window`).
pub const WINDOW: u8 = 3;
/// Palette index: padding cells.
pub const PADDING: u8 = 4;
/// Palette index: the output cell being computed (the page's accent blue).
pub const CURRENT: u8 = 5;
/// Palette index: outputs not computed yet.
pub const MUTED: u8 = 6;
/// Palette index: a positive weight's cell.
pub const POSITIVE: u8 = 7;
/// Palette index: a negative weight's cell.
pub const NEGATIVE: u8 = 8;
/// Palette index: the weights written beside the taps.
pub const WEIGHT: u8 = 9;
/// Palette index: the value a pooling window picks.
pub const CHOSEN: u8 = 10;
/// Palette index: light ink, on dark cells.
pub const LIGHT_INK: u8 = 11;
/// Number of gray levels after the named colours (index `12 + k` is level `k`).
pub const GRAYS: usize = 16;

/// The named colours, in index order (the page's own colours).
const NAMED: [[u8; 3]; 12] = [
    [255, 255, 255],
    [29, 35, 43],
    [154, 163, 173],
    [255, 176, 0],
    [207, 224, 245],
    [11, 99, 197],
    [187, 187, 187],
    [253, 238, 238],
    [233, 241, 251],
    [179, 92, 0],
    [199, 119, 0],
    [255, 255, 255],
];

const fn palette() -> [[u8; 3]; 12 + GRAYS] {
    let mut out = [[0u8; 3]; 12 + GRAYS];
    let mut i = 0;
    while i < 12 {
        out[i] = NAMED[i];
        i += 1;
    }
    // Gray levels from white (0) down to a dark gray (GRAYS - 1).
    while i < 12 + GRAYS {
        let level = (255 - (i - 12) * 200 / (GRAYS - 1)) as u8;
        out[i] = [level, level, level];
        i += 1;
    }
    out
}

/// A picture of palette indices.
#[derive(Debug, Clone, PartialEq)]
pub struct Picture {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// Row by row, indices into [`PALETTE`].
    pub pixels: Vec<u8>,
}

impl Picture {
    /// A white picture.
    pub fn new(width: usize, height: usize) -> Picture {
        Picture {
            width,
            height,
            pixels: vec![WHITE; width * height],
        }
    }

    /// Fills a rectangle (clipped to the picture).
    pub fn fill(&mut self, x: usize, y: usize, width: usize, height: usize, colour: u8) {
        for row in y..(y + height).min(self.height) {
            let start = row * self.width;
            for column in x..(x + width).min(self.width) {
                self.pixels[start + column] = colour;
            }
        }
    }

    /// Draws a rectangle's outline `line` pixels wide, inside the rectangle.
    pub fn outline(&mut self, x: usize, y: usize, w: usize, h: usize, line: usize, colour: u8) {
        let line = line.min(w / 2).min(h / 2).max(1);
        self.fill(x, y, w, line, colour);
        self.fill(x, (y + h).saturating_sub(line), w, line, colour);
        self.fill(x, y, line, h, colour);
        self.fill((x + w).saturating_sub(line), y, line, h, colour);
    }

    /// Writes `text` with its top-left corner at `(x, y)`, each font pixel `scale` wide.
    /// Characters the font lacks are left blank.
    pub fn text(&mut self, text: &str, x: usize, y: usize, scale: usize, colour: u8) {
        for (index, ch) in text.chars().enumerate() {
            let left = x + index * GLYPH_ADVANCE * scale;
            for (row, bits) in glyph(ch).iter().enumerate() {
                for column in 0..GLYPH_WIDTH {
                    if bits & (0b10000 >> column) != 0 {
                        self.fill(left + column * scale, y + row * scale, scale, scale, colour);
                    }
                }
            }
        }
    }

    /// Writes `text` centred in a box, as large as fits in `max_scale` or below.
    fn centred(
        &mut self,
        text: &str,
        (x, y, w, h): (usize, usize, usize, usize),
        max_scale: usize,
        colour: u8,
    ) {
        let scale = (1..=max_scale)
            .rev()
            .find(|&s| text_width(text, s) + 4 <= w && 7 * s + 4 <= h)
            .unwrap_or(1);
        let left = x + w.saturating_sub(text_width(text, scale)) / 2;
        let top = y + h.saturating_sub(7 * scale) / 2;
        self.text(text, left, top, scale, colour);
    }

    /// The RGBA bytes of the picture.
    pub fn rgba(&self) -> Vec<u8> {
        self.pixels
            .iter()
            .flat_map(|&p| {
                let [r, g, b] = PALETTE[usize::from(p)];
                [r, g, b, 255]
            })
            .collect()
    }
}

/// The font's glyphs are this many pixels wide...
pub const GLYPH_WIDTH: usize = 5;
/// ...and this many high.
pub const GLYPH_HEIGHT: usize = 7;
/// Pixels from one character's left edge to the next's, at scale 1.
pub const GLYPH_ADVANCE: usize = GLYPH_WIDTH + 1;

/// The width of `text` at `scale`.
pub fn text_width(text: &str, scale: usize) -> usize {
    (text.chars().count() * GLYPH_ADVANCE).saturating_sub(1) * scale
}

/// A character of the 5x7 font (the page's figures' and the command-line tool's):
/// seven rows, the five low bits of each left to right; blank for characters it lacks.
pub fn glyph(ch: char) -> [u8; GLYPH_HEIGHT] {
    match ch {
        '0' => [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E],
        '1' => [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E],
        '2' => [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F],
        '3' => [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E],
        '4' => [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02],
        '5' => [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E],
        '6' => [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E],
        '7' => [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
        '8' => [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E],
        '9' => [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C],
        '-' | '−' => [0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00],
        '+' => [0x00, 0x04, 0x04, 0x1F, 0x04, 0x04, 0x00],
        '.' => [0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C],
        '/' => [0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x00],
        '×' => [0x00, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x00],
        '·' => [0x00, 0x00, 0x00, 0x0C, 0x0C, 0x00, 0x00],
        'e' => [0x00, 0x00, 0x0E, 0x11, 0x1F, 0x10, 0x0E],
        _ => [0; 7],
    }
}

/// The side of one kernel cell in the kernel figure.
pub const KERNEL_CELL: usize = 64;

/// The kernel as a grid: `labels` (the weights as the page writes them, row by row) on
/// cells tinted by the sign of `weights`, with grid lines `line` pixels wide.
pub fn kernel(
    rows: usize,
    columns: usize,
    weights: &[f32],
    labels: &[String],
    line: usize,
) -> Picture {
    let (width, height) = (columns * KERNEL_CELL + line, rows * KERNEL_CELL + line);
    let mut picture = Picture::new(width, height);
    for m in 0..rows {
        for n in 0..columns {
            let index = m * columns + n;
            let weight = weights.get(index).copied().unwrap_or(0.0);
            let (x, y) = (n * KERNEL_CELL, m * KERNEL_CELL);
            let tint = if weight > 0.0 {
                POSITIVE
            } else if weight < 0.0 {
                NEGATIVE
            } else {
                WHITE
            };
            picture.fill(x, y, KERNEL_CELL, KERNEL_CELL, tint);
            picture.outline(x, y, KERNEL_CELL + line, KERNEL_CELL + line, line, LINE);
            let label = labels.get(index).map_or("", String::as_str);
            let inner = (x + line, y + line, KERNEL_CELL - line, KERNEL_CELL - line);
            picture.centred(label, inner, 4, INK);
        }
    }
    picture
}

/// The side of one grid cell in the step-by-step figure.
pub const STEP_CELL: usize = 48;

/// The cell side for a figure `columns` cells wide (input, gap and output): [`STEP_CELL`],
/// or less (down to 24 pixels) so that large grids stay about 960 pixels wide.
pub fn step_cell(columns: usize) -> usize {
    (960 / columns.max(1)).clamp(24, STEP_CELL)
}
/// The white border around the step-by-step figure.
pub const STEP_MARGIN: usize = 16;

/// The step-by-step view at the position in `facts`: the (padded) input grid with each
/// cell shaded by its value, the window's taps outlined (with their weights unless
/// `pool`), then the output filled in up to this position, the current cell in blue.
///
/// Layout: with cells of `side = step_cell(...)` pixels, the input's cell
/// `(row, column)` of the padded grid spans `x = STEP_MARGIN + column * side`,
/// `y = STEP_MARGIN + row * side`, `side` on each side; the output starts one cell to the
/// right of the input.
/// A cell of value `v` is gray level `round((v - low) / (high - low) * (GRAYS - 1))`
/// (over the grid's values; all white when they are equal).
pub fn steps(facts: &StepsFacts, pool: bool, line: usize) -> Picture {
    let input = &facts.input;
    let output = &facts.output;
    let pads = facts.pads;
    let rows = input.height() + pads.top + pads.bottom;
    let columns = input.width() + pads.left + pads.right;
    let cell_side = step_cell(columns + 1 + output.width());
    let output_left = STEP_MARGIN + (columns + 1) * cell_side;
    let width = output_left + output.width() * cell_side + STEP_MARGIN + line;
    let height = STEP_MARGIN * 2 + rows.max(output.height()) * cell_side + line;
    let mut picture = Picture::new(width, height);
    let (low, high) = input.min_max();
    let level = |v: f32| -> usize {
        if high > low {
            (((v - low) / (high - low)) * (GRAYS - 1) as f32).round() as usize
        } else {
            0
        }
    };
    let arithmetic = &facts.arithmetic;
    let terms = arithmetic.channels.first();
    let tap_columns = terms.map_or(1, |c| c.columns.max(1));
    for row in 0..rows {
        for column in 0..columns {
            let (y, x) = (
                row as i64 - pads.top as i64,
                column as i64 - pads.left as i64,
            );
            let (px, py) = (
                STEP_MARGIN + column * cell_side,
                STEP_MARGIN + row * cell_side,
            );
            let inside =
                y >= 0 && x >= 0 && (y as usize) < input.height() && (x as usize) < input.width();
            let (value, background) = if inside {
                let value = input.get(0, 0, y as usize, x as usize).unwrap_or(0.0);
                let k = level(value);
                (value, 12 + k as u8)
            } else {
                (0.0, PADDING)
            };
            picture.fill(px, py, cell_side, cell_side, background);
            picture.outline(px, py, cell_side + line, cell_side + line, line, LINE);
            let ink = if inside && level(value) > GRAYS / 2 {
                LIGHT_INK
            } else {
                INK
            };
            let cell = (px + line, py + line, cell_side - line, cell_side - line);
            picture.centred(&number(value), cell, 3, ink);
            // A tap of the window: outlined, with its weight in the corner.
            let tap = terms.and_then(|channel| {
                channel.terms.iter().enumerate().find(|(index, _)| {
                    let (m, n) = ((index / tap_columns) as i64, (index % tap_columns) as i64);
                    let step = arithmetic.step as i64;
                    arithmetic.window.top + m * step == y && arithmetic.window.left + n * step == x
                })
            });
            if let Some((_, term)) = tap {
                let colour = if term.chosen { CHOSEN } else { WINDOW };
                picture.outline(px, py, cell_side + line, cell_side + line, 3 * line, colour);
                if !pool {
                    let weight = format!("×{}", number(term.weight));
                    let left =
                        (px + cell_side).saturating_sub(text_width(&weight, 1) + 3 * line + 2);
                    let top = py + cell_side - 7 - 3 * line - 1;
                    picture.text(&weight, left, top, 1, WEIGHT);
                }
            }
        }
    }
    for y in 0..output.height() {
        for x in 0..output.width() {
            let index = y * output.width() + x;
            let (px, py) = (output_left + x * cell_side, STEP_MARGIN + y * cell_side);
            let value = number(output.get(0, 0, y, x).unwrap_or(0.0));
            let cell = (px + line, py + line, cell_side - line, cell_side - line);
            match index.cmp(&facts.step) {
                std::cmp::Ordering::Less => picture.centred(&value, cell, 3, INK),
                std::cmp::Ordering::Equal => {
                    picture.fill(px, py, cell_side, cell_side, CURRENT);
                    picture.centred(&value, cell, 3, LIGHT_INK);
                }
                std::cmp::Ordering::Greater => picture.centred("·", cell, 3, MUTED),
            }
            picture.outline(px, py, cell_side + line, cell_side + line, line, LINE);
        }
    }
    picture
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Settings;
    use crate::views::steps::steps_facts;

    fn colour_at(picture: &Picture, x: usize, y: usize) -> u8 {
        picture.pixels[y * picture.width + x]
    }

    #[test]
    fn the_font_writes_numbers() {
        let mut picture = Picture::new(40, 9);
        picture.text("1/16", 1, 1, 1, INK);
        assert_eq!(text_width("1/16", 1), 23);
        // The "1": its stem is column 2 of the glyph, rows 0..7.
        for row in 1..8 {
            assert_eq!(colour_at(&picture, 3, row), INK);
        }
        assert_eq!(colour_at(&picture, 1, 1), WHITE);
        let ink = picture.pixels.iter().filter(|&&p| p == INK).count();
        assert_eq!(ink, 10 + 5 + 10 + 15);
    }

    #[test]
    fn the_kernel_figure_has_a_cell_per_weight() {
        let labels: Vec<String> = ["-1", "0", "1/16", "8"].map(String::from).to_vec();
        let picture = kernel(2, 2, &[-1.0, 0.0, 0.0625, 8.0], &labels, 1);
        assert_eq!((picture.width, picture.height), (129, 129));
        // Grid lines one pixel wide at 0, 64 and 128; tints by sign inside.
        for at in [0, 64, 128] {
            assert_eq!(colour_at(&picture, at, 10), LINE);
            assert_eq!(colour_at(&picture, 10, at), LINE);
        }
        assert_eq!(colour_at(&picture, 3, 3), NEGATIVE);
        assert_eq!(colour_at(&picture, 67, 3), WHITE);
        assert_eq!(colour_at(&picture, 3, 67), POSITIVE);
        assert!(picture.pixels.iter().filter(|&&p| p == INK).count() > 50);
        // Projector lines are thicker.
        let thick = kernel(2, 2, &[-1.0, 0.0, 0.0625, 8.0], &labels, 4);
        assert_eq!(thick.width, 132);
        for at in 64..68 {
            assert_eq!(colour_at(&thick, at, 10), LINE);
        }
        assert_ne!(colour_at(&thick, 68, 10), LINE);
    }

    #[test]
    fn large_grids_get_smaller_cells() {
        assert_eq!(step_cell(9), STEP_CELL);
        assert_eq!(step_cell(20), 48);
        assert_eq!(step_cell(35), 27);
        assert_eq!(step_cell(200), 24);
        let row = ["1"; 16].join(",");
        let grid = vec![row; 16].join(";");
        let (settings, _) = Settings::from_query(&format!("view=steps&grid={grid}&padding=1"));
        let picture = steps(&steps_facts(&settings).unwrap(), false, 1);
        // 18 padded columns, a gap, 16 outputs: 35 cells of 27 pixels.
        assert_eq!(picture.width, STEP_MARGIN * 2 + 35 * 27 + 1);
    }

    #[test]
    fn the_steps_figure_shows_the_lecture_example() {
        let (settings, _) = Settings::from_query("view=steps");
        let facts = steps_facts(&settings).unwrap();
        let picture = steps(&facts, false, 1);
        // 5x5 input, a gap of one cell, 3x3 output.
        assert_eq!(picture.width, STEP_MARGIN * 2 + 9 * STEP_CELL + 1);
        assert_eq!(picture.height, STEP_MARGIN * 2 + 5 * STEP_CELL + 1);
        let probe = |row: usize, column: usize| {
            colour_at(
                &picture,
                STEP_MARGIN + column * STEP_CELL + STEP_CELL / 2,
                STEP_MARGIN + row * STEP_CELL + 9,
            )
        };
        for (row, values) in crate::views::steps::LECTURE_GRID.iter().enumerate() {
            for (column, &value) in values.iter().enumerate() {
                let expected = if value == 1.0 {
                    12 + GRAYS as u8 - 1
                } else {
                    12
                };
                assert_eq!(probe(row, column), expected, "cell {row},{column}");
            }
        }
        // The window's first position is outlined; the first output is current.
        assert_eq!(
            colour_at(&picture, STEP_MARGIN + 2, STEP_MARGIN + 20),
            WINDOW
        );
        // Just right of the window: cell (0, 3), a 0 on white.
        assert_eq!(
            colour_at(&picture, STEP_MARGIN + 3 * STEP_CELL + 4, STEP_MARGIN + 9),
            12
        );
        let output = STEP_MARGIN + 6 * STEP_CELL;
        assert_eq!(colour_at(&picture, output + 5, STEP_MARGIN + 5), CURRENT);
        assert_eq!(
            colour_at(&picture, output + STEP_CELL + 5, STEP_MARGIN + 5),
            WHITE
        );
    }
}
