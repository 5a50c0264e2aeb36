//! The pooling view: each channel pooled on its own, the pooled map at its true scale,
//! and the cells one pooled cell took.

use std::fmt::Write as _;

use convlens_core::{
    max_pool2d_with_indices, max_unpool2d, pool2d, reference, DisplayMapping, PoolFunction, Power,
    Rect, Result, Tensor,
};

use crate::i18n::{t, Texts};
use crate::pipeline::{
    channel_names, check_cell, shown, Backend, CellArithmetic, ChannelArithmetic, Term,
};
use crate::settings::{flag, number, shorten, Settings, SettingsError, MAX_POOL};

/// The pooling view.
#[derive(Debug, Clone, Copy)]
pub struct Pool;

/// The pooling view's part of the settings: what `nn.MaxPool2d`, `nn.AvgPool2d` and
/// `nn.LPPool2d` take beyond the window and the stride.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PoolingSettings {
    /// The power of LP pooling (`pool=lp`).
    pub power: Power,
    /// Implicit padding on each side (at most half the window).
    pub padding: usize,
    /// `ceil_mode`: round the output size up.
    pub ceil: bool,
    /// Show where each maximum came from (`return_indices=True`) and unpooling.
    pub indices: bool,
    /// Spacing of the window's taps (max and min pooling only).
    pub dilation: usize,
    /// For the mean: padding counts in the divisor (PyTorch's `count_include_pad`).
    pub include_pad: bool,
    /// For the mean: divide by this instead (`divisor_override`); `None` is PyTorch's
    /// default.
    pub divisor: Option<usize>,
}

impl Default for PoolingSettings {
    /// PyTorch's defaults, and `p = 2`.
    fn default() -> Self {
        PoolingSettings {
            power: Power::TWO,
            padding: 0,
            ceil: false,
            indices: false,
            dilation: 1,
            include_pad: true,
            divisor: None,
        }
    }
}

/// The shared settings pooling reads.
pub const USES: [&str; 8] = [
    "image",
    "size",
    "channel",
    "pool",
    "pool_size",
    "pool_stride",
    "fit",
    "meter",
];

impl crate::views::View for Pool {
    fn name(&self) -> &'static str {
        "pool"
    }

    fn tab(&self, t: &Texts) -> &'static str {
        t.tab_pool
    }

    fn uses(&self) -> &'static [&'static str] {
        &USES
    }

    fn embed_controls(&self) -> &'static [&'static str] {
        &["pool", "pool_size", "pool_stride"]
    }

    fn parameters(&self) -> &'static [&'static str] {
        &[
            "pool_p",
            "pool_padding",
            "pool_ceil",
            "pool_indices",
            "pool_dilation",
            "pool_include_pad",
            "pool_divisor",
        ]
    }

    fn hides(&self, settings: &Settings) -> &'static [&'static str] {
        // Only what the chosen function takes is shown.
        const PAD: &str = "pool_include_pad";
        const DIV: &str = "pool_divisor";
        let part = &settings.pooling;
        match settings.pool {
            PoolFunction::Max => &["pool_p", PAD, DIV],
            PoolFunction::Min => &["pool_p", PAD, DIV, "pool_indices"],
            PoolFunction::Mean if part.padding == 0 || part.divisor.is_some() => {
                &["pool_p", "pool_dilation", "pool_indices", PAD]
            }
            PoolFunction::Mean => &["pool_p", "pool_dilation", "pool_indices"],
            PoolFunction::Lp(_) => &["pool_dilation", "pool_indices", PAD, DIV],
        }
    }

    fn set(
        &self,
        settings: &mut Settings,
        key: &str,
        value: &str,
    ) -> std::result::Result<(), SettingsError> {
        let part = &mut settings.pooling;
        match key {
            "pool_p" => {
                let power = Power::new(value.parse::<f32>().unwrap_or(f32::NAN))?;
                part.power = power;
                if let PoolFunction::Lp(_) = settings.pool {
                    settings.pool = PoolFunction::Lp(power);
                }
            }
            "pool_padding" => part.padding = number("pool_padding", value, 0, MAX_POOL / 2)?,
            "pool_ceil" => part.ceil = flag("pool_ceil", value)?,
            "pool_indices" => part.indices = flag("pool_indices", value)?,
            "pool_dilation" => part.dilation = number("pool_dilation", value, 1, MAX_POOL / 2)?,
            "pool_include_pad" => part.include_pad = flag("pool_include_pad", value)?,
            "pool_divisor" => {
                part.divisor = match value {
                    "auto" | "" => None,
                    _ => Some(number("pool_divisor", value, 1, MAX_POOL * MAX_POOL)?),
                }
            }
            _ => return Err(SettingsError::UnknownParameter { key: shorten(key) }),
        }
        Ok(())
    }

    fn describe(&self, settings: &Settings, key: &str) -> String {
        let part = &settings.pooling;
        match key {
            "pool_p" => part.power.value().to_string(),
            "pool_padding" => part.padding.to_string(),
            "pool_ceil" => u8::from(part.ceil).to_string(),
            "pool_indices" => u8::from(part.indices).to_string(),
            "pool_dilation" => part.dilation.to_string(),
            "pool_include_pad" => u8::from(part.include_pad).to_string(),
            "pool_divisor" => part.divisor.map_or("auto".into(), |d| d.to_string()),
            _ => String::new(),
        }
    }

    fn follows_video(&self) -> bool {
        true
    }

    #[cfg(target_arch = "wasm32")]
    fn page(&self) -> &dyn crate::shell::Page {
        self
    }
}

