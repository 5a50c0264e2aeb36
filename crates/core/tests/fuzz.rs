//! A long randomised test over every public entry point: random shapes, parameters
//! (including zero and huge values) and weights (including NaN and infinities), each
//! result compared with the naive reference where it is defined. No panic, no hang, no
//! allocation beyond the crate's caps.
//!
//! By default it runs 300 cases from a fixed seed (as part of `cargo test`; `FUZZ_CASES`
//! changes the number). For a long run: `FUZZ_SECONDS=1800 cargo test --release -p
//! convlens-core --test fuzz -- --nocapture` (a random seed is then chosen and printed;
//! `FUZZ_SEED` repeats one). A case that uses a minute of CPU is reported as a hang.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod support;

use support::Random;

use convlens_core::geometry::{PaddingMode, Pads};
use convlens_core::image::{rgba_to_tensor, tensor_to_rgba};
use convlens_core::receptive_field::input_region;
use convlens_core::{
    conv1d, conv2d, conv2d_backward, conv_transpose2d, depthwise_conv2d, max_pool2d_backward,
    max_pool2d_with_indices, max_unpool2d, pool2d, pool2d_backward, receptive_fields, reference,
    Channels, ConvLayerShape, ConvParams, ConvTransposeParams, DisplayMapping, FrameConv,
    FramePool, Kernel, LayerGeometry, Padding, PoolFunction, PoolParams, Power, Preset, Result,
    Shape, Tensor,
};

fn same(a: &Tensor, b: &Tensor) -> bool {
    a.shape() == b.shape()
        && a.data()
            .iter()
            .zip(b.data())
            .all(|(x, y)| x == y || (x.is_nan() && y.is_nan()))
}

fn same_value(a: f32, b: f32) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

