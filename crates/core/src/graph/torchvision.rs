//! The networks of the lecture's table, built exactly as torchvision 0.29 builds them
//! (`torchvision/models/*.py`), with torchvision's builder names and module names.
//!
//! Their totals are torchvision's own (see `crates/core/tests/torchvision.rs`, which
//! names the source of every figure): for example `resnet50` has 25,557,032 parameters
//! and 4,089,184,256 multiply-adds at 224x224, the 4.089 of torchvision's "GFLOPS" column.
//!
//! GoogLeNet and Inception v3 have auxiliary classifiers that run only in training:
//! `googlenet` and `inception_v3` are the networks without them (what runs at inference,
//! `aux_logits=False`; the lecture's 23.8M for Inception v3), `googlenet_aux` and
//! `inception_v3_aux` the networks with them (`aux_logits=True`, torchvision's default
//! when no weights are loaded). torchvision's documentation lists GoogLeNet without them
//! (6,624,904: its weights are loaded and the auxiliary classifiers dropped) and
//! Inception v3 with them (27,161,264).

use super::{Activation, BlockKind, Conv, Graph, GraphBuilder, Merge, Op, Pool};

/// Every preset's name, as `convlens layers --preset` and the page take them.
pub const NAMES: [&str; 14] = [
    "lenet5",
    "alexnet",
    "vgg16",
    "vgg16_bn",
    "resnet18",
    "resnet34",
    "resnet50",
    "googlenet",
    "googlenet_aux",
    "inception_v3",
    "inception_v3_aux",
    "densenet121",
    "mobilenet_v2",
    "efficientnet_b0",
];

/// The preset that reproduces each row of the lecture's table
/// ([`LECTURE_TABLE`](crate::network::LECTURE_TABLE)), in its order.
pub const LECTURE_PRESETS: [(&str, &str); 7] = [
    ("LeNet-5", "lenet5"),
    ("AlexNet", "alexnet"),
    ("VGG-16", "vgg16"),
    ("ResNet-50", "resnet50"),
    ("Inception v3", "inception_v3"),
    ("DenseNet-121", "densenet121"),
    ("EfficientNet-B0", "efficientnet_b0"),
];

/// Whether a written figure (`"25.6M"`, `"60K"`, `"138M"`) is `count` rounded to the
/// figure's own precision: `Some(true)` for ResNet-50's 25,557,032 and "25.6M",
/// `Some(false)` for AlexNet's 61,100,840 and the paper's "60M"; `None` for a figure
/// that is not a number with K or M.
pub fn rounds_to(count: u64, figure: &str) -> Option<bool> {
    let (number, unit) = if let Some(number) = figure.strip_suffix('K') {
        (number, 1e3)
    } else {
        (figure.strip_suffix('M')?, 1e6)
    };
    let written: f64 = number.parse().ok()?;
    let decimals = number.split_once('.').map_or(0, |(_, d)| d.len());
    let counted = format!("{:.*}", decimals, count as f64 / unit);
    Some(counted.parse::<f64>().ok()? == written)
}

/// The preset with this name (one of [`NAMES`]), at its usual input size.
pub fn preset(name: &str) -> Option<Graph> {
    Some(match name {
        "lenet5" => lenet5(),
        "alexnet" => alexnet(),
        "vgg16" => vgg(false),
        "vgg16_bn" => vgg(true),
        "resnet18" => resnet(ResNetDepth::R18),
        "resnet34" => resnet(ResNetDepth::R34),
        "resnet50" => resnet(ResNetDepth::R50),
        "googlenet" => googlenet(false),
        "googlenet_aux" => googlenet(true),
        "inception_v3" => inception_v3(false),
        "inception_v3_aux" => inception_v3(true),
        "densenet121" => densenet121(),
        "mobilenet_v2" => mobilenet_v2(),
        "efficientnet_b0" => efficientnet_b0(),
        _ => return None,
    })
}

/// A convolution, then batch normalisation, then an activation (if any), named
/// `names[0..3]`; returns the last node.
fn conv_unit(
    b: &mut GraphBuilder,
    x: usize,
    names: [&str; 3],
    conv: Conv,
    activation: Option<Activation>,
) -> usize {
    let x = b.node(names[0], Op::Conv(conv), &[x]);
    let x = b.node(names[1], Op::BatchNorm, &[x]);
    match activation {
        Some(a) => b.node(names[2], Op::Activation(a), &[x]),
        None => x,
    }
}

/// torchvision's `Conv2dNormActivation` (a `Sequential` named `p.0`, `p.1`, `p.2`):
/// padding `(k - 1) / 2`, no bias before the normalisation.
fn conv_norm_activation(
    b: &mut GraphBuilder,
    x: usize,
    p: &str,
    conv: Conv,
    activation: Option<Activation>,
) -> usize {
    conv_unit(
        b,
        x,
        [&format!("{p}.0"), &format!("{p}.1"), &format!("{p}.2")],
        conv.same().no_bias(),
        activation,
    )
}

/// GoogLeNet's and Inception v3's `BasicConv2d`: `p.conv` (no bias), `p.bn`, ReLU.
fn basic_conv(b: &mut GraphBuilder, x: usize, p: &str, conv: Conv) -> usize {
    conv_unit(
        b,
        x,
        [
            &format!("{p}.conv"),
            &format!("{p}.bn"),
            &format!("{p}.relu"),
        ],
        conv.no_bias(),
        Some(Activation::Relu),
    )
}

/// Global average pooling and flatten, as one block.
fn global_pool(b: &mut GraphBuilder, x: usize, pool: &str, flatten: &str) -> usize {
    b.block(BlockKind::Pool, pool, pool);
    let x = b.node(pool, Op::GLOBAL_AVERAGE, &[x]);
    b.node(flatten, Op::Flatten, &[x])
}