/// The pooled map.
///
/// # Errors
/// Invalid geometry, in words.
pub fn pooled_map(settings: &Settings, input: &Tensor, backend: Backend) -> Result<Tensor> {
    let params = settings.pool_params();
    match backend {
        Backend::Fast => pool2d(input, settings.pool, &params),
        Backend::Reference => reference::pool2d(input, settings.pool, &params),
    }
}

/// The pooling layer as PyTorch writes it: `kernel_size`, `stride`, and `padding`,
/// `dilation`, `ceil_mode`, `count_include_pad`, `divisor_override` and `return_indices`
/// when they are not the defaults. `nn.LPPool2d` has no padding: a zero padding layer
/// goes first.
pub fn pytorch_pool(settings: &Settings) -> String {
    let part = &settings.pooling;
    let stride = settings.pool_stride.unwrap_or(settings.pool_size);
    let mut arguments = format!("kernel_size={}, stride={stride}", settings.pool_size);
    let lp = matches!(settings.pool, PoolFunction::Lp(_));
    if part.padding > 0 && !lp {
        let _ = write!(arguments, ", padding={}", part.padding);
    }
    if part.dilation > 1 && settings.pool.picks_one() {
        let _ = write!(arguments, ", dilation={}", part.dilation);
    }
    if part.ceil {
        arguments.push_str(", ceil_mode=True");
    }
    if settings.pool == PoolFunction::Mean {
        if !part.include_pad {
            arguments.push_str(", count_include_pad=False");
        }
        if let Some(divisor) = part.divisor {
            let _ = write!(arguments, ", divisor_override={divisor}");
        }
    }
    match settings.pool {
        PoolFunction::Max if part.indices => {
            format!("nn.MaxPool2d({arguments}, return_indices=True)")
        }
        PoolFunction::Max => format!("nn.MaxPool2d({arguments})"),
        PoolFunction::Mean => format!("nn.AvgPool2d({arguments})"),
        PoolFunction::Min => format!("-F.max_pool2d(-x, {arguments})  # min pooling"),
        PoolFunction::Lp(p) if part.padding > 0 => format!(
            "nn.Sequential(nn.ZeroPad2d({}), nn.LPPool2d({}, {arguments}))",
            part.padding,
            p.value()
        ),
        PoolFunction::Lp(p) => format!("nn.LPPool2d({}, {arguments})", p.value()),
    }
}

