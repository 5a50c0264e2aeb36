//! Cases computed by PyTorch (2.x, `torch.nn.functional`, float64) and written here as
//! literals: the transposed convolution and the convolution's gradients with groups,
//! stride, dilation, asymmetric padding and every padding mode; ceil-mode, LP and max
//! pooling with indices, unpooling, and LP pooling's gradient. The inputs are short
//! sequences `((i a + b) mod m - m / 2) / 4`, so the convolutions' values (theirs and
//! ours) are exact in `f32` and compared bit for bit; divisions and roots are compared
//! within a tolerance.

use convlens_core::geometry::{PaddingMode, Pads};
use convlens_core::{
    conv2d_backward, conv_transpose2d, max_pool2d_with_indices, max_unpool2d, pool2d,
    pool2d_backward, ConvParams, ConvTransposeParams, Padding, PoolFunction, PoolParams, Power,
    Tensor,
};

/// `((i a + b) mod m - m / 2) / 4` for `i` in `0..n c h w`, as the Python side makes it.
fn sequence([n, c, h, w]: [usize; 4], a: usize, b: usize, m: usize) -> Tensor {
    let data = (0..n * c * h * w)
        .map(|i| ((i * a + b) % m) as f32 / 4.0 - (m / 2) as f32 / 4.0)
        .collect();
    Tensor::with_batch(n, c, h, w, data).expect("small")
}

#[test]
fn conv_transpose2d_is_pytorchs() {
    // F.conv_transpose2d(x, w, b, stride=(2, 1), padding=(1, 0), output_padding=(1, 0),
    //                    groups=2, dilation=(1, 2))
    let x = sequence([2, 4, 3, 2], 7, 3, 11);
    let w = sequence([4, 3, 2, 3], 5, 1, 9);
    let b = sequence([1, 1, 1, 6], 3, 2, 7);
    let params = ConvTransposeParams {
        stride: (2, 1),
        padding: Pads::symmetric(1, 0),
        output_padding: (1, 0),
        dilation: (1, 2),
        groups: 2,
    };
    let y = conv_transpose2d(&x, &w, Some(b.data()), &params).expect("valid");
    assert_eq!(
        (y.batch(), y.channels(), y.height(), y.width()),
        (2, 6, 5, 6)
    );
    assert_eq!(y.data(), TRANSPOSED);
}

#[test]
fn conv2d_gradients_are_pytorchs() {
    // x.grad, w.grad, b.grad after F.conv2d(F.pad(x, (2, 1, 1, 0)), w, b, stride=(2, 1),
    // dilation=(1, 2), groups=2).backward(g)
    let x = sequence([2, 4, 5, 6], 7, 3, 13);
    let w = sequence([4, 2, 3, 2], 5, 1, 9);
    let g = sequence([2, 4, 2, 7], 3, 1, 7);
    let params = ConvParams {
        stride: (2, 1),
        padding: Padding::Explicit(Pads {
            top: 1,
            bottom: 0,
            left: 2,
            right: 1,
        }),
        dilation: (1, 2),
        groups: 2,
        ..ConvParams::default()
    };
    let grads = conv2d_backward(&x, &w, &g, &params).expect("valid");
    assert_eq!(grads.input.data(), INPUT_GRAD);
    assert_eq!(grads.weight.data(), WEIGHT_GRAD);
    assert_eq!(grads.bias, BIAS_GRAD);
}

#[test]
fn input_gradients_through_padding_modes_are_pytorchs() {
    // F.conv2d(F.pad(x, (2, 1, 1, 2), mode=...), w): the gradient of every padded cell
    // goes back to the pixel it copies.
    let x = sequence([1, 2, 4, 5], 7, 3, 13);
    let w = sequence([3, 2, 3, 3], 5, 1, 9);
    let g = sequence([1, 3, 5, 6], 3, 1, 7);
    for (mode, expected) in [
        (PaddingMode::Reflect, REFLECT_INPUT_GRAD),
        (PaddingMode::Circular, CIRCULAR_INPUT_GRAD),
        (PaddingMode::Replicate, REPLICATE_INPUT_GRAD),
    ] {
        let params = ConvParams {
            padding: Padding::Explicit(Pads {
                top: 1,
                bottom: 2,
                left: 2,
                right: 1,
            }),
            padding_mode: mode,
            ..ConvParams::default()
        };
        let grads = conv2d_backward(&x, &w, &g, &params).expect("valid");
        assert_eq!(grads.input.data(), expected, "{mode:?}");
    }
}

