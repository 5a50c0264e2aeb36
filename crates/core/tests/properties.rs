//! Property tests: output shapes and receptive-field bounds, with a fixed seed so every
//! run (and CI) checks the same cases.

use std::collections::BTreeSet;

use convlens_core::receptive_field::{input_region, layer_sizes};
use convlens_core::{conv2d, receptive_fields, ConvParams, LayerGeometry, Padding, Shape, Tensor};
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

proptest! {
    #![proptest_config(config())]

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
