//! `FrameConv` and `FramePool` against the page's step-by-step path, built from the
//! naive reference: `rgba_to_tensor` → `reference::conv2d` (or `reference::pool2d`) →
//! `tensor_to_rgba`. Every path, shape, stride, dilation, padding, mode, channel choice
//! and display mapping; bytes identical wherever the arithmetic is exact (integer
//! kernels on 8-bit channels, and the general path), within 1 elsewhere.

mod support;

use convlens_core::conv::depthwise_weight;
use convlens_core::image::{rgba_to_tensor, tensor_to_rgba};
use convlens_core::{
    depthwise_conv2d, reference, Channels, ConvParams, DisplayMapping, FrameConv, FramePool,
    Kernel, Padding, PaddingMode, Pads, PoolFunction, PoolParams, Preset, Result, Shape, Tensor,
};
use support::Random;

/// The page's path with the naive reference: the map and its RGBA drawing.
fn page(
    rgba: &[u8],
    width: usize,
    height: usize,
    kernel: &Kernel,
    params: &ConvParams,
    channels: Channels,
    mapping: DisplayMapping,
) -> Result<(Tensor, Vec<u8>)> {
    let input = rgba_to_tensor(rgba, width, height, channels)?;
    let weight = depthwise_weight(kernel, input.channels())?;
    let params = ConvParams {
        groups: input.channels(),
        ..*params
    };
    let map = reference::conv2d(&input, &weight, None, &params)?;
    let mut out = Vec::new();
    tensor_to_rgba(&map, mapping, &mut out)?;
    Ok((map, out))
}

/// True when every weight is an integer over a power of two: then the sums over 8-bit
/// input are exact in `f32` and every path must give the same bytes.
fn exact_kernel(kernel: &Kernel) -> bool {
    (0..=24).any(|n| {
        let factor = (1u32 << n) as f32;
        kernel.weights().iter().all(|w| (w * factor).fract() == 0.0)
            && kernel
                .weights()
                .iter()
                .map(|w| (w * factor).abs())
                .sum::<f32>()
                * 255.0
                < (1 << 24) as f32
    })
}

/// Compares `FrameConv` with the page's path on one case; gives the path taken.
fn check_conv(
    rgba: &[u8],
    (width, height): (usize, usize),
    kernel: &Kernel,
    params: &ConvParams,
    channels: Channels,
    mapping: DisplayMapping,
) -> Option<&'static str> {
    let context = format!("{width}x{height} kernel {kernel} {params:?} {channels:?} {mapping:?}");
    let expected = page(rgba, width, height, kernel, params, channels, mapping);
    let mut conv = match FrameConv::new(kernel, params, channels, mapping) {
        Ok(conv) => conv,
        Err(error) => {
            let expected = expected.expect_err(&context);
            assert_eq!(error.to_string(), expected.to_string(), "{context}");
            return None;
        }
    };
    let mut out = vec![7; 3];
    let mut map = Tensor::filled(Shape::new(1, 1, 1, 1).expect("valid"), 0.0);
    let (result, mapped) = (
        conv.run(rgba, width, height, &mut out),
        conv.run_map(rgba, width, height, &mut map),
    );
    let (expected_map, expected_out) = match expected {
        Ok(expected) => expected,
        Err(error) => {
            let message = error.to_string();
            assert_eq!(
                result.expect_err(&context).to_string(),
                message,
                "{context}"
            );
            assert_eq!(
                mapped.expect_err(&context).to_string(),
                message,
                "{context}"
            );
            assert_eq!(
                conv.output_size(height, width)
                    .expect_err("invalid")
                    .to_string(),
                message
            );
            return None;
        }
    };
    let path = conv.path();
    let size = result.expect(&context);
    mapped.expect(&context);
    assert_eq!(
        size,
        (expected_map.height(), expected_map.width()),
        "{context}"
    );
    assert_eq!(map.shape(), expected_map.shape(), "{context}");
    let exact = path == "general" || (channels != Channels::Gray && exact_kernel(kernel));
    let bound: f32 = kernel.weights().iter().map(|w| w.abs()).sum::<f32>() * 255.0;
    for (i, (&a, &b)) in map.data().iter().zip(expected_map.data()).enumerate() {
        if exact {
            assert_eq!(
                a.to_bits(),
                b.to_bits(),
                "{context} ({path}) value {i}: {a} vs {b}"
            );
        } else {
            assert!(
                (a - b).abs() <= 1e-5 * bound,
                "{context} ({path}) value {i}: {a} vs {b}"
            );
        }
    }
    assert_eq!(out.len(), expected_out.len(), "{context}");
    if exact {
        assert!(out == expected_out, "{context} ({path}): bytes differ");
    } else {
        for (i, (&a, &b)) in out.iter().zip(&expected_out).enumerate() {
            assert!(
                a.abs_diff(b) <= 1,
                "{context} ({path}) byte {i}: {a} vs {b}"
            );
        }
    }
    Some(path)
}