/// `|a - b| <= tolerance * (1 + |b|)` value by value.
fn assert_near(ours: &[f32], theirs: &[f32], tolerance: f32, what: &str) {
    assert_eq!(ours.len(), theirs.len(), "{what}");
    for (i, (&a, &b)) in ours.iter().zip(theirs).enumerate() {
        assert!(
            (a - b).abs() <= tolerance * (1.0 + b.abs()),
            "{what}: value {i}: ours {a}, PyTorch {b}"
        );
    }
}

/// As [`sequence`] without the shift: non-negative values `((i a + b) mod m) / 4`.
fn non_negative(dims: [usize; 4], a: usize, b: usize, m: usize) -> Tensor {
    let mut t = sequence(dims, a, b, m);
    let shift = (m / 2) as f32 / 4.0;
    t.data_mut().iter_mut().for_each(|v| *v += shift);
    t
}

#[test]
fn lp_pooling_and_its_gradient_are_pytorchs() {
    // F.lp_pool2d(x, 3, (2, 3), 2, ceil_mode=True) and x.grad after .backward(g).
    let x = non_negative([1, 2, 5, 6], 7, 3, 13);
    let params = PoolParams {
        kernel: (2, 3),
        stride: Some((2, 2)),
        ceil_mode: true,
        ..PoolParams::square(1)
    };
    let p3 = PoolFunction::Lp(Power::new(3.0).expect("positive"));
    let y = pool2d(&x, p3, &params).expect("valid");
    assert_eq!((y.height(), y.width()), (3, 3));
    assert_near(y.data(), LP3, 1e-5, "LP pooling");
    let g = sequence([1, 2, 3, 3], 3, 1, 7);
    let grad = pool2d_backward(&x, &g, p3, &params).expect("valid");
    assert_near(grad.data(), LP3_GRAD, 1e-4, "its gradient");
}

#[test]
fn ceil_mode_pooling_is_pytorchs() {
    // F.max_pool2d / F.avg_pool2d(x, 3, 2, 1, ceil_mode=True) on a 4x5 input: 3x3 cells,
    // the last row and column of windows reaching past the padded input.
    let x = sequence([1, 1, 4, 5], 5, 2, 11);
    let mut params = PoolParams {
        stride: Some((2, 2)),
        padding: Pads::uniform(1),
        ceil_mode: true,
        ..PoolParams::square(3)
    };
    assert_eq!(
        pool2d(&x, PoolFunction::Max, &params)
            .expect("valid")
            .data(),
        MAX_CEIL
    );
    let mean = pool2d(&x, PoolFunction::Mean, &params).expect("valid");
    assert_near(
        mean.data(),
        AVG_CEIL_INCLUDE,
        1e-6,
        "count_include_pad=True",
    );
    params.count_include_pad = false;
    let mean = pool2d(&x, PoolFunction::Mean, &params).expect("valid");
    assert_near(
        mean.data(),
        AVG_CEIL_EXCLUDE,
        1e-6,
        "count_include_pad=False",
    );
}

#[test]
fn max_pool_indices_and_unpooling_are_pytorchs() {
    // v, i = F.max_pool2d(x, 3, 2, 1, return_indices=True) (overlapping windows, ties
    // to the first), then F.max_unpool2d(v, i, 3, 2, 1, output_size=(5, 6)).
    let x = sequence([1, 2, 5, 6], 7, 3, 13);
    let params = PoolParams {
        stride: Some((2, 2)),
        padding: Pads::uniform(1),
        ..PoolParams::square(3)
    };
    let (pooled, indices) = max_pool2d_with_indices(&x, &params).expect("valid");
    assert_eq!(pooled.data(), POOLED);
    assert_eq!(indices, INDICES);
    let unpooled = max_unpool2d(&pooled, &indices, &params, Some((5, 6))).expect("valid");
    assert_eq!(unpooled.data(), UNPOOLED);
}