/// `nn.MaxUnpool2d` with the pooling's window, stride and padding.
pub fn pytorch_unpool(settings: &Settings) -> String {
    let stride = settings.pool_stride.unwrap_or(settings.pool_size);
    let mut line = format!(
        "nn.MaxUnpool2d(kernel_size={}, stride={stride}",
        settings.pool_size
    );
    if settings.pooling.padding > 0 {
        let _ = write!(line, ", padding={}", settings.pooling.padding);
    }
    line.push_str(")(y, indices, output_size=x.shape[-2:])");
    line
}

/// Where each maximum came from, and unpooling: the maxima put back in place.
#[derive(Debug, Clone, PartialEq)]
pub struct Unpooled {
    /// The input, dimmed to a third, with every cell a window took at full value.
    pub argmax: Tensor,
    /// `nn.MaxUnpool2d`: each maximum at its cell, zeros elsewhere (input size).
    pub unpooled: Tensor,
    /// How many cells were taken (a cell two windows took counts once).
    pub taken: usize,
}

/// [`Unpooled`] for max pooling of `input` with the view's settings.
///
/// # Errors
/// Invalid geometry.
pub fn unpooled(settings: &Settings, input: &Tensor) -> Result<Unpooled> {
    let params = settings.pool_params();
    let (pooled, indices) = max_pool2d_with_indices(input, &params)?;
    let size = (input.height(), input.width());
    let unpooled = max_unpool2d(&pooled, &indices, &params, Some(size))?;
    let plane = size.0 * size.1;
    let out_plane = pooled.height() * pooled.width();
    let mut taken = vec![false; input.data().len()];
    for (i, &index) in indices.iter().enumerate() {
        taken[(i / out_plane) * plane + index] = true;
    }
    let mut argmax = input.clone();
    for (value, &kept) in argmax.data_mut().iter_mut().zip(&taken) {
        if !kept {
            *value /= 3.0;
        }
    }
    Ok(Unpooled {
        argmax,
        unpooled,
        taken: taken.iter().filter(|&&k| k).count(),
    })
}

/// The numbers the page shows next to the pooling demo.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolFacts {
    /// Output height and width.
    pub output: (usize, usize),
    /// The output-size formula for height, filled in.
    pub height_formula: String,
    /// The same for width.
    pub width_formula: String,
    /// The equivalent PyTorch layer.
    pub pytorch: String,
}

/// Works out [`PoolFacts`] for an input of `height x width`.
///
/// # Errors
/// Invalid geometry, in words.
pub fn pool_facts(settings: &Settings, height: usize, width: usize) -> Result<PoolFacts> {
    let params = settings.pool_params();
    let output = params.output_size(settings.pool, height, width)?;
    let (k, s, p, d) = (
        settings.pool_size,
        params.stride().0,
        settings.pooling.padding,
        params.dilation.0,
    );
    // The window's extent: d (k − 1) + 1.
    let reach = d * (k - 1) + 1;
    let (open, close) = if params.ceil_mode {
        ("⌈", "⌉")
    } else {
        ("⌊", "⌋")
    };
    let formula = |axis: &str, size: usize, out: usize| {
        let (mut symbols, mut numbers) = if p > 0 {
            (format!("{axis}_in + 2p"), format!("{size} + 2·{p}"))
        } else {
            (format!("{axis}_in"), size.to_string())
        };
        if d > 1 {
            symbols.push_str(" − d·(k − 1) − 1");
            let _ = write!(numbers, " − {d}·({k} − 1) − 1");
        } else {
            symbols.push_str(" − k");
            let _ = write!(numbers, " − {k}");
        }
        // Ceil mode drops a last window that would start in the trailing padding.
        let span = size + 2 * p - reach.min(size + 2 * p);
        let raw = if params.ceil_mode {
            span.div_ceil(s)
        } else {
            span / s
        } + 1;
        let dropped = if raw > out {
            format!(" − 1 ({})", t().pool_ceil_dropped)
        } else {
            String::new()
        };
        format!(
            "{axis}_out = {open}({symbols}) / s{close} + 1 = {open}({numbers}) / {s}{close} + 1{dropped} = {out}"
        )
    };
    Ok(PoolFacts {
        output,
        height_formula: formula("H", height, output.0),
        width_formula: formula("W", width, output.1),
        pytorch: pytorch_pool(settings),
    })
}

