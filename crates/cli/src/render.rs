//! `convlens render`: the page's feature map (or pooled map) of a PNG, as a PNG.
//!
//! The settings are the page's own (`convlens_web::settings::Settings`), set through the
//! same parameter names and checks as the URL; the map is computed and drawn by the
//! page's pipeline (`input_tensor` → `feature_map` / `pooled_map` → `draw`), so for the
//! same input frame and settings the bytes are the page's canvas bytes.

use std::path::Path;

use convlens_core::DisplayMapping;
use convlens_web::pipeline::{self, Backend, Frame};
use convlens_web::settings::{KernelChoice, Settings, Source};

use crate::args::{self, Given};
use crate::panel::{self, Window};
use crate::Failure;
use crate::{page_url, picture};

/// The options, without `--`.
const OPTIONS: args::Known = &[
    "image",
    "out",
    "url",
    "view",
    "kernel",
    "weights",
    "stride",
    "padding",
    "padding-mode",
    "dilation",
    "channel",
    "display",
    "pool",
    "pool-size",
    "pool-stride",
    "size",
    "figure",
    "scale",
];

/// The options that are page settings, with their URL parameter names, in the order
/// they are applied (after `--url`).
const SETTINGS: [(&str, &str); 13] = [
    ("view", "view"),
    ("size", "size"),
    ("kernel", "kernel"),
    ("weights", "weights"),
    ("stride", "stride"),
    ("padding", "padding"),
    ("padding-mode", "padding_mode"),
    ("dilation", "dilation"),
    ("channel", "channel"),
    ("display", "display"),
    ("pool", "pool"),
    ("pool-size", "pool_size"),
    ("pool-stride", "pool_stride"),
];

/// `convlens render --help`.
pub const HELP: &str = "\
convlens render: draw the page's feature map (or pooled map) of a PNG image as a PNG

USAGE
  convlens render --image IN.png [SETTINGS] --out OUT.png
  convlens render --image IN.png --url 'https://…/?kernel=sobel-left&stride=2' --out OUT.png

FILES
  --image FILE         the input, a PNG (any colour type and bit depth; transparent
                       parts are drawn over white, 16-bit samples keep their high byte)
  --out FILE           where to write the PNG (8-bit RGBA); '-' writes to standard output

SETTINGS (the page's URL parameters, same names, values, defaults and checks)
  --url URL            a page URL or its query string: every setting in it is used;
                       options given as well override it
  --view conv|pool     the convolution (default) or the pooling demo; --pool, --pool-size
                       or --pool-stride alone choose pool
  --kernel NAME        edges (default), blur, sharpen, sobel-top, sobel-bottom, sobel-left,
                       sobel-right, identity, box-3, box-5, box-7, gaussian-3, gaussian-5,
                       gaussian-7, emboss, outline, lecture-example
  --weights 'ROWS'     your own kernel: rows split by ';', cells by ',' or spaces,
                       fractions allowed, e.g. '1 0 -1; 2 0 -2; 1 0 -1' or '1/9,1/9;1/9,1/9'
  --stride N           1 to 16 (default 1)
  --padding P          0 to 16, same (stride 1 only) or valid (default 0)
  --padding-mode M     zeros (default), reflect, replicate or circular
  --dilation N         1 to 16 (default 1)
  --channel C          all (default: R, G and B each convolved), r, g, b or gray
                       (rgb is accepted for all)
  --display D          how values become pixels: clamp (default; clamp(round(v), 0, 255)),
                       abs, normalize or diverging
  --pool F             max (default), mean or min
  --pool-size N        the pooling window, 1 to 16 (default 2)
  --pool-stride N      1 to 16, or auto (default: the window size, as in PyTorch)
  --size S             full, 256, 128, 64 or 32: scale the image so its longest side is S
                       first, as the page does (full: at most 2048). Without --size the
                       image is used at its own size. The page scales with the browser's
                       filter and this tool by area averaging, so a scaled input may
                       differ by a level here and there: for identical pixels give an
                       image already at the size you want and leave --size out.

FIGURE
  --figure map|panel   map (default): the map at its own pixel size, byte for byte the
                       page's canvas; panel: input | kernel grid with its numbers | map,
                       on white, for a slide
  --scale N            enlarge every picture of the figure N times (1 to 16, default 1),
                       nearest neighbour, so pixels stay crisp

EXIT STATUS
  0 written; 2 a bad option, setting or input image (the reason is printed);
  1 the output could not be written.

EXAMPLES
  convlens render --image photo.png --kernel sobel-left --stride 2 --out fig.png
  convlens render --image cat.png --kernel blur --padding 1 --dilation 2 --channel gray \\
      --figure panel --scale 4 --out blur.png
  convlens render --image cat.png --pool max --pool-size 4 --out pooled.png
";

/// The figure to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Figure {
    Map,
    Panel,
}