/// LeNet-5 as usually built today (LeCun et al., 1998, with max pooling and ReLU) on a
/// 1x32x32 input: 61,706 parameters. Not in torchvision; named as PyTorch's tutorials
/// name it.
pub fn lenet5() -> Graph {
    let mut b = GraphBuilder::new((1, 32, 32));
    let mut x = 0;
    for (i, channels) in [(1, 6), (2, 16)] {
        let name = format!("conv{i}");
        b.block(BlockKind::Conv, &name, &name);
        x = b.node(&name, Op::Conv(Conv::new(channels, 5)), &[x]);
        x = b.node(&format!("relu{i}"), Op::RELU, &[x]);
        let pool = format!("pool{i}");
        b.block(BlockKind::Pool, &pool, &pool);
        x = b.node(&pool, Op::Pool(Pool::max(2, 2)), &[x]);
    }
    b.block(BlockKind::Classifier, "classifier", "classifier");
    x = b.node("flatten", Op::Flatten, &[x]);
    for (i, features) in [(1, 120), (2, 84)] {
        x = b.node(&format!("fc{i}"), Op::linear(features), &[x]);
        x = b.node(&format!("relu{}", i + 2), Op::RELU, &[x]);
    }
    b.node("fc3", Op::linear(10), &[x]);
    b.finish("lenet5", "LeNet-5")
}

/// The classifier of AlexNet and VGG, `classifier.0..6`, after `x`; `first_dropout`
/// says whether it starts with dropout (AlexNet) or ends a pair with it (VGG).
fn alexnet_vgg_classifier(b: &mut GraphBuilder, x: usize, alexnet: bool) {
    b.block(BlockKind::Classifier, "classifier", "classifier");
    let x = b.node("flatten", Op::Flatten, &[x]);
    let dropout = Op::Dropout { p: 0.5 };
    let ops: Vec<Op> = if alexnet {
        vec![
            dropout,
            Op::linear(4096),
            Op::RELU,
            dropout,
            Op::linear(4096),
            Op::RELU,
            Op::linear(1000),
        ]
    } else {
        vec![
            Op::linear(4096),
            Op::RELU,
            dropout,
            Op::linear(4096),
            Op::RELU,
            dropout,
            Op::linear(1000),
        ]
    };
    b.chain("classifier.", 0, x, &ops);
}

/// torchvision's `alexnet()`: 61,100,840 parameters on 3x224x224.
pub fn alexnet() -> Graph {
    let mut b = GraphBuilder::new((3, 224, 224));
    let mut x = 0;
    let mut index = 0;
    for (conv, pool_after) in [
        (Conv::new(64, 11).stride(4).padding(2), true),
        (Conv::new(192, 5).padding(2), true),
        (Conv::new(384, 3).padding(1), false),
        (Conv::new(256, 3).padding(1), false),
        (Conv::new(256, 3).padding(1), true),
    ] {
        let name = format!("features.{index}");
        b.block(BlockKind::Conv, &name, &name);
        x = b.chain("features.", index, x, &[Op::Conv(conv), Op::RELU]);
        index += 2;
        if pool_after {
            let name = format!("features.{index}");
            b.block(BlockKind::Pool, &name, &name);
            x = b.node(&name, Op::Pool(Pool::max(3, 2)), &[x]);
            index += 1;
        }
    }
    b.block(BlockKind::Pool, "avgpool", "avgpool");
    x = b.node("avgpool", Op::AdaptiveAvgPool { output: (6, 6) }, &[x]);
    alexnet_vgg_classifier(&mut b, x, true);
    b.finish("alexnet", "AlexNet")
}

/// torchvision's `vgg16()` (configuration "D": 138,357,544 parameters) or `vgg16_bn()`
/// (a batch normalisation after every convolution: 138,365,992).
fn vgg(batch_norm: bool) -> Graph {
    let mut b = GraphBuilder::new((3, 224, 224));
    let mut x = 0;
    let mut index = 0;
    for (stage, (channels, convs)) in [(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)]
        .into_iter()
        .enumerate()
    {
        let group = format!("stage{}", stage + 1);
        for _ in 0..convs {
            b.block(BlockKind::Conv, &format!("features.{index}"), &group);
            let conv = Op::Conv(Conv::new(channels, 3).padding(1));
            let ops: &[Op] = if batch_norm {
                &[conv, Op::BatchNorm, Op::RELU]
            } else {
                &[conv, Op::RELU]
            };
            x = b.chain("features.", index, x, ops);
            index += ops.len();
        }
        let name = format!("features.{index}");
        b.block(BlockKind::Pool, &name, &name);
        x = b.node(&name, Op::Pool(Pool::max(2, 2)), &[x]);
        index += 1;
    }
    b.block(BlockKind::Pool, "avgpool", "avgpool");
    x = b.node("avgpool", Op::AdaptiveAvgPool { output: (7, 7) }, &[x]);
    alexnet_vgg_classifier(&mut b, x, false);
    if batch_norm {
        b.finish("vgg16_bn", "VGG-16 with batch norm")
    } else {
        b.finish("vgg16", "VGG-16")
    }
}

/// torchvision's `vgg16()`: 138,357,544 parameters.
pub fn vgg16() -> Graph {
    vgg(false)
}

/// torchvision's `vgg16_bn()`: 138,365,992 parameters.
pub fn vgg16_bn() -> Graph {
    vgg(true)
}

