//! The lecture's architectures, counted as graphs, against torchvision's own figures.
//!
//! Sources, named in each row:
//! - [count] `crates/core/tests/torchvision/count.py` run with torch 2.15.0 and
//!   torchvision 0.29.2 (its output is quoted at the end of this file): parameters as
//!   `sum(p.numel() for p in model.parameters())`, multiply-adds as
//!   `torch.utils.flop_counter.FlopCounterMode` counts them in eval mode, halved, and
//!   the receptive field of the last feature map measured by the gradient of single
//!   output cells (the script says how).
//! - [doc] torchvision's documentation table (the weights' `meta`: `num_params` and
//!   `_ops`, the "GFLOPS" column, which counts multiply-adds), as the same script prints
//!   it; the table rounds GFLOPS to two decimals (ResNet-50 4.09), the meta to three.
//! - [lecture] the lecture's table (`LECTURE_TABLE`), whose figures are the papers',
//!   rounded.

use convlens_core::graph::torchvision::{self, NAMES};
use convlens_core::graph::{
    BlockKind, Conv, Field, Graph, GraphBuilder, Merge, NodeReport, Op, Totals,
};
use convlens_core::network::LECTURE_TABLE;
use convlens_core::{Error, ReceptiveField};

/// One network's figures: name, parameters [count], multiply-adds at the usual input
/// [count], the last feature map's receptive field (size, jump, start) [count], and the
/// documentation's parameters and GFLOPS [doc] where it lists the network.
struct Reference {
    name: &'static str,
    parameters: u64,
    multiply_adds: u64,
    field: Option<(u64, u64, i64)>,
    doc: Option<(u64, &'static str)>,
}

const REFERENCES: [Reference; 14] = [
    Reference {
        name: "lenet5",
        // Not in torchvision: 6*(25+1) + 16*(6*25+1) + 120*(400+1) + 84*(120+1) + 10*(84+1).
        parameters: 61_706,
        // 28*28*6*25 + 10*10*16*150 + 400*120 + 120*84 + 84*10.
        multiply_adds: 117_600 + 240_000 + 48_000 + 10_080 + 840,
        // conv 5, pool 2/2, conv 5, pool 2/2: 5 + 1 + 4*2 + 1*2... = 16, jump 4.
        field: Some((16, 4, 0)),
        doc: None,
    },
    Reference {
        name: "alexnet",
        parameters: 61_100_840,
        multiply_adds: 714_188_480,
        field: Some((195, 32, -66)),
        doc: Some((61_100_840, "0.714")),
    },
    Reference {
        name: "vgg16",
        parameters: 138_357_544,
        multiply_adds: 15_470_264_320,
        field: Some((212, 32, -90)),
        doc: Some((138_357_544, "15.470")),
    },
    Reference {
        name: "vgg16_bn",
        parameters: 138_365_992,
        multiply_adds: 15_470_264_320,
        field: Some((212, 32, -90)),
        doc: Some((138_365_992, "15.470")),
    },
    Reference {
        name: "resnet18",
        parameters: 11_689_512,
        multiply_adds: 1_814_073_344,
        field: Some((435, 32, -217)),
        doc: Some((11_689_512, "1.814")),
    },
    Reference {
        name: "resnet34",
        parameters: 21_797_672,
        multiply_adds: 3_663_761_408,
        field: Some((899, 32, -449)),
        doc: Some((21_797_672, "3.664")),
    },
    Reference {
        name: "resnet50",
        parameters: 25_557_032,
        multiply_adds: 4_089_184_256,
        field: Some((427, 32, -213)),
        doc: Some((25_557_032, "4.089")),
    },
    Reference {
        name: "googlenet",
        parameters: 6_624_904,
        multiply_adds: 1_498_376_192,
        field: Some((379, 32, -167)),
        // The documentation lists GoogLeNet without its auxiliary classifiers.
        doc: Some((6_624_904, "1.498")),
    },
    Reference {
        name: "googlenet_aux",
        parameters: 13_004_888,
        // Eval mode: the auxiliary classifiers do not run.
        multiply_adds: 1_498_376_192,
        field: Some((379, 32, -167)),
        doc: None,
    },
    Reference {
        name: "inception_v3",
        parameters: 23_834_568,
        multiply_adds: 5_713_216_096,
        field: Some((1311, 32, -618)),
        // The documentation lists Inception v3 with its auxiliary classifier.
        doc: None,
    },
    Reference {
        name: "inception_v3_aux",
        parameters: 27_161_264,
        multiply_adds: 5_713_216_096,
        field: Some((1311, 32, -618)),
        doc: Some((27_161_264, "5.713")),
    },
    Reference {
        name: "densenet121",
        parameters: 7_978_856,
        multiply_adds: 2_834_161_664,
        field: Some((2071, 32, -1021)),
        doc: Some((7_978_856, "2.834")),
    },
    Reference {
        name: "mobilenet_v2",
        parameters: 3_504_872,
        multiply_adds: 300_774_272,
        field: Some((491, 32, -245)),
        doc: Some((3_504_872, "0.301")),
    },
    Reference {
        name: "efficientnet_b0",
        parameters: 5_288_548,
        multiply_adds: 385_814_752,
        // The windowed union; squeeze-and-excitation also lets every cell see the
        // whole image.
        field: Some((851, 32, -425)),
        doc: Some((5_288_548, "0.386")),
    },
];

fn analysed(name: &str) -> (Graph, Vec<NodeReport>, Totals) {
    let graph = torchvision::preset(name).unwrap_or_else(|| panic!("no preset {name}"));
    let reports = graph.analyse().unwrap_or_else(|e| panic!("{name}: {e}"));
    let totals = graph.totals(&reports);
    (graph, reports, totals)
}

/// The last node of this name (ResNet's one `relu` module runs three times in a block).
fn node<'a>(graph: &Graph, reports: &'a [NodeReport], name: &str) -> &'a NodeReport {
    let index = graph
        .nodes
        .iter()
        .rposition(|n| n.name == name)
        .unwrap_or_else(|| panic!("{}: no node {name}", graph.name));
    &reports[index]
}