fn one_case(random: &mut Random) {
    // Convolution with any groups, padding and mode.
    let channels = random.range(1, 4);
    let (height, width) = (random.range(1, 9), random.range(1, 9));
    let input_values: Vec<f32> = (0..channels * height * width)
        .map(|_| {
            if random.chance(2) {
                random.value()
            } else {
                random.range(0, 255) as f32
            }
        })
        .collect();
    let input = Tensor::new(channels, height, width, input_values).expect("small input");
    let groups = if random.chance(5) {
        random.size(1, 4)
    } else {
        [1, channels][random.below(2)]
    };
    let per_group = if groups >= 1 && groups <= channels && channels % groups == 0 {
        channels / groups
    } else {
        random.range(1, 3)
    };
    let out_channels = groups.clamp(1, 4) * random.range(1, 2);
    let (kernel_h, kernel_w) = (random.range(1, 5), random.range(1, 5));
    let weight_len = out_channels * per_group * kernel_h * kernel_w;
    let weights = (0..weight_len)
        .map(|_| {
            if random.chance(1) {
                random.value()
            } else {
                (random.below(17) as f32 - 8.0) / 4.0
            }
        })
        .collect();
    let weight = Tensor::with_batch(out_channels, per_group, kernel_h, kernel_w, weights)
        .expect("small weight");
    let bias: Vec<f32> = (0..out_channels).map(|_| random.value()).collect();
    let padding = match random.below(4) {
        0 => Padding::Valid,
        1 => Padding::Same,
        _ => Padding::Explicit(Pads {
            top: random.size(0, 4),
            bottom: random.size(0, 4),
            left: random.size(0, 4),
            right: random.size(0, 4),
        }),
    };
    let params = ConvParams {
        stride: (random.size(1, 4), random.size(1, 4)),
        dilation: (random.size(1, 3), random.size(1, 3)),
        padding,
        padding_mode: PaddingMode::ALL[random.below(4)],
        groups,
    };
    let bias = random.chance(50).then_some(&bias[..]);
    match (
        conv2d(&input, &weight, bias, &params),
        reference::conv2d(&input, &weight, bias, &params),
    ) {
        (Ok(fast), Ok(slow)) => assert!(same(&fast, &slow), "conv2d differs: {params:?}"),
        (Err(fast), Err(slow)) => {
            // Compared as text: an error may carry a NaN, which equals nothing.
            assert_eq!(fast.to_string(), slow.to_string());
            assert!(!fast.to_string().is_empty());
        }
        (fast, slow) => panic!("conv2d {fast:?} but reference {slow:?} for {params:?}"),
    }

    // The same weights as a transposed convolution, and the convolution's gradients.
    let transposed = ConvTransposeParams {
        stride: (random.size(1, 3), random.size(1, 3)),
        padding: Pads {
            top: random.size(0, 2),
            bottom: random.size(0, 2),
            left: random.size(0, 2),
            right: random.size(0, 2),
        },
        output_padding: (random.size(0, 2), random.size(0, 2)),
        dilation: (random.size(1, 2), random.size(1, 2)),
        groups: if random.chance(10) {
            random.size(1, 4)
        } else {
            [1, out_channels][random.below(2)]
        },
    };
    let as_transposed = Tensor::with_batch(
        out_channels,
        per_group,
        kernel_h,
        kernel_w,
        weight.data().to_vec(),
    )
    .expect("small weight");
    let lifted = Tensor::with_batch(
        1,
        out_channels,
        height,
        width,
        (0..out_channels * height * width)
            .map(|i| input.data()[i % input.data().len()])
            .collect(),
    )
    .expect("small input");
    let bias_t: Vec<f32> = (0..per_group * transposed.groups.clamp(1, 4))
        .map(|_| random.value())
        .collect();
    let bias_t = random.chance(50).then_some(&bias_t[..]);
    match (
        conv_transpose2d(&lifted, &as_transposed, bias_t, &transposed),
        reference::conv_transpose2d(&lifted, &as_transposed, bias_t, &transposed),
    ) {
        (Ok(fast), Ok(slow)) => {
            assert_eq!(fast.shape(), slow.shape(), "{transposed:?}");
            // Sums in another order: equal within rounding while nothing overflows.
            let moderate = |t: &[f32]| t.iter().all(|v| v.abs() < 1e6);
            if moderate(lifted.data()) && moderate(weight.data()) && bias_t.is_none_or(moderate) {
                assert!(
                    fast.data()
                        .iter()
                        .zip(slow.data())
                        .all(|(a, b)| (a - b).abs() <= 1e-3 * (1.0 + b.abs())),
                    "conv_transpose2d differs: {transposed:?}"
                );
            }
        }
        (Err(fast), Err(slow)) => assert_eq!(fast.to_string(), slow.to_string()),
        (fast, slow) => panic!("conv_transpose2d {fast:?} but reference {slow:?}"),
    }
    // (The backward pass shares the forward's plan; its huge cases were just run.)
    if let Some(plan) = params
        .plan(input.shape(), weight.shape())
        .ok()
        .filter(|plan| plan.output.len() <= 1 << 16)
    {
        let grad = Tensor::filled(plan.output, random.range(0, 4) as f32 - 2.0);
        let fast = conv2d_backward(&input, &weight, &grad, &params);
        let slow = reference::conv2d_backward(&input, &weight, &grad, &params);
        match (fast, slow) {
            (Ok(fast), Ok(slow)) => {
                assert_eq!(fast.input.shape(), input.shape());
                assert_eq!(fast.weight.shape(), slow.weight.shape());
                assert_eq!(fast.bias.len(), slow.bias.len());
            }
            (Err(fast), Err(slow)) => assert_eq!(fast.to_string(), slow.to_string()),
            (fast, slow) => panic!("conv2d_backward {fast:?} but reference {slow:?}"),
        }
    }
    let wrong = Tensor::filled(
        Shape::new(1, out_channels, random.range(1, 3), random.range(1, 3)).expect("small"),
        1.0,
    );
    let _ = conv2d_backward(&input, &weight, &wrong, &params);

    // Depthwise with a kernel from presets or random text.
    let kernel = if random.chance(50) {
        Preset::ALL[random.below(Preset::ALL.len())].kernel()
    } else {
        let text: String = (0..random.range(0, 24))
            .map(|_| b"0123456789-+.,;/eEinfNa x"[random.below(25)] as char)
            .collect();
        match Kernel::parse(&text) {
            Ok(kernel) => {
                assert_eq!(
                    Kernel::parse(&kernel.to_string()).as_ref(),
                    Ok(&kernel),
                    "{text:?}"
                );
                kernel
            }
            Err(error) => {
                assert!(!error.to_string().is_empty());
                Preset::Identity.kernel()
            }
        }
    };
    let _ = depthwise_conv2d(&input, &kernel, &params);

    // Pooling.
    let pool = PoolParams {
        kernel: (random.size(1, 4), random.size(1, 4)),
        stride: random
            .chance(80)
            .then(|| (random.size(1, 4), random.size(1, 4))),
        padding: Pads {
            top: random.size(0, 2),
            bottom: random.size(0, 2),
            left: random.size(0, 2),
            right: random.size(0, 2),
        },
        dilation: (random.size(1, 2), random.size(1, 2)),
        ceil_mode: random.chance(50),
        count_include_pad: random.chance(50),
        divisor_override: random.chance(20).then(|| random.size(0, 5)),
    };
    let function = match random.below(5) {
        4 => {
            let p = if random.chance(10) {
                random.value()
            } else {
                random.range(1, 16) as f32 / 4.0
            };
            match Power::new(p) {
                Ok(p) => PoolFunction::Lp(p),
                Err(error) => {
                    assert!(!error.to_string().is_empty());
                    PoolFunction::Lp(Power::TWO)
                }
            }
        }
        i => PoolFunction::ALL[i % 4],
    };
    match (
        pool2d(&input, function, &pool),
        reference::pool2d(&input, function, &pool),
    ) {
        (Ok(fast), Ok(slow)) => {
            assert!(same(&fast, &slow), "pool2d differs: {function:?} {pool:?}")
        }
        (Err(fast), Err(slow)) => assert_eq!(fast.to_string(), slow.to_string()),
        (fast, slow) => panic!("pool2d {fast:?} but reference {slow:?} for {pool:?}"),
    }

    let grad = Tensor::filled(
        Shape::new(1, channels, random.size(1, 4), random.size(1, 4)).unwrap_or(input.shape()),
        1.0,
    );
    match (
        pool2d_backward(&input, &grad, function, &pool),
        reference::pool2d_backward(&input, &grad, function, &pool),
    ) {
        (Ok(fast), Ok(slow)) => assert!(same(&fast, &slow), "pool2d_backward differs"),
        (Err(fast), Err(slow)) => assert_eq!(fast.to_string(), slow.to_string()),
        (fast, slow) => panic!("pool2d_backward {fast:?} but reference {slow:?} for {pool:?}"),
    }
    if let Ok((pooled, indices)) = max_pool2d_with_indices(&input, &pool) {
        assert_eq!(indices.len(), pooled.data().len());
        let back = max_pool2d_backward(&pooled, &indices, input.shape()).expect("own indices");
        assert_eq!(back.shape(), input.shape());
    }
    let indices: Vec<usize> = (0..random.range(0, 6))
        .map(|_| random.size(0, 80))
        .collect();
    let _ = max_pool2d_backward(&grad, &indices, input.shape());
    let _ = max_unpool2d(&input, &indices, &pool, None);
    if let Ok((pooled, indices)) = max_pool2d_with_indices(&input, &pool) {
        let size = (
            random.range(input.height().saturating_sub(2), input.height() + 2),
            random.range(input.width().saturating_sub(2), input.width() + 2),
        );
        let asked = random.chance(50).then_some(size);
        if let Ok(unpooled) = max_unpool2d(&pooled, &indices, &pool, asked) {
            // Every maximum goes back where it came from (when the size is the input's).
            if unpooled.shape() == input.shape() {
                let plane = input.height() * input.width();
                for (i, &index) in indices.iter().enumerate() {
                    let at = i / pooled.shape().plane_len() * plane + index;
                    assert!(same_value(unpooled.data()[at], input.data()[at]));
                }
            }
        }
    }

    // Whole frames: the page's path to within 1 per byte, or an error on both sides.
    let (width, height) = (random.size(1, 9), random.size(1, 9));
    let rgba = match width.checked_mul(height) {
        Some(pixels) if pixels <= 81 && random.chance(95) => random.frame(width, height),
        _ => {
            let bad = random.below(3);
            random.frame(bad, 1)
        }
    };
    let channels = Channels::ALL[random.below(5)];
    let mapping = DisplayMapping::ALL[random.below(4)];
    let draw = |map: Result<Tensor>, mapping| {
        let mut out = Vec::new();
        map.and_then(|map| tensor_to_rgba(&map, mapping, &mut out))
            .map(|()| out)
    };
    let page = rgba_to_tensor(&rgba, width, height, channels)
        .and_then(|frame| depthwise_conv2d(&frame, &kernel, &params));
    let mut out = Vec::new();
    let fast = FrameConv::new(&kernel, &params, channels, mapping)
        .and_then(|mut conv| conv.run(&rgba, width, height, &mut out));
    match (fast, draw(page, mapping)) {
        (Ok(_), Ok(page)) => assert!(
            out.len() == page.len() && out.iter().zip(&page).all(|(a, b)| a.abs_diff(*b) <= 1),
            "FrameConv differs: {kernel} {params:?} {channels:?} {mapping:?}"
        ),
        (Err(fast), Err(_)) => assert!(!fast.to_string().is_empty()),
        (fast, page) => panic!("FrameConv {fast:?} but the page {page:?}"),
    }
    let page = rgba_to_tensor(&rgba, width, height, channels)
        .and_then(|frame| pool2d(&frame, function, &pool));
    let fast = FramePool::new(function, &pool, channels)
        .and_then(|mut pooling| pooling.run(&rgba, width, height, &mut out));
    match (fast, draw(page, DisplayMapping::Clamp)) {
        (Ok(_), Ok(page)) => assert!(out == page, "FramePool differs: {function:?} {pool:?}"),
        (Err(fast), Err(_)) => assert!(!fast.to_string().is_empty()),
        (fast, page) => panic!("FramePool {fast:?} but the page {page:?}"),
    }

    // 1D convolution, the formulas and receptive fields.
    let line: Vec<f32> = (0..random.range(0, 12)).map(|_| random.value()).collect();
    let taps: Vec<f32> = (0..random.range(0, 4)).map(|_| random.value()).collect();
    let _ = conv1d(
        &line,
        &taps,
        random.size(1, 3),
        random.size(0, 2),
        random.size(1, 2),
    );
    let layers: Vec<LayerGeometry> = (0..random.range(0, 5))
        .map(|_| LayerGeometry {
            kernel: (random.size(1, 5), random.size(1, 5)),
            stride: (random.size(1, 3), random.size(1, 3)),
            pads: Pads {
                top: random.size(0, 2),
                bottom: random.size(0, 2),
                left: random.size(0, 2),
                right: random.size(0, 2),
            },
            dilation: (random.size(1, 2), random.size(1, 2)),
        })
        .collect();
    if let Ok(fields) = receptive_fields(&layers) {
        for pair in fields.windows(2) {
            assert!(pair[1].size.0 >= pair[0].size.0 && pair[1].jump.0 >= pair[0].jump.0);
        }
    }
    let _ = input_region(
        &layers,
        random.below(6),
        (random.size(0, 8), random.size(0, 8)),
        (height, width),
    );
    let cost = ConvLayerShape {
        in_channels: random.size(1, 64),
        out_channels: random.size(1, 64),
        kernel: (random.size(1, 7), random.size(1, 7)),
        groups: random.size(1, 2),
        bias: random.chance(50),
    };
    let _ = cost.parameters();
    let _ = cost.flops((random.size(1, 300), random.size(1, 300)));
    let _ = Shape::new(
        random.size(1, 2),
        random.size(1, 3),
        random.size(1, 64),
        random.size(1, 64),
    );
}