/// The arithmetic of pooled cell `cell`: the window's values and the one taken (max,
/// min) or their mean.
///
/// # Errors
/// Invalid geometry, or a cell outside the pooled map.
pub fn pool_arithmetic(
    settings: &Settings,
    input: &Tensor,
    output: &Tensor,
    cell: (usize, usize),
) -> Result<CellArithmetic> {
    let params = settings.pool_params();
    let (out_h, out_w) = params.output_size(settings.pool, input.height(), input.width())?;
    check_cell(cell, (out_h, out_w))?;
    // The window's cells inside the input (padding and a ceil-mode overhang left out).
    let cells = params.window_cells(settings.pool, (input.height(), input.width()), cell)?;
    let rows = |f: fn(&(usize, usize)) -> usize| cells.iter().map(f);
    let window = Rect {
        top: rows(|c| c.0).min().unwrap_or(0) as i64,
        left: rows(|c| c.1).min().unwrap_or(0) as i64,
        bottom: rows(|c| c.0).max().map_or(0, |r| r + 1) as i64,
        right: rows(|c| c.1).max().map_or(0, |c| c + 1) as i64,
    };
    // Dilated taps: the window's distinct columns, `dilation` apart.
    let mut columns: Vec<usize> = cells.iter().map(|c| c.1).collect();
    columns.sort_unstable();
    columns.dedup();
    let divisor = match settings.pool {
        PoolFunction::Mean => Some(params.mean_divisor((input.height(), input.width()), cell)?),
        _ => None,
    };
    let channels = channel_names(settings.channel)
        .iter()
        .enumerate()
        .map(|(c, &name)| {
            let result = output.get(0, c, cell.0, cell.1).unwrap_or(0.0);
            let mut chosen_once = false;
            let terms = cells
                .iter()
                .map(|&(y, x)| {
                    let value = input.get(0, c, y, x).unwrap_or(0.0);
                    let chosen = settings.pool.picks_one() && value == result && !chosen_once;
                    chosen_once |= chosen;
                    Term {
                        value,
                        weight: 1.0,
                        padded: false,
                        chosen,
                    }
                })
                .collect();
            ChannelArithmetic {
                channel: name,
                terms,
                columns: columns.len(),
                result,
                shown: shown(result, DisplayMapping::Clamp, (0.0, 255.0), false),
            }
        })
        .collect();
    Ok(CellArithmetic {
        cell,
        window,
        step: params.dilation.0,
        channels,
        divisor,
    })
}

/// The output cells that input pixel `(y, x)` of an input of `(height, width)` is
/// pooled into.
///
/// # Errors
/// Invalid geometry.
pub fn fed_cells(
    settings: &Settings,
    (height, width): (usize, usize),
    (y, x): (usize, usize),
) -> Result<Vec<(usize, usize)>> {
    let params = settings.pool_params();
    let (out_h, out_w) = params.output_size(settings.pool, height, width)?;
    let (sy, sx) = params.stride();
    let (k, p) = (settings.pool_size as i64, settings.pooling.padding as i64);
    let d = params.dilation.0 as i64;
    // Window `o` starts at `o s − p` (the padding before the input) and takes every
    // `d`-th pixel from there, `k` of them.
    let along = |pixel: usize, s: usize, out: usize| -> Vec<usize> {
        (0..out)
            .filter(|&o| {
                let offset = pixel as i64 - ((o * s) as i64 - p);
                (0..d * k).contains(&offset) && offset % d == 0
            })
            .collect()
    };
    let rows = along(y, sy, out_h);
    let columns = along(x, sx, out_w);
    Ok(rows
        .iter()
        .flat_map(|&r| columns.iter().map(move |&c| (r, c)))
        .collect())
}