#[test]
fn every_preset_is_torchvisions_count() {
    assert_eq!(NAMES.len(), REFERENCES.len());
    for reference in &REFERENCES {
        let (graph, _, totals) = analysed(reference.name);
        assert_eq!(graph.name, reference.name);
        assert_eq!(
            totals.parameters, reference.parameters,
            "{}",
            reference.name
        );
        assert_eq!(
            totals.multiply_adds, reference.multiply_adds,
            "{}",
            reference.name
        );
        assert_eq!(
            totals
                .receptive_field
                .map(|f| (f.size.0, f.jump.0, f.start.0)),
            reference.field,
            "{}",
            reference.name
        );
        if let Some(field) = totals.receptive_field {
            assert_eq!((field.size.0, field.jump.0), (field.size.1, field.jump.1));
        }
        assert_eq!(totals.output, (1000.min(totals.output.0), 1, 1));
        if let Some((parameters, gflops)) = reference.doc {
            assert_eq!(totals.parameters, parameters, "{} [doc]", reference.name);
            let rounded = format!("{:.3}", totals.multiply_adds as f64 / 1e9);
            assert_eq!(rounded, gflops, "{} [doc]", reference.name);
        }
    }
}

#[test]
fn the_documentation_table_two_decimals() {
    // [doc] torchvision's table: GFLOPS rounded to two decimals, as the lecture's brief
    // quotes them.
    for (name, gflops) in [
        ("resnet18", "1.81"),
        ("resnet34", "3.66"),
        ("resnet50", "4.09"),
        ("googlenet", "1.50"),
        ("inception_v3", "5.71"),
        ("densenet121", "2.83"),
        ("mobilenet_v2", "0.30"),
        ("efficientnet_b0", "0.39"),
        ("vgg16", "15.47"),
        ("alexnet", "0.71"),
    ] {
        let (_, _, totals) = analysed(name);
        assert_eq!(
            format!("{:.2}", totals.multiply_adds as f64 / 1e9),
            gflops,
            "{name}"
        );
    }
}