/// The depths of ResNet torchvision builds here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResNetDepth {
    /// `resnet18`: `BasicBlock`, layers `[2, 2, 2, 2]`.
    R18,
    /// `resnet34`: `BasicBlock`, layers `[3, 4, 6, 3]`.
    R34,
    /// `resnet50`: `Bottleneck`, layers `[3, 4, 6, 3]`.
    R50,
}

/// One residual block of torchvision's ResNet, named `p` (`layer2.0`), from `x` with
/// `in_channels`: a `BasicBlock` (`bottleneck` false: 3x3, 3x3) or a `Bottleneck` (1x1,
/// 3x3 with the stride, 1x1 to `4 planes`: ResNet v1.5), with the projection shortcut
/// `downsample` (1x1 convolution with the stride, batch norm) when the stride is not 1
/// or the channels change. Returns the block's output and its channels.
pub fn residual_block(
    b: &mut GraphBuilder,
    x: usize,
    p: &str,
    in_channels: usize,
    planes: usize,
    stride: usize,
    bottleneck: bool,
) -> (usize, usize) {
    let names = |i: usize| {
        [
            format!("{p}.conv{i}"),
            format!("{p}.bn{i}"),
            format!("{p}.relu"),
        ]
    };
    let unit = |b: &mut GraphBuilder, x: usize, i: usize, conv: Conv, relu: bool| {
        let [c, n, r] = names(i);
        conv_unit(
            b,
            x,
            [&c, &n, &r],
            conv.no_bias(),
            relu.then_some(Activation::Relu),
        )
    };
    let out_channels = if bottleneck { 4 * planes } else { planes };
    let y = if bottleneck {
        let y = unit(b, x, 1, Conv::new(planes, 1), true);
        let y = unit(
            b,
            y,
            2,
            Conv::new(planes, 3).stride(stride).padding(1),
            true,
        );
        unit(b, y, 3, Conv::new(out_channels, 1), false)
    } else {
        let y = unit(
            b,
            x,
            1,
            Conv::new(planes, 3).stride(stride).padding(1),
            true,
        );
        unit(b, y, 2, Conv::new(planes, 3).padding(1), false)
    };
    let identity = if stride != 1 || in_channels != out_channels {
        let d = b.node(
            &format!("{p}.downsample.0"),
            Op::Conv(Conv::new(out_channels, 1).stride(stride).no_bias()),
            &[x],
        );
        b.node(&format!("{p}.downsample.1"), Op::BatchNorm, &[d])
    } else {
        x
    };
    let sum = b.node(&format!("{p}.add"), Op::Merge(Merge::Add), &[y, identity]);
    (b.node(&format!("{p}.relu"), Op::RELU, &[sum]), out_channels)
}

/// torchvision's `resnet18()`, `resnet34()` or `resnet50()` on 3x224x224.
pub fn resnet(depth: ResNetDepth) -> Graph {
    let (layers, bottleneck, name, title) = match depth {
        ResNetDepth::R18 => ([2, 2, 2, 2], false, "resnet18", "ResNet-18"),
        ResNetDepth::R34 => ([3, 4, 6, 3], false, "resnet34", "ResNet-34"),
        ResNetDepth::R50 => ([3, 4, 6, 3], true, "resnet50", "ResNet-50"),
    };
    let mut b = GraphBuilder::new((3, 224, 224));
    b.block(BlockKind::Conv, "conv1", "conv1");
    let conv1 = Conv::new(64, 7).stride(2).padding(3).no_bias();
    let mut x = conv_unit(
        &mut b,
        0,
        ["conv1", "bn1", "relu"],
        conv1,
        Some(Activation::Relu),
    );
    b.block(BlockKind::Pool, "maxpool", "maxpool");
    x = b.node("maxpool", Op::Pool(Pool::max(3, 2).padding(1)), &[x]);
    let kind = if bottleneck {
        BlockKind::Bottleneck
    } else {
        BlockKind::BasicBlock
    };
    let mut channels = 64;
    for (stage, (blocks, planes)) in layers.into_iter().zip([64, 128, 256, 512]).enumerate() {
        let group = format!("layer{}", stage + 1);
        for i in 0..blocks {
            let p = format!("{group}.{i}");
            b.block(kind, &p, &group);
            let stride = if stage > 0 && i == 0 { 2 } else { 1 };
            (x, channels) = residual_block(&mut b, x, &p, channels, planes, stride, bottleneck);
        }
    }
    x = global_pool(&mut b, x, "avgpool", "flatten");
    b.block(BlockKind::Classifier, "fc", "fc");
    b.node("fc", Op::linear(1000), &[x]);
    b.finish(name, title)
}

/// torchvision's `resnet18()`: 11,689,512 parameters.
pub fn resnet18() -> Graph {
    resnet(ResNetDepth::R18)
}

/// torchvision's `resnet34()`: 21,797,672 parameters.
pub fn resnet34() -> Graph {
    resnet(ResNetDepth::R34)
}

/// torchvision's `resnet50()`: 25,557,032 parameters.
pub fn resnet50() -> Graph {
    resnet(ResNetDepth::R50)
}

/// Concatenates branches along channels (`torch.cat(outputs, 1)`), named `p.cat`.
fn concat(b: &mut GraphBuilder, p: &str, branches: &[usize]) -> usize {
    b.node(&format!("{p}.cat"), Op::Merge(Merge::Concat), branches)
}

