//! A small command-line reader: `--name value`, `--name=value` and `--help`, each option
//! at most once, every mistake a sentence.

use crate::Failure;

/// The options a subcommand accepts (all take a value), without the leading `--`.
pub type Known = &'static [&'static str];

/// What was given on the command line, in order.
#[derive(Debug, Default, PartialEq)]
pub struct Given {
    /// `(option, value)` pairs, options without `--`.
    pub options: Vec<(String, String)>,
    /// Whether `--help` or `-h` was given.
    pub help: bool,
    /// The flags (options without a value) given, without `--`.
    pub flags: Vec<String>,
}

impl Given {
    /// The value of `option`, if given.
    pub fn get(&self, option: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|(name, _)| name == option)
            .map(|(_, value)| value.as_str())
    }

    /// Whether `option` was given.
    pub fn has(&self, option: &str) -> bool {
        self.get(option).is_some()
    }

    /// Whether the flag `--name` was given.
    pub fn flag(&self, name: &str) -> bool {
        self.flags.iter().any(|f| f == name)
    }
}

/// Reads `arguments` (after the subcommand) against the `known` options.
///
/// # Errors
/// An unknown option, a missing value, a stray word, or an option given twice.
pub fn read(command: &str, arguments: &[String], known: Known) -> Result<Given, Failure> {
    read_with_flags(command, arguments, known, &[])
}

/// As [`read`], where the `flags` are options that take no value (`--json`).
///
/// # Errors
/// As [`read`], or a flag given a value (`--json=yes`) or given twice.
pub fn read_with_flags(
    command: &str,
    arguments: &[String],
    known: Known,
    flags: Known,
) -> Result<Given, Failure> {
    let mut given = Given::default();
    let mut words = arguments.iter();
    let see_help = format!("see `convlens {command} --help`");
    while let Some(word) = words.next() {
        if word == "--help" || word == "-h" {
            given.help = true;
            continue;
        }
        let Some(option) = word.strip_prefix("--") else {
            return Err(Failure::usage(format!(
                "'{}' is not an option (options start with --); {see_help}",
                shorten(word)
            )));
        };
        let (name, inline) = match option.split_once('=') {
            Some((name, value)) => (name, Some(value.to_string())),
            None => (option, None),
        };
        if flags.contains(&name) {
            if inline.is_some() {
                return Err(Failure::usage(format!("--{name} takes no value")));
            }
            if given.flag(name) {
                return Err(Failure::usage(format!("--{name} is given more than once")));
            }
            given.flags.push(name.to_string());
            continue;
        }
        if !known.contains(&name) {
            return Err(Failure::usage(format!(
                "there is no option '--{}' for `convlens {command}`; {see_help}",
                shorten(name)
            )));
        }
        let value = match inline {
            Some(value) => value,
            None => words
                .next()
                .ok_or_else(|| Failure::usage(format!("--{name} needs a value; {see_help}")))?
                .clone(),
        };
        if given.has(name) {
            return Err(Failure::usage(format!("--{name} is given more than once")));
        }
        given.options.push((name.to_string(), value));
    }
    Ok(given)
}

pub use convlens_web::settings::shorten;

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        text.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn options_in_both_forms() {
        let given = read(
            "render",
            &words("--stride 2 --kernel=sobel-left -h"),
            &["stride", "kernel"],
        )
        .unwrap();
        assert_eq!(given.get("stride"), Some("2"));
        assert_eq!(given.get("kernel"), Some("sobel-left"));
        assert!(given.help);
        assert_eq!(given.get("padding"), None);
        let given =
            read_with_flags("train", &words("--json --epochs 2"), &["epochs"], &["json"]).unwrap();
        assert!(given.flag("json") && !given.flag("other"));
        assert_eq!(given.get("epochs"), Some("2"));
        let message = |text: &str| {
            read_with_flags("train", &words(text), &["epochs"], &["json"])
                .unwrap_err()
                .message
        };
        assert_eq!(message("--json=1"), "--json takes no value");
        assert_eq!(message("--json --json"), "--json is given more than once");
    }

    #[test]
    fn mistakes_are_sentences() {
        let known: Known = &["stride"];
        let message = |text: &str| read("render", &words(text), known).unwrap_err().message;
        assert_eq!(
            message("--strde 2"),
            "there is no option '--strde' for `convlens render`; see `convlens render --help`"
        );
        assert!(message("--stride").contains("--stride needs a value"));
        assert!(message("stride 2").contains("'stride' is not an option"));
        assert_eq!(
            message("--stride 1 --stride 2"),
            "--stride is given more than once"
        );
    }
}
