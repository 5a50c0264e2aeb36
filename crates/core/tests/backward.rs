//! The transposed convolution and the backward pass: the fast paths against the naive
//! reference, and every gradient against central finite differences of the forward
//! pass (accumulated in `f64`).

mod support;

use support::Random;

use convlens_core::geometry::{PaddingMode, Pads};
use convlens_core::{
    conv2d, conv2d_backward, conv_transpose2d, max_pool2d_with_indices, pool2d, pool2d_backward,
    reference, ConvParams, ConvTransposeParams, Padding, PoolFunction, PoolParams, Power, Shape,
    Tensor,
};

/// Random tensors for the tests.
trait Tensors {
    /// Values `k / 8` in `[-4, 4]`: products and sums of a few hundred of them are exact
    /// in `f32`, so results can be compared bit for bit.
    fn dyadic(&mut self, dims: [usize; 4]) -> Tensor;
    /// Values with every bit of the mantissa in use, in `[-2, 2)`.
    fn rough(&mut self, dims: [usize; 4]) -> Tensor;
    /// `dyadic` if `exact`, else `rough`.
    fn values(&mut self, exact: bool, dims: [usize; 4]) -> Tensor {
        if exact {
            self.dyadic(dims)
        } else {
            self.rough(dims)
        }
    }
    /// Distinct values (a shuffled `k / 8`), so every window has one winner and a step
    /// of 1/32 never changes it.
    fn distinct(&mut self, dims: [usize; 4]) -> Tensor;
}

impl Tensors for Random {
    fn dyadic(&mut self, [n, c, h, w]: [usize; 4]) -> Tensor {
        let data = (0..n * c * h * w)
            .map(|_| self.range(0, 64) as f32 / 8.0 - 4.0)
            .collect();
        Tensor::with_batch(n, c, h, w, data).expect("small tensor")
    }

    fn rough(&mut self, [n, c, h, w]: [usize; 4]) -> Tensor {
        let data = (0..n * c * h * w)
            .map(|_| (self.next() >> 40) as f32 / (1u64 << 22) as f32 - 2.0)
            .collect();
        Tensor::with_batch(n, c, h, w, data).expect("small tensor")
    }

    fn distinct(&mut self, [n, c, h, w]: [usize; 4]) -> Tensor {
        let len = n * c * h * w;
        let mut values: Vec<f32> = (0..len).map(|i| i as f32 / 8.0 - 2.0).collect();
        for i in (1..len).rev() {
            values.swap(i, self.below(i + 1));
        }
        Tensor::with_batch(n, c, h, w, values).expect("small")
    }
}

fn absolute(t: &Tensor) -> Tensor {
    let mut t = t.clone();
    t.data_mut().iter_mut().for_each(|v| *v = v.abs());
    t
}

/// `|fast - slow| <= 1e-5 * magnitude + 1e-6` element by element, where `magnitude` is
/// the same computation on absolute values (the sum of the absolute terms): a bound
/// on the rounding of any order of summation.
fn assert_close(fast: &Tensor, slow: &Tensor, magnitude: &Tensor, what: &str) {
    assert_eq!(fast.shape(), slow.shape(), "{what}");
    for (i, ((&f, &s), &m)) in fast
        .data()
        .iter()
        .zip(slow.data())
        .zip(magnitude.data())
        .enumerate()
    {
        assert!(
            (f - s).abs() <= 1e-5 * m + 1e-6,
            "{what}: value {i}: {f} against {s} (magnitude {m})"
        );
    }
}

fn random_conv(random: &mut Random, groups: usize) -> ConvParams {
    let pads = Pads {
        top: random.range(0, 2),
        bottom: random.range(0, 2),
        left: random.range(0, 2),
        right: random.range(0, 1),
    };
    ConvParams {
        stride: (random.range(1, 3), random.range(1, 2)),
        padding: if random.chance(10) {
            Padding::Same
        } else {
            Padding::Explicit(pads)
        },
        padding_mode: PaddingMode::ALL[random.below(4)],
        dilation: (random.range(1, 2), random.range(1, 3)),
        groups,
    }
}