/// GoogLeNet's `Inception(in, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj)`
/// block named `p`, reading `x`. Its third branch is a 3x3 convolution, as in
/// torchvision (the paper's is 5x5; torchvision keeps 3x3 to match its weights).
/// Returns the output node and its channels.
pub fn googlenet_inception(b: &mut GraphBuilder, x: usize, p: &str, ch: [usize; 6]) -> usize {
    let [ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj] = ch;
    let one = basic_conv(b, x, &format!("{p}.branch1"), Conv::new(ch1x1, 1));
    let two = basic_conv(b, x, &format!("{p}.branch2.0"), Conv::new(ch3x3red, 1));
    let two = basic_conv(
        b,
        two,
        &format!("{p}.branch2.1"),
        Conv::new(ch3x3, 3).padding(1),
    );
    let three = basic_conv(b, x, &format!("{p}.branch3.0"), Conv::new(ch5x5red, 1));
    let three = basic_conv(
        b,
        three,
        &format!("{p}.branch3.1"),
        Conv::new(ch5x5, 3).padding(1),
    );
    let pool = Op::Pool(Pool::max(3, 1).padding(1).ceil());
    let four = b.node(&format!("{p}.branch4.0"), pool, &[x]);
    let four = basic_conv(b, four, &format!("{p}.branch4.1"), Conv::new(pool_proj, 1));
    concat(b, p, &[one, two, three, four])
}

/// GoogLeNet's `InceptionAux(in, 1000, dropout=0.7)` named `p` on `x`: 4x4 average
/// pooling, a 1x1 convolution to 128, `fc1` to 1024, ReLU, dropout, `fc2`.
fn googlenet_aux(b: &mut GraphBuilder, x: usize, p: &str) {
    b.block(BlockKind::InceptionAux, p, p);
    b.auxiliary();
    let y = b.node(
        &format!("{p}.adaptive_avg_pool2d"),
        Op::AdaptiveAvgPool { output: (4, 4) },
        &[x],
    );
    let y = basic_conv(b, y, &format!("{p}.conv"), Conv::new(128, 1));
    let y = b.node(&format!("{p}.flatten"), Op::Flatten, &[y]);
    let y = b.node(&format!("{p}.fc1"), Op::linear(1024), &[y]);
    let y = b.node(&format!("{p}.relu"), Op::RELU, &[y]);
    let y = b.node(&format!("{p}.dropout"), Op::Dropout { p: 0.7 }, &[y]);
    b.node(&format!("{p}.fc2"), Op::linear(1000), &[y]);
}

/// torchvision's `googlenet()` on 3x224x224, without (`aux_logits=False`: 6,624,904
/// parameters) or with its two auxiliary classifiers (13,004,888). Max pools round up
/// (`ceil_mode=True`).
pub fn googlenet(aux_logits: bool) -> Graph {
    let mut b = GraphBuilder::new((3, 224, 224));
    let stem = |b: &mut GraphBuilder, x: usize, name: &str, conv: Conv| {
        b.block(BlockKind::BasicConv2d, name, name);
        basic_conv(b, x, name, conv)
    };
    let max_pool = |b: &mut GraphBuilder, x: usize, name: &str, k: usize| {
        b.block(BlockKind::Pool, name, name);
        b.node(name, Op::Pool(Pool::max(k, 2).ceil()), &[x])
    };
    let mut x = stem(&mut b, 0, "conv1", Conv::new(64, 7).stride(2).padding(3));
    x = max_pool(&mut b, x, "maxpool1", 3);
    x = stem(&mut b, x, "conv2", Conv::new(64, 1));
    x = stem(&mut b, x, "conv3", Conv::new(192, 3).padding(1));
    x = max_pool(&mut b, x, "maxpool2", 3);
    let blocks: [(&str, [usize; 6]); 9] = [
        ("inception3a", [64, 96, 128, 16, 32, 32]),
        ("inception3b", [128, 128, 192, 32, 96, 64]),
        ("inception4a", [192, 96, 208, 16, 48, 64]),
        ("inception4b", [160, 112, 224, 24, 64, 64]),
        ("inception4c", [128, 128, 256, 24, 64, 64]),
        ("inception4d", [112, 144, 288, 32, 64, 64]),
        ("inception4e", [256, 160, 320, 32, 128, 128]),
        ("inception5a", [256, 160, 320, 32, 128, 128]),
        ("inception5b", [384, 192, 384, 48, 128, 128]),
    ];
    // The auxiliary classifiers read inception4a and inception4d; torchvision registers
    // them after inception5b, and so they come here.
    let mut taps = Vec::new();
    for (name, channels) in blocks {
        let group = &name[..name.len() - 1];
        b.block(BlockKind::Inception, name, group);
        x = googlenet_inception(&mut b, x, name, channels);
        match name {
            "inception3b" => x = max_pool(&mut b, x, "maxpool3", 3),
            "inception4a" | "inception4d" => taps.push(x),
            "inception4e" => x = max_pool(&mut b, x, "maxpool4", 2),
            _ => {}
        }
    }
    if aux_logits {
        for (tap, name) in taps.into_iter().zip(["aux1", "aux2"]) {
            googlenet_aux(&mut b, tap, name);
        }
    }
    x = global_pool(&mut b, x, "avgpool", "flatten");
    b.block(BlockKind::Classifier, "fc", "fc");
    x = b.node("dropout", Op::Dropout { p: 0.2 }, &[x]);
    b.node("fc", Op::linear(1000), &[x]);
    if aux_logits {
        b.finish("googlenet_aux", "GoogLeNet with auxiliary classifiers")
    } else {
        b.finish("googlenet", "GoogLeNet")
    }
}

/// A 1x1 / `(1, n)` / `(n, 1)` convolution of Inception v3 with its padding.
fn v3(out: usize, kernel: (usize, usize)) -> Conv {
    Conv::rect(out, kernel).same()
}

