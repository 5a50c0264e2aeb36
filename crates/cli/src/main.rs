//! `convlens`: the page's figures as PNG files for slides, and layer tables, on the
//! command line. Built on the same code as the page (`convlens-web`'s settings and
//! pipeline over `convlens-core`), so a figure has the page's pixels for the same
//! settings and a table the page's numbers.

mod args;
mod detect;
mod layers;
mod page_url;
mod panel;
mod picture;
mod render;
mod train;

use std::io::Write;
use std::process::ExitCode;

const HELP: &str = "\
convlens: the convlens page's figures as PNG files, layer tables, and training

USAGE
  convlens render --image IN.png [SETTINGS] --out OUT.png   the feature map or pooled map
  convlens layers --preset vgg16 | --stack TEXT | --file F  a stack's table of layers
  convlens train [--stack TEXT] [--epochs N] [--optimizer sgd|adam] …
                                                            train on the MNIST digits
  convlens detect --image IN.png [--min-face PX] [--json] [--out OUT.png]
                                                            find faces (MTCNN)
  convlens help [render|layers|train|detect]                more on each command
  convlens --version

The settings are the page's URL parameters (kernel, stride, padding, …), with the
same names, values and defaults; `--url` takes a page URL as it is.

Exit status: 0 done; 2 a bad option, setting or input (the reason is printed on
standard error); 1 the output could not be written.
";

/// Why a command failed: a sentence for standard error, and the exit status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// What went wrong, for a person.
    pub message: String,
    /// The exit status: 2 for bad options, settings or input; 1 for output errors.
    pub code: u8,
}

impl Failure {
    /// A mistake in what was asked: options, settings, or the input file.
    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            code: 2,
        }
    }

    /// The result could not be written.
    pub fn output(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            code: 1,
        }
    }
}

/// Prints to standard output; a closed pipe (`convlens layers … | head`) is not an error.
pub fn print(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}

fn main() -> ExitCode {
    let arguments: Vec<String> = match std::env::args_os()
        .skip(1)
        .map(|a| a.into_string())
        .collect::<Result<_, _>>()
    {
        Ok(arguments) => arguments,
        Err(_) => return fail(&Failure::usage("the arguments are not valid text (UTF-8)")),
    };
    let result = match arguments.first().map(String::as_str) {
        Some("render") => render::run(&arguments[1..]),
        Some("layers") => layers::run(&arguments[1..]),
        Some("train") => train::run(&arguments[1..]),
        Some("detect") => detect::run(&arguments[1..]),
        Some("help" | "--help" | "-h") => help(arguments.get(1).map(String::as_str)),
        Some("--version" | "-V") => {
            print(&format!("convlens {}\n", env!("CARGO_PKG_VERSION")));
            Ok(())
        }
        None => {
            print(HELP);
            Ok(())
        }
        Some(other) => Err(Failure::usage(format!(
            "there is no command '{}'; use render, layers, train or detect (see `convlens --help`)",
            args::shorten(other)
        ))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => fail(&failure),
    }
}

fn help(command: Option<&str>) -> Result<(), Failure> {
    match command {
        None => print(HELP),
        Some("render") => print(render::HELP),
        Some("layers") => print(layers::HELP),
        Some("train") => print(train::HELP),
        Some("detect") => print(detect::HELP),
        Some(other) => {
            return Err(Failure::usage(format!(
                "there is no command '{}'; use render, layers, train or detect",
                args::shorten(other)
            )))
        }
    }
    Ok(())
}

fn fail(failure: &Failure) -> ExitCode {
    eprintln!("convlens: {}", failure.message);
    ExitCode::from(failure.code)
}