#[test]
fn conv_transpose2d_equals_the_naive_stamping() {
    let mut random = Random(11);
    let (mut checked, mut refused) = (0, 0);
    for case in 0..600 {
        let groups = [1, 1, 2, 3][case % 4];
        let in_channels = groups * random.range(1, 3);
        let out_per_group = random.range(1, 3);
        let stride = (random.range(1, 3), random.range(1, 3));
        let dilation = (random.range(1, 2), random.range(1, 3));
        let params = ConvTransposeParams {
            stride,
            padding: Pads {
                top: random.range(0, 2),
                bottom: random.range(0, 2),
                left: random.range(0, 2),
                right: random.range(0, 1),
            },
            output_padding: (
                random.below(stride.0.max(dilation.0) + 1),
                random.below(stride.1.max(dilation.1)),
            ),
            dilation,
            groups: if random.chance(3) { 4 } else { groups },
        };
        let (h, w) = (random.range(1, 5), random.range(1, 6));
        let (kh, kw) = (random.range(1, 4), random.range(1, 4));
        let n = random.range(1, 2);
        let exact = case % 2 == 0;
        let input = random.values(exact, [n, in_channels, h, w]);
        let weight = random.values(exact, [in_channels, out_per_group, kh, kw]);
        let bias: Vec<f32> = (0..out_per_group * groups)
            .map(|_| random.range(0, 16) as f32 / 4.0)
            .collect();
        let bias = (case % 3 != 0).then_some(&bias[..]);
        let fast = conv_transpose2d(&input, &weight, bias, &params);
        let slow = reference::conv_transpose2d(&input, &weight, bias, &params);
        match (fast, slow) {
            (Ok(fast), Ok(slow)) => {
                if exact {
                    assert_eq!(fast, slow, "case {case}: {params:?}");
                } else {
                    let abs_bias: Option<Vec<f32>> =
                        bias.map(|b| b.iter().map(|v| v.abs()).collect());
                    let magnitude = reference::conv_transpose2d(
                        &absolute(&input),
                        &absolute(&weight),
                        abs_bias.as_deref(),
                        &params,
                    )
                    .expect("same settings");
                    assert_close(&fast, &slow, &magnitude, &format!("case {case}"));
                }
                checked += 1;
            }
            (Err(a), Err(b)) => {
                assert_eq!(a, b);
                refused += 1;
            }
            (a, b) => panic!("case {case}: {a:?} against {b:?}"),
        }
    }
    assert!(
        checked > 300 && refused > 30,
        "checked {checked}, refused {refused}"
    );
}

#[test]
fn conv_transpose2d_is_the_transpose_of_conv2d() {
    // <conv2d(x, w), y> = <x, conv_transpose2d(y, w)> for every x and y.
    let mut random = Random(5);
    let mut checked = 0;
    for _ in 0..100 {
        let groups = random.range(1, 2);
        let (c_in, c_out) = (groups * random.range(1, 3), groups * random.range(1, 3));
        let conv = ConvParams {
            padding_mode: PaddingMode::Zeros,
            ..random_conv(&mut random, groups)
        };
        let dims = [2, c_in, random.range(4, 8), random.range(4, 8)];
        let x = random.rough(dims);
        let dims = [c_out, c_in / groups, random.range(1, 3), random.range(1, 3)];
        let w = random.rough(dims);
        let Ok(plan) = conv.plan(x.shape(), w.shape()) else {
            continue;
        };
        let y = random.rough([2, c_out, plan.output.height, plan.output.width]);
        let back = conv_transpose2d(&y, &w, None, &plan.transposed()).expect("fits");
        assert_eq!(back.shape(), x.shape());
        let forward = conv2d(&x, &w, None, &conv).expect("fits");
        let dot = |a: &Tensor, b: &Tensor| -> f64 {
            a.data()
                .iter()
                .zip(b.data())
                .map(|(&p, &q)| f64::from(p) * f64::from(q))
                .sum()
        };
        let (left, right) = (dot(&forward, &y), dot(&x, &back));
        assert!(
            (left - right).abs() <= 1e-4 * (1.0 + left.abs()),
            "{left} {right}"
        );
        checked += 1;
    }
    assert!(checked > 60, "checked {checked}");
}

/// `Σ r ⊙ f` in `f64`: the loss whose gradient with respect to `f`'s output is `r`.
fn loss(output: &Tensor, r: &Tensor) -> f64 {
    output
        .data()
        .iter()
        .zip(r.data())
        .map(|(&o, &g)| f64::from(o) * f64::from(g))
        .sum()
}