/// Inception v3's `InceptionA(in, pool_features)`: 1x1; 1x1 then 5x5; 1x1 then two 3x3;
/// 3x3 average pooling then 1x1.
fn inception_a(b: &mut GraphBuilder, x: usize, p: &str, pool_features: usize) -> usize {
    let n = |s: &str| format!("{p}.{s}");
    let one = basic_conv(b, x, &n("branch1x1"), v3(64, (1, 1)));
    let five = basic_conv(b, x, &n("branch5x5_1"), v3(48, (1, 1)));
    let five = basic_conv(b, five, &n("branch5x5_2"), v3(64, (5, 5)));
    let dbl = basic_conv(b, x, &n("branch3x3dbl_1"), v3(64, (1, 1)));
    let dbl = basic_conv(b, dbl, &n("branch3x3dbl_2"), v3(96, (3, 3)));
    let dbl = basic_conv(b, dbl, &n("branch3x3dbl_3"), v3(96, (3, 3)));
    let pool = b.node(
        &n("avg_pool2d"),
        Op::Pool(Pool::mean(3, 1).padding(1)),
        &[x],
    );
    let pool = basic_conv(b, pool, &n("branch_pool"), v3(pool_features, (1, 1)));
    concat(b, p, &[one, five, dbl, pool])
}

/// Inception v3's `InceptionB` (35x35 to 17x17): 3x3 stride 2; 1x1, 3x3, 3x3 stride 2;
/// 3x3 max pooling stride 2.
fn inception_b(b: &mut GraphBuilder, x: usize, p: &str) -> usize {
    let n = |s: &str| format!("{p}.{s}");
    let three = basic_conv(b, x, &n("branch3x3"), Conv::new(384, 3).stride(2));
    let dbl = basic_conv(b, x, &n("branch3x3dbl_1"), v3(64, (1, 1)));
    let dbl = basic_conv(b, dbl, &n("branch3x3dbl_2"), v3(96, (3, 3)));
    let dbl = basic_conv(b, dbl, &n("branch3x3dbl_3"), Conv::new(96, 3).stride(2));
    let pool = b.node(&n("max_pool2d"), Op::Pool(Pool::max(3, 2)), &[x]);
    concat(b, p, &[three, dbl, pool])
}

/// Inception v3's `InceptionC(in, channels_7x7)`: 7x7 factorised into 1x7 and 7x1.
fn inception_c(b: &mut GraphBuilder, x: usize, p: &str, c7: usize) -> usize {
    let n = |s: &str| format!("{p}.{s}");
    let one = basic_conv(b, x, &n("branch1x1"), v3(192, (1, 1)));
    let seven = basic_conv(b, x, &n("branch7x7_1"), v3(c7, (1, 1)));
    let seven = basic_conv(b, seven, &n("branch7x7_2"), v3(c7, (1, 7)));
    let seven = basic_conv(b, seven, &n("branch7x7_3"), v3(192, (7, 1)));
    let mut dbl = basic_conv(b, x, &n("branch7x7dbl_1"), v3(c7, (1, 1)));
    for (i, (out, kernel)) in [(c7, (7, 1)), (c7, (1, 7)), (c7, (7, 1)), (192, (1, 7))]
        .into_iter()
        .enumerate()
    {
        dbl = basic_conv(
            b,
            dbl,
            &n(&format!("branch7x7dbl_{}", i + 2)),
            v3(out, kernel),
        );
    }
    let pool = b.node(
        &n("avg_pool2d"),
        Op::Pool(Pool::mean(3, 1).padding(1)),
        &[x],
    );
    let pool = basic_conv(b, pool, &n("branch_pool"), v3(192, (1, 1)));
    concat(b, p, &[one, seven, dbl, pool])
}

/// Inception v3's `InceptionD` (17x17 to 8x8).
fn inception_d(b: &mut GraphBuilder, x: usize, p: &str) -> usize {
    let n = |s: &str| format!("{p}.{s}");
    let three = basic_conv(b, x, &n("branch3x3_1"), v3(192, (1, 1)));
    let three = basic_conv(b, three, &n("branch3x3_2"), Conv::new(320, 3).stride(2));
    let seven = basic_conv(b, x, &n("branch7x7x3_1"), v3(192, (1, 1)));
    let seven = basic_conv(b, seven, &n("branch7x7x3_2"), v3(192, (1, 7)));
    let seven = basic_conv(b, seven, &n("branch7x7x3_3"), v3(192, (7, 1)));
    let seven = basic_conv(b, seven, &n("branch7x7x3_4"), Conv::new(192, 3).stride(2));
    let pool = b.node(&n("max_pool2d"), Op::Pool(Pool::max(3, 2)), &[x]);
    concat(b, p, &[three, seven, pool])
}

/// Inception v3's `InceptionE`: 3x3 split into 1x3 and 3x1 side by side.
fn inception_e(b: &mut GraphBuilder, x: usize, p: &str) -> usize {
    let n = |s: &str| format!("{p}.{s}");
    let one = basic_conv(b, x, &n("branch1x1"), v3(320, (1, 1)));
    let three = basic_conv(b, x, &n("branch3x3_1"), v3(384, (1, 1)));
    let a = basic_conv(b, three, &n("branch3x3_2a"), v3(384, (1, 3)));
    let c = basic_conv(b, three, &n("branch3x3_2b"), v3(384, (3, 1)));
    let three = b.node(&n("branch3x3.cat"), Op::Merge(Merge::Concat), &[a, c]);
    let dbl = basic_conv(b, x, &n("branch3x3dbl_1"), v3(448, (1, 1)));
    let dbl = basic_conv(b, dbl, &n("branch3x3dbl_2"), v3(384, (3, 3)));
    let a = basic_conv(b, dbl, &n("branch3x3dbl_3a"), v3(384, (1, 3)));
    let c = basic_conv(b, dbl, &n("branch3x3dbl_3b"), v3(384, (3, 1)));
    let dbl = b.node(&n("branch3x3dbl.cat"), Op::Merge(Merge::Concat), &[a, c]);
    let pool = b.node(
        &n("avg_pool2d"),
        Op::Pool(Pool::mean(3, 1).padding(1)),
        &[x],
    );
    let pool = basic_conv(b, pool, &n("branch_pool"), v3(192, (1, 1)));
    concat(b, p, &[one, three, dbl, pool])
}