#[test]
fn auxiliary_classifiers_cost_only_in_training() {
    let (_, _, without) = analysed("inception_v3");
    let (graph, reports, with) = analysed("inception_v3_aux");
    // [count] 27,161,264 - 23,834,568: conv0 768*128 + 256, conv1 128*768*25 + 1,536,
    // fc 768*1000 + 1000.
    assert_eq!(with.parameters - without.parameters, 3_326_696);
    assert_eq!(with.multiply_adds, without.multiply_adds);
    // 5x5 pooling with stride 3 takes 17x17 to 5x5; conv0 25*128*768, conv1 768*128*25, fc.
    assert_eq!(
        with.auxiliary_multiply_adds,
        25 * 128 * 768 + 768 * 128 * 25 + 768 * 1000
    );
    assert_eq!(
        node(&graph, &reports, "AuxLogits.conv0.conv").output,
        (128, 5, 5)
    );
    assert_eq!(
        node(&graph, &reports, "AuxLogits.conv1.conv").output,
        (768, 1, 1)
    );
    let (_, _, googlenet) = analysed("googlenet_aux");
    // Two InceptionAux: 4x4x128 1x1 convolutions on 512 and 528 channels, fc1, fc2.
    assert_eq!(
        googlenet.auxiliary_multiply_adds,
        16 * 128 * (512 + 528) + 2 * (2048 * 1024 + 1024 * 1000)
    );
}

#[test]
fn shapes_inside_the_blocks() {
    let (graph, reports, _) = analysed("resnet50");
    assert_eq!(node(&graph, &reports, "maxpool").output, (64, 56, 56));
    assert_eq!(
        node(&graph, &reports, "layer1.0.conv1").output,
        (64, 56, 56)
    );
    assert_eq!(node(&graph, &reports, "layer1.0.add").output, (256, 56, 56));
    // ResNet v1.5: the stride is in the 3x3 convolution.
    assert_eq!(
        node(&graph, &reports, "layer2.0.conv1").output,
        (128, 56, 56)
    );
    assert_eq!(
        node(&graph, &reports, "layer2.0.conv2").output,
        (128, 28, 28)
    );
    assert_eq!(
        node(&graph, &reports, "layer2.0.downsample.0").parameters,
        256 * 512
    );
    assert_eq!(node(&graph, &reports, "layer4.2.relu").output, (2048, 7, 7));
    assert_eq!(node(&graph, &reports, "bn1").parameters, 128);

    // GoogLeNet's ceil-mode max pools: 112 -> 56 -> 28 -> 14 -> 7.
    let (graph, reports, _) = analysed("googlenet");
    assert_eq!(node(&graph, &reports, "maxpool1").output, (64, 56, 56));
    assert_eq!(node(&graph, &reports, "maxpool2").output, (192, 28, 28));
    assert_eq!(
        node(&graph, &reports, "inception3a.cat").output,
        (256, 28, 28)
    );
    assert_eq!(
        node(&graph, &reports, "inception4e.cat").output,
        (832, 14, 14)
    );
    assert_eq!(node(&graph, &reports, "maxpool4").output, (832, 7, 7));
    assert_eq!(
        node(&graph, &reports, "inception5b.cat").output,
        (1024, 7, 7)
    );

    let (graph, reports, _) = analysed("inception_v3");
    assert_eq!(node(&graph, &reports, "maxpool2").output, (192, 35, 35));
    assert_eq!(node(&graph, &reports, "Mixed_5b.cat").output, (256, 35, 35));
    assert_eq!(node(&graph, &reports, "Mixed_6a.cat").output, (768, 17, 17));
    assert_eq!(node(&graph, &reports, "Mixed_7a.cat").output, (1280, 8, 8));
    assert_eq!(node(&graph, &reports, "Mixed_7c.cat").output, (2048, 8, 8));
    // 1x7 then 7x1: 2 * 7 weights per channel pair instead of 49.
    assert_eq!(
        node(&graph, &reports, "Mixed_6b.branch7x7_2.conv").parameters,
        128 * 128 * 7
    );

    let (graph, reports, _) = analysed("densenet121");
    // 64 + 6 * 32 = 256, halved by the transition.
    assert_eq!(
        node(&graph, &reports, "features.denseblock1.cat").output,
        (256, 56, 56)
    );
    assert_eq!(
        node(&graph, &reports, "features.denseblock1.denselayer6.cat").output,
        (64 + 5 * 32, 56, 56)
    );
    assert_eq!(
        node(&graph, &reports, "features.transition1.3").output,
        (128, 28, 28)
    );
    assert_eq!(
        node(&graph, &reports, "features.norm5").output,
        (1024, 7, 7)
    );

    let (graph, reports, _) = analysed("mobilenet_v2");
    // features.2: expand 16 -> 96, depthwise 3x3 stride 2 (96 * 9 weights), project to 24.
    assert_eq!(
        node(&graph, &reports, "features.2.conv.1.0").parameters,
        96 * 9
    );
    assert_eq!(
        node(&graph, &reports, "features.2.conv.1.0").output,
        (96, 56, 56)
    );
    assert_eq!(
        node(&graph, &reports, "features.3.add").output,
        (24, 56, 56)
    );
    assert_eq!(node(&graph, &reports, "features.18.2").output, (1280, 7, 7));

    let (graph, reports, _) = analysed("efficientnet_b0");
    // features.2.0: expand 16 -> 96, SE squeezes to 16 / 4 = 4 with biases.
    assert_eq!(
        node(&graph, &reports, "features.2.0.block.2.fc1").parameters,
        96 * 4 + 4
    );
    assert_eq!(
        node(&graph, &reports, "features.2.0.block.2.mul").output,
        (96, 56, 56)
    );
    let gated = node(&graph, &reports, "features.2.0.block.2.mul").field;
    assert!(gated.whole_image && gated.window.is_some());
    assert_eq!(node(&graph, &reports, "features.8.2").output, (1280, 7, 7));
}

