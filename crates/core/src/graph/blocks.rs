//! The three blocks the lecture's slides explain, as small graphs a student can vary,
//! and the numbers each slide makes: a residual block (`y = F(x) + x`), an Inception
//! block (1x1 reductions, `n x 1` then `1 x n`), and a dense block (concatenation,
//! growth rate, transition).
//!
//! The blocks are built by the same functions as the torchvision presets, so their
//! counts are the presets' counts: the residual block of `layer2.0` of ResNet-50 here
//! has exactly the parameters of torchvision's.

use crate::cost::ConvLayerShape;
use crate::error::{positive, Error, Result};

use super::torchvision::{dense_layer, googlenet_inception, residual_block, transition};
use super::{BlockKind, Graph, GraphBuilder};

/// A residual block on an input of `(channels, height, width)`: a `BasicBlock` (two 3x3)
/// or a `Bottleneck` (1x1, 3x3, 1x1 to `4 planes`), with the projection shortcut when
/// `stride` is not 1 or the channels change.
pub fn residual(
    input: (usize, usize, usize),
    planes: usize,
    stride: usize,
    bottleneck: bool,
) -> Graph {
    let mut b = GraphBuilder::new(input);
    let kind = if bottleneck {
        BlockKind::Bottleneck
    } else {
        BlockKind::BasicBlock
    };
    b.block(kind, "block", "block");
    residual_block(&mut b, 0, "block", input.0, planes, stride, bottleneck);
    b.finish("residual", "Residual block")
}

/// How a gradient crosses `depth` blocks whose own branch has the derivative `g`
/// (`∂F/∂x = g` in each): without shortcuts it is multiplied by `g` in every block;
/// with them each block multiplies it by `∂y/∂x = g + 1`, which expands into one
/// term per path: the path through `k` of the branches contributes `g^k`, and there are
/// `C(depth, k)` such paths. The path through none of them, the shortcuts alone,
/// contributes exactly 1 however deep the stack.
#[derive(Debug, Clone, PartialEq)]
pub struct GradientPaths {
    /// `g^depth`: the plain stack's gradient.
    pub plain: f64,
    /// `(1 + g)^depth`: the residual stack's.
    pub residual: f64,
    /// For `k = 0..=depth`: the number of paths through `k` branches, `C(depth, k)`,
    /// and their total contribution, `C(depth, k) g^k` (they add up to `residual`).
    pub by_branches: Vec<(f64, f64)>,
}

/// The gradient through `depth` blocks, plain and residual (see [`GradientPaths`]).
///
/// A derivative that is not a number gives numbers that are not either.
///
/// # Errors
/// A depth of 0 or over 1000.
pub fn gradient_paths(depth: usize, g: f64) -> Result<GradientPaths> {
    positive(depth, "depth")?;
    if depth > 1000 {
        return Err(Error::TooLarge {
            what: "depth",
            size: depth,
            limit: 1000,
        });
    }
    let mut by_branches = Vec::with_capacity(depth + 1);
    let mut paths = 1.0f64;
    for k in 0..=depth {
        by_branches.push((paths, paths * g.powi(k as i32)));
        paths = paths * (depth - k) as f64 / (k + 1) as f64;
    }
    Ok(GradientPaths {
        plain: g.powi(depth as i32),
        residual: (1.0 + g).powi(depth as i32),
        by_branches,
    })
}

/// GoogLeNet's Inception block on `(channels, height, width)` with torchvision's
/// `(ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj)` (inception3a: 64, 96, 128,
/// 16, 32, 32 on 192 channels of 28x28).
pub fn inception(input: (usize, usize, usize), channels: [usize; 6]) -> Graph {
    let mut b = GraphBuilder::new(input);
    b.block(BlockKind::Inception, "inception", "inception");
    googlenet_inception(&mut b, 0, "inception", channels);
    b.finish("inception", "Inception block")
}

/// What a 1x1 reduction saves: the weights of a `k x k` convolution from `inputs` to
/// `outputs` channels done directly, and after a 1x1 reduction to `reduced` channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reduction {
    /// `inputs * outputs * k * k`.
    pub direct: u64,
    /// `inputs * reduced + reduced * outputs * k * k`.
    pub reduced: u64,
    /// Multiply-adds on an `h x w` map (size kept): directly, and with the reduction.
    pub multiply_adds: (u64, u64),
}

/// The saving of a 1x1 reduction (weights only, as the slide counts them; biases and
/// batch norm aside).
///
/// # Errors
/// Zero sizes, or counts too large to hold.
pub fn reduction(
    inputs: usize,
    reduced: usize,
    outputs: usize,
    k: usize,
    map: (usize, usize),
) -> Result<Reduction> {
    let conv = |c_in: usize, c_out: usize, k: usize| ConvLayerShape {
        in_channels: c_in,
        out_channels: c_out,
        kernel: (k, k),
        groups: 1,
        bias: false,
    };
    let direct = conv(inputs, outputs, k);
    let (one, then) = (conv(inputs, reduced, 1), conv(reduced, outputs, k));
    let sum = |a: u64, b: u64| a.checked_add(b).ok_or(Error::Overflow { what: "count" });
    Ok(Reduction {
        direct: direct.parameters()?,
        reduced: sum(one.parameters()?, then.parameters()?)?,
        multiply_adds: (
            direct.flops(map)?.multiply_adds,
            sum(
                one.flops(map)?.multiply_adds,
                then.flops(map)?.multiply_adds,
            )?,
        ),
    })
}