fn random_kernel(random: &mut Random) -> Kernel {
    let (h, w) = (random.range(1, 5), random.range(1, 5));
    let weights: Vec<f32> = match random.below(6) {
        // Small integers, many zeros.
        0 => (0..h * w).map(|_| random.below(7) as f32 - 3.0).collect(),
        // Integers over a power of two.
        1 => {
            let scale = (1 << random.below(6)) as f32;
            (0..h * w)
                .map(|_| (random.below(33) as f32 - 16.0) / scale)
                .collect()
        }
        // Floats.
        2 => (0..h * w)
            .map(|_| (random.below(2001) as f32 - 1000.0) / 777.0)
            .collect(),
        // Rank one, integer or float.
        3 => {
            let float = random.below(2) == 0;
            let mut factor = |n: usize| -> Vec<f32> {
                (0..n)
                    .map(|_| {
                        let v = random.below(9) as f32 - 4.0;
                        if float {
                            v / 3.0
                        } else {
                            v
                        }
                    })
                    .collect()
            };
            let (column, row) = (factor(h), factor(w));
            column
                .iter()
                .flat_map(|c| row.iter().map(move |r| c * r))
                .collect()
        }
        // Box (one magnitude), sometimes integer.
        4 => vec![[1.0, 0.25, 1.0 / (h * w) as f32][random.below(3)]; h * w],
        // Large integers: 32-bit sums.
        _ => (0..h * w)
            .map(|_| random.below(2001) as f32 - 1000.0)
            .collect(),
    };
    Kernel::new(h, w, weights).expect("valid")
}

fn random_params(random: &mut Random) -> ConvParams {
    let padding = match random.below(5) {
        0 => Padding::Valid,
        1 => Padding::Same,
        _ => Padding::Explicit(Pads {
            top: random.range(0, 3),
            bottom: random.range(0, 3),
            left: random.range(0, 3),
            right: random.range(0, 3),
        }),
    };
    ConvParams {
        stride: (random.range(1, 3), random.range(1, 3)),
        padding,
        padding_mode: PaddingMode::ALL[random.below(4)],
        dilation: (random.range(1, 3), random.range(1, 3)),
        groups: 1,
    }
}

#[test]
fn every_path_matches_the_reference_on_random_cases() {
    let mut random = Random(0x5eed_f00d_1234_5678);
    let mut paths = std::collections::BTreeMap::new();
    for case in 0..3000 {
        let (width, height) = (random.range(1, 13), random.range(1, 11));
        let rgba = random.frame(width, height);
        let kernel = if case % 4 == 0 {
            Preset::ALL[random.below(Preset::ALL.len())].kernel()
        } else {
            random_kernel(&mut random)
        };
        let params = if case % 3 == 0 {
            ConvParams {
                padding: Padding::Same,
                ..ConvParams::default()
            }
        } else {
            random_params(&mut random)
        };
        let channels = Channels::ALL[random.below(5)];
        let mapping = DisplayMapping::ALL[random.below(4)];
        if let Some(path) = check_conv(&rgba, (width, height), &kernel, &params, channels, mapping)
        {
            *paths.entry(path).or_insert(0) += 1;
        }
    }
    // Every path was taken, many times.
    for path in ["integer 3x3", "integer", "separable", "box", "general"] {
        assert!(paths.get(path).copied().unwrap_or(0) > 20, "{paths:?}");
    }
}