#[test]
fn blocks_and_groups_follow_torchvision() {
    let graph = torchvision::resnet50();
    let rows: Vec<(String, BlockKind, usize)> = graph
        .groups()
        .into_iter()
        .map(|g| (g.name, g.kind, g.repeats))
        .collect();
    assert_eq!(
        rows,
        [
            ("input".to_string(), BlockKind::Input, 1),
            ("conv1".into(), BlockKind::Conv, 1),
            ("maxpool".into(), BlockKind::Pool, 1),
            ("layer1".into(), BlockKind::Bottleneck, 3),
            ("layer2".into(), BlockKind::Bottleneck, 4),
            ("layer3".into(), BlockKind::Bottleneck, 6),
            ("layer4".into(), BlockKind::Bottleneck, 3),
            ("avgpool".into(), BlockKind::Pool, 1),
            ("fc".into(), BlockKind::Classifier, 1),
        ]
    );
    let reports = graph.analyse().unwrap();
    let blocks = graph.block_reports(&reports);
    assert_eq!(blocks.len(), graph.blocks.len());
    assert_eq!(blocks.iter().map(|b| b.parameters).sum::<u64>(), 25_557_032);
    // Every node is in exactly one block, in order.
    let mut next = 0;
    for block in &graph.blocks {
        assert_eq!(block.nodes.start, next);
        next = block.nodes.end;
    }
    assert_eq!(next, graph.nodes.len());
    // Each dense block: six dense layers and the closing concatenation.
    let dense = torchvision::densenet121();
    let group = &dense.groups()[3];
    assert_eq!(
        (group.name.as_str(), group.kind, group.repeats),
        ("features.denseblock1", BlockKind::DenseLayer, 6)
    );
    assert_eq!(group.blocks.len(), 7);
    let aux = torchvision::googlenet(true);
    assert_eq!(aux.blocks.iter().filter(|b| b.auxiliary).count(), 2);
}

#[test]
fn the_lecture_table_rows_are_rounded_counts() {
    // [lecture] figures against the counts above: VGG-16 138M, ResNet-50 25.6M,
    // Inception v3 23.8M (without the auxiliary classifier), DenseNet-121 8.0M and
    // EfficientNet-B0 5.3M are the counts rounded; LeNet-5's 60K and AlexNet's 60M are
    // the papers' figures (the LeNet-5 built here has 61,706; torchvision's one-tower
    // AlexNet 61,100,840).
    for ((name, preset), (lecture, _, figure, _)) in
        torchvision::LECTURE_PRESETS.iter().zip(LECTURE_TABLE)
    {
        assert_eq!(*name, lecture);
        let (_, _, totals) = analysed(preset);
        let rounded = torchvision::rounds_to(totals.parameters, figure);
        let paper = matches!(*preset, "lenet5" | "alexnet");
        assert_eq!(rounded, Some(!paper), "{name} {figure}");
    }
    assert_eq!(torchvision::rounds_to(7_978_856, "8.0M"), Some(true));
    assert_eq!(torchvision::rounds_to(7_978_856, "8M"), Some(true));
    assert_eq!(torchvision::rounds_to(7_978_856, "7.9M"), Some(false));
    assert_eq!(torchvision::rounds_to(1, "–"), None);
    assert_eq!(torchvision::rounds_to(1, ""), None);
}

