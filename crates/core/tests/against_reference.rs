//! Every fast path against the naive reference, over all small shapes and parameter
//! combinations.

use convlens_core::geometry::{PaddingMode, Pads};
use convlens_core::{
    adaptive_avg_pool2d, adaptive_max_pool2d, conv2d, pool2d, reference, ConvParams, Padding,
    PoolFunction, PoolParams, Tensor,
};

/// Deterministic values with fractions and negatives (a small linear congruential walk).
fn values(len: usize, seed: u32) -> Vec<f32> {
    let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    (0..len)
        .map(|_| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            ((state >> 16) % 512) as f32 / 8.0 - 32.0
        })
        .collect()
}

fn paddings() -> Vec<Padding> {
    let mut all = vec![
        Padding::Valid,
        Padding::Same,
        Padding::uniform(1),
        Padding::uniform(2),
    ];
    all.push(Padding::Explicit(Pads {
        top: 0,
        bottom: 2,
        left: 1,
        right: 0,
    }));
    all
}

#[test]
fn conv2d_matches_reference_on_every_small_shape() {
    let mut checked = 0;
    let mut refused = 0;
    // (input channels, groups, output channels, batch)
    let layouts = [
        (1, 1, 1, 1),
        (2, 1, 3, 1),
        (2, 2, 2, 2),
        (4, 2, 2, 1),
        (3, 3, 6, 1),
    ];
    for (in_channels, groups, out_channels, batch) in layouts {
        for height in [1, 2, 3, 5] {
            for width in [1, 2, 4, 5] {
                let input = Tensor::with_batch(
                    batch,
                    in_channels,
                    height,
                    width,
                    values(
                        batch * in_channels * height * width,
                        (height * 7 + width) as u32,
                    ),
                )
                .unwrap();
                for kernel_h in 1..=3 {
                    for kernel_w in 1..=3 {
                        let weight = Tensor::with_batch(
                            out_channels,
                            in_channels / groups,
                            kernel_h,
                            kernel_w,
                            values(
                                out_channels * in_channels / groups * kernel_h * kernel_w,
                                (kernel_h * 3 + kernel_w) as u32,
                            ),
                        )
                        .unwrap();
                        let bias = values(out_channels, 99);
                        for stride in [(1, 1), (2, 1), (1, 3)] {
                            for dilation in [(1, 1), (2, 1), (2, 2)] {
                                for padding in paddings() {
                                    for padding_mode in PaddingMode::ALL {
                                        let params = ConvParams {
                                            stride,
                                            padding,
                                            padding_mode,
                                            dilation,
                                            groups,
                                        };
                                        for bias in [None, Some(&bias[..])] {
                                            let fast = conv2d(&input, &weight, bias, &params);
                                            let slow =
                                                reference::conv2d(&input, &weight, bias, &params);
                                            match (&fast, &slow) {
                                                (Ok(f), Ok(s)) => {
                                                    assert_eq!(f, s, "{params:?} {height}x{width} k{kernel_h}x{kernel_w}");
                                                    checked += 1;
                                                }
                                                (Err(f), Err(s)) => {
                                                    assert_eq!(f, s);
                                                    refused += 1;
                                                }
                                                _ => panic!("fast {fast:?} but reference {slow:?} for {params:?}"),
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(
        checked > 50_000 && refused > 1_000,
        "checked {checked}, refused {refused}"
    );
}

#[test]
fn pool2d_matches_reference_on_every_small_shape() {
    let mut checked = 0;
    for height in 1..=5 {
        for width in 1..=5 {
            let input =
                Tensor::with_batch(2, 2, height, width, values(4 * height * width, 5)).unwrap();
            for kernel in [(1, 1), (2, 2), (3, 2), (3, 3)] {
                for stride in [None, Some((1, 1)), Some((2, 3))] {
                    let asymmetric = Pads {
                        top: 1,
                        bottom: 0,
                        left: 0,
                        right: 1,
                    };
                    for padding in [
                        Pads::default(),
                        Pads::symmetric(1, 0),
                        Pads::uniform(1),
                        asymmetric,
                    ] {
                        for dilation in [(1, 1), (2, 1)] {
                            for ceil_mode in [false, true] {
                                for (count_include_pad, divisor_override) in
                                    [(false, None), (true, None), (true, Some(3))]
                                {
                                    let params = PoolParams {
                                        kernel,
                                        stride,
                                        padding,
                                        dilation,
                                        ceil_mode,
                                        count_include_pad,
                                        divisor_override,
                                    };
                                    for function in PoolFunction::ALL {
                                        let fast = pool2d(&input, function, &params);
                                        let slow = reference::pool2d(&input, function, &params);
                                        match (&fast, &slow) {
                                            (Ok(f), Ok(s)) => {
                                                assert_eq!(f, s, "{function:?} {params:?} {height}x{width}");
                                                checked += 1;
                                            }
                                            (Err(f), Err(s)) => assert_eq!(f, s),
                                            _ => panic!("fast {fast:?} but reference {slow:?} for {params:?}"),
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(checked > 5_000, "checked {checked}");
}

#[test]
fn adaptive_pooling_matches_reference_on_every_small_shape() {
    let mut checked = 0;
    for height in 1..=7 {
        for width in 1..=7 {
            let input =
                Tensor::with_batch(2, 2, height, width, values(4 * height * width, 11)).unwrap();
            for out_h in 1..=9 {
                for out_w in 1..=9 {
                    let output = (out_h, out_w);
                    let (max, indices) = adaptive_max_pool2d(&input, output).unwrap();
                    let (slow_max, slow_indices) =
                        reference::adaptive_pool2d(&input, true, output).unwrap();
                    assert_eq!(
                        (&max, &indices),
                        (&slow_max, &slow_indices),
                        "{height}x{width} to {output:?}"
                    );
                    let mean = adaptive_avg_pool2d(&input, output).unwrap();
                    let (slow_mean, _) = reference::adaptive_pool2d(&input, false, output).unwrap();
                    assert_eq!(mean, slow_mean, "{height}x{width} to {output:?}");
                    // Where a fixed window does the same, pooling with it agrees.
                    if let Some(fixed) =
                        convlens_core::pool::adaptive_as_fixed((height, width), output)
                    {
                        assert_eq!(pool2d(&input, PoolFunction::Max, &fixed).unwrap(), max);
                        assert_eq!(pool2d(&input, PoolFunction::Mean, &fixed).unwrap(), mean);
                    }
                    let reads =
                        convlens_core::cost::adaptive_pool_reads(2, (height, width), output)
                            .unwrap();
                    let windows: u64 = (0..out_h)
                        .flat_map(|y| (0..out_w).map(move |x| (y, x)))
                        .map(|(y, x)| {
                            let (t, b) = convlens_core::pool::adaptive_window(y, height, out_h);
                            let (l, r) = convlens_core::pool::adaptive_window(x, width, out_w);
                            ((b - t) * (r - l)) as u64
                        })
                        .sum();
                    assert_eq!(reads, 2 * windows);
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 49 * 81);
}