/// What `render` was asked to do.
#[derive(Debug)]
struct Request {
    image: String,
    out: String,
    settings: Settings,
    /// Whether the input is scaled to `settings.size` (only when a size was given).
    scale_input: bool,
    figure: Figure,
    scale: usize,
}

/// Runs `convlens render` with the arguments after the subcommand.
///
/// # Errors
/// Bad options, settings or input, or an output that cannot be written.
pub fn run(arguments: &[String]) -> Result<(), Failure> {
    let given = args::read("render", arguments, OPTIONS)?;
    if given.help {
        crate::print(HELP);
        return Ok(());
    }
    let request = request(&given)?;
    let frame = picture::read_png(Path::new(&request.image))?;
    let figure = draw(&request, &frame)?;
    picture::write_png(&figure, Path::new(&request.out))
}

/// Reads the options into settings, with the page's checks.
fn request(given: &Given) -> Result<Request, Failure> {
    let mut settings = Settings::default();
    let mut scale_input = false;
    if let Some(url) = given.get("url") {
        (settings, scale_input) = page_url::settings(url)?;
    }
    if given.has("kernel") && given.has("weights") {
        return Err(Failure::usage(
            "give --kernel or --weights, not both (--weights is a custom kernel)",
        ));
    }
    let pooling = ["pool", "pool-size", "pool-stride"]
        .iter()
        .any(|o| given.has(o));
    if pooling && !given.has("view") {
        settings.view = "pool";
    }
    for (option, parameter) in SETTINGS {
        let Some(value) = given.get(option) else {
            continue;
        };
        let value = match option {
            "weights" => weights_text(value),
            _ => value.to_string(),
        };
        settings
            .set(parameter, &value)
            .map_err(|message| Failure::usage(format!("--{option}: {message}")))?;
        scale_input |= option == "size";
    }
    if !matches!(settings.view, "conv" | "pool") {
        return Err(Failure::usage(format!(
            "the view '{}' is not drawn by this tool: it renders the conv and pool views \
             (for a layer stack's table use `convlens layers`)",
            settings.view
        )));
    }
    let image = match (given.get("image"), settings.source) {
        (Some(image), _) => image.to_string(),
        (None, Source::Sample(sample)) if given.has("url") => {
            return Err(Failure::usage(format!(
                "the URL shows the photo '{0}': give its file with --image (it is \
                 www/samples/{0}.png in the repository)",
                sample.name()
            )))
        }
        (None, _) => return Err(Failure::usage("--image is missing: the input PNG file")),
    };
    let out = given
        .get("out")
        .ok_or_else(|| Failure::usage("--out is missing: where to write the PNG"))?
        .to_string();
    let figure = match given.get("figure").map(str::trim) {
        None | Some("map") => Figure::Map,
        Some("panel") => Figure::Panel,
        Some(other) => {
            return Err(Failure::usage(format!(
                "--figure must be map or panel, not '{}'",
                args::shorten(other)
            )))
        }
    };
    let scale = match given.get("scale") {
        None => 1,
        Some(text) => text
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=panel::MAX_SCALE).contains(n))
            .ok_or_else(|| {
                Failure::usage(format!(
                    "--scale must be a whole number from 1 to {}, not '{}'",
                    panel::MAX_SCALE,
                    args::shorten(text)
                ))
            })?,
    };
    Ok(Request {
        image,
        out,
        settings,
        scale_input,
        figure,
        scale,
    })
}