#[test]
fn presets_on_a_wider_frame_in_every_mode() {
    // Rows long enough for the vector loops and their remainders.
    let mut random = Random(42);
    let (width, height) = (83, 29);
    let rgba = random.frame(width, height);
    for preset in Preset::ALL {
        for mode in PaddingMode::ALL {
            for (stride, dilation) in [(1, 1), (2, 1), (1, 2), (3, 2)] {
                let params = ConvParams {
                    stride: (stride, stride),
                    dilation: (dilation, dilation),
                    padding: Padding::uniform(dilation * (preset.kernel().width() / 2)),
                    padding_mode: mode,
                    groups: 1,
                };
                for channels in Channels::ALL {
                    for mapping in DisplayMapping::ALL {
                        check_conv(
                            &rgba,
                            (width, height),
                            &preset.kernel(),
                            &params,
                            channels,
                            mapping,
                        )
                        .expect("valid");
                    }
                }
            }
        }
    }
}

#[test]
fn one_by_one_kernels_with_padding_and_strides() {
    // The identity (a copy of the padded, strided input) and its neighbours, on rows long
    // enough for the vector loops and their remainders.
    let mut random = Random(17);
    let (width, height) = (67, 23);
    let rgba = random.frame(width, height);
    for weight in [1.0, 2.0, -1.0, 0.5] {
        let kernel = Kernel::new(1, 1, vec![weight]).expect("valid");
        for mode in PaddingMode::ALL {
            for (stride, pad) in [(1, 0), (1, 2), (2, 1), (3, 0)] {
                let params = ConvParams {
                    stride: (stride, stride + 1),
                    padding: Padding::Explicit(Pads {
                        top: pad,
                        bottom: 0,
                        left: pad,
                        right: pad + 1,
                    }),
                    padding_mode: mode,
                    ..ConvParams::default()
                };
                for channels in Channels::ALL {
                    for mapping in DisplayMapping::ALL {
                        check_conv(&rgba, (width, height), &kernel, &params, channels, mapping)
                            .expect("valid");
                    }
                }
            }
        }
    }
}

#[test]
fn large_kernels_and_sparse_dilations() {
    let mut random = Random(7);
    let (width, height) = (40, 37);
    let rgba = random.frame(width, height);
    let kernels = [
        Kernel::box_blur(11).expect("valid"),
        Kernel::gaussian(9).expect("valid"),
        Kernel::new(13, 13, vec![1.0; 169]).expect("valid"),
        Kernel::new(2, 17, (0..34).map(|i| (i % 5) as f32 - 2.0).collect()).expect("valid"),
        Kernel::new(5, 5, vec![0.0; 25]).expect("valid"),
    ];
    for kernel in &kernels {
        for dilation in [1, 3] {
            let params = ConvParams {
                dilation: (dilation, 1),
                padding: Padding::Same,
                padding_mode: PaddingMode::Reflect,
                ..ConvParams::default()
            };
            for channels in [Channels::All, Channels::Green, Channels::Gray] {
                for mapping in DisplayMapping::ALL {
                    check_conv(&rgba, (width, height), kernel, &params, channels, mapping);
                }
            }
        }
    }
}

#[test]
fn fast_paths_equal_depthwise_conv2d_on_a_video_sized_frame() {
    let mut random = Random(99);
    let (width, height) = (320, 180);
    let rgba = random.frame(width, height);
    let input = rgba_to_tensor(&rgba, width, height, Channels::All).expect("valid");
    let same = ConvParams {
        padding: Padding::Same,
        ..ConvParams::default()
    };
    for (preset, path) in [
        (Preset::Edges, "integer 3x3"),
        (Preset::SobelLeft, "integer 3x3"),
        (Preset::Blur, "integer 3x3"),
        (Preset::Gaussian5, "separable"),
        (Preset::Gaussian7, "separable"),
        (Preset::Box7, "box"),
    ] {
        let kernel = preset.kernel();
        let mut conv =
            FrameConv::new(&kernel, &same, Channels::All, DisplayMapping::Clamp).expect("valid");
        assert_eq!(conv.path(), path);
        let mut out = Vec::new();
        conv.run(&rgba, width, height, &mut out).expect("valid");
        let map = depthwise_conv2d(&input, &kernel, &same).expect("valid");
        let mut expected = Vec::new();
        tensor_to_rgba(&map, DisplayMapping::Clamp, &mut expected).expect("valid");
        if path == "box" {
            assert!(out.iter().zip(&expected).all(|(a, b)| a.abs_diff(*b) <= 1));
        } else {
            assert!(out == expected, "{preset:?}");
        }
        // No new allocation on the next frame.
        let pointer = out.as_ptr();
        conv.run(&rgba, width, height, &mut out).expect("valid");
        assert_eq!(out.as_ptr(), pointer);
    }
}