/// torchvision's `inception_v3()` on 3x299x299, without (`aux_logits=False`: 23,834,568
/// parameters) or with its auxiliary classifier after `Mixed_6e` (27,161,264).
pub fn inception_v3(aux_logits: bool) -> Graph {
    let mut b = GraphBuilder::new((3, 299, 299));
    let mut x = 0;
    for (name, conv) in [
        ("Conv2d_1a_3x3", Conv::new(32, 3).stride(2)),
        ("Conv2d_2a_3x3", Conv::new(32, 3)),
        ("Conv2d_2b_3x3", Conv::new(64, 3).padding(1)),
        ("maxpool1", Conv::new(0, 3)),
        ("Conv2d_3b_1x1", Conv::new(80, 1)),
        ("Conv2d_4a_3x3", Conv::new(192, 3)),
        ("maxpool2", Conv::new(0, 3)),
    ] {
        if name.starts_with("maxpool") {
            b.block(BlockKind::Pool, name, name);
            x = b.node(name, Op::Pool(Pool::max(3, 2)), &[x]);
        } else {
            b.block(BlockKind::BasicConv2d, name, name);
            x = basic_conv(&mut b, x, name, conv);
        }
    }
    for (name, pool_features) in [("Mixed_5b", 32), ("Mixed_5c", 64), ("Mixed_5d", 64)] {
        b.block(BlockKind::InceptionA, name, "Mixed_5");
        x = inception_a(&mut b, x, name, pool_features);
    }
    b.block(BlockKind::InceptionB, "Mixed_6a", "Mixed_6a");
    x = inception_b(&mut b, x, "Mixed_6a");
    for (name, c7) in [
        ("Mixed_6b", 128),
        ("Mixed_6c", 160),
        ("Mixed_6d", 160),
        ("Mixed_6e", 192),
    ] {
        b.block(BlockKind::InceptionC, name, "Mixed_6");
        x = inception_c(&mut b, x, name, c7);
    }
    if aux_logits {
        // InceptionAux(768, 1000): 5x5 average pooling stride 3 (17 to 5), 1x1 to 128,
        // 5x5 to 768 (5 to 1), global pooling, fc.
        let p = "AuxLogits";
        b.block(BlockKind::InceptionAux, p, p);
        b.auxiliary();
        let y = b.node("AuxLogits.avg_pool2d", Op::Pool(Pool::mean(5, 3)), &[x]);
        let y = basic_conv(&mut b, y, "AuxLogits.conv0", Conv::new(128, 1));
        let y = basic_conv(&mut b, y, "AuxLogits.conv1", Conv::new(768, 5));
        let y = b.node("AuxLogits.adaptive_avg_pool2d", Op::GLOBAL_AVERAGE, &[y]);
        let y = b.node("AuxLogits.flatten", Op::Flatten, &[y]);
        b.node("AuxLogits.fc", Op::linear(1000), &[y]);
    }
    b.block(BlockKind::InceptionD, "Mixed_7a", "Mixed_7a");
    x = inception_d(&mut b, x, "Mixed_7a");
    for name in ["Mixed_7b", "Mixed_7c"] {
        b.block(BlockKind::InceptionE, name, "Mixed_7");
        x = inception_e(&mut b, x, name);
    }
    x = global_pool(&mut b, x, "avgpool", "flatten");
    b.block(BlockKind::Classifier, "fc", "fc");
    x = b.node("dropout", Op::Dropout { p: 0.5 }, &[x]);
    b.node("fc", Op::linear(1000), &[x]);
    if aux_logits {
        b.finish(
            "inception_v3_aux",
            "Inception v3 with the auxiliary classifier",
        )
    } else {
        b.finish("inception_v3", "Inception v3")
    }
}

/// DenseNet's `_DenseLayer` named `p`, reading every feature map before it: concatenate
/// them, BN, ReLU, 1x1 convolution to `bn_size k` channels, BN, ReLU, 3x3 convolution
/// to `k` (the growth rate) new channels.
pub fn dense_layer(
    b: &mut GraphBuilder,
    features: &[usize],
    p: &str,
    growth_rate: usize,
    bn_size: usize,
) -> usize {
    let n = |s: &str| format!("{p}.{s}");
    let mut x = b.node(&n("cat"), Op::Merge(Merge::Concat), features);
    for (i, conv) in [
        Conv::new(bn_size * growth_rate, 1),
        Conv::new(growth_rate, 3).padding(1),
    ]
    .into_iter()
    .enumerate()
    {
        x = b.node(&n(&format!("norm{}", i + 1)), Op::BatchNorm, &[x]);
        x = b.node(&n(&format!("relu{}", i + 1)), Op::RELU, &[x]);
        x = b.node(
            &n(&format!("conv{}", i + 1)),
            Op::Conv(conv.no_bias()),
            &[x],
        );
    }
    x
}

/// DenseNet's `_Transition(in, out)` named `p`: BN, ReLU, 1x1 convolution to `out`,
/// 2x2 average pooling.
pub fn transition(b: &mut GraphBuilder, x: usize, p: &str, out_channels: usize) -> usize {
    b.chain(
        &format!("{p}."),
        0,
        x,
        &[
            Op::BatchNorm,
            Op::RELU,
            Op::Conv(Conv::new(out_channels, 1).no_bias()),
            Op::Pool(Pool::mean(2, 2)),
        ],
    )
}

