//! Criterion benchmarks on a 1280x720 RGB frame: the numbers later work is compared to.
//! Run with `cargo bench -p convlens-core`; the face detector on a 640x480 frame too.

use convlens_core::image::{rgba_to_tensor, tensor_to_rgba};
use convlens_core::{
    conv2d, conv2d_input_gradient, conv2d_weight_gradient, depthwise_conv2d, max_pool2d_backward,
    max_pool2d_with_indices, pool2d, Channels, ConvParams, DisplayMapping, FrameConv, FramePool,
    Kernel, Padding, PoolFunction, PoolParams, Preset, Tensor,
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

/// Whole frames, RGBA to RGBA, as the page runs them for every video frame.
fn frames(c: &mut Criterion) {
    let rgba = frame();
    let mut group = c.benchmark_group("frame");
    group.throughput(Throughput::Elements((WIDTH * HEIGHT) as u64));
    group.sample_size(20);
    let mut out = Vec::new();
    group.bench_function("copy floor", |b| {
        b.iter(|| {
            out.clear();
            out.extend_from_slice(black_box(&rgba));
        })
    });
    let same = ConvParams {
        padding: Padding::Same,
        ..ConvParams::default()
    };
    let strided = ConvParams {
        stride: (2, 2),
        padding: Padding::uniform(1),
        ..ConvParams::default()
    };
    let dilated = ConvParams {
        dilation: (2, 2),
        padding: Padding::Same,
        ..ConvParams::default()
    };
    // A fixed 3x3 kernel of arbitrary floats.
    let random = Kernel::parse("0.13,-0.71,0.29;0.53,1.07,-0.37;0.11,0.43,-0.83").expect("valid");
    let cases = [
        ("edges 3x3", Preset::Edges.kernel(), same),
        ("sobel 3x3", Preset::SobelLeft.kernel(), same),
        ("blur 3x3", Preset::Blur.kernel(), same),
        ("random float 3x3", random, same),
        ("gaussian 5x5", Preset::Gaussian5.kernel(), same),
        ("gaussian 7x7", Preset::Gaussian7.kernel(), same),
        ("box 7x7", Preset::Box7.kernel(), same),
        ("edges 3x3 stride 2", Preset::Edges.kernel(), strided),
        ("edges 3x3 dilation 2", Preset::Edges.kernel(), dilated),
    ];
    for (name, kernel, params) in cases {
        let mut conv =
            FrameConv::new(&kernel, &params, Channels::All, DisplayMapping::Clamp).expect("valid");
        let name = format!("{name} ({})", conv.path());
        group.bench_function(name, |b| {
            b.iter(|| {
                conv.run(black_box(&rgba), WIDTH, HEIGHT, &mut out)
                    .expect("valid")
            })
        });
    }
    for function in [PoolFunction::Max, PoolFunction::Mean] {
        let mut pool =
            FramePool::new(function, &PoolParams::square(2), Channels::All).expect("valid");
        group.bench_function(format!("{} pool 2x2", function.name()), |b| {
            b.iter(|| {
                pool.run(black_box(&rgba), WIDTH, HEIGHT, &mut out)
                    .expect("valid")
            })
        });
    }
    group.finish();
}

/// One training step's convolutions and poolings of LeNet-5 on a batch of 32 MNIST
/// digits: conv 5x5 (6 filters, padding 2) on 1x28x28, max pool 2, conv 5x5 (16 filters)
/// on 6x14x14, max pool 2.
fn lenet(c: &mut Criterion) {
    let mut group = c.benchmark_group("lenet-5 batch 32");
    group.throughput(Throughput::Elements(32));
    group.sample_size(30);
    let tensor = |n: usize, ch: usize, h: usize, w: usize| {
        let data = (0..n * ch * h * w)
            .map(|i| ((i * 7919) % 1000) as f32 / 500.0 - 1.0)
            .collect();
        Tensor::with_batch(n, ch, h, w, data).expect("valid")
    };
    let layers = [
        ("conv1", tensor(32, 1, 28, 28), tensor(6, 1, 5, 5), 2),
        ("conv2", tensor(32, 6, 14, 14), tensor(16, 6, 5, 5), 0),
    ];
    for (name, input, weight, padding) in &layers {
        let params = ConvParams {
            padding: Padding::uniform(*padding),
            ..ConvParams::default()
        };
        let bias = vec![0.1; weight.batch()];
        let output = conv2d(input, weight, Some(&bias), &params).expect("valid");
        group.bench_function(format!("{name} forward"), |b| {
            b.iter(|| conv2d(black_box(input), weight, Some(&bias), &params).expect("valid"))
        });
        group.bench_function(format!("{name} weight gradient"), |b| {
            b.iter(|| {
                conv2d_weight_gradient(black_box(input), weight.shape(), &output, &params)
                    .expect("valid")
            })
        });
        group.bench_function(format!("{name} input gradient"), |b| {
            b.iter(|| {
                conv2d_input_gradient(input.shape(), black_box(weight), &output, &params)
                    .expect("valid")
            })
        });
    }
    let maps = tensor(32, 6, 28, 28);
    let pool = PoolParams::square(2);
    group.bench_function("max pool 2 forward with indices", |b| {
        b.iter(|| max_pool2d_with_indices(black_box(&maps), &pool).expect("valid"))
    });
    let (pooled, indices) = max_pool2d_with_indices(&maps, &pool).expect("valid");
    group.bench_function("max pool 2 backward", |b| {
        b.iter(|| max_pool2d_backward(black_box(&pooled), &indices, maps.shape()).expect("valid"))
    });
    group.finish();
}

/// The astronaut photo stretched to 640x480 (area resampling), as a webcam frame.
fn webcam_astronaut() -> Tensor {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../www/samples/astronaut.png"
    );
    let file = std::io::BufReader::new(std::fs::File::open(path).expect("the sample"));
    let mut reader = png::Decoder::new(file).read_info().expect("a PNG");
    let mut buffer = vec![0; reader.output_buffer_size().expect("a size")];
    let info = reader.next_frame(&mut buffer).expect("pixels");
    let (w, h) = (info.width as usize, info.height as usize);
    let mut data = vec![0.0; 3 * w * h];
    for (i, p) in buffer.chunks_exact(3).take(w * h).enumerate() {
        for c in 0..3 {
            data[c * w * h + i] = f32::from(p[c]);
        }
    }
    let photo = Tensor::new(3, h, w, data).expect("valid");
    convlens_core::detect::resize_area(&photo, 480, 640).expect("valid")
}