/// conv_transpose2d, shape [2, 6, 5, 6].
#[rustfmt::skip]
const TRANSPOSED: &[f32] = &[
    -1.375, 1.25, 0.125, -0.75, -1.75, 1.75, -0.25, 1.25, -0.25, -1.25, -0.25, 0.75, -0.25, -1.75,
    -0.25, 0.25, -0.25, -2.25, -1.375, 0.125, 0.5, -0.5, -1.0, 0.0, 0.875, -0.625, -0.625, -0.125,
    1.25, -0.75, 1.625, -1.0, -0.25, 1.5, 1.25, -0.5, 0.5, 0.5, 0.5, 2.5, 0.5, 0.0, 0.5, 2.0, 0.5,
    -0.5, 0.5, 1.5, 0.5, 0.5, -1.0, 1.0, 0.875, 0.375, -0.625, 0.875, 1.25, 0.25, -0.25, 0.75,
    -0.5, -0.5, 1.0, -2.5, -0.875, 0.0, -0.5, -2.0, -0.5, 0.0, -0.5, -2.5, -0.5, -0.5, -0.5, 1.5,
    -0.5, -1.0, 0.625, -0.875, -0.875, -0.375, 1.0, -1.0, -0.5, -0.5, -2.0, 0.0, -0.125, -0.625,
    1.75, 0.25, -0.25, 0.25, 2.25, 0.25, 1.75, -0.875, -0.75, 1.0, 1.25, -0.5, -1.25, 1.375, 0.75,
    -0.125, -1.75, 1.75, 0.625, 0.0625, 0.0, 0.375, 0.5, 0.125, -0.125, 0.4375, 0.375, 0.1875,
    -0.25, 0.5, -2.25, -0.75, 0.25, -0.75, -1.75, -0.75, -0.75, -0.75, 1.25, -2.25, -1.25, -0.375,
    0.75, -1.875, -1.75, 0.0, 0.25, -1.5, -0.75, -0.75, -0.25, -1.0, -0.875, -0.6875, -0.375,
    -0.9375, -1.0, -0.625, -0.5, -0.875, 0.0, 0.0, -2.0, 0.0, 0.5, 0.0, -1.5, 1.125, 0.5, -0.375,
    -2.0, 1.5, 0.0, 0.0, 2.0, -1.5, -0.5, 0.375, -0.375, 0.1875, 0.125, -0.0625, -0.5, 0.25, 0.0,
    0.0, 0.5, -0.25, -0.125, 0.0625, -0.25, -1.75, -0.25, 0.25, -0.25, -2.25, -1.375, 0.125, 0.5,
    -0.5, -1.0, 0.0, 0.875, -0.625, -0.625, -0.125, 1.25, -0.75, -0.4375, -1.0, -0.125, 0.25,
    -0.375, -0.75, -0.0625, 0.5, -0.3125, -0.5, 0.0, 0.75, 0.5, 2.0, 0.5, -0.5, 0.5, 1.5, 0.5, 0.5,
    -1.0, 1.0, 0.875, 0.375, -0.625, 0.875, 1.25, 0.25, -0.25, 0.75, 0.5, 0.5, 0.25, -0.5, 0.5625,
    0.75, 0.3125, -0.25, 0.625, 1.0, 0.375, 0.0, -0.5, -0.5, -0.5, 1.5, -0.5, -1.0, 0.625, -0.875,
    -0.875, -0.375, 1.0, -1.0, -0.5, -0.5, -2.0, 0.0, -0.125, -0.625, -0.3125, 0.25, -0.5625,
    -0.75, -0.25, 0.5, -0.5, -0.5, -0.75, -1.5, -0.4375, -0.25, -1.25, 1.375, 0.75, -0.125, -1.75,
    1.75, 0.625, 0.0625, 0.0, 0.375, 0.5, 0.125, -0.125, 0.4375, 0.375, 0.1875, -0.25, 0.5, -0.5,
    1.0, 0.75, -0.25, -0.25, 0.75, 1.0, -0.5, 0.0, 0.5, 1.25, -0.75, 0.75, -1.875, -1.75, 0.0,
    0.25, -1.5, -0.75, -0.75, -0.25, -1.0, -0.875, -0.6875, -0.375, -0.9375, -1.0, -0.625, -0.5,
    -0.875, -0.75, -0.75, -1.75, 0.25, -0.5, -1.0, -1.5, 0.0, -0.25, -1.25, -1.25, -0.25, 0.0, 0.0,
    2.0, -1.5, -0.5, 0.375, -0.375, 0.1875, 0.125, -0.0625, -0.5, 0.25, 0.0, 0.0, 0.5, -0.25,
    -0.125, 0.0625, 0.75, -0.75, -0.25, 0.25, 1.0, -1.0, 0.0, 0.0, -1.0, 1.0, 0.25, -0.25,
];