/// Central differences of `forward` at every value of `at`, step `h`.
fn finite_differences(at: &Tensor, h: f32, mut forward: impl FnMut(&Tensor) -> f64) -> Vec<f64> {
    (0..at.data().len())
        .map(|i| {
            let mut plus = at.clone();
            plus.data_mut()[i] += h;
            let mut minus = at.clone();
            minus.data_mut()[i] -= h;
            (forward(&plus) - forward(&minus)) / (2.0 * f64::from(h))
        })
        .collect()
}

fn assert_gradient(analytic: &[f32], numeric: &[f64], tolerance: f64, what: &str) {
    assert_eq!(analytic.len(), numeric.len(), "{what}");
    for (i, (&a, &n)) in analytic.iter().zip(numeric).enumerate() {
        assert!(
            (f64::from(a) - n).abs() <= tolerance * (1.0 + n.abs()),
            "{what}: value {i}: analytic {a}, finite differences {n}"
        );
    }
}

#[test]
fn conv2d_gradients_are_the_finite_differences() {
    let mut random = Random(21);
    let mut checked = 0;
    for case in 0..80 {
        let groups = [1, 1, 2, 3][case % 4];
        let (c_in, c_out) = (groups * random.range(1, 2), groups * random.range(1, 2));
        let params = random_conv(&mut random, groups);
        let n = random.range(1, 2);
        let dims = [n, c_in, random.range(2, 6), random.range(2, 6)];
        let x = random.rough(dims);
        let dims = [c_out, c_in / groups, random.range(1, 3), random.range(1, 3)];
        let w = random.rough(dims);
        let b: Vec<f32> = (0..c_out)
            .map(|_| random.range(0, 8) as f32 - 4.0)
            .collect();
        let Ok(plan) = params.plan(x.shape(), w.shape()) else {
            continue;
        };
        let r = random.rough([n, c_out, plan.output.height, plan.output.width]);
        let grads = conv2d_backward(&x, &w, &r, &params).expect("valid");
        let what = format!("case {case} {params:?}");
        // Convolution is linear in each argument: a large step is exact up to rounding.
        let dx = finite_differences(&x, 0.5, |x| {
            loss(&conv2d(x, &w, Some(&b), &params).expect("valid"), &r)
        });
        assert_gradient(grads.input.data(), &dx, 1e-4, &format!("input, {what}"));
        let dw = finite_differences(&w, 0.5, |w| {
            loss(&conv2d(&x, w, Some(&b), &params).expect("valid"), &r)
        });
        assert_gradient(grads.weight.data(), &dw, 1e-4, &format!("weight, {what}"));
        let bias = Tensor::new(1, 1, c_out, b.clone()).expect("small");
        let db = finite_differences(&bias, 0.5, |bias| {
            loss(
                &conv2d(&x, &w, Some(bias.data()), &params).expect("valid"),
                &r,
            )
        });
        assert_gradient(&grads.bias, &db, 1e-4, &format!("bias, {what}"));
        checked += 1;
    }
    assert!(checked > 50, "checked {checked}");
}

#[test]
fn conv2d_backward_equals_the_naive_chain_rule() {
    let mut random = Random(3);
    let mut checked = 0;
    for case in 0..400 {
        let groups = [1, 2, 1, 3][case % 4];
        let (c_in, c_out) = (groups * random.range(1, 3), groups * random.range(1, 3));
        let params = random_conv(&mut random, groups);
        let n = random.range(1, 3);
        let (h, w) = (random.range(1, 7), random.range(1, 7));
        let exact = case % 2 == 0;
        let x = random.values(exact, [n, c_in, h, w]);
        let dims = [c_out, c_in / groups, random.range(1, 3), random.range(1, 3)];
        let weight = random.values(exact, dims);
        let Ok(plan) = params.plan(x.shape(), weight.shape()) else {
            continue;
        };
        let g = random.values(exact, [n, c_out, plan.output.height, plan.output.width]);
        let fast = conv2d_backward(&x, &weight, &g, &params).expect("valid");
        let slow = reference::conv2d_backward(&x, &weight, &g, &params).expect("valid");
        let what = format!("case {case} {params:?}");
        if exact {
            assert_eq!(fast, slow, "{what}");
        } else {
            let magnitude = reference::conv2d_backward(
                &absolute(&x),
                &absolute(&weight),
                &absolute(&g),
                &params,
            )
            .expect("valid");
            assert_close(
                &fast.input,
                &slow.input,
                &magnitude.input,
                &format!("input, {what}"),
            );
            assert_close(
                &fast.weight,
                &slow.weight,
                &magnitude.weight,
                &format!("weight, {what}"),
            );
            let as_tensor = |v: &[f32]| Tensor::new(1, 1, v.len(), v.to_vec()).expect("small");
            assert_close(
                &as_tensor(&fast.bias),
                &as_tensor(&slow.bias),
                &as_tensor(&magnitude.bias),
                &format!("bias, {what}"),
            );
        }
        checked += 1;
    }
    assert!(checked > 250, "checked {checked}");
}