/// torchvision's `densenet121()` on 3x224x224 (growth rate 32, blocks of 6, 12, 24 and
/// 16 layers, 64 initial features, `bn_size` 4): 7,978,856 parameters.
pub fn densenet121() -> Graph {
    let (growth_rate, bn_size) = (32, 4);
    let mut b = GraphBuilder::new((3, 224, 224));
    b.block(BlockKind::Conv, "features.conv0", "features.conv0");
    let stem = Conv::new(64, 7).stride(2).padding(3).no_bias();
    let names = ["features.conv0", "features.norm0", "features.relu0"];
    let mut x = conv_unit(&mut b, 0, names, stem, Some(Activation::Relu));
    b.block(BlockKind::Pool, "features.pool0", "features.pool0");
    x = b.node("features.pool0", Op::Pool(Pool::max(3, 2).padding(1)), &[x]);
    let mut channels = 64;
    for (i, layers) in [6, 12, 24, 16].into_iter().enumerate() {
        let block = format!("features.denseblock{}", i + 1);
        let mut features = vec![x];
        for l in 0..layers {
            let p = format!("{block}.denselayer{}", l + 1);
            b.block(BlockKind::DenseLayer, &p, &block);
            let new = dense_layer(&mut b, &features, &p, growth_rate, bn_size);
            features.push(new);
        }
        b.block(BlockKind::DenseBlock, &block, &block);
        x = b.node(&format!("{block}.cat"), Op::Merge(Merge::Concat), &features);
        channels += layers * growth_rate;
        if i < 3 {
            channels /= 2;
            let p = format!("features.transition{}", i + 1);
            b.block(BlockKind::Transition, &p, &p);
            x = transition(&mut b, x, &p, channels);
        }
    }
    b.block(BlockKind::Norm, "features.norm5", "features.norm5");
    x = b.node("features.norm5", Op::BatchNorm, &[x]);
    x = b.node("relu", Op::RELU, &[x]);
    x = global_pool(&mut b, x, "adaptive_avg_pool2d", "flatten");
    b.block(BlockKind::Classifier, "classifier", "classifier");
    b.node("classifier", Op::linear(1000), &[x]);
    b.finish("densenet121", "DenseNet-121")
}

/// torchvision's `_make_divisible(v, 8)`: the nearest multiple of 8, at least 8, and
/// never below 90% of `v`.
fn make_divisible(v: usize) -> usize {
    let new = ((v + 4) / 8 * 8).max(8);
    if new * 10 < v * 9 {
        new + 8
    } else {
        new
    }
}

/// MobileNet-V2's `InvertedResidual(inp, oup, stride, expand_ratio)` named `p` on `x`:
/// 1x1 expansion to `inp t` channels (if `t > 1`), 3x3 depthwise with the stride, 1x1
/// projection to `oup` with no activation, and `x + ...` when the stride is 1 and the
/// channels stay.
fn inverted_residual(
    b: &mut GraphBuilder,
    x: usize,
    p: &str,
    inp: usize,
    oup: usize,
    stride: usize,
    expand_ratio: usize,
) -> usize {
    let hidden = inp * expand_ratio;
    let mut y = x;
    let mut index = 0;
    let relu6 = Some(Activation::Relu6);
    if expand_ratio != 1 {
        y = conv_norm_activation(b, y, &format!("{p}.conv.0"), Conv::new(hidden, 1), relu6);
        index = 1;
    }
    let depthwise = Conv::new(hidden, 3).stride(stride).groups(hidden);
    y = conv_norm_activation(b, y, &format!("{p}.conv.{index}"), depthwise, relu6);
    y = b.node(
        &format!("{p}.conv.{}", index + 1),
        Op::Conv(Conv::new(oup, 1).no_bias()),
        &[y],
    );
    y = b.node(&format!("{p}.conv.{}", index + 2), Op::BatchNorm, &[y]);
    if stride == 1 && inp == oup {
        y = b.node(&format!("{p}.add"), Op::Merge(Merge::Add), &[x, y]);
    }
    y
}

/// torchvision's `mobilenet_v2()` on 3x224x224 (width 1.0): 3,504,872 parameters.
pub fn mobilenet_v2() -> Graph {
    let mut b = GraphBuilder::new((3, 224, 224));
    let relu6 = Some(Activation::Relu6);
    let mut input_channel = make_divisible(32);
    let last_channel = make_divisible(1280);
    b.block(BlockKind::Conv2dNormActivation, "features.0", "features.0");
    let stem = Conv::new(input_channel, 3).stride(2);
    let mut x = conv_norm_activation(&mut b, 0, "features.0", stem, relu6);
    let mut index = 1;
    for (row, [t, c, n, s]) in [
        [1, 16, 1, 1],
        [6, 24, 2, 2],
        [6, 32, 3, 2],
        [6, 64, 4, 2],
        [6, 96, 3, 1],
        [6, 160, 3, 2],
        [6, 320, 1, 1],
    ]
    .into_iter()
    .enumerate()
    {
        let output_channel = make_divisible(c);
        let group = format!("row{}", row + 1);
        for i in 0..n {
            let p = format!("features.{index}");
            b.block(BlockKind::InvertedResidual, &p, &group);
            let stride = if i == 0 { s } else { 1 };
            x = inverted_residual(&mut b, x, &p, input_channel, output_channel, stride, t);
            input_channel = output_channel;
            index += 1;
        }
    }
    let p = format!("features.{index}");
    b.block(BlockKind::Conv2dNormActivation, &p, &p);
    x = conv_norm_activation(&mut b, x, &p, Conv::new(last_channel, 1), relu6);
    x = global_pool(&mut b, x, "adaptive_avg_pool2d", "flatten");
    b.block(BlockKind::Classifier, "classifier", "classifier");
    b.chain(
        "classifier.",
        0,
        x,
        &[Op::Dropout { p: 0.2 }, Op::linear(1000)],
    );
    b.finish("mobilenet_v2", "MobileNet-V2")
}