fn field(size: u64, jump: u64, start: i64) -> Option<ReceptiveField> {
    Some(ReceptiveField {
        size: (size, size),
        jump: (jump, jump),
        start: (start, start),
    })
}

#[test]
fn fields_are_the_union_over_paths() {
    // Two branches from one input: a 1x1 and a 5x5 (padding 2); their concatenation sees
    // the 5x5 window.
    let mut b = GraphBuilder::new((1, 16, 16));
    b.block(BlockKind::Inception, "block", "block");
    let one = b.node("one", Op::Conv(Conv::new(2, 1)), &[0]);
    let five = b.node("five", Op::Conv(Conv::new(3, 5).padding(2)), &[0]);
    b.node("cat", Op::Merge(Merge::Concat), &[one, five]);
    let reports = b.finish("test", "Test").analyse().unwrap();
    assert_eq!(reports[1].field.window, field(1, 1, 0));
    assert_eq!(reports[2].field.window, field(5, 1, -2));
    assert_eq!(reports[3].field.window, field(5, 1, -2));
    assert_eq!(reports[3].output, (5, 16, 16));
    assert_eq!(reports[3].parameters, 0);

    // A residual block with a projection: 3x3 stride 2 padding 1 then 3x3 padding 1,
    // against a 1x1 stride 2. The shortcut's window (size 1, start 0) lies inside the
    // main path's (size 7, start -3): the union is the main path's.
    let mut b = GraphBuilder::new((1, 16, 16));
    b.block(BlockKind::BasicBlock, "block", "block");
    let (out, channels) = torchvision::residual_block(&mut b, 0, "block", 1, 4, 2, false);
    assert_eq!(channels, 4);
    let graph = b.finish("test", "Test");
    let reports = graph.analyse().unwrap();
    assert_eq!(reports[out].field.window, field(7, 2, -3));
    assert_eq!(reports[out].output, (4, 8, 8));
    let shortcut = graph
        .nodes
        .iter()
        .position(|n| n.name == "block.downsample.0")
        .unwrap();
    assert_eq!(reports[shortcut].field.window, field(1, 2, 0));
}

#[test]
fn global_paths_see_the_whole_image() {
    let mut b = GraphBuilder::new((8, 8, 8));
    b.block(BlockKind::MbConv, "se", "se");
    let x = b.node("conv", Op::Conv(Conv::new(8, 3).padding(1)), &[0]);
    let out = torchvision::squeeze_excitation(
        &mut b,
        x,
        "se",
        8,
        2,
        convlens_core::graph::Activation::Relu,
    );
    let reports = b.finish("test", "Test").analyse().unwrap();
    assert_eq!(
        reports[out].field,
        Field {
            window: field(3, 1, -1),
            whole_image: true
        }
    );
    // fc1 and fc2: 8*2 + 2 and 2*8 + 8, one multiply-add per weight on a 1x1 map.
    assert_eq!(
        reports.iter().map(|r| r.parameters).sum::<u64>(),
        (8 * 9 * 8 + 8) + 18 + 24
    );
    assert_eq!(reports[out - 3].field.window, None);
}