#[cfg(target_arch = "wasm32")]
mod page {
    //! The pooling view on the page: the pooled map and its numbers.

    use convlens_core::{DisplayMapping, PoolFunction};
    use web_sys::HtmlElement;

    use super::{
        fed_cells, pool_arithmetic, pool_facts, pooled_map, pytorch_unpool, unpooled, Pool,
        PoolFacts,
    };
    use crate::dom::{by_id, set_text, PageResult};
    use crate::i18n::{fill, t};
    use crate::pipeline::Backend;
    use crate::shell::maps::{self, ImageView, Kind};
    use crate::shell::{Page, Shell, State};

    static VIEW: ImageView<PoolFacts> = ImageView {
        name: "pool",
        kind: Kind::Pool,
        canvas: "pooled-map",
        label: |t| t.pooled_map_aria,
        facts: |settings, _, height, width| pool_facts(settings, height, width),
        map: |settings, input| pooled_map(settings, input, Backend::Fast),
        // Pooled maps stay within 0..255 and always clamp.
        display: |_| DisplayMapping::Clamp,
        numbers: |_, facts, _, _| numbers(facts),
        // Pooling here has no padding.
        pads: |_| [0; 4],
        fed: fed_cells,
        arithmetic: pool_arithmetic,
    };

    impl Page for Pool {
        fn wire(&self, shell: &Shell) -> PageResult {
            VIEW.wire(shell)
        }

        fn draw(&self, state: &mut State) -> PageResult {
            VIEW.draw(state)?;
            show_indices(state)
        }

        fn live(&self, state: &mut State) -> PageResult<bool> {
            VIEW.live(state)
        }

        fn select(&self, state: &State) -> PageResult {
            VIEW.select(state)
        }

