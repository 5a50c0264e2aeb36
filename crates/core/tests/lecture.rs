//! The lecture's worked examples (Лекция 4. Свёртки), as literal tests.

use convlens_core::cost::ConvLayerShape;
use convlens_core::{
    conv2d, depthwise_conv2d, output_size, pool2d, receptive_fields, ConvParams, Kernel,
    LayerGeometry, Padding, PoolFunction, PoolParams, Preset, Tensor,
};

#[test]
#[rustfmt::skip]
fn two_d_convolution_slide() {
    // "2D-свёртка": the 5x5 binary image, the kernel [[1,0,1],[0,1,0],[1,0,1]], 3x3 out.
    let image = Tensor::from_rows(&[
        [1.0, 1.0, 1.0, 0.0, 0.0],
        [0.0, 1.0, 1.0, 1.0, 0.0],
        [0.0, 0.0, 1.0, 1.0, 1.0],
        [0.0, 0.0, 1.0, 1.0, 0.0],
        [0.0, 1.0, 1.0, 0.0, 0.0],
    ]).unwrap();
    let feature_map = depthwise_conv2d(&image, &Preset::LectureExample.kernel(), &ConvParams::default()).unwrap();
    assert_eq!(feature_map.rows(0), [
        [4.0, 3.0, 4.0],
        [2.0, 4.0, 3.0],
        [2.0, 3.0, 4.0],
    ]);
    // "3x3 (5-3+1)".
    assert_eq!(output_size(5, 3, 1, 0, 1), Ok(5 - 3 + 1));
}

#[test]
fn edges_kernel_is_zero_on_flat_areas() {
    // "Интуиция: есть ли граница в квадрате?": a flat patch gives 0, a step does not.
    let flat = Tensor::from_rows(&[[7.0; 3]; 3]).unwrap();
    let out = depthwise_conv2d(&flat, &Preset::Edges.kernel(), &ConvParams::default()).unwrap();
    assert_eq!(out.data(), &[0.0]);
    let step = Tensor::from_rows(&[[0.0, 0.0, 9.0]; 3]).unwrap();
    let out = depthwise_conv2d(&step, &Preset::Edges.kernel(), &ConvParams::default()).unwrap();
    assert_eq!(out.data(), &[-27.0]);
}

#[test]
fn receptive_field_slide() {
    // Three 3x3 stride-1 layers: RF 3, 5, 7; 27 weights against 49 for one 7x7.
    let three = [LayerGeometry::square(3, 1, 0, 1); 3];
    let sizes: Vec<u64> = receptive_fields(&three)
        .unwrap()
        .iter()
        .map(|f| f.size.0)
        .collect();
    assert_eq!(sizes, [3, 5, 7]);
    let one = ConvLayerShape {
        in_channels: 1,
        out_channels: 1,
        kernel: (3, 3),
        groups: 1,
        bias: false,
    };
    assert_eq!(3 * one.parameters().unwrap(), 27);
    let seven = ConvLayerShape {
        kernel: (7, 7),
        ..one
    };
    assert_eq!(seven.parameters(), Ok(49));
    assert_eq!(
        receptive_fields(&[LayerGeometry::square(7, 1, 0, 1)]).unwrap()[0]
            .size
            .0,
        7
    );
}

#[test]
fn practical_rules() {
    // "Для сохранения размера при stride=1: padding = floor(K/2)".
    let image = Tensor::from_rows(&[[1.0; 9]; 6]).unwrap();
    for k in [1, 3, 5] {
        let kernel = Kernel::box_blur(k).unwrap();
        let params = ConvParams {
            padding: Padding::uniform(k / 2),
            ..Default::default()
        };
        let out = depthwise_conv2d(&image, &kernel, &params).unwrap();
        assert_eq!((out.height(), out.width()), (6, 9), "k={k}");
        let same = ConvParams {
            padding: Padding::Same,
            ..Default::default()
        };
        assert_eq!(depthwise_conv2d(&image, &kernel, &same).unwrap(), out);
    }
    // "Для уменьшения вдвое при K = 3: stride = 2, padding = 1".
    let params = ConvParams {
        stride: (2, 2),
        padding: Padding::uniform(1),
        ..Default::default()
    };
    let out = depthwise_conv2d(&image, &Preset::Blur.kernel(), &params).unwrap();
    assert_eq!((out.height(), out.width()), (3, 5));
}

#[test]
fn parameter_and_flop_formulas() {
    // params = (K_h K_w C_in + 1) C_out; FLOPs = H_out W_out C_out (K_h K_w C_in + 1).
    let layer = ConvLayerShape {
        in_channels: 3,
        out_channels: 16,
        kernel: (5, 5),
        groups: 1,
        bias: true,
    };
    assert_eq!(layer.parameters(), Ok((5 * 5 * 3 + 1) * 16));
    let flops = layer.flops((28, 28)).unwrap();
    assert_eq!(flops.lecture, 28 * 28 * 16 * (5 * 5 * 3 + 1));
    assert_eq!(flops.doubled, 2 * flops.lecture);
    // And the convolution really produces that output size, with one value per filter.
    let input = Tensor::new(3, 32, 32, vec![1.0; 3 * 32 * 32]).unwrap();
    let weight = Tensor::with_batch(16, 3, 5, 5, vec![0.01; 16 * 3 * 25]).unwrap();
    let out = conv2d(&input, &weight, Some(&[0.5; 16]), &ConvParams::default()).unwrap();
    assert_eq!((out.channels(), out.height(), out.width()), (16, 28, 28));
}

#[test]
fn one_by_one_convolution_mixes_channels() {
    // "1X1 свёртка": the same transformation along channels at every pixel (RGB to gray).
    let rgb = Tensor::new(3, 1, 2, vec![255.0, 0.0, 255.0, 0.0, 0.0, 255.0]).unwrap();
    let weight = Tensor::with_batch(1, 3, 1, 1, vec![0.299, 0.587, 0.114]).unwrap();
    let gray = conv2d(&rgb, &weight, None, &ConvParams::default()).unwrap();
    assert!((gray.data()[0] - 255.0 * (0.299 + 0.587)).abs() < 1e-3);
    assert!((gray.data()[1] - 255.0 * 0.114).abs() < 1e-3);
}

#[test]
fn pooling_slide() {
    // "Pooling": max and mean of neighbours, per channel, smaller output.
    let t = Tensor::new(2, 2, 2, vec![1.0, 5.0, 3.0, 2.0, -1.0, -4.0, 0.0, 9.0]).unwrap();
    let max = pool2d(&t, PoolFunction::Max, &PoolParams::square(2)).unwrap();
    assert_eq!(max.data(), &[5.0, 9.0]);
    let mean = pool2d(&t, PoolFunction::Mean, &PoolParams::square(2)).unwrap();
    assert_eq!(mean.data(), &[2.75, 1.0]);
}