/// The CPU time this process has used, where the system tells it (Linux: the sum of its
/// threads' run times in `/proc`); `None` elsewhere.
fn cpu_time() -> Option<Duration> {
    let mut total = 0u64;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let stat = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
        total += stat.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(Duration::from_nanos(total))
}

/// A case that has used this much CPU without finishing is a hang (the slowest cases of
/// the fixed seed take under 8 s in a debug build). CPU time, not wall time, so that a
/// loaded machine, which only makes the wait longer, is not taken for a hang.
const HANG_CPU: Duration = Duration::from_secs(60);
/// Where CPU time cannot be read, and against a case that waits without computing: a
/// wall-clock bound far beyond any load seen.
const HANG_WALL: Duration = Duration::from_secs(15 * 60);

/// Stops the process with the stuck case's seed and state when one case passes
/// [`HANG_CPU`] or [`HANG_WALL`]; `progress` is the number of the case running.
fn watch_for_hangs(seed: u64, progress: Arc<AtomicU64>, case_state: Arc<AtomicU64>) {
    std::thread::spawn(move || {
        let mut last = (u64::MAX, Instant::now(), cpu_time());
        loop {
            std::thread::sleep(Duration::from_millis(500));
            let now = progress.load(Ordering::Relaxed);
            if now != last.0 {
                last = (now, Instant::now(), cpu_time());
                continue;
            }
            let cpu = last
                .2
                .zip(cpu_time())
                .map(|(then, now)| now.saturating_sub(then));
            let wall = last.1.elapsed();
            if cpu.is_some_and(|cpu| cpu > HANG_CPU) || wall > HANG_WALL {
                eprintln!(
                    "fuzz: finding: case {now} has run for {wall:.0?} ({} of CPU; a hang); \
                     seed {seed}, case state {}",
                    cpu.map_or("unknown".into(), |cpu| format!("{cpu:.0?}")),
                    case_state.load(Ordering::Relaxed)
                );
                std::process::exit(101);
            }
        }
    });
}