#[test]
fn map_storage_is_reused() {
    let mut conv = FrameConv::new(
        &Preset::Edges.kernel(),
        &ConvParams::default(),
        Channels::All,
        DisplayMapping::Clamp,
    )
    .expect("valid");
    let rgba = Random(3).frame(9, 8);
    let mut map = Tensor::filled(Shape::new(1, 1, 1, 1).expect("valid"), 0.0);
    conv.run_map(&rgba, 9, 8, &mut map).expect("valid");
    let pointer = map.data().as_ptr();
    conv.run_map(&rgba, 9, 8, &mut map).expect("valid");
    assert_eq!(map.data().as_ptr(), pointer);
    assert_eq!((map.channels(), map.height(), map.width()), (3, 6, 7));
}

#[test]
fn bad_arguments_are_errors() {
    let kernel = Preset::Edges.kernel();
    let zero_stride = ConvParams {
        stride: (0, 1),
        ..ConvParams::default()
    };
    assert!(FrameConv::new(&kernel, &zero_stride, Channels::All, DisplayMapping::Clamp).is_err());
    let same_stride = ConvParams {
        stride: (2, 2),
        padding: Padding::Same,
        ..ConvParams::default()
    };
    assert!(FrameConv::new(&kernel, &same_stride, Channels::All, DisplayMapping::Clamp).is_err());
    let mut conv = FrameConv::new(
        &kernel,
        &ConvParams::default(),
        Channels::All,
        DisplayMapping::Clamp,
    )
    .expect("valid");
    let mut out = Vec::new();
    let frame = vec![0u8; 4 * 4 * 4];
    assert!(conv.run(&frame[1..], 4, 4, &mut out).is_err());
    assert!(conv.run(&frame, 0, 0, &mut out).is_err());
    assert!(conv.run(&frame, 2, 2, &mut out).is_err());
    assert!(conv.run(&[], usize::MAX, 2, &mut out).is_err());
    let message = conv
        .run(&frame[..8], 2, 1, &mut out)
        .expect_err("invalid")
        .to_string();
    assert!(
        message.contains("larger than the padded input"),
        "{message}"
    );
    let reflect = ConvParams {
        padding: Padding::uniform(4),
        padding_mode: PaddingMode::Reflect,
        ..ConvParams::default()
    };
    let mut conv =
        FrameConv::new(&kernel, &reflect, Channels::Red, DisplayMapping::Clamp).expect("valid");
    assert!(conv.run(&frame, 4, 4, &mut out).is_err());
    let mut map = Tensor::filled(Shape::new(1, 1, 1, 1).expect("valid"), 0.0);
    assert!(conv.run_map(&frame, 4, 4, &mut map).is_err());
    let huge = ConvParams {
        padding: Padding::uniform(usize::MAX / 4),
        ..ConvParams::default()
    };
    let mut conv =
        FrameConv::new(&kernel, &huge, Channels::All, DisplayMapping::Clamp).expect("valid");
    assert!(conv.run(&frame, 4, 4, &mut out).is_err());

    let pool = PoolParams::square(2);
    assert!(FramePool::new(PoolFunction::Max, &PoolParams::square(0), Channels::All).is_err());
    let dilated_mean = PoolParams {
        dilation: (2, 2),
        ..pool
    };
    assert!(FramePool::new(PoolFunction::Mean, &dilated_mean, Channels::All).is_err());
    let mut pooling = FramePool::new(PoolFunction::Max, &pool, Channels::All).expect("valid");
    assert!(pooling.run(&frame[..4], 1, 1, &mut out).is_err());
    assert!(pooling.run(&frame[1..], 4, 4, &mut out).is_err());
    assert!(pooling.run(&[], 0, 4, &mut out).is_err());
}

/// The page's pooling path with the naive reference.
fn page_pool(
    rgba: &[u8],
    width: usize,
    height: usize,
    function: PoolFunction,
    params: &PoolParams,
    channels: Channels,
) -> Result<(Tensor, Vec<u8>)> {
    let input = rgba_to_tensor(rgba, width, height, channels)?;
    let map = reference::pool2d(&input, function, params)?;
    let mut out = Vec::new();
    tensor_to_rgba(&map, DisplayMapping::Clamp, &mut out)?;
    Ok((map, out))
}