/// Kernel rows with cells split by spaces (`1 0 -1; 2 0 -2`) written the URL's way
/// (`1,0,-1;2,0,-2`); rows that already use commas are kept.
fn weights_text(text: &str) -> String {
    text.split(';')
        .map(|row| {
            if row.contains(',') {
                row.to_string()
            } else {
                row.split_whitespace().collect::<Vec<_>>().join(",")
            }
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// The figure for `frame`: the map, or the panel around it.
fn draw(request: &Request, frame: &Frame) -> Result<Frame, Failure> {
    let settings = &request.settings;
    let scaled;
    let frame = if request.scale_input {
        let (width, height) = picture::scaled_size(frame.width, frame.height, settings.size);
        scaled = picture::resample(frame, width, height);
        &scaled
    } else {
        frame
    };
    let map = map_of(settings, frame).map_err(Failure::usage)?;
    if request.figure == Figure::Map {
        return Ok(map);
    }
    let window = match (settings.view, &settings.kernel) {
        ("pool", _) => Window::Pool(settings.pool_size),
        (_, KernelChoice::Preset(preset)) => Window::Kernel(preset.kernel()),
        (_, KernelChoice::Custom(kernel)) => Window::Kernel(kernel.clone()),
    };
    panel::compose(frame, &window, &map, request.scale).map_err(Failure::usage)
}

/// The map the page draws for `settings` on `frame`: the feature map with the chosen
/// display, or the pooled map (always clamped), as RGBA.
///
/// # Errors
/// Settings that do not fit the image (the core's message).
pub fn map_of(settings: &Settings, frame: &Frame) -> Result<Frame, String> {
    let input = pipeline::input_tensor(frame, settings.channel).map_err(|e| e.to_string())?;
    let (map, display) = match settings.view {
        "pool" => (
            convlens_web::views::pool::pooled_map(settings, &input, Backend::Fast),
            DisplayMapping::Clamp,
        ),
        _ => (
            convlens_web::views::conv::feature_map(settings, &input, Backend::Fast),
            settings.display,
        ),
    };
    let map = map.map_err(|e| format!("{e}"))?;
    let mut rgba = Vec::new();
    pipeline::draw(&map, display, &mut rgba).map_err(|e| e.to_string())?;
    Ok(Frame {
        width: map.width(),
        height: map.height(),
        rgba,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use convlens_core::geometry::PaddingMode;
    use convlens_core::{Channels, PoolFunction, Preset};
    use convlens_web::settings::PaddingChoice;

    fn given(text: &str) -> Given {
        let words: Vec<String> = text.split_whitespace().map(String::from).collect();
        args::read("render", &words, OPTIONS).unwrap()
    }

    #[test]
    fn options_become_the_page_settings() {
        let r = request(&given(
            "--image a.png --out b.png --kernel sobel-left --stride 2 --padding same \
             --padding-mode reflect --dilation 3 --channel rgb --display diverging",
        ))
        .unwrap();
        let s = &r.settings;
        assert_eq!(s.kernel, KernelChoice::Preset(Preset::SobelLeft));
        assert_eq!(
            (s.stride, s.padding, s.dilation),
            (2, PaddingChoice::Same, 3)
        );
        assert_eq!(s.padding_mode, PaddingMode::Reflect);
        assert_eq!(
            (s.channel, s.display),
            (Channels::All, DisplayMapping::Diverging)
        );
        assert_eq!(
            (s.view, r.figure, r.scale, r.scale_input),
            ("conv", Figure::Map, 1, false)
        );
    }

    #[test]
    fn pooling_options_choose_the_pooling_view() {
        let r = request(&given("--image a --out b --pool mean --pool-size 3")).unwrap();
        assert_eq!(r.settings.view, "pool");
        assert_eq!(
            (r.settings.pool, r.settings.pool_size),
            (PoolFunction::Mean, 3)
        );
        let r = request(&given("--image a --out b --pool-size 3 --view conv")).unwrap();
        assert_eq!(r.settings.view, "conv");
    }

    #[test]
    fn a_page_url_is_read_and_options_override_it() {
        let r = request(&given(
            "--image a --out b --stride 3 \
             --url http://localhost:8000/?image=coffee&kernel=blur&stride=2&size=64#x",
        ))
        .unwrap();
        assert_eq!(r.settings.kernel, KernelChoice::Preset(Preset::Blur));
        assert_eq!(
            (r.settings.stride, r.settings.size, r.scale_input),
            (3, 64, true)
        );
    }

    #[test]
    fn bad_settings_say_what_is_wrong() {
        let message = |text: &str| request(&given(text)).unwrap_err().message;
        assert_eq!(
            message("--image a --out b --stride 0"),
            "--stride: stride must be a whole number from 1 to 16, not '0'"
        );
        assert!(
            message("--image a --out b --kernel nope").contains("there is no kernel called 'nope'")
        );
        assert!(message("--image a --out b --kernel blur --weights 1").contains("not both"));
        assert!(message("--out b").contains("--image is missing"));
        assert!(message("--image a").contains("--out is missing"));
        assert!(message("--image a --out b --size 100").contains("size must be full, 256"));
        assert!(message("--image a --out b --figure poster").contains("map or panel"));
        assert!(message("--image a --out b --scale 0").contains("from 1 to 16"));
        assert!(message("--image a --out b --view stack").contains("convlens layers"));
        assert!(message("--out b --url ?image=chelsea").contains("www/samples/chelsea.png"));
        assert!(message("--image a --out b --url stride=99&foo=1")
            .contains("stride must be a whole number from 1 to 16, not '99' (kept 1)"));
    }

    #[test]
    fn weights_may_be_split_by_spaces() {
        assert_eq!(
            weights_text("1 0 -1; 2 0 -2;1/16 0 1"),
            "1,0,-1;2,0,-2;1/16,0,1"
        );
        assert_eq!(weights_text("1, 0;0 ,1"), "1, 0;0 ,1");
        let r = request(&given("--image a --out b --weights=1/2;-1/2")).unwrap();
        assert_eq!(r.settings.kernel.kernel().rows(), [[0.5], [-0.5]]);
    }
}