/// input grad, shape [2, 4, 5, 6].
#[rustfmt::skip]
const INPUT_GRAD: &[f32] = &[
    -0.75, 0.1875, -0.1875, -0.125, 0.8125, -0.1875, 0.1875, 0.375, -2.0625, 0.3125, 0.5,
    -0.375, -0.75, 0.1875, -0.1875, -0.125, 0.8125, -0.1875, 0.3125, 0.3125, -1.875, 0.3125,
    0.3125, -0.3125, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.1875, 0.0, -0.1875, 0.0625, -0.125, 0.0,
    0.375, 0.0, -0.375, 0.125, -0.25, 0.0, 0.1875, 0.0, -0.1875, 0.0625, -0.125, 0.0, -0.4375,
    0.125, -0.1875, -0.0625, 0.5, -0.125, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.1875, 0.0, -0.1875,
    0.0625, -0.125, 0.0, 0.375, 0.0, -0.375, 0.125, -0.25, 0.0, 0.1875, 0.0, -0.1875, 0.0625,
    -0.125, 0.0, -0.4375, 0.125, -0.1875, -0.0625, 0.5, -0.125, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
    -0.5625, -0.1875, 1.5, -0.3125, 0.0625, 0.1875, 0.5625, -0.375, 1.3125, -0.0625, -1.0,
    0.375, -0.5625, -0.1875, 1.5, -0.3125, 0.0625, 0.1875, 0.5, -0.0625, -0.1875, 0.125,
    -0.4375, 0.0625, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.75, 0.1875, -0.1875, -0.125, 0.8125,
    -0.1875, 0.1875, 0.375, -2.0625, 0.3125, 0.5, -0.375, -0.75, 0.1875, -0.1875, -0.125,
    0.8125, -0.1875, 0.3125, 0.3125, -1.875, 0.3125, 0.3125, -0.3125, 0.0, 0.0, 0.0, 0.0, 0.0,
    0.0, 0.1875, 0.0, -0.1875, 0.0625, -0.125, 0.0, 0.375, 0.0, -0.375, 0.125, -0.25, 0.0,
    0.1875, 0.0, -0.1875, 0.0625, -0.125, 0.0, -0.4375, 0.125, -0.1875, -0.0625, 0.5, -0.125,
    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.1875, 0.0, -0.1875, 0.0625, -0.125, 0.0, 0.375, 0.0, -0.375,
    0.125, -0.25, 0.0, 0.1875, 0.0, -0.1875, 0.0625, -0.125, 0.0, -0.4375, 0.125, -0.1875,
    -0.0625, 0.5, -0.125, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.5625, -0.1875, 1.5, -0.3125, 0.0625,
    0.1875, 0.5625, -0.375, 1.3125, -0.0625, -1.0, 0.375, -0.5625, -0.1875, 1.5, -0.3125,
    0.0625, 0.1875, 0.5, -0.0625, -0.1875, 0.125, -0.4375, 0.0625, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
];

/// weight grad, shape [4, 2, 3, 2].
#[rustfmt::skip]
const WEIGHT_GRAD: &[f32] = &[
    0.375, 0.75, -0.0625, -1.75, -1.75, 0.0, 0.625, 0.25, 0.4375, -1.125, 1.1875, 0.625, 0.375,
    0.75, -0.0625, -1.75, -1.75, 0.0, 0.625, 0.25, 0.4375, -1.125, 1.1875, 0.625, 1.6875,
    0.5625, 0.9375, 1.125, 0.875, -2.0, -2.125, -0.75, 1.4375, 0.9375, -1.875, 1.0625, 1.6875,
    0.5625, 0.9375, 1.125, 0.875, -2.0, -2.125, -0.75, 1.4375, 0.9375, -1.875, 1.0625,
];

/// bias grad, shape [4].
#[rustfmt::skip]
const BIAS_GRAD: &[f32] = &[
    0.0, 0.0, 0.0, 0.0,
];

/// reflect input grad, shape [1, 2, 4, 5].
#[rustfmt::skip]
const REFLECT_INPUT_GRAD: &[f32] = &[
    -0.75, 0.0625, 1.6875, -6.25, 3.0, 0.4375, 0.5625, -0.75, 6.125, -1.5, -3.8125, 5.4375,
    -5.4375, 0.3125, -1.75, 3.5625, -4.9375, 3.9375, -0.9375, 1.0, -0.75, 0.0625, 1.6875, -6.25,
    3.0, 0.4375, 0.5625, -0.75, 6.125, -1.5, -3.8125, 5.4375, -5.4375, 0.3125, -1.75, 3.5625,
    -4.9375, 3.9375, -0.9375, 1.0,
];

/// circular input grad, shape [1, 2, 4, 5].
#[rustfmt::skip]
const CIRCULAR_INPUT_GRAD: &[f32] = &[
    -3.25, 0.5, 1.25, -4.75, 2.6875, 2.0625, 0.625, -1.0625, 3.3125, -0.625, -4.0625, 2.25,
    -1.25, -2.1875, 1.3125, 4.5, -2.625, 0.5, 3.0625, -2.25, -3.25, 0.5, 1.25, -4.75, 2.6875,
    2.0625, 0.625, -1.0625, 3.3125, -0.625, -4.0625, 2.25, -1.25, -2.1875, 1.3125, 4.5, -2.625,
    0.5, 3.0625, -2.25,
];

