//! Property tests: no panic for any arguments, output shapes and receptive-field
//! bounds, with a fixed seed so every run (and CI) checks the same cases.

use std::collections::BTreeSet;

use convlens_core::geometry::{PaddingMode, Pads};
use convlens_core::receptive_field::{input_region, layer_sizes};
use convlens_core::{
    conv1d, conv2d, conv_transpose2d, max_unpool2d, output_size, pool2d, pool2d_backward,
    receptive_fields, reference, ConvLayerShape, ConvParams, ConvTransposeParams, LayerGeometry,
    Padding, PoolFunction, PoolParams, Shape, Tensor,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

fn config() -> Config {
    Config {
        cases: 512,
        rng_seed: RngSeed::Fixed(0x00c0_17e5),
        failure_persistence: None,
        ..Config::default()
    }
}

/// Brute force: the set of input indices that output index `cell` of the last layer
/// depends on, along one axis, following every tap back through every layer.
fn dependencies(layers: &[(usize, usize, usize, usize)], cell: i64) -> BTreeSet<i64> {
    let mut cells = BTreeSet::from([cell]);
    for &(kernel, stride, padding, dilation) in layers.iter().rev() {
        cells = cells
            .iter()
            .flat_map(|&c| {
                (0..kernel as i64)
                    .map(move |k| c * stride as i64 - padding as i64 + k * dilation as i64)
            })
            .collect();
    }
    cells
}

fn layer() -> impl Strategy<Value = (usize, usize, usize, usize)> {
    (1usize..=5, 1usize..=3, 0usize..=2, 1usize..=3)
}

/// Any size, including 0 and values near the top of `usize`.
fn any_size() -> impl Strategy<Value = usize> {
    prop_oneof![
        0usize..6,
        Just(usize::MAX),
        Just(usize::MAX / 2),
        Just(1 << 40),
        any::<usize>()
    ]
}

proptest! {
    #![proptest_config(config())]

    /// No public function panics, whatever its arguments: it returns a value or an error.
    #[test]
    fn no_panic_for_any_arguments(
        (channels, height, width) in (1usize..4, 1usize..6, 1usize..6),
        stride in (any_size(), any_size()), dilation in (any_size(), any_size()),
        pads in (any_size(), any_size(), any_size(), any_size()),
        kernel in (1usize..4, 1usize..4), groups in any_size(), out_channels in 1usize..4,
        mode in 0usize..4, ceil_mode: bool, count_include_pad: bool,
        pool_kernel in (any_size(), any_size()), weight in prop_oneof![Just(f32::NAN), Just(f32::INFINITY), -2.0f32..2.0],
    ) {
        let input = Tensor::filled(Shape::new(1, channels, height, width).unwrap(), 1.5);
        let params = ConvParams {
            stride,
            dilation,
            groups,
            padding: Padding::Explicit(Pads { top: pads.0, bottom: pads.1, left: pads.2, right: pads.3 }),
            padding_mode: PaddingMode::ALL[mode],
        };
        let per_group = if groups > 0 && groups <= channels { channels / groups } else { 1 };
        if let Ok(shape) = Shape::new(out_channels, per_group, kernel.0, kernel.1) {
            let mut weights = Tensor::filled(shape, 0.5);
            weights.data_mut()[0] = weight;
            let fast = conv2d(&input, &weights, None, &params);
            let slow = reference::conv2d(&input, &weights, None, &params);
            prop_assert_eq!(fast.is_ok(), slow.is_ok());
        }
        let pool = PoolParams { kernel: pool_kernel, stride: Some(stride), padding: Pads { top: pads.0, bottom: pads.1, left: pads.2, right: pads.3 }, dilation, ceil_mode, count_include_pad, divisor_override: None };
        for function in PoolFunction::ALL {
            let _ = pool2d(&input, function, &pool);
            let _ = pool2d_backward(&input, &input, function, &pool);
        }
        let _ = max_unpool2d(&input, &[0; 90], &pool, Some(stride));
        let _ = pool.unpooled_size(height, width);
        let transposed = ConvTransposeParams {
            stride,
            padding: Pads { top: pads.0, bottom: pads.1, left: pads.2, right: pads.3 },
            output_padding: (pads.3, pads.2),
            dilation,
            groups,
        };
        let _ = conv_transpose2d(&input, &input, None, &transposed);
        let _ = output_size(height, pool_kernel.0, stride.0, pads.0, dilation.0);
        let _ = conv1d(&[1.0; 5], &[weight; 3], stride.0, pads.0, dilation.0);
        let layer = LayerGeometry { kernel: pool_kernel, stride, pads: Pads { top: pads.0, bottom: pads.1, left: pads.2, right: pads.3 }, dilation };
        let _ = receptive_fields(&[layer, layer]);
        let _ = input_region(&[layer], 0, (pads.0, pads.1), (height, width));
        let cost = ConvLayerShape { in_channels: channels, out_channels: groups, kernel: pool_kernel, groups, bias: ceil_mode };
        let _ = cost.parameters();
        let _ = cost.flops(stride);
    }

    #[test]
    fn output_shape_is_the_formula(
        height in 1usize..12, width in 1usize..12,
        kernel_h in 1usize..5, kernel_w in 1usize..5,
        stride in (1usize..4, 1usize..4), dilation in (1usize..3, 1usize..3),
        padding in 0usize..3,
    ) {
        let input = Tensor::filled(Shape::new(1, 1, height, width).unwrap(), 1.0);
        let weight = Tensor::filled(Shape::new(1, 1, kernel_h, kernel_w).unwrap(), 1.0);
        let params = ConvParams { stride, dilation, padding: Padding::uniform(padding), ..Default::default() };
        let formula = |size: usize, k: usize, s: usize, d: usize| {
            let room = (size + 2 * padding) as i64 - (d * (k - 1) + 1) as i64;
            (room >= 0).then(|| room as usize / s + 1)
        };
        let expected = formula(height, kernel_h, stride.0, dilation.0).zip(formula(width, kernel_w, stride.1, dilation.1));
        match (conv2d(&input, &weight, None, &params), expected) {
            (Ok(out), Some((h, w))) => prop_assert_eq!((out.height(), out.width()), (h, w)),
            (Err(_), None) => {}
            (got, want) => prop_assert!(false, "got {:?}, formula {:?}", got.map(|t| t.shape()), want),
        }
    }

    #[test]
    fn receptive_field_is_exactly_what_the_taps_reach(
        layers in proptest::collection::vec(layer(), 1..6),
        cell in 0i64..4,
    ) {
        let geometry: Vec<LayerGeometry> = layers
            .iter()
            .map(|&(k, s, p, d)| LayerGeometry::square(k, s, p, d))
            .collect();
        let fields = receptive_fields(&geometry).unwrap();
        let last = fields.last().unwrap();
        let reached = dependencies(&layers, cell);
        let rect = last.rect((cell as usize, cell as usize)).unwrap();
        prop_assert_eq!(*reached.first().unwrap(), rect.top);
        prop_assert_eq!(*reached.last().unwrap() + 1, rect.bottom);
        // The field never shrinks, and its jump is the product of the strides.
        for pair in fields.windows(2) {
            prop_assert!(pair[1].size.0 >= pair[0].size.0);
        }
        prop_assert_eq!(last.jump.0, layers.iter().map(|l| l.1 as u64).product::<u64>());
    }

    #[test]
    fn clipped_regions_lie_inside_the_input(
        layers in proptest::collection::vec(layer(), 1..4),
        height in 1usize..40, width in 1usize..40,
        y in 0usize..40, x in 0usize..40,
    ) {
        let geometry: Vec<LayerGeometry> = layers
            .iter()
            .map(|&(k, s, p, d)| LayerGeometry::square(k, s, p, d))
            .collect();
        let Ok(sizes) = layer_sizes(&geometry, (height, width)) else { return Ok(()) };
        let last = geometry.len() - 1;
        let (out_h, out_w) = sizes[last];
        let region = input_region(&geometry, last, (y % out_h, x % out_w), (height, width)).unwrap();
        if let Some(clipped) = region.clipped {
            prop_assert!(clipped.top >= 0 && clipped.left >= 0);
            prop_assert!(clipped.bottom <= height as i64 && clipped.right <= width as i64);
            prop_assert!(clipped.top >= region.unclipped.top && clipped.bottom <= region.unclipped.bottom);
        }
        prop_assert!(input_region(&geometry, last, (out_h, 0), (height, width)).is_err());
    }
}