#[test]
fn bad_graphs_are_explained() {
    let graph = |build: &dyn Fn(&mut GraphBuilder)| {
        let mut b = GraphBuilder::new((3, 8, 8));
        b.block(BlockKind::Conv, "x", "x");
        build(&mut b);
        b.finish("test", "Test").analyse().unwrap_err()
    };
    let error = graph(&|b| {
        let a = b.node("a", Op::Conv(Conv::new(4, 1)), &[0]);
        let c = b.node("c", Op::Conv(Conv::new(4, 1).stride(2)), &[0]);
        b.node("sum", Op::Merge(Merge::Add), &[a, c]);
    });
    assert_eq!(
        error,
        Error::MergeShapes {
            layer: 2,
            merge: Merge::Add,
            first: (4, 8, 8),
            other: (4, 4, 4)
        }
    );
    assert_eq!(
        error.to_string(),
        "layer 3 (x + y) cannot join a 4x8x8 map with a 4x4x4 map: adding needs maps of one shape"
    );
    let error = graph(&|b| {
        b.node("sum", Op::Merge(Merge::Scale), &[0]);
    });
    assert_eq!(error.to_string(), "layer 1 takes 2 inputs, not 1");
    let error = graph(&|b| {
        b.node("later", Op::RELU, &[2]);
    });
    assert_eq!(
        error.to_string(),
        "layer 1 reads layer 2, which does not come before it"
    );
    let error = graph(&|b| {
        let f = b.node("flat", Op::Flatten, &[0]);
        b.node("conv", Op::Conv(Conv::new(1, 1)), &[f]);
    });
    assert_eq!(
        error.to_string(),
        "layer 2 (nn.Conv2d(192, 1, kernel_size=1)) needs an image, but gets a flat vector"
    );
    // A stride-2 path padded back to 8x8 beside a stride-1 path: jumps 2 and 1.
    let error = graph(&|b| {
        let a = b.node("a", Op::Conv(Conv::new(1, 3).stride(2).padding(5)), &[0]);
        let c = b.node("c", Op::Conv(Conv::new(1, 3).padding(1)), &[0]);
        b.node("cat", Op::Merge(Merge::Concat), &[a, c]);
    });
    assert_eq!(
        error,
        Error::UnalignedMerge {
            layer: 2,
            jumps: (2, 1)
        }
    );
    assert!(error
        .to_string()
        .starts_with("layer 3 joins paths whose cells are 2 and 1 input pixels apart"));
    assert!(Graph::chain("x", "X", (0, 4, 4), &[Op::RELU])
        .analyse()
        .is_err());
}

// [count] The output of count.py (torch 2.15.0+cu132, torchvision 0.29.2+cu132):
// alexnet: params 61100840, macs 714188480 at 224, doc num_params 61100840 GFLOPS 0.714, rf of features: size 195 jump 32 start -66
// vgg16: params 138357544, macs 15470264320 at 224, doc num_params 138357544 GFLOPS 15.47, rf of features: size 212 jump 32 start -90
// vgg16_bn: params 138365992, macs 15470264320 at 224, doc num_params 138365992 GFLOPS 15.47, rf of features: size 212 jump 32 start -90
// resnet18: params 11689512, macs 1814073344 at 224, doc num_params 11689512 GFLOPS 1.814, rf of layer4: size 435 jump 32 start -217
// resnet34: params 21797672, macs 3663761408 at 224, doc num_params 21797672 GFLOPS 3.664, rf of layer4: size 899 jump 32 start -449
// resnet50: params 25557032, macs 4089184256 at 224, doc num_params 25557032 GFLOPS 4.089, rf of layer4: size 427 jump 32 start -213
// googlenet: params 6624904, macs 1498376192 at 224, doc num_params 6624904 GFLOPS 1.498, rf of inception5b: size 379 jump 32 start -167
// googlenet_aux: params 13004888, macs 1498376192 at 224
// inception_v3: params 23834568, macs 5713216096 at 299, doc num_params 27161264 GFLOPS 5.713, rf of Mixed_7c: size 1311 jump 32 start -618
// inception_v3_aux: params 27161264, macs 5713216096 at 299
// densenet121: params 7978856, macs 2834161664 at 224, doc num_params 7978856 GFLOPS 2.834, rf of features: size 2071 jump 32 start -1021
// mobilenet_v2: params 3504872, macs 300774272 at 224, doc num_params 3504872 GFLOPS 0.301, rf of features: size 491 jump 32 start -245
// efficientnet_b0: params 5288548, macs 385814752 at 224, doc num_params 5288548 GFLOPS 0.386, rf of features: size 851 jump 32 start -425