/// replicate input grad, shape [1, 2, 4, 5].
#[rustfmt::skip]
const REPLICATE_INPUT_GRAD: &[f32] = &[
    -0.8125, 0.0, 0.875, -1.75, 0.0, 2.5625, -1.25, 0.0625, 0.9375, 1.625, -3.625, 2.25, -1.25,
    0.0625, -1.375, 1.6875, -0.25, -0.25, 0.1875, 0.3125, -0.8125, 0.0, 0.875, -1.75, 0.0,
    2.5625, -1.25, 0.0625, 0.9375, 1.625, -3.625, 2.25, -1.25, 0.0625, -1.375, 1.6875, -0.25,
    -0.25, 0.1875, 0.3125,
];

/// lp3, shape [1, 2, 3, 3].
#[rustfmt::skip]
const LP3: &[f32] = &[
    2.9541643, 3.3359702, 3.8171246, 3.866701,
    3.4978728, 3.5868979, 2.8794825, 3.2425866,
    4.0287642, 3.7287688, 3.3071737, 3.2075343,
    3.8684418, 3.4846265, 3.178415, 3.6215782,
    4.0136256, 2.1633744,
];

/// lp3 grad, shape [1, 2, 5, 6].
#[rustfmt::skip]
const LP3_GRAD: &[f32] = &[
    -0.032227248, -0.35808054, -0.03482844, 0.16988736,
    -0.08554167, -0.69490004, -0.12890899, -0.0, -0.106662095,
    0.0014040278, -0.21898669, -0.01930278, 0.0, 0.0,
    0.3831186, 0.061298978, 0.24314962, -0.045542125, 0.0,
    0.0, 0.0, 0.18772812, 0.002009501, -0.11658784,
    0.03015165, 0.6105709, 0.014342992, -0.59442466,
    -0.048899904, 0.34944835, -0.08428501, -0.48548168,
    -0.12137042, 0.0, 0.33487752, 0.006834235, -0.21576963,
    -0.013485602, -0.27308345, 0.0, 0.6834235, 0.10934776,
    -0.12633778, -0.026102846, 0.22024304, 0.09264886, -0.0,
    -0.22736108, -0.0010441139, -0.06682329, 0.0061178617,
    0.20845993, -0.018597985, -0.4640022, 0.038121875,
    0.2882967, -0.08592606, -0.838031, -0.20950775, 0.0,
];

/// max ceil, shape [1, 1, 3, 3].
#[rustfmt::skip]
const MAX_CEIL: &[f32] = &[
    1.25, 1.25, 1.0, 1.25, 1.25, 1.0, 0.0, 1.25, 1.0,
];

/// avg ceil include, shape [1, 1, 3, 3].
#[rustfmt::skip]
const AVG_CEIL_INCLUDE: &[f32] = &[
    0.11111111, 0.19444445, -0.055555556, 0.0, 0.19444445,
    0.055555556, -0.20833333, 0.16666667, 0.125,
];

/// avg ceil exclude, shape [1, 1, 3, 3].
#[rustfmt::skip]
const AVG_CEIL_EXCLUDE: &[f32] = &[
    0.25, 0.29166666, -0.125, 0.0, 0.19444445, 0.083333336, -0.625,
    0.33333334, 0.375,
];

/// pooled, shape [1, 2, 3, 3].
#[rustfmt::skip]
const POOLED: &[f32] = &[
    1.0, 1.25, 1.5, 1.5, 1.0, 1.25, 1.5, 1.0, 1.25, 1.5, 1.5, 1.0, 1.25, 1.5, 1.0, 1.25, 1.5,
    1.5,
];

/// indices, shape [1, 2, 3, 3].
#[rustfmt::skip]
const INDICES: &[usize] = &[
    1, 3, 5, 18, 14, 16, 18, 27, 29, 1, 1, 10, 12, 14, 10, 25, 27, 27,
];

/// unpooled, shape [1, 2, 5, 6].
#[rustfmt::skip]
const UNPOOLED: &[f32] = &[
    0.0, 1.0, 0.0, 1.25, 0.0, 1.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 1.25, 0.0,
    1.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 1.25, 0.0, 1.5, 0.0, 0.0, 0.0, 0.0,
    0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 1.25, 0.0, 1.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
    0.0, 1.25, 0.0, 1.5, 0.0, 0.0,
];
