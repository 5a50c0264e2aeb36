//! `convlens train`: trains a stack on the MNIST digits with the page's own training
//! code (`convlens_core::nn`), printing one line (or one JSON object) per epoch.

use std::time::Instant;

use convlens_core::network::{analyse, total_parameters, Architecture};
use convlens_core::nn::{Digits, Method, Settings, TrainSettings, Trainer, LENET5};

use crate::args;
use crate::Failure;

const OPTIONS: args::Known = &[
    "stack",
    "epochs",
    "batch",
    "lr",
    "optimizer",
    "momentum",
    "weight-decay",
    "seed",
    "lr-decay",
    "shift",
    "data",
];
const FLAGS: args::Known = &["json"];

/// The page's digits file, built into the tool so that it trains anywhere.
const DIGITS: &[u8] = include_bytes!("../../../www/data/mnist.bin");

/// The largest digits file read with `--data`.
const MAX_DATA_BYTES: u64 = 64 << 20;

/// `convlens train --help`.
pub const HELP: &str = "\
convlens train: train a network on the MNIST digits, as the page's training view does

USAGE
  convlens train [--stack TEXT] [--epochs N] [--batch B] [--lr X] [--optimizer sgd|adam]
                 [--momentum M] [--weight-decay W] [--lr-decay G] [--shift P] [--seed S]
                 [--data FILE] [--json]