#[test]
fn fuzz_every_entry_point_against_the_reference() {
    let env = |name| std::env::var(name).ok().and_then(|s| s.parse::<u64>().ok());
    // A long run goes on for FUZZ_SECONDS from a random seed; the default is a fixed
    // number of cases from a fixed seed: the same cases on every machine, however loaded.
    let seconds = env("FUZZ_SECONDS");
    let wanted = env("FUZZ_CASES").unwrap_or(300);
    let seed = env("FUZZ_SEED").unwrap_or(if seconds.is_some() {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
            | 1
    } else {
        0x5eed_c0de
    });
    match seconds {
        Some(seconds) => println!("fuzz: seed {seed}, {seconds} s"),
        None => println!("fuzz: seed {seed}, {wanted} cases"),
    }
    let mut random = Random(seed);
    let started = Instant::now();
    let more = |cases: u64| match seconds {
        Some(seconds) => started.elapsed() < Duration::from_secs(seconds),
        None => cases < wanted,
    };
    let mut cases = 0u64;
    // A hang is a finding too: a watchdog reports the stuck case and stops the run.
    let progress = Arc::new(AtomicU64::new(0));
    let case_state = Arc::new(AtomicU64::new(seed));
    watch_for_hangs(seed, progress.clone(), case_state.clone());
    while more(cases) {
        let state = random.0;
        case_state.store(state, Ordering::Relaxed);
        progress.store(cases, Ordering::Relaxed);
        let result =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| one_case(&mut random)));
        if result.is_err() {
            panic!("finding after {cases} cases: rerun with FUZZ_SEED={seed} (case state {state})");
        }
        cases += 1;
    }
    println!(
        "fuzz: {cases} cases in {:.1?} from seed {seed}, no finding",
        started.elapsed()
    );
    assert!(cases > 0, "no case ran");
}