/// MTCNN on a 640x480 frame, faces from 40 pixels (the webcam's setting): P-Net over
/// the pyramid alone, and with R-Net. Checked first: P-Net's first level equals the
/// naive reference's convolutions, and the detector finds the one face.
fn detect(c: &mut Criterion) {
    use convlens_core::detect::{normalise, prelu, resize_area, Mtcnn, Settings};
    let net = Mtcnn::decode(include_bytes!("../../../www/data/mtcnn.bin")).expect("weights");
    let frame = webcam_astronaut();
    let pnet_only = Settings {
        min_face: 40.0,
        rnet: false,
        ..Settings::default()
    };
    let both = Settings {
        rnet: true,
        ..pnet_only
    };
    let detection = net.detect(&frame, &pnet_only).expect("valid");
    let level = detection.levels[0].level;
    let scaled =
        resize_area(&normalise(&frame).expect("rgb"), level.height, level.width).expect("valid");
    let p = &net.pnet;
    let naive = |x: &Tensor, layer: &convlens_core::detect::ConvLayer| {
        convlens_core::reference::conv2d(
            x,
            &layer.weight,
            Some(&layer.bias),
            &ConvParams::default(),
        )
        .expect("valid")
    };
    let conv1 = prelu(&naive(&scaled, &p.conv1), &p.prelu1).expect("valid");
    assert_eq!(
        detection.levels[0].maps.conv1, conv1,
        "P-Net's conv1 against the reference"
    );
    let faces = net.detect(&frame, &both).expect("valid").faces;
    assert_eq!(faces.len(), 1, "{faces:?}");
    let mut group = c.benchmark_group("mtcnn 640x480, faces from 40 px");
    group.sample_size(10);
    group.bench_function("P-Net pyramid", |b| {
        b.iter(|| net.detect(black_box(&frame), &pnet_only).expect("valid"))
    });
    group.bench_function("P-Net pyramid and R-Net", |b| {
        b.iter(|| net.detect(black_box(&frame), &both).expect("valid"))
    });
    group.finish();
}

/// Template matching on a grey 320x240 frame and an RGB 640x480 one: plain correlation
/// and NCC with a patch cut from the frame, checked first to find the patch where it was
/// cut.
fn template(c: &mut Criterion) {
    use convlens_core::detect::{best_match, cut, resize_area, Template};
    let colour = webcam_astronaut();
    let plane = colour.height() * colour.width();
    let grey: Vec<f32> = (0..plane)
        .map(|i| {
            let d = colour.data();
            0.299 * d[i] + 0.587 * d[plane + i] + 0.114 * d[2 * plane + i]
        })
        .collect();
    let grey = Tensor::new(1, colour.height(), colour.width(), grey).expect("valid");
    let grey = resize_area(&grey, 240, 320).expect("valid");
    let mut group = c.benchmark_group("template matching");
    group.sample_size(10);
    for (name, frame, side) in [
        ("grey 320x240, patch 32", &grey, 32),
        ("grey 320x240, patch 64", &grey, 64),
        ("rgb 640x480, patch 32", &colour, 32),
    ] {
        let (x, y) = (frame.width() * 2 / 5, frame.height() / 5);
        let template = Template::new(cut(frame, x, y, side, side).expect("inside")).expect("valid");
        let found = best_match(&template.matches(frame).expect("valid").ncc).expect("a map");
        assert_eq!((found.0, found.1), (y, x), "{name}");
        group.bench_function(name, |b| {
            b.iter(|| template.matches(black_box(frame)).expect("valid"))
        });
    }
    group.finish();
}

criterion_group!(convolution, benches, frames, lenet, detect, template);
criterion_main!(convolution);