        fn map_canvas(&self) -> Option<&'static str> {
            Some(VIEW.canvas)
        }
    }

    /// Where each maximum came from, and unpooling (max pooling with indices only).
    fn show_indices(state: &mut State) -> PageResult {
        let shown = state.settings.pooling.indices && state.settings.pool == PoolFunction::Max;
        for id in ["argmax-panel", "unpool-panel"] {
            by_id::<HtmlElement>(id)?.set_hidden(!shown);
        }
        if !shown || state.frame.width == 0 {
            return Ok(());
        }
        let settings = state.settings.clone();
        let result = match state.input() {
            Ok(input) => unpooled(&settings, input),
            Err(error) => Err(error),
        };
        // Invalid settings are said by the pooled map; keep the last pictures.
        let Ok(result) = result else {
            return Ok(());
        };
        for (id, map) in [
            ("argmax-map", &result.argmax),
            ("unpooled-map", &result.unpooled),
        ] {
            if let Err(error) = crate::pipeline::draw(map, DisplayMapping::Clamp, &mut state.rgba) {
                return state.say(Some(crate::message::Message::Error(error)));
            }
            maps::put_map(id, map, &state.rgba, t().argmax_aria)?;
        }
        set_text(
            "argmax-hint",
            &fill(t().argmax_hint, &[("taken", &result.taken)]),
        )?;
        set_text("unpool-pytorch", &pytorch_unpool(&settings))
    }

    /// The pooling's numbers.
    fn numbers(facts: &PoolFacts) -> PageResult {
        set_text(
            "pool-output-size",
            &crate::pipeline::size_hw(facts.output.0, facts.output.1),
        )?;
        set_text("pool-formula-h", &facts.height_formula)?;
        set_text("pool-formula-w", &facts.width_formula)?;
        set_text("pool-pytorch", &facts.pytorch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::{input_tensor, tests::frame};
    use convlens_core::Channels;

    #[test]
    fn pooling_facts_and_lines() {
        let mut settings = Settings::default();
        assert_eq!(
            pytorch_pool(&settings),
            "nn.MaxPool2d(kernel_size=2, stride=2)"
        );
        settings.pool = PoolFunction::Mean;
        settings.pool_size = 3;
        settings.pool_stride = Some(1);
        assert_eq!(
            pytorch_pool(&settings),
            "nn.AvgPool2d(kernel_size=3, stride=1)"
        );
        let facts = pool_facts(&settings, 300, 451).unwrap();
        assert_eq!(facts.output, (298, 449));
    }

    #[test]
    fn padding_ceil_mode_lp_and_indices() {
        let mut settings = Settings::default();
        for (key, value) in [
            ("pool_size", "3"),
            ("pool_stride", "2"),
            ("pool_padding", "1"),
            ("pool_ceil", "1"),
            ("pool_indices", "1"),
        ] {
            settings.set(key, value).unwrap();
        }
        assert_eq!(
            pytorch_pool(&settings),
            "nn.MaxPool2d(kernel_size=3, stride=2, padding=1, ceil_mode=True, return_indices=True)"
        );
        assert_eq!(
            pytorch_unpool(&settings),
            "nn.MaxUnpool2d(kernel_size=3, stride=2, padding=1)(y, indices, output_size=x.shape[-2:])"
        );
        // 6 + 2 − 3 = 5, ⌈5/2⌉ + 1 = 4; the fourth window starts at row 5, inside.
        let facts = pool_facts(&settings, 6, 7).unwrap();
        assert_eq!(facts.output, (4, 4));
        assert_eq!(
            facts.height_formula,
            "H_out = ⌈(H_in + 2p − k) / s⌉ + 1 = ⌈(6 + 2·1 − 3) / 2⌉ + 1 = 4"
        );
        // 7 + 2 − 3 = 6: ⌈6/2⌉ + 1 = 4 as well, no window dropped. Kernel 2, stride 2 on
        // 5 with padding 1: ⌈(5 + 2 − 2)/2⌉ + 1 = 4, but the 4th window would start at 6,
        // in the padding: 3.
        settings.pool_size = 2;
        let facts = pool_facts(&settings, 5, 5).unwrap();
        assert_eq!(facts.output, (3, 3));
        assert_eq!(
            facts.width_formula,
            "W_out = ⌈(W_in + 2p − k) / s⌉ + 1 = ⌈(5 + 2·1 − 2) / 2⌉ + 1 − 1 (the last window would start in the padding) = 3"
        );
        // Floor mode writes ⌊…⌋.
        settings.set("pool_ceil", "0").unwrap();
        assert!(pool_facts(&settings, 5, 5)
            .unwrap()
            .width_formula
            .starts_with("W_out = ⌊(W_in + 2p − k) / s⌋ + 1 = ⌊(5 + 2·1 − 2) / 2⌋ + 1 = 3"));
        // LP pooling keeps its power across pool= and pool_p=, in either order.
        settings.set("pool_p", "3").unwrap();
        settings.set("pool", "lp").unwrap();
        assert_eq!(
            pytorch_pool(&settings),
            "nn.Sequential(nn.ZeroPad2d(1), nn.LPPool2d(3, kernel_size=2, stride=2))"
        );
        settings.set("pool_padding", "0").unwrap();
        settings.set("pool_p", "1.5").unwrap();
        assert_eq!(
            pytorch_pool(&settings),
            "nn.LPPool2d(1.5, kernel_size=2, stride=2)"
        );
        let (back, warnings) = Settings::from_query(&settings.to_query());
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(back, settings);
        assert!(settings.set("pool_p", "0").is_err());
        assert!(settings.set("pool_p", "x").is_err());
        assert!(settings.set("pool_padding", "9").is_err());
        assert_eq!(back, settings);
    }

    #[test]
    #[rustfmt::skip]
    fn dilation_count_include_pad_and_divisor_override() {
        let mut settings = Settings::default();
        for (key, value) in [("pool_size", "3"), ("pool_stride", "1"), ("pool_padding", "1"), ("pool_dilation", "2")] {
            settings.set(key, value).unwrap();
        }
        assert_eq!(pytorch_pool(&settings), "nn.MaxPool2d(kernel_size=3, stride=1, padding=1, dilation=2)");
        // 6 + 2 − 2·2 − 1 = 3: four windows, each 5 wide.
        let facts = pool_facts(&settings, 6, 7).unwrap();
        assert_eq!(facts.height_formula,
                   "H_out = ⌊(H_in + 2p − d·(k − 1) − 1) / s⌋ + 1 = ⌊(6 + 2·1 − 2·(3 − 1) − 1) / 1⌋ + 1 = 4");
        assert_eq!(facts.output, (4, 5));
        // Row window o takes rows o − 1, o + 1 and o + 3: row 2 feeds windows 1 and 3.
        let fed = fed_cells(&settings, (6, 7), (2, 0)).unwrap();
        assert_eq!(fed.iter().map(|c| c.0).collect::<std::collections::BTreeSet<_>>(),
                   [1, 3].into_iter().collect());
        let input = Tensor::from_rows(&[
            [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
            [8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0],
            [15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0],
            [22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0],
            [29.0, 30.0, 31.0, 32.0, 33.0, 34.0, 35.0],
            [36.0, 37.0, 38.0, 39.0, 40.0, 41.0, 42.0],
        ]).unwrap();
        let map = pooled_map(&settings, &input, Backend::Fast).unwrap();
        // Cell (1, 1): rows 0, 2, 4 and columns 0, 2, 4, every other pixel.
        let arithmetic = pool_arithmetic(&settings, &input, &map, (1, 1)).unwrap();
        assert_eq!((arithmetic.step, arithmetic.channels[0].columns), (2, 3));
        assert_eq!(arithmetic.channels[0].terms.iter().map(|t| t.value).collect::<Vec<_>>(),
                   [1.0, 3.0, 5.0, 15.0, 17.0, 19.0, 29.0, 31.0, 33.0]);
        assert_eq!(arithmetic.channels[0].result, 33.0);
        assert_eq!(arithmetic.divisor, None);
        // The mean takes no dilation (the setting waits for max to come back) and shows
        // its divisor: 9 with the padding counted, 4 without, 1 when overridden.
        settings.set("pool", "mean").unwrap();
        settings.set("pool_stride", "2").unwrap();
        assert_eq!(settings.pool_params().dilation, (1, 1));
        assert_eq!(pytorch_pool(&settings), "nn.AvgPool2d(kernel_size=3, stride=2, padding=1)");
        let map = pooled_map(&settings, &input, Backend::Fast).unwrap();
        let corner = pool_arithmetic(&settings, &input, &map, (0, 0)).unwrap();
        assert_eq!((corner.divisor, corner.channels[0].terms.len()), (Some(9), 4));
        assert_eq!(corner.channels[0].result, (1.0 + 2.0 + 8.0 + 9.0) / 9.0);
        settings.set("pool_include_pad", "0").unwrap();
        assert_eq!(pytorch_pool(&settings), "nn.AvgPool2d(kernel_size=3, stride=2, padding=1, count_include_pad=False)");
        let map = pooled_map(&settings, &input, Backend::Fast).unwrap();
        let corner = pool_arithmetic(&settings, &input, &map, (0, 0)).unwrap();
        assert_eq!((corner.divisor, corner.channels[0].result), (Some(4), 5.0));
        settings.set("pool_divisor", "1").unwrap();
        assert_eq!(pytorch_pool(&settings),
                   "nn.AvgPool2d(kernel_size=3, stride=2, padding=1, count_include_pad=False, divisor_override=1)");
        let map = pooled_map(&settings, &input, Backend::Fast).unwrap();
        assert_eq!(map.rows(0)[0][0], 20.0);
        assert_eq!(pool_arithmetic(&settings, &input, &map, (0, 0)).unwrap().divisor, Some(1));
        let (back, warnings) = Settings::from_query(&settings.to_query());
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(back, settings);
        assert!(settings.to_query().contains("pool_dilation=2&pool_include_pad=0&pool_divisor=1"));
        // Max pooling takes no divisor: it is kept for the mean, not applied.
        settings.set("pool", "max").unwrap();
        assert_eq!(settings.pool_params().divisor_override, None);
        assert!(!pytorch_pool(&settings).contains("divisor"));
        settings.set("pool_divisor", "").unwrap();
        assert_eq!(settings.pooling.divisor, None);
        for (key, value) in [("pool_divisor", "0"), ("pool_dilation", "0"), ("pool_dilation", "9"), ("pool_include_pad", "2")] {
            assert!(settings.set(key, value).is_err(), "{key}={value}");
        }
    }

    #[test]
    fn unpooling_puts_each_maximum_back() {
        // The lecture's kind of 4x4 example: 2x2 windows, stride 2.
        let input = Tensor::from_rows(&[
            [1.0, 3.0, 2.0, 1.0],
            [4.0, 2.0, 0.0, 5.0],
            [1.0, 1.0, 7.0, 2.0],
            [0.0, 6.0, 1.0, 3.0],
        ])
        .unwrap();
        let settings = Settings::default();
        let result = unpooled(&settings, &input).unwrap();
        assert_eq!(
            result.unpooled.rows(0),
            [
                [0.0, 0.0, 0.0, 0.0],
                [4.0, 0.0, 0.0, 5.0],
                [0.0, 0.0, 7.0, 0.0],
                [0.0, 6.0, 0.0, 0.0]
            ]
        );
        assert_eq!(result.taken, 4);
        assert_eq!(result.argmax.get(0, 0, 1, 0), Some(4.0));
        assert_eq!(result.argmax.get(0, 0, 0, 1), Some(1.0));
        // Overlapping windows can take one cell more than once: the 7 wins all four.
        let overlapping = Settings {
            pool_size: 3,
            pool_stride: Some(1),
            ..Settings::default()
        };
        assert_eq!(unpooled(&overlapping, &input).unwrap().taken, 1);
        // With padding, the arithmetic leaves the padding out.
        let mut padded = Settings::default();
        padded.set("pool_padding", "1").unwrap();
        let map = pooled_map(&padded, &input, Backend::Fast).unwrap();
        assert_eq!(
            map.rows(0),
            [[1.0, 3.0, 1.0], [4.0, 7.0, 5.0], [0.0, 6.0, 3.0]]
        );
        let arithmetic = pool_arithmetic(&padded, &input, &map, (0, 0)).unwrap();
        assert_eq!(arithmetic.channels[0].terms.len(), 1);
        let arithmetic = pool_arithmetic(&padded, &input, &map, (1, 1)).unwrap();
        assert_eq!(
            arithmetic.window,
            Rect {
                top: 1,
                left: 1,
                bottom: 3,
                right: 3
            }
        );
        assert_eq!(arithmetic.channels[0].result, 7.0);
    }

    #[test]
    fn pool_arithmetic_marks_the_winner() {
        let frame = frame();
        let settings = Settings {
            channel: Channels::Red,
            ..Settings::default()
        };
        let input = input_tensor(&frame, settings.channel).unwrap();
        let map = pooled_map(&settings, &input, Backend::Fast).unwrap();
        let arithmetic = pool_arithmetic(&settings, &input, &map, (1, 2)).unwrap();
        let channel = &arithmetic.channels[0];
        assert_eq!(channel.terms.len(), 4);
        let chosen: Vec<f32> = channel
            .terms
            .iter()
            .filter(|t| t.chosen)
            .map(|t| t.value)
            .collect();
        assert_eq!(chosen, [channel.result]);
        assert_eq!(
            arithmetic.window,
            Rect {
                top: 2,
                left: 4,
                bottom: 4,
                right: 6
            }
        );
    }
}