/// The weights per pair of channels of an `n x n` kernel and of `n x 1` then `1 x n`:
/// `(n^2, 2 n)` (3x3: 9 against 6; 7x7: 49 against 14).
///
/// # Errors
/// `n` of 0.
pub fn factorised(n: usize) -> Result<(u64, u64)> {
    let n = positive(n, "kernel size")? as u64;
    Ok((n * n, 2 * n))
}

/// A dense block on `(channels, height, width)`: `layers` dense layers of growth rate
/// `growth_rate` (bottleneck width `bn_size` times that), the closing concatenation, and
/// the transition that halves the channels and the size.
pub fn dense(
    input: (usize, usize, usize),
    layers: usize,
    growth_rate: usize,
    bn_size: usize,
) -> Graph {
    let mut b = GraphBuilder::new(input);
    let group = "denseblock";
    let mut features = vec![0];
    for l in 0..layers {
        let p = format!("denseblock.denselayer{}", l + 1);
        b.block(BlockKind::DenseLayer, &p, group);
        let new = dense_layer(&mut b, &features, &p, growth_rate, bn_size);
        features.push(new);
    }
    b.block(BlockKind::DenseBlock, group, group);
    let x = b.node(
        "denseblock.cat",
        super::Op::Merge(super::Merge::Concat),
        &features,
    );
    b.block(BlockKind::Transition, "transition", "transition");
    let channels = input.0 + layers * growth_rate;
    transition(&mut b, x, "transition", channels / 2);
    b.finish("dense", "Dense block")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::torchvision;

    fn parameters(graph: &Graph) -> u64 {
        graph.totals(&graph.analyse().unwrap()).parameters
    }

    #[test]
    fn the_blocks_are_the_presets_blocks() {
        // ResNet-50's layer2.0: 256 channels of 56x56, planes 128, stride 2, projection.
        let block = residual((256, 56, 56), 128, 2, true);
        let resnet = torchvision::resnet50();
        let reports = resnet.analyse().unwrap();
        let layer2 = resnet
            .blocks
            .iter()
            .position(|b| b.name == "layer2.0")
            .unwrap();
        assert_eq!(
            parameters(&block),
            resnet.block_reports(&reports)[layer2].parameters
        );
        let out = block.analyse().unwrap();
        assert_eq!(out.last().unwrap().output, (512, 28, 28));
        // inception3a: 256 channels out, 163,696 parameters with batch norm.
        let inception = inception((192, 28, 28), [64, 96, 128, 16, 32, 32]);
        let reports = inception.analyse().unwrap();
        assert_eq!(reports.last().unwrap().output, (256, 28, 28));
        let googlenet = torchvision::googlenet(false);
        let g = googlenet.analyse().unwrap();
        let index = googlenet
            .blocks
            .iter()
            .position(|b| b.name == "inception3a")
            .unwrap();
        assert_eq!(
            parameters(&inception),
            googlenet.block_reports(&g)[index].parameters
        );
        // DenseNet-121's first block and transition: 64 + 6 * 32 = 256, then 128 at 28x28.
        let dense = dense((64, 56, 56), 6, 32, 4);
        let reports = dense.analyse().unwrap();
        assert_eq!(reports.last().unwrap().output, (128, 28, 28));
        let densenet = torchvision::densenet121();
        let d = densenet.analyse().unwrap();
        let blocks = densenet.block_reports(&d);
        let first = densenet
            .blocks
            .iter()
            .position(|b| b.name.ends_with("denselayer1"))
            .unwrap();
        let expected: u64 = blocks[first..first + 8].iter().map(|b| b.parameters).sum();
        assert_eq!(parameters(&dense), expected);
    }

    #[test]
    fn the_identity_path_contributes_one() {
        let paths = gradient_paths(10, 0.5).unwrap();
        assert!((paths.plain - 0.5f64.powi(10)).abs() < 1e-15);
        assert!((paths.residual - 1.5f64.powi(10)).abs() < 1e-9);
        assert_eq!(paths.by_branches[0], (1.0, 1.0));
        assert_eq!(paths.by_branches[1], (10.0, 5.0));
        assert_eq!(paths.by_branches[10].0, 1.0);
        let total: f64 = paths.by_branches.iter().map(|p| p.1).sum();
        assert!((total - paths.residual).abs() < 1e-9);
        assert!(gradient_paths(0, 0.5).is_err());
        assert!(gradient_paths(1001, 0.5).is_err());
    }

    #[test]
    fn reductions_and_factorisations_save_weights() {
        // inception3a's 3x3 branch: 192 -> 128 directly, or 192 -> 96 -> 128.
        let r = reduction(192, 96, 128, 3, (28, 28)).unwrap();
        assert_eq!(r.direct, 192 * 128 * 9);
        assert_eq!(r.reduced, 192 * 96 + 96 * 128 * 9);
        assert_eq!(r.multiply_adds.0, 28 * 28 * 192 * 128 * 9);
        // The paper's 5x5 branch: 192 -> 32 directly, or through 16.
        let r = reduction(192, 16, 32, 5, (28, 28)).unwrap();
        assert_eq!((r.direct, r.reduced), (153_600, 3_072 + 12_800));
        assert_eq!(factorised(3), Ok((9, 6)));
        assert_eq!(factorised(7), Ok((49, 14)));
        assert!(factorised(0).is_err());
    }
}