#[test]
fn lenet_shapes_at_batch_32_equal_the_reference() {
    // The shapes training runs: conv 5x5 with 6 filters and padding 2 on 1x28x28, and
    // conv 5x5 with 16 filters on 6x14x14.
    let mut random = Random(32);
    for (c_in, c_out, size, padding) in [(1, 6, 28, 2), (6, 16, 14, 0)] {
        let params = ConvParams {
            padding: Padding::uniform(padding),
            ..ConvParams::default()
        };
        let x = random.rough([32, c_in, size, size]);
        let w = random.rough([c_out, c_in, 5, 5]);
        let b: Vec<f32> = (0..c_out).map(|i| i as f32 / 4.0).collect();
        assert_eq!(
            conv2d(&x, &w, Some(&b), &params).expect("fits"),
            reference::conv2d(&x, &w, Some(&b), &params).expect("fits"),
            "the forward pass is the reference's to the bit"
        );
        let out = params.plan(x.shape(), w.shape()).expect("fits").output;
        let g = random.rough([32, c_out, out.height, out.width]);
        let fast = conv2d_backward(&x, &w, &g, &params).expect("fits");
        let slow = reference::conv2d_backward(&x, &w, &g, &params).expect("fits");
        let magnitude =
            reference::conv2d_backward(&absolute(&x), &absolute(&w), &absolute(&g), &params)
                .expect("fits");
        assert_close(&fast.input, &slow.input, &magnitude.input, "input");
        assert_close(&fast.weight, &slow.weight, &magnitude.weight, "weight");
    }
}

fn random_pool(random: &mut Random, function: PoolFunction) -> PoolParams {
    let kernel = (random.range(1, 3), random.range(1, 3));
    PoolParams {
        kernel,
        stride: random
            .chance(50)
            .then(|| (random.range(1, 3), random.range(1, 3))),
        padding: Pads {
            top: random.range(0, kernel.0 / 2),
            bottom: random.range(0, kernel.0 / 2),
            left: random.range(0, kernel.1 / 2),
            right: random.range(0, kernel.1 / 2),
        },
        dilation: if !function.picks_one() {
            (1, 1)
        } else {
            (random.range(1, 2), random.range(1, 2))
        },
        ceil_mode: random.chance(50),
        count_include_pad: random.chance(50),
        divisor_override: (function == PoolFunction::Mean && random.chance(25))
            .then(|| random.range(1, 5)),
    }
}

#[test]
fn pool2d_gradients_are_the_finite_differences() {
    let mut random = Random(8);
    let mut checked = 0;
    for case in 0..300 {
        let function = PoolFunction::ALL[case % 3];
        let params = random_pool(&mut random, function);
        let dims = [
            random.range(1, 2),
            random.range(1, 2),
            random.range(1, 6),
            random.range(1, 6),
        ];
        let x = random.distinct(dims);
        let Ok((h, w)) = params.output_size(function, x.height(), x.width()) else {
            continue;
        };
        let r = random.rough([x.batch(), x.channels(), h, w]);
        let analytic = pool2d_backward(&x, &r, function, &params).expect("valid");
        let numeric = finite_differences(&x, 1.0 / 32.0, |x| {
            loss(&pool2d(x, function, &params).expect("valid"), &r)
        });
        assert_gradient(
            analytic.data(),
            &numeric,
            1e-4,
            &format!("case {case}: {function:?} {params:?}"),
        );
        let slow = reference::pool2d_backward(&x, &r, function, &params).expect("valid");
        assert_eq!(analytic, slow, "case {case}: {function:?} {params:?}");
        checked += 1;
    }
    assert!(checked > 200, "checked {checked}");
}

