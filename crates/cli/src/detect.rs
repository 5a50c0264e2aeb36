//! `convlens detect`: MTCNN's face detector (the core's `detect`: P-Net over an image
//! pyramid, then R-Net) on a photo, printing its boxes and drawing them.

use convlens_core::detect::{self, Detection, Mtcnn, Settings};
use convlens_core::image::rgba_to_tensor;
use convlens_core::Channels;

use crate::args;
use crate::picture;
use crate::Failure;

const OPTIONS: args::Known = &["image", "min-face", "threshold", "stages", "out"];
const FLAGS: args::Known = &["json"];

/// The page's weights file, built into the tool.
const WEIGHTS: &[u8] = include_bytes!("../../../www/data/mtcnn.bin");

/// `convlens detect --help`.
pub const HELP: &str = "\
convlens detect: find faces with MTCNN's trained P-Net and R-Net, as the page's detector view does

USAGE
  convlens detect --image IN.png [--min-face PX] [--threshold T] [--stages pnet|rnet]
                  [--json] [--out OUT.png]

OPTIONS
  --image IN.png   the photo (PNG; transparency is drawn over white), at its own size
  --min-face PX    the smallest face to look for, in pixels, from 12 (P-Net's window) to
                   10000 (default 20): the image pyramid starts at 12/PX and shrinks by
                   0.709 a level while the image is at least 12 pixels
  --threshold T    the face probability a box must exceed, from 0 to 1 (default 0.95
                   with R-Net, 0.6 with P-Net alone)
  --stages S       rnet (default): P-Net's proposals checked by R-Net; pnet: P-Net's
                   proposals are the answer
  --json           one JSON object per box instead of a line of text
  --out OUT.png    also write the photo with the face probability as a red veil and the
                   boxes in green ('-' for standard output)

Each box is printed as x, y (its top-left corner), width and height in the photo's
pixels, and its score (the face probability), by decreasing score.

The weights are those of the PyPI package mtcnn 1.0.0 (MIT, (c) Ivan de Paz Centeno),
built into the tool (www/data/mtcnn.bin).

EXIT STATUS
  0 done (also when no face is found); 2 a bad option or photo; 1 the output could not
  be written.

EXAMPLES
  convlens detect --image www/samples/astronaut.png
  convlens detect --image group.png --min-face 40 --json --out boxes.png
";

/// Runs `convlens detect` with the arguments after the subcommand.
///
/// # Errors
/// Bad options, an unreadable photo, or an output that cannot be written.
pub fn run(arguments: &[String]) -> Result<(), Failure> {
    let given = args::read_with_flags("detect", arguments, OPTIONS, FLAGS)?;
    if given.help {
        crate::print(HELP);
        return Ok(());
    }
    let settings = settings(&given)?;
    let path = given
        .get("image")
        .ok_or_else(|| Failure::usage("--image is needed: the photo to look at"))?;
    let frame = picture::read_png(std::path::Path::new(path))?;
    let detection = find(&frame.rgba, frame.width, frame.height, &settings)?;
    let json = given.flag("json");
    let mut text = String::new();
    if !json {
        text.push_str(&format!(
            "{} {} ({} P-Net {} over {} pyramid {})\n",
            detection.faces.len(),
            if detection.faces.len() == 1 {
                "face"
            } else {
                "faces"
            },
            detection.proposals.len(),
            if detection.proposals.len() == 1 {
                "proposal"
            } else {
                "proposals"
            },
            detection.levels.len(),
            if detection.levels.len() == 1 {
                "level"
            } else {
                "levels"
            },
        ));
    }
    for face in &detection.faces {
        text.push_str(&if json {
            format!(
                "{{\"x\":{},\"y\":{},\"width\":{},\"height\":{},\"score\":{}}}\n",
                face.x1,
                face.y1,
                face.width(),
                face.height(),
                face.score
            )
        } else {
            format!(
                "x {:.1}  y {:.1}  width {:.1}  height {:.1}  score {:.4}\n",
                face.x1,
                face.y1,
                face.width(),
                face.height(),
                face.score
            )
        });
    }
    if let Some(out) = given.get("out") {
        let mut drawn = frame.clone();
        detect::draw(&mut drawn.rgba, frame.width, frame.height, &detection, true)
            .map_err(|e| Failure::usage(e.to_string()))?;
        picture::write_png(&drawn, std::path::Path::new(out))?;
        if out == "-" {
            // The picture went to standard output; the boxes go to standard error.
            eprint!("{text}");
            return Ok(());
        }
    }
    crate::print(&text);
    Ok(())
}

/// The detector on an RGBA frame: what the page's detector view computes.
///
/// # Errors
/// A setting out of range (as a sentence).
pub fn find(
    rgba: &[u8],
    width: usize,
    height: usize,
    settings: &Settings,
) -> Result<Detection, Failure> {
    let usage = |e: convlens_core::Error| Failure::usage(e.to_string());
    let net = Mtcnn::decode(WEIGHTS).map_err(usage)?;
    let rgb = rgba_to_tensor(rgba, width, height, Channels::All).map_err(usage)?;
    net.detect(&rgb, settings).map_err(usage)
}

/// The detector's settings from the options, with the page's defaults.
fn settings(given: &args::Given) -> Result<Settings, Failure> {
    let number = |name: &str| -> Result<Option<f32>, Failure> {
        given
            .get(name)
            .map(|text| {
                text.trim().parse::<f32>().map_err(|_| {
                    Failure::usage(format!(
                        "--{name} must be a number, not '{}'",
                        args::shorten(text)
                    ))
                })
            })
            .transpose()
    };
    let rnet = match given.get("stages").map(str::trim) {
        None | Some("rnet") => true,
        Some("pnet") => false,
        Some(other) => {
            return Err(Failure::usage(format!(
                "--stages must be pnet or rnet, not '{}'",
                args::shorten(other)
            )))
        }
    };
    let min_face = number("min-face")?.unwrap_or(Settings::default().min_face);
    let settings = Settings::answer(min_face, rnet, number("threshold")?);
    settings.check().map_err(|e| match e {
        convlens_core::Error::Setting {
            what, low, high, ..
        } => {
            let option = if what == "minimum face size" {
                "min-face"
            } else {
                "threshold"
            };
            let given = given.get(option).map(args::shorten).unwrap_or_default();
            Failure::usage(format!(
                "--{option} must be from {low} to {high}, not '{given}'"
            ))
        }
        other => Failure::usage(other.to_string()),
    })?;
    Ok(settings)
}