fn check_pool(
    rgba: &[u8],
    (width, height): (usize, usize),
    function: PoolFunction,
    params: &PoolParams,
    channels: Channels,
) {
    let context = format!("{width}x{height} {function:?} {params:?} {channels:?}");
    let expected = page_pool(rgba, width, height, function, params, channels);
    let mut pool = match FramePool::new(function, params, channels) {
        Ok(pool) => pool,
        Err(error) => {
            assert_eq!(
                error.to_string(),
                expected.expect_err(&context).to_string(),
                "{context}"
            );
            return;
        }
    };
    let mut out = Vec::new();
    let mut map = Tensor::filled(Shape::new(1, 1, 1, 1).expect("valid"), 0.0);
    let result = pool.run(rgba, width, height, &mut out);
    let mapped = pool.run_map(rgba, width, height, &mut map);
    match expected {
        Ok((expected_map, expected_out)) => {
            assert_eq!(
                result.expect(&context),
                (expected_map.height(), expected_map.width())
            );
            mapped.expect(&context);
            assert_eq!(map, expected_map, "{context}");
            assert!(out == expected_out, "{context}");
        }
        Err(error) => {
            assert_eq!(result.expect_err(&context).to_string(), error.to_string());
            assert_eq!(mapped.expect_err(&context).to_string(), error.to_string());
        }
    }
}

#[test]
fn pooling_matches_the_reference() {
    let mut random = Random(0xfeed);
    for case in 0..2000 {
        let (width, height) = (random.range(1, 14), random.range(1, 11));
        let rgba = random.frame(width, height);
        let params = if case % 3 == 0 {
            PoolParams::square(2)
        } else {
            let kernel = (random.range(1, 4), random.range(1, 4));
            PoolParams {
                kernel,
                stride: (random.below(4) > 0).then(|| (random.range(1, 3), random.range(1, 3))),
                padding: Pads {
                    top: random.range(0, kernel.0 / 2),
                    bottom: random.range(0, kernel.0 / 2),
                    left: random.range(0, kernel.1 / 2),
                    right: random.range(0, kernel.1 / 2),
                },
                dilation: (random.range(1, 2), random.range(1, 2)),
                ceil_mode: random.below(2) == 0,
                count_include_pad: random.below(2) == 0,
                divisor_override: (random.below(4) == 0).then(|| random.range(1, 5)),
            }
        };
        let function = PoolFunction::ALL[random.below(4)];
        let params = PoolParams {
            divisor_override: params
                .divisor_override
                .filter(|_| function == PoolFunction::Mean),
            ..params
        };
        let channels = Channels::ALL[random.below(5)];
        check_pool(&rgba, (width, height), function, &params, channels);
    }
    let rgba = Random(5).frame(64, 36);
    for function in PoolFunction::ALL {
        for channels in Channels::ALL {
            check_pool(&rgba, (64, 36), function, &PoolParams::square(2), channels);
            check_pool(
                &rgba[..63 * 35 * 4],
                (63, 35),
                function,
                &PoolParams::square(2),
                channels,
            );
        }
    }
}

/// Strides far beyond the frame (the output is then one column or row) must neither
/// overflow nor read the wrong pixels.
#[test]
fn huge_strides() {
    let mut random = Random(11);
    for _ in 0..1000 {
        let (width, height) = (random.range(1, 9), random.range(1, 9));
        let rgba = random.frame(width, height);
        let mut stride = || [1, 2, 5, 1 << (usize::BITS - 2), usize::MAX][random.below(5)];
        let stride = (stride(), stride());
        let params = ConvParams {
            stride,
            padding: Padding::Explicit(Pads {
                top: random.range(0, 3),
                bottom: random.range(0, 3),
                left: random.range(0, 3),
                right: random.range(0, 3),
            }),
            padding_mode: PaddingMode::ALL[random.below(4)],
            dilation: (random.range(1, 3), random.range(1, 3)),
            groups: 1,
        };
        let kernel = [Preset::Blur, Preset::Gaussian5, Preset::Box5][random.below(3)].kernel();
        let channels = Channels::ALL[random.below(5)];
        let mapping = DisplayMapping::ALL[random.below(4)];
        check_conv(&rgba, (width, height), &kernel, &params, channels, mapping);
    }
}