#[test]
fn lp_pool_gradients_are_the_finite_differences() {
    // On positive inputs, as images and maps after ReLU are; p = 1, 1.5, 2, 3.
    let mut random = Random(13);
    let mut checked = 0;
    for case in 0..200 {
        let p = [1.0, 1.5, 2.0, 3.0][case % 4];
        let function = PoolFunction::Lp(Power::new(p).expect("positive"));
        let params = random_pool(&mut random, function);
        let dims = [
            1,
            random.range(1, 2),
            random.range(1, 6),
            random.range(1, 6),
        ];
        let mut x = random.distinct(dims);
        x.data_mut().iter_mut().for_each(|v| *v += 3.0);
        let Ok((h, w)) = params.output_size(function, x.height(), x.width()) else {
            continue;
        };
        let r = random.rough([x.batch(), x.channels(), h, w]);
        let analytic = pool2d_backward(&x, &r, function, &params).expect("valid");
        let numeric = finite_differences(&x, 1.0 / 64.0, |x| {
            loss(&pool2d(x, function, &params).expect("valid"), &r)
        });
        let what = format!("case {case}: p = {p}, {params:?}");
        assert_gradient(analytic.data(), &numeric, 1e-3, &what);
        let slow = reference::pool2d_backward(&x, &r, function, &params).expect("valid");
        assert_eq!(analytic, slow, "{what}");
        checked += 1;
    }
    assert!(checked > 120, "checked {checked}");
}

#[test]
fn pooling_gradients_with_ties_equal_the_reference() {
    // Few distinct values: many ties, routed to the first maximum (or minimum).
    let mut random = Random(9);
    for case in 0..300 {
        let function = [PoolFunction::Max, PoolFunction::Min][case % 2];
        let params = random_pool(&mut random, function);
        let (n, c) = (random.range(1, 2), random.range(1, 3));
        let (height, width) = (random.range(1, 6), random.range(1, 6));
        let data = (0..n * c * height * width)
            .map(|_| random.range(0, 2) as f32)
            .collect();
        let x = Tensor::with_batch(n, c, height, width, data).expect("small");
        let Ok((h, w)) = params.output_size(function, height, width) else {
            continue;
        };
        let g = random.dyadic([n, c, h, w]);
        assert_eq!(
            pool2d_backward(&x, &g, function, &params).expect("valid"),
            reference::pool2d_backward(&x, &g, function, &params).expect("valid"),
            "case {case}: {function:?} {params:?}"
        );
        if function == PoolFunction::Max {
            let (pooled, indices) = max_pool2d_with_indices(&x, &params).expect("valid");
            assert_eq!(pooled, pool2d(&x, function, &params).expect("valid"));
            let plane = height * width;
            for (i, (&value, &index)) in pooled.data().iter().zip(&indices).enumerate() {
                let source = i / (h * w) * plane + index;
                assert_eq!(x.data()[source], value, "case {case}: cell {i}");
            }
        }
    }
}

#[test]
fn max_pool_indices_are_pytorchs() {
    // torch.nn.MaxPool2d(2, stride=1, return_indices=True) on this 3x3 input gives
    // values [[4, 4], [4, 4]] and indices [[1, 1], [3, 5]] (ties: the first in the window).
    let x = Tensor::from_rows(&[[1.0, 4.0, 2.0], [4.0, 3.0, 4.0], [0.0, 1.0, 2.0]]).expect("grid");
    let params = PoolParams {
        stride: Some((1, 1)),
        ..PoolParams::square(2)
    };
    let (pooled, indices) = max_pool2d_with_indices(&x, &params).expect("valid");
    assert_eq!(pooled.rows(0), [[4.0, 4.0], [4.0, 4.0]]);
    assert_eq!(indices, [1, 1, 3, 5]);
    // A window of -inf and NaN: NaN wins, at its own index.
    let x = Tensor::from_rows(&[[f32::NEG_INFINITY, f32::NAN]]).expect("grid");
    let (pooled, indices) = max_pool2d_with_indices(
        &x,
        &PoolParams {
            kernel: (1, 2),
            ..PoolParams::square(1)
        },
    )
    .expect("valid");
    assert!(pooled.data()[0].is_nan());
    assert_eq!(indices, [1]);
    let x = Tensor::filled(Shape::new(1, 1, 1, 2).expect("shape"), f32::NEG_INFINITY);
    let (_, indices) = max_pool2d_with_indices(
        &x,
        &PoolParams {
            kernel: (1, 2),
            ..PoolParams::square(1)
        },
    )
    .expect("valid");
    assert_eq!(
        indices,
        [0],
        "all -inf: the window's first cell, as PyTorch"
    );
}