OPTIONS
  --stack TEXT      the network, in the page's layer syntax (default LeNet-5:
                    input(1,28,28); conv(6,5,1,2); relu; max(2); conv(16,5); relu; max(2);
                    flatten; linear(120); relu; linear(84); relu; linear(10));
                    it must take input(1,28,28) and end with 10 scores
  --epochs N        passes over the 8,000 training digits (default 5)
  --batch B         digits per step (default 32)
  --lr X            learning rate (default 0.002 for adam, 0.01 for sgd)
  --lr-decay G      after every epoch the learning rate is multiplied by G (default 0.8;
                    1 keeps it; PyTorch's StepLR(step_size=1, gamma=G))
  --shift P         augmentation: each training digit moved by up to P pixels (default 2;
                    0 trains on the digits as they are)
  --optimizer O     adam (default; torch.optim.Adam) or sgd (torch.optim.SGD)
  --momentum M      SGD's momentum (default 0.9)
  --weight-decay W  L2 weight decay, as torch.optim takes it (default 0)
  --seed S          the seed of the initial weights and the order of the digits
                    (default 1): the same seed gives the same run, bit for bit, here
                    and in the page
  --data FILE       a digits file (default: the page's www/data/mnist.bin, built in)
  --json            one JSON object per epoch instead of a line of text

Each epoch prints its mean training loss, its accuracy on the training digits (as they
were trained on), the accuracy on the 2,000 test digits, and the seconds it took.

EXIT STATUS
  0 trained; 2 a bad option, stack or file, or a run that diverged (the reason is
  printed).

EXAMPLES
  convlens train
  convlens train --optimizer sgd --lr 0.05 --epochs 3 --json
  convlens train --stack 'input(1,28,28); flatten; linear(100); relu; linear(10)'
";

/// Runs `convlens train` with the arguments after the subcommand.
///
/// # Errors
/// Bad options, a stack that cannot be trained on the digits, an unreadable digits file,
/// or a run that diverges.
pub fn run(arguments: &[String]) -> Result<(), Failure> {
    let given = args::read_with_flags("train", arguments, OPTIONS, FLAGS)?;
    if given.help {
        crate::print(HELP);
        return Ok(());
    }
    let usage = |e: convlens_core::Error| Failure::usage(e.to_string());
    let architecture = match given.get("stack") {
        None => Architecture::parse(LENET5).map(|a| Architecture {
            name: "LeNet-5",
            ..a
        }),
        Some(text) => Architecture::parse(text),
    }
    .map_err(|e| Failure::usage(format!("--stack: {e}")))?;
    let settings = settings(&given)?;
    let digits = match given.get("data") {
        None => Digits::decode(DIGITS),
        Some(path) => Digits::decode(&read_file(path)?),
    }
    .map_err(usage)?;
    let (train, test) = (digits.train().len(), digits.test().len());
    let mut trainer = Trainer::new(&architecture, digits, settings).map_err(usage)?;
    let json = given.flag("json");
    if !json {
        let parameters = analyse(architecture.input, &architecture.layers)
            .map(|r| total_parameters(&r))
            .unwrap_or_default();
        let optimizer = settings.optimizer;
        crate::print(&format!(
            "{}: {} parameters; {} at learning rate {}, batch {}, seed {}; {train} training and \
             {test} test digits\n",
            architecture.name,
            convlens_web::pipeline::group_digits(parameters),
            optimizer.method.name(),
            optimizer.learning_rate,
            settings.batch,
            settings.seed
        ));
    }
    while !trainer.finished() {
        let started = Instant::now();
        while !trainer.step().map_err(usage)?.ends_epoch {}
        let tally = trainer.tally();
        let test = trainer.evaluate_test().map_err(usage)?;
        let seconds = started.elapsed().as_secs_f64();
        let epoch = trainer.epochs_done();
        crate::print(&if json {
            format!(
                "{{\"epoch\":{epoch},\"epochs\":{},\"steps\":{},\"loss\":{},\"train_accuracy\":{},\
                 \"test_loss\":{},\"test_accuracy\":{},\"seconds\":{:.3}}}\n",
                settings.epochs,
                trainer.steps(),
                tally.loss(),
                tally.accuracy(),
                test.loss,
                test.accuracy(),
                seconds
            )
        } else {
            format!(
                "epoch {epoch}/{}  loss {:.4}  train {:.2}%  test {:.2}%  {seconds:.1} s\n",
                settings.epochs,
                tally.loss(),
                100.0 * tally.accuracy(),
                100.0 * test.accuracy()
            )
        });
    }
    Ok(())
}

/// The training settings from the options, with the defaults of the page.
fn settings(given: &args::Given) -> Result<TrainSettings, Failure> {
    let defaults = TrainSettings::default();
    let number = |name: &str| -> Result<Option<f64>, Failure> {
        given
            .get(name)
            .map(|text| {
                text.trim().parse::<f64>().map_err(|_| {
                    Failure::usage(format!(
                        "--{name} must be a number, not '{}'",
                        args::shorten(text)
                    ))
                })
            })
            .transpose()
    };
    let whole = |name: &str, default: usize| -> Result<usize, Failure> {
        match given.get(name) {
            None => Ok(default),
            Some(text) => text.trim().parse::<usize>().map_err(|_| {
                Failure::usage(format!(
                    "--{name} must be a whole number, not '{}'",
                    args::shorten(text)
                ))
            }),
        }
    };
    let momentum = number("momentum")?.map_or(0.9, |m| m as f32);
    let method = match given.get("optimizer").map(str::trim) {
        None | Some("adam") => {
            if given.has("momentum") {
                return Err(Failure::usage(
                    "--momentum is SGD's: give --optimizer sgd with it",
                ));
            }
            Method::ADAM
        }
        Some("sgd") => Method::Sgd { momentum },
        Some(other) => {
            return Err(Failure::usage(format!(
                "--optimizer must be sgd or adam, not '{}'",
                args::shorten(other)
            )))
        }
    };
    let learning_rate = number("lr")?.map_or(
        match method {
            Method::Sgd { .. } => 0.01,
            Method::Adam { .. } => defaults.optimizer.learning_rate,
        },
        |lr| lr as f32,
    );
    let seed = match given.get("seed") {
        None => defaults.seed,
        Some(text) => text.trim().parse::<u64>().map_err(|_| {
            Failure::usage(format!(
                "--seed must be a whole number from 0 to {}, not '{}'",
                u64::MAX,
                args::shorten(text)
            ))
        })?,
    };
    let settings = TrainSettings {
        epochs: whole("epochs", defaults.epochs)?,
        batch: whole("batch", defaults.batch)?,
        optimizer: Settings {
            method,
            learning_rate,
            weight_decay: number("weight-decay")?.map_or(0.0, |w| w as f32),
        },
        seed,
        lr_decay: number("lr-decay")?.map_or(defaults.lr_decay, |g| g as f32),
        shift: whole("shift", defaults.shift)?,
    };
    settings
        .check()
        .map_err(|e| Failure::usage(e.to_string()))?;
    Ok(settings)
}

fn read_file(path: &str) -> Result<Vec<u8>, Failure> {
    let cannot = |e: std::io::Error| Failure::usage(format!("cannot read {path}: {e}"));
    let length = std::fs::metadata(path).map_err(cannot)?.len();
    if length > MAX_DATA_BYTES {
        return Err(Failure::usage(format!(
            "{path} has {length} bytes: a digits file has at most {MAX_DATA_BYTES}"
        )));
    }
    std::fs::read(path).map_err(cannot)
}