/// torchvision's `SqueezeExcitation(channels, squeeze)` named `p` on `x`: global
/// average pooling, 1x1 convolution to `squeeze` (with bias), `activation`, 1x1 back to
/// `channels`, sigmoid, and the map times this one weight per channel.
pub fn squeeze_excitation(
    b: &mut GraphBuilder,
    x: usize,
    p: &str,
    channels: usize,
    squeeze: usize,
    activation: Activation,
) -> usize {
    let n = |s: &str| format!("{p}.{s}");
    let s = b.node(&n("avgpool"), Op::GLOBAL_AVERAGE, &[x]);
    let s = b.node(&n("fc1"), Op::Conv(Conv::new(squeeze, 1)), &[s]);
    let s = b.node(&n("activation"), Op::Activation(activation), &[s]);
    let s = b.node(&n("fc2"), Op::Conv(Conv::new(channels, 1)), &[s]);
    let s = b.node(
        &n("scale_activation"),
        Op::Activation(Activation::Sigmoid),
        &[s],
    );
    b.node(&n("mul"), Op::Merge(Merge::Scale), &[x, s])
}

/// EfficientNet's `MBConv` named `p` on `x`: 1x1 expansion (SiLU) when the ratio is not
/// 1, `k x k` depthwise with the stride (SiLU), squeeze-and-excitation to `inp / 4`,
/// 1x1 projection without activation, then stochastic depth and `+ x` when the stride
/// is 1 and the channels stay.
#[allow(clippy::too_many_arguments)]
fn mb_conv(
    b: &mut GraphBuilder,
    x: usize,
    p: &str,
    (inp, out): (usize, usize),
    expand_ratio: usize,
    kernel: usize,
    stride: usize,
    stochastic_depth: f32,
) -> usize {
    let silu = Some(Activation::Silu);
    let expanded = make_divisible(inp * expand_ratio);
    let mut y = x;
    let mut index = 0;
    if expanded != inp {
        let name = format!("{p}.block.0");
        y = conv_norm_activation(b, y, &name, Conv::new(expanded, 1), silu);
        index = 1;
    }
    let depthwise = Conv::new(expanded, kernel).stride(stride).groups(expanded);
    y = conv_norm_activation(b, y, &format!("{p}.block.{index}"), depthwise, silu);
    let se = format!("{p}.block.{}", index + 1);
    y = squeeze_excitation(b, y, &se, expanded, (inp / 4).max(1), Activation::Silu);
    let project = format!("{p}.block.{}", index + 2);
    y = conv_norm_activation(b, y, &project, Conv::new(out, 1), None);
    if stride == 1 && inp == out {
        let name = format!("{p}.stochastic_depth");
        y = b.node(
            &name,
            Op::StochasticDepth {
                p: stochastic_depth,
            },
            &[y],
        );
        y = b.node(&format!("{p}.add"), Op::Merge(Merge::Add), &[y, x]);
    }
    y
}

/// torchvision's `efficientnet_b0()` on 3x224x224: 5,288,548 parameters.
pub fn efficientnet_b0() -> Graph {
    let mut b = GraphBuilder::new((3, 224, 224));
    let silu = Some(Activation::Silu);
    // (expand ratio, kernel, stride, input channels, output channels, layers)
    let setting = [
        (1, 3, 1, 32, 16, 1),
        (6, 3, 2, 16, 24, 2),
        (6, 5, 2, 24, 40, 2),
        (6, 3, 2, 40, 80, 3),
        (6, 5, 1, 80, 112, 3),
        (6, 5, 2, 112, 192, 4),
        (6, 3, 1, 192, 320, 1),
    ];
    b.block(BlockKind::Conv2dNormActivation, "features.0", "features.0");
    let stem = Conv::new(32, 3).stride(2);
    let mut x = conv_norm_activation(&mut b, 0, "features.0", stem, silu);
    let total_blocks: usize = setting.iter().map(|s| s.5).sum();
    let mut block_id = 0;
    for (stage, &(t, k, s, inp, out, layers)) in setting.iter().enumerate() {
        let group = format!("features.{}", stage + 1);
        for i in 0..layers {
            let p = format!("{group}.{i}");
            b.block(BlockKind::MbConv, &p, &group);
            let (inp, stride) = if i == 0 { (inp, s) } else { (out, 1) };
            let drop = (0.2 * block_id as f64 / total_blocks as f64) as f32;
            x = mb_conv(&mut b, x, &p, (inp, out), t, k, stride, drop);
            block_id += 1;
        }
    }
    let p = format!("features.{}", setting.len() + 1);
    b.block(BlockKind::Conv2dNormActivation, &p, &p);
    x = conv_norm_activation(&mut b, x, &p, Conv::new(4 * 320, 1), silu);
    x = global_pool(&mut b, x, "avgpool", "flatten");
    b.block(BlockKind::Classifier, "classifier", "classifier");
    b.chain(
        "classifier.",
        0,
        x,
        &[Op::Dropout { p: 0.2 }, Op::linear(1000)],
    );
    b.finish("efficientnet_b0", "EfficientNet-B0")
}
