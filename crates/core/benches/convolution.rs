//! Criterion benchmarks on a 1280x720 RGB frame: the numbers later work is compared to.
//! Run with `cargo bench -p convlens-core`.

use convlens_core::image::{rgba_to_tensor, tensor_to_rgba};
use convlens_core::{
    depthwise_conv2d, pool2d, Channels, ConvParams, DisplayMapping, Padding, PoolFunction,
    PoolParams, Preset,
};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;

const WIDTH: usize = 1280;
const HEIGHT: usize = 720;

/// A fixed, photo-like frame: smooth gradients plus deterministic noise.
fn frame() -> Vec<u8> {
    let mut state = 0x1234_5678u32;
    let mut rgba = Vec::with_capacity(WIDTH * HEIGHT * 4);
    for y in 0..HEIGHT {
        for x in 0..WIDTH {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let noise = (state >> 27) as usize;
            rgba.extend_from_slice(&[
                ((x * 255 / WIDTH + noise) % 256) as u8,
                ((y * 255 / HEIGHT + noise) % 256) as u8,
                (((x + y) / 8 + noise) % 256) as u8,
                255,
            ]);
        }
    }
    rgba
}

fn benches(c: &mut Criterion) {
    let rgba = frame();
    let input = rgba_to_tensor(&rgba, WIDTH, HEIGHT, Channels::All).expect("valid frame");
    let mut group = c.benchmark_group("1280x720 rgb");
    group.throughput(Throughput::Elements((WIDTH * HEIGHT) as u64));
    group.sample_size(20);
    let same = ConvParams {
        padding: Padding::Same,
        ..ConvParams::default()
    };
    for preset in [Preset::Edges, Preset::Gaussian7] {
        let kernel = preset.kernel();
        let name = format!(
            "conv {}x{} {}",
            kernel.height(),
            kernel.width(),
            preset.slug()
        );
        group.bench_function(name, |b| {
            b.iter(|| depthwise_conv2d(black_box(&input), &kernel, &same).expect("valid"))
        });
    }
    group.bench_function("max pool 2x2", |b| {
        b.iter(|| {
            pool2d(black_box(&input), PoolFunction::Max, &PoolParams::square(2)).expect("valid")
        })
    });
    group.bench_function("rgba to rgba, edges", |b| {
        let kernel = Preset::Edges.kernel();
        let mut out = Vec::new();
        b.iter(|| {
            let planes =
                rgba_to_tensor(black_box(&rgba), WIDTH, HEIGHT, Channels::All).expect("valid");
            let map = depthwise_conv2d(&planes, &kernel, &same).expect("valid");
            tensor_to_rgba(&map, DisplayMapping::Clamp, &mut out).expect("valid");
        })
    });
    group.finish();
}

criterion_group!(convolution, benches);
criterion_main!(convolution);
