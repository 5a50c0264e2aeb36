//! The pooling view: each channel pooled on its own, the pooled map at its true scale,
//! and the cells one pooled cell took.

use std::fmt::Write as _;

use convlens_core::{pool2d, reference, DisplayMapping, PoolFunction, Rect, Result, Tensor};

use crate::i18n::Texts;
use crate::pipeline::{
    channel_names, check_cell, shown, Backend, CellArithmetic, ChannelArithmetic, Term,
};
use crate::settings::Settings;

/// The pooling view.
#[derive(Debug, Clone, Copy)]
pub struct Pool;

/// The shared settings pooling reads.
pub const USES: [&str; 7] = [
    "image",
    "size",
    "channel",
    "pool",
    "pool_size",
    "pool_stride",
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

/// The pooling layer as PyTorch writes it.
pub fn pytorch_pool(settings: &Settings) -> String {
    let mut arguments = format!("kernel_size={}", settings.pool_size);
    if let Some(stride) = settings.pool_stride {
        let _ = write!(arguments, ", stride={stride}");
    } else {
        let _ = write!(arguments, ", stride={}", settings.pool_size);
    }
    match settings.pool {
        PoolFunction::Max => format!("nn.MaxPool2d({arguments})"),
        PoolFunction::Mean => format!("nn.AvgPool2d({arguments})"),
        PoolFunction::Min => format!("-F.max_pool2d(-x, {arguments})  # min pooling"),
        PoolFunction::Lp(p) => format!("nn.LPPool2d({}, {arguments})", p.value()),
    }
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
    let (k, s) = (settings.pool_size, params.stride().0);
    let formula = |axis: &str, size: usize, out: usize| {
        format!("{axis}_out = ⌊({axis}_in − k) / s⌋ + 1 = ⌊({size} − {k}) / {s}⌋ + 1 = {out}")
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
    let (sy, sx) = params.stride();
    let k = settings.pool_size;
    let top = (cell.0 * sy) as i64;
    let left = (cell.1 * sx) as i64;
    let window = Rect {
        top,
        left,
        bottom: (top + k as i64).min(input.height() as i64),
        right: (left + k as i64).min(input.width() as i64),
    };
    let channels = channel_names(settings.channel)
        .iter()
        .enumerate()
        .map(|(c, &name)| {
            let result = output.get(0, c, cell.0, cell.1).unwrap_or(0.0);
            let mut chosen_once = false;
            let terms = (window.top..window.bottom)
                .flat_map(|y| (window.left..window.right).map(move |x| (y as usize, x as usize)))
                .map(|(y, x)| {
                    let value = input.get(0, c, y, x).unwrap_or(0.0);
                    let chosen =
                        settings.pool != PoolFunction::Mean && value == result && !chosen_once;
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
                columns: (window.right - window.left) as usize,
                result,
                shown: shown(result, DisplayMapping::Clamp, (0.0, 255.0), false),
            }
        })
        .collect();
    Ok(CellArithmetic {
        cell,
        window,
        step: 1,
        channels,
    })
}

#[cfg(target_arch = "wasm32")]
mod page {
    //! The pooling view on the page: the pooled map and its numbers.

    use convlens_core::DisplayMapping;

    use super::{pool_arithmetic, pool_facts, pooled_map, Pool, PoolFacts};
    use crate::dom::{set_text, PageResult};
    use crate::pipeline::Backend;
    use crate::shell::maps::{self, ImageView, Kind};
    use crate::shell::{Page, Shell, State};

    const VIEW: ImageView<PoolFacts> = ImageView {
        name: "pool",
        kind: Kind::Pool,
        canvas: "pooled-map",
        label: |t| t.pooled_map_aria,
        facts: |settings, _, height, width| pool_facts(settings, height, width),
        map: |settings, input| pooled_map(settings, input, Backend::Fast),
        // Pooled maps stay within 0..255 and always clamp.
        display: |_| DisplayMapping::Clamp,
        numbers: |_, facts, _, _| numbers(facts),
        arithmetic: pool_arithmetic,
    };

    impl Page for Pool {
        fn wire(&self, shell: &Shell) -> PageResult {
            maps::wire_map(shell, VIEW.canvas)
        }

        fn draw(&self, state: &mut State) -> PageResult {
            VIEW.draw(state)
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

    /// The pooling's numbers.
    fn numbers(facts: &PoolFacts) -> PageResult {
        set_text(
            "pool-output-size",
            &format!("{} × {}", facts.output.0, facts.output.1),
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
