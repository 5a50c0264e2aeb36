//! Networks as graphs: branches and merges (add, concatenate along channels, the
//! channel scale of squeeze-and-excitation), batch normalisation, dropout, pooling and
//! the activations of the networks the lecture compares, with every node's output
//! shape, parameters, multiply-adds and receptive field.
//!
//! A [`Graph`] is a list of [`Node`]s in an order where every node comes after the
//! nodes it reads (node 0 is the input), grouped into [`Block`]s as torchvision's
//! modules group them (`layer1.0` is a `Bottleneck`). Node names are torchvision's
//! module names (`layer1.0.conv2`), so that a row can be found in `model.named_modules()`;
//! merges that torchvision writes as code (`out += identity`, `torch.cat`) are named
//! after their block (`layer1.0.add`).
//!
//! Counting follows PyTorch exactly:
//! - parameters are what `model.parameters()` holds: a convolution's weights
//!   `C_out (C_in / groups) K_h K_w` and biases, a linear layer's, and batch
//!   normalisation's weight and bias (`2 C`); its running mean and variance are buffers,
//!   not parameters.
//! - multiply-adds are those of the convolutions and linear layers (`H_out W_out C_out
//!   (C_in / groups) K_h K_w` and `in x out`), the convention of torchvision's "GFLOPS"
//!   column and of the lecture; element-wise work (normalisation, activations, adds,
//!   pooling, the SE scale) is not counted.
//! - the receptive field of a node is the union, over every path from the input, of the
//!   input window its cells see (Araujo, Norris and Sim, "Computing Receptive Fields of
//!   Convolutional Neural Networks", Distill 2019): along each axis from the earliest
//!   start to the latest end. Paths through a global pooling (the squeeze of
//!   squeeze-and-excitation) see the whole image; [`Field`] keeps the windowed union and
//!   says whether some path sees everything.

use std::ops::Range;

use crate::cost::{mul, ConvLayerShape};
use crate::error::{positive, Error, Result};
use crate::geometry::{window_output, Pads};
use crate::pool::{PoolFunction, PoolParams};
use crate::receptive_field::{LayerGeometry, ReceptiveField};

pub mod blocks;
pub mod forward;
pub mod torchvision;

/// `nn.Conv2d(C_in, out_channels, kernel, stride, padding, dilation, groups, bias)`;
/// `C_in` comes from the node's input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Conv {
    /// Filters (output channels).
    pub out_channels: usize,
    /// Kernel `(K_h, K_w)`.
    pub kernel: (usize, usize),
    /// Stride.
    pub stride: (usize, usize),
    /// Zero padding on both sides, `(rows, columns)`.
    pub padding: (usize, usize),
    /// Dilation.
    pub dilation: (usize, usize),
    /// Groups (`C_in` for a depthwise convolution).
    pub groups: usize,
    /// Whether a bias is added.
    pub bias: bool,
}

impl Conv {
    /// A `k x k` convolution with PyTorch's defaults: stride 1, no padding, a bias.
    pub fn new(out_channels: usize, kernel: usize) -> Self {
        Conv::rect(out_channels, (kernel, kernel))
    }

    /// A `K_h x K_w` convolution (Inception's `1x7`, `7x1`) with PyTorch's defaults.
    pub fn rect(out_channels: usize, kernel: (usize, usize)) -> Self {
        Conv {
            out_channels,
            kernel,
            stride: (1, 1),
            padding: (0, 0),
            dilation: (1, 1),
            groups: 1,
            bias: true,
        }
    }

    /// With this stride along both axes.
    pub fn stride(self, stride: usize) -> Self {
        Conv {
            stride: (stride, stride),
            ..self
        }
    }

    /// With this padding on every side.
    pub fn padding(self, padding: usize) -> Self {
        self.padding_rect((padding, padding))
    }

    /// With `(rows, columns)` of padding.
    pub fn padding_rect(self, padding: (usize, usize)) -> Self {
        Conv { padding, ..self }
    }

    /// With `(K - 1) / 2` padding, which keeps the size at stride 1 (odd kernels).
    pub fn same(self) -> Self {
        self.padding_rect(((self.kernel.0 - 1) / 2, (self.kernel.1 - 1) / 2))
    }

    /// With this many groups.
    pub fn groups(self, groups: usize) -> Self {
        Conv { groups, ..self }
    }

    /// Without a bias (`bias=False`, as before a batch normalisation).
    pub fn no_bias(self) -> Self {
        Conv {
            bias: false,
            ..self
        }
    }
}

/// `nn.MaxPool2d` / `nn.AvgPool2d` (and min pooling).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Pool {
    /// Max, mean or min.
    pub function: PoolFunction,
    /// Window.
    pub kernel: (usize, usize),
    /// Stride.
    pub stride: (usize, usize),
    /// Padding on both sides, `(rows, columns)`.
    pub padding: (usize, usize),
    /// Round the output size up (`ceil_mode=True`, as GoogLeNet's max pools do).
    pub ceil_mode: bool,
    /// For the mean: padded cells count in the divisor (PyTorch's default).
    pub count_include_pad: bool,
}

impl Pool {
    /// `nn.MaxPool2d(kernel, stride)`.
    pub fn max(kernel: usize, stride: usize) -> Self {
        Pool::new(PoolFunction::Max, kernel, stride)
    }

    /// `nn.AvgPool2d(kernel, stride)`.
    pub fn mean(kernel: usize, stride: usize) -> Self {
        Pool::new(PoolFunction::Mean, kernel, stride)
    }

    /// A square window of any function, no padding, PyTorch's defaults.
    pub fn new(function: PoolFunction, kernel: usize, stride: usize) -> Self {
        Pool {
            function,
            kernel: (kernel, kernel),
            stride: (stride, stride),
            padding: (0, 0),
            ceil_mode: false,
            count_include_pad: true,
        }
    }

    /// With this padding on every side.
    pub fn padding(self, padding: usize) -> Self {
        Pool {
            padding: (padding, padding),
            ..self
        }
    }

    /// With `ceil_mode=True`.
    pub fn ceil(self) -> Self {
        Pool {
            ceil_mode: true,
            ..self
        }
    }

    fn params(&self) -> PoolParams {
        PoolParams {
            kernel: self.kernel,
            stride: Some(self.stride),
            padding: Pads::symmetric(self.padding.0, self.padding.1),
            dilation: (1, 1),
            ceil_mode: self.ceil_mode,
            count_include_pad: self.count_include_pad,
            divisor_override: None,
        }
    }
}

/// The activations of these networks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Activation {
    /// `max(0, x)`.
    Relu,
    /// `min(max(0, x), 6)` (MobileNet).
    Relu6,
    /// `x sigmoid(x)`, also called swish (EfficientNet).
    Silu,
    /// `1 / (1 + e^-x)` (the gate of squeeze-and-excitation).
    Sigmoid,
}

impl Activation {
    /// The PyTorch module.
    pub fn pytorch(self) -> &'static str {
        match self {
            Activation::Relu => "nn.ReLU()",
            Activation::Relu6 => "nn.ReLU6()",
            Activation::Silu => "nn.SiLU()",
            Activation::Sigmoid => "nn.Sigmoid()",
        }
    }

    /// The activation of one value.
    pub fn apply(self, x: f32) -> f32 {
        match self {
            Activation::Relu => x.max(0.0),
            Activation::Relu6 => x.clamp(0.0, 6.0),
            Activation::Silu => x / (1.0 + (-x).exp()),
            Activation::Sigmoid => 1.0 / (1.0 + (-x).exp()),
        }
    }
}

/// How a node joins several inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Merge {
    /// Element-wise sum of maps of one shape (ResNet's `out += identity`).
    Add,
    /// Concatenation along channels of maps of one height and width (Inception's and
    /// DenseNet's `torch.cat(..., 1)`).
    Concat,
    /// A map times one weight per channel: inputs `[x, s]` with `s` of shape `C x 1 x 1`
    /// (squeeze-and-excitation's `scale * input`).
    Scale,
}

impl Merge {
    /// The merge as PyTorch code writes it.
    pub fn pytorch(self) -> &'static str {
        match self {
            Merge::Add => "x + y",
            Merge::Concat => "torch.cat(inputs, 1)",
            Merge::Scale => "scale * x",
        }
    }
}

/// One operation, with PyTorch's arguments.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op {
    /// The network's input, `(channels, height, width)`.
    Input((usize, usize, usize)),
    /// A convolution.
    Conv(Conv),
    /// `nn.BatchNorm2d(C)`: weight and bias are parameters, running statistics are not.
    BatchNorm,
    /// An activation.
    Activation(Activation),
    /// `nn.Dropout(p)`: zeroes a fraction `p` in training, nothing at inference.
    Dropout {
        /// The probability of zeroing a value.
        p: f32,
    },
    /// torchvision's `StochasticDepth(p, "row")` (EfficientNet): in training it drops a
    /// residual branch for a whole image with probability `p`; nothing at inference.
    StochasticDepth {
        /// The probability of dropping the branch.
        p: f32,
    },
    /// Max, mean or min pooling.
    Pool(Pool),
    /// `nn.AdaptiveAvgPool2d(output)`; `(1, 1)` is global average pooling.
    AdaptiveAvgPool {
        /// Output `(height, width)`.
        output: (usize, usize),
    },
    /// `nn.Flatten()` (`torch.flatten(x, 1)`): `C x H x W` to `C*H*W` features.
    Flatten,
    /// `nn.Linear(in, out_features, bias)`; `in` is the input's size, flattened.
    Linear {
        /// Output features.
        out_features: usize,
        /// Whether a bias is added.
        bias: bool,
    },
    /// A merge of several inputs.
    Merge(Merge),
}

impl Op {
    /// A fully connected layer with bias: `nn.Linear(_, out_features)`.
    pub fn linear(out_features: usize) -> Self {
        Op::Linear {
            out_features,
            bias: true,
        }
    }

    /// `nn.ReLU()`.
    pub const RELU: Op = Op::Activation(Activation::Relu);

    /// Global average pooling, `nn.AdaptiveAvgPool2d((1, 1))`.
    pub const GLOBAL_AVERAGE: Op = Op::AdaptiveAvgPool { output: (1, 1) };

    /// How many inputs the operation takes: `(fewest, most)`.
    pub fn arity(&self) -> (usize, usize) {
        match self {
            Op::Input(_) => (0, 0),
            Op::Merge(Merge::Scale) => (2, 2),
            Op::Merge(_) => (1, usize::MAX),
            _ => (1, 1),
        }
    }

    /// The operation as PyTorch writes it, given its input channels or features.
    pub fn pytorch(&self, inputs: usize) -> String {
        let pair = |(a, b): (usize, usize)| {
            if a == b {
                a.to_string()
            } else {
                format!("({a}, {b})")
            }
        };
        match *self {
            Op::Input((c, h, w)) => format!("torch.zeros(1, {c}, {h}, {w})"),
            Op::Conv(conv) => {
                let mut line = format!(
                    "nn.Conv2d({inputs}, {}, kernel_size={}",
                    conv.out_channels,
                    pair(conv.kernel)
                );
                if conv.stride != (1, 1) {
                    line += &format!(", stride={}", pair(conv.stride));
                }
                if conv.padding != (0, 0) {
                    line += &format!(", padding={}", pair(conv.padding));
                }
                if conv.dilation != (1, 1) {
                    line += &format!(", dilation={}", pair(conv.dilation));
                }
                if conv.groups != 1 {
                    line += &format!(", groups={}", conv.groups);
                }
                if !conv.bias {
                    line += ", bias=False";
                }
                line + ")"
            }
            Op::BatchNorm => format!("nn.BatchNorm2d({inputs})"),
            Op::Activation(activation) => activation.pytorch().into(),
            Op::Dropout { p } => format!("nn.Dropout(p={p})"),
            Op::StochasticDepth { p } => format!("StochasticDepth(p={p}, mode=\"row\")"),
            Op::Pool(pool) => {
                let name = match pool.function {
                    PoolFunction::Max => "nn.MaxPool2d(".to_string(),
                    PoolFunction::Mean => "nn.AvgPool2d(".to_string(),
                    PoolFunction::Min => "MinPool2d(".to_string(),
                    PoolFunction::Lp(p) => format!("nn.LPPool2d({}, ", p.value()),
                };
                let mut line = format!(
                    "{name}kernel_size={}, stride={}",
                    pair(pool.kernel),
                    pair(pool.stride)
                );
                if pool.padding != (0, 0) {
                    line += &format!(", padding={}", pair(pool.padding));
                }
                if pool.ceil_mode {
                    line += ", ceil_mode=True";
                }
                if pool.function == PoolFunction::Mean && !pool.count_include_pad {
                    line += ", count_include_pad=False";
                }
                line + ")"
            }
            Op::AdaptiveAvgPool { output } => format!("nn.AdaptiveAvgPool2d({})", pair(output)),
            Op::Flatten => "nn.Flatten()".into(),
            Op::Linear { out_features, bias } => format!(
                "nn.Linear({inputs}, {out_features}{})",
                if bias { "" } else { ", bias=False" }
            ),
            Op::Merge(merge) => merge.pytorch().into(),
        }
    }

    /// The sliding-window geometry, for operations that slide a window.
    fn window(&self) -> Option<LayerGeometry> {
        let pads = |(h, w): (usize, usize)| Pads {
            top: h,
            bottom: h,
            left: w,
            right: w,
        };
        match *self {
            Op::Conv(conv) => Some(LayerGeometry {
                kernel: conv.kernel,
                stride: conv.stride,
                pads: pads(conv.padding),
                dilation: conv.dilation,
            }),
            Op::Pool(pool) => Some(LayerGeometry {
                kernel: pool.kernel,
                stride: pool.stride,
                pads: pads(pool.padding),
                dilation: (1, 1),
            }),
            _ => None,
        }
    }
}

/// What a block is, by torchvision's class (or the plain layers it groups).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BlockKind {
    /// The network's input.
    Input,
    /// A convolution with its activation, and a normalisation if any (ResNet's `conv1`,
    /// `bn1`, `relu`; a convolution and ReLU of AlexNet or VGG).
    Conv,
    /// GoogLeNet's and Inception v3's `BasicConv2d`: convolution, batch norm, ReLU.
    BasicConv2d,
    /// MobileNet's and EfficientNet's `Conv2dNormActivation`.
    Conv2dNormActivation,
    /// Batch normalisation and its activation alone (DenseNet's `norm5`).
    Norm,
    /// An activation (or dropout) alone.
    Activation,
    /// A merge alone.
    Merge,
    /// A pooling layer (and a flatten after it).
    Pool,
    /// The classifier: linear layers with their activations and dropout.
    Classifier,
    /// ResNet-18/34's two 3x3 convolutions and a shortcut: `y = F(x) + x`.
    BasicBlock,
    /// ResNet-50's 1x1 reduce, 3x3, 1x1 expand, and a shortcut.
    Bottleneck,
    /// GoogLeNet's four-branch block.
    Inception,
    /// Inception v3's 35x35 block (5x5 factorised into two 3x3).
    InceptionA,
    /// Inception v3's grid reduction to 17x17.
    InceptionB,
    /// Inception v3's 17x17 block (7x7 factorised into 1x7 and 7x1).
    InceptionC,
    /// Inception v3's grid reduction to 8x8.
    InceptionD,
    /// Inception v3's 8x8 block (3x3 split into 1x3 and 3x1 side by side).
    InceptionE,
    /// An auxiliary classifier (GoogLeNet, Inception v3): runs only in training.
    InceptionAux,
    /// DenseNet's layer: concatenate everything before, BN-ReLU-1x1, BN-ReLU-3x3, `k` new
    /// channels.
    DenseLayer,
    /// The concatenation that closes a dense block.
    DenseBlock,
    /// DenseNet's transition: BN-ReLU-1x1 halving the channels, 2x2 average pooling.
    Transition,
    /// MobileNet-V2's expand 1x1, depthwise 3x3, project 1x1 (shortcut when shapes allow).
    InvertedResidual,
    /// EfficientNet's inverted residual with squeeze-and-excitation.
    MbConv,
}

impl BlockKind {
    /// The kind of a block that holds only `op` (the layers of a typed stack).
    pub fn of(op: &Op) -> BlockKind {
        match op {
            Op::Input(_) => BlockKind::Input,
            Op::Conv(_) => BlockKind::Conv,
            Op::BatchNorm => BlockKind::Norm,
            Op::Activation(_) | Op::Dropout { .. } | Op::StochasticDepth { .. } => {
                BlockKind::Activation
            }
            Op::Pool(_) | Op::AdaptiveAvgPool { .. } | Op::Flatten => BlockKind::Pool,
            Op::Linear { .. } => BlockKind::Classifier,
            Op::Merge(_) => BlockKind::Merge,
        }
    }

    /// torchvision's class name (`Conv` and the others that torchvision has no class for
    /// are named for what they hold).
    pub fn class(self) -> &'static str {
        match self {
            BlockKind::Input => "Input",
            BlockKind::Conv => "Conv",
            BlockKind::BasicConv2d => "BasicConv2d",
            BlockKind::Conv2dNormActivation => "Conv2dNormActivation",
            BlockKind::Norm => "BatchNorm2d",
            BlockKind::Activation => "Activation",
            BlockKind::Merge => "Merge",
            BlockKind::Pool => "Pool",
            BlockKind::Classifier => "Classifier",
            BlockKind::BasicBlock => "BasicBlock",
            BlockKind::Bottleneck => "Bottleneck",
            BlockKind::Inception => "Inception",
            BlockKind::InceptionA => "InceptionA",
            BlockKind::InceptionB => "InceptionB",
            BlockKind::InceptionC => "InceptionC",
            BlockKind::InceptionD => "InceptionD",
            BlockKind::InceptionE => "InceptionE",
            BlockKind::InceptionAux => "InceptionAux",
            BlockKind::DenseLayer => "_DenseLayer",
            BlockKind::DenseBlock => "_DenseBlock",
            BlockKind::Transition => "_Transition",
            BlockKind::InvertedResidual => "InvertedResidual",
            BlockKind::MbConv => "MBConv",
        }
    }
}

/// One node: an operation and the nodes it reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// torchvision's module name (`layer1.0.conv1`), or its block's name and the
    /// operation for code that is not a module (`layer1.0.add`).
    pub name: String,
    /// The operation.
    pub op: Op,
    /// The nodes it reads, in order (indices into [`Graph::nodes`], all smaller than its
    /// own).
    pub inputs: Vec<usize>,
    /// Its block (index into [`Graph::blocks`]).
    pub block: usize,
}

/// Consecutive nodes that torchvision holds in one module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// torchvision's module name (`layer1.0`, `Mixed_5b`, `features.denseblock1.denselayer1`).
    pub name: String,
    /// What it is.
    pub kind: BlockKind,
    /// Consecutive blocks with one group collapse into one row ("Bottleneck ×3" for
    /// `layer1`).
    pub group: String,
    /// Its nodes (indices into [`Graph::nodes`]).
    pub nodes: Range<usize>,
    /// Runs only in training (an auxiliary classifier): not part of the inference
    /// multiply-adds, as in torchvision's eval mode.
    pub auxiliary: bool,
}

/// A network as a graph.
#[derive(Debug, Clone, PartialEq)]
pub struct Graph {
    /// torchvision's builder name (`resnet50`).
    pub name: &'static str,
    /// The name as the lecture writes it (`ResNet-50`).
    pub title: &'static str,
    /// The nodes, each after the nodes it reads; node 0 is the input.
    pub nodes: Vec<Node>,
    /// The blocks, in order; together they hold every node once.
    pub blocks: Vec<Block>,
}

/// Builds a [`Graph`] node by node, block by block.
#[derive(Debug, Clone)]
pub struct GraphBuilder {
    nodes: Vec<Node>,
    blocks: Vec<Block>,
}

impl GraphBuilder {
    /// A graph whose input is `(channels, height, width)`: node 0, in block 0.
    pub fn new(input: (usize, usize, usize)) -> Self {
        let mut builder = GraphBuilder {
            nodes: Vec::new(),
            blocks: Vec::new(),
        };
        builder.block(BlockKind::Input, "input", "input");
        builder.node("input", Op::Input(input), &[]);
        builder
    }

    /// Starts a block: the nodes added next belong to it. Consecutive blocks with the same
    /// `group` collapse into one row.
    #[inline(never)]
    pub fn block(&mut self, kind: BlockKind, name: &str, group: &str) {
        self.close();
        let start = self.nodes.len();
        self.blocks.push(Block {
            name: name.into(),
            kind,
            group: group.into(),
            nodes: start..start,
            auxiliary: false,
        });
    }

    /// Marks the current block as one that runs only in training.
    pub fn auxiliary(&mut self) {
        if let Some(block) = self.blocks.last_mut() {
            block.auxiliary = true;
        }
    }

    /// Adds a node reading `inputs` and returns its index.
    #[inline(never)]
    pub fn node(&mut self, name: &str, op: Op, inputs: &[usize]) -> usize {
        self.nodes.push(Node {
            name: name.into(),
            op,
            inputs: inputs.to_vec(),
            block: self.blocks.len().saturating_sub(1),
        });
        self.nodes.len() - 1
    }

    /// Adds a chain of operations after `input`, each reading the one before; returns the
    /// last. Names are `prefix` and the position (`features.0`, `features.1`, ...) from
    /// `first`.
    #[inline(never)]
    pub fn chain(&mut self, prefix: &str, first: usize, input: usize, ops: &[Op]) -> usize {
        ops.iter().enumerate().fold(input, |x, (i, op)| {
            self.node(&format!("{prefix}{}", first + i), *op, &[x])
        })
    }

    /// The index of the last node added.
    pub fn last(&self) -> usize {
        self.nodes.len() - 1
    }

    fn close(&mut self) {
        let end = self.nodes.len();
        if let Some(block) = self.blocks.last_mut() {
            block.nodes.end = end;
        }
    }

    /// The graph.
    pub fn finish(mut self, name: &'static str, title: &'static str) -> Graph {
        self.close();
        Graph {
            name,
            title,
            nodes: self.nodes,
            blocks: self.blocks,
        }
    }
}

/// The receptive field of a node's cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Field {
    /// The union of the windows seen along sliding-window paths; `None` once every path
    /// mixes the whole image (after global pooling, flatten, linear).
    pub window: Option<ReceptiveField>,
    /// Some path mixes the whole image (global pooling, or squeeze-and-excitation's gate).
    pub whole_image: bool,
}

impl Field {
    const INPUT: Field = Field {
        window: Some(ReceptiveField::INPUT),
        whole_image: false,
    };

    const WHOLE: Field = Field {
        window: None,
        whole_image: true,
    };
}

/// What one node produces and costs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NodeReport {
    /// Output `(channels, height, width)`; a vector of `n` features is `(n, 1, 1)`.
    pub output: (usize, usize, usize),
    /// The output is a flat vector (after flatten or a linear layer), not a map.
    pub flat: bool,
    /// The first input's channels (or flattened features), for [`Op::pytorch`].
    pub in_channels: usize,
    /// Learned parameters.
    pub parameters: u64,
    /// Multiply-adds for one image.
    pub multiply_adds: u64,
    /// The receptive field of one output cell.
    pub field: Field,
}

/// What one block produces and costs: its output node's shape and field, the sums of its
/// nodes' parameters and multiply-adds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlockReport {
    /// Output `(channels, height, width)` of the block's last node.
    pub output: (usize, usize, usize),
    /// Learned parameters of the block's nodes.
    pub parameters: u64,
    /// Multiply-adds of the block's nodes for one image.
    pub multiply_adds: u64,
    /// The receptive field of the block's output.
    pub field: Field,
}

/// Consecutive blocks of one group: one row of the stack view ("Bottleneck ×3").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The group's name (`layer1`).
    pub name: String,
    /// Its blocks (indices into [`Graph::blocks`]).
    pub blocks: Range<usize>,
    /// The kind of its first block.
    pub kind: BlockKind,
    /// How many of its blocks are of that kind (the "×3").
    pub repeats: usize,
}

/// A whole network's totals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Totals {
    /// Every learned parameter, auxiliary classifiers included.
    pub parameters: u64,
    /// Multiply-adds of one image at inference (auxiliary classifiers do not run), the
    /// figure torchvision's "GFLOPS" column gives in billions.
    pub multiply_adds: u64,
    /// Multiply-adds of the auxiliary classifiers, which run only in training.
    pub auxiliary_multiply_adds: u64,
    /// The output of the last node outside auxiliary classifiers (the network's).
    pub output: (usize, usize, usize),
    /// The receptive field of the last map that still has a window (the last feature map
    /// before global pooling), outside auxiliary classifiers.
    pub receptive_field: Option<ReceptiveField>,
    /// Some path to that map sees the whole image (squeeze-and-excitation).
    pub whole_image: bool,
}

/// The product of sizes, or [`Error::Overflow`].
fn product(values: &[usize]) -> Result<usize> {
    let factors: Vec<u64> = values.iter().map(|&v| v as u64).collect();
    let size = || Error::Overflow { what: "layer size" };
    usize::try_from(mul(&factors).map_err(|_| size())?).map_err(|_| size())
}

/// The shape, cost and field of one node from its inputs' reports. `layer` counts the
/// layers after the input from 0 (node `layer + 1`), for messages.
fn report(layer: usize, node: &Node, inputs: &[&NodeReport]) -> Result<NodeReport> {
    let takes = node.op.arity();
    if inputs.len() < takes.0 || inputs.len() > takes.1 {
        return Err(Error::Wiring {
            layer,
            given: inputs.len(),
            takes,
        });
    }
    let Some(first) = inputs.first().copied() else {
        let Op::Input((c, h, w)) = node.op else {
            return Err(Error::Wiring {
                layer,
                given: 0,
                takes,
            });
        };
        positive(c, "number of input channels")?;
        positive(h, "input height")?;
        positive(w, "input width")?;
        return Ok(NodeReport {
            output: (c, h, w),
            flat: false,
            in_channels: c,
            parameters: 0,
            multiply_adds: 0,
            field: Field::INPUT,
        });
    };
    let (c, h, w) = first.output;
    let needs_image = || -> Result<()> {
        if first.flat {
            return Err(Error::FlatIntoImage {
                layer,
                pytorch: node.op.pytorch(c),
            });
        }
        Ok(())
    };
    let pass = |output: (usize, usize, usize)| NodeReport {
        output,
        flat: first.flat,
        in_channels: c,
        parameters: 0,
        multiply_adds: 0,
        field: first.field,
    };
    // The field after a sliding window.
    let slide = |op: &Op| -> Result<Field> {
        Ok(Field {
            window: match (first.field.window, op.window()) {
                (Some(field), Some(window)) => Some(field.through(&window)?),
                (field, _) => field,
            },
            whole_image: first.field.whole_image,
        })
    };
    Ok(match node.op {
        Op::Input(_) => {
            return Err(Error::Wiring {
                layer,
                given: inputs.len(),
                takes: (0, 0),
            })
        }
        Op::Conv(conv) => {
            needs_image()?;
            let pads = Pads {
                top: conv.padding.0,
                bottom: conv.padding.0,
                left: conv.padding.1,
                right: conv.padding.1,
            };
            let (out_h, out_w) = window_output(
                (h, w),
                conv.kernel,
                conv.stride,
                pads,
                conv.dilation,
                false,
                "kernel",
            )?;
            let cost = ConvLayerShape {
                in_channels: c,
                out_channels: conv.out_channels,
                kernel: conv.kernel,
                groups: conv.groups,
                bias: conv.bias,
            };
            NodeReport {
                parameters: cost.parameters()?,
                multiply_adds: cost.flops((out_h, out_w))?.multiply_adds,
                field: slide(&node.op)?,
                ..pass((conv.out_channels, out_h, out_w))
            }
        }
        Op::BatchNorm => {
            needs_image()?;
            NodeReport {
                parameters: 2 * c as u64,
                ..pass(first.output)
            }
        }
        Op::Activation(_) | Op::Dropout { .. } | Op::StochasticDepth { .. } => pass(first.output),
        Op::Pool(pool) => {
            needs_image()?;
            let (out_h, out_w) = pool.params().output_size(pool.function, h, w)?;
            NodeReport {
                field: slide(&node.op)?,
                ..pass((c, out_h, out_w))
            }
        }
        Op::AdaptiveAvgPool { output } => {
            needs_image()?;
            positive(output.0, "adaptive pooling height")?;
            positive(output.1, "adaptive pooling width")?;
            NodeReport {
                field: if output == (h, w) {
                    first.field
                } else {
                    Field::WHOLE
                },
                ..pass((c, output.0, output.1))
            }
        }
        Op::Flatten => NodeReport {
            flat: true,
            field: Field::WHOLE,
            ..pass((product(&[c, h, w])?, 1, 1))
        },
        Op::Linear { out_features, bias } => {
            positive(out_features, "number of output features")?;
            let features = product(&[c, h, w])?;
            let weights = product(&[features, out_features])? as u64;
            NodeReport {
                flat: true,
                in_channels: features,
                parameters: weights + if bias { out_features as u64 } else { 0 },
                multiply_adds: weights,
                field: Field::WHOLE,
                ..pass((out_features, 1, 1))
            }
        }
        Op::Merge(merge) => {
            let mut output = first.output;
            let mut field = first.field;
            for other in inputs.iter().skip(1) {
                let fits = match merge {
                    Merge::Add => other.output == first.output && other.flat == first.flat,
                    Merge::Concat => {
                        other.output.1 == h && other.output.2 == w && other.flat == first.flat
                    }
                    Merge::Scale => other.output == (c, 1, 1) && !other.flat && !first.flat,
                };
                if !fits {
                    return Err(Error::MergeShapes {
                        layer,
                        merge,
                        first: first.output,
                        other: other.output,
                    });
                }
                if merge == Merge::Concat {
                    output.0 = output
                        .0
                        .checked_add(other.output.0)
                        .ok_or(Error::Overflow { what: "layer size" })?;
                }
                field = Field {
                    window: match (field.window, other.field.window) {
                        (Some(a), Some(b)) => Some(a.union(&b).ok_or(Error::UnalignedMerge {
                            layer,
                            jumps: (a.jump.0.max(a.jump.1), b.jump.0.max(b.jump.1)),
                        })?),
                        (a, b) => a.or(b),
                    },
                    whole_image: field.whole_image || other.field.whole_image,
                };
            }
            NodeReport {
                field,
                ..pass(output)
            }
        }
    })
}

impl Graph {
    /// A chain of operations after an input of `(channels, height, width)`, one block per
    /// operation, named by their position from 1.
    pub fn chain(
        name: &'static str,
        title: &'static str,
        input: (usize, usize, usize),
        ops: &[Op],
    ) -> Graph {
        let mut builder = GraphBuilder::new(input);
        for (i, op) in ops.iter().enumerate() {
            let number = (i + 1).to_string();
            builder.block(BlockKind::of(op), &number, &number);
            let last = builder.last();
            builder.node(&number, *op, &[last]);
        }
        builder.finish(name, title)
    }

    /// The input `(channels, height, width)`.
    pub fn input(&self) -> (usize, usize, usize) {
        match self.nodes.first().map(|n| n.op) {
            Some(Op::Input(shape)) => shape,
            _ => (0, 0, 0),
        }
    }

    /// The same network on an input of `height x width` (torchvision's networks take any
    /// size from their smallest up).
    pub fn with_input_size(&self, height: usize, width: usize) -> Graph {
        let mut graph = self.clone();
        if let Some(node) = graph.nodes.first_mut() {
            if let Op::Input((c, _, _)) = node.op {
                node.op = Op::Input((c, height, width));
            }
        }
        graph
    }

    /// Every node's output shape, parameters, multiply-adds and receptive field.
    ///
    /// # Errors
    /// A node that does not fit its inputs (the messages name the layer), a wiring error,
    /// zero sizes, or a count too large to hold.
    pub fn analyse(&self) -> Result<Vec<NodeReport>> {
        let mut reports: Vec<NodeReport> = Vec::with_capacity(self.nodes.len());
        for (index, node) in self.nodes.iter().enumerate() {
            let inputs = node
                .inputs
                .iter()
                .map(|&i| {
                    reports.get(i).ok_or(Error::LaterInput {
                        layer: index.saturating_sub(1),
                        input: i.saturating_sub(1),
                    })
                })
                .collect::<Result<Vec<&NodeReport>>>()?;
            let report = report(index.saturating_sub(1), node, &inputs)?;
            reports.push(report);
        }
        Ok(reports)
    }

    /// Each block's output, parameters, multiply-adds and receptive field, from
    /// [`Graph::analyse`]'s reports.
    pub fn block_reports(&self, reports: &[NodeReport]) -> Vec<BlockReport> {
        self.blocks
            .iter()
            .filter_map(|block| {
                let nodes = reports.get(block.nodes.clone())?;
                let last = nodes.last()?;
                Some(BlockReport {
                    output: last.output,
                    parameters: nodes.iter().map(|r| r.parameters).sum(),
                    multiply_adds: nodes.iter().map(|r| r.multiply_adds).sum(),
                    field: last.field,
                })
            })
            .collect()
    }

    /// Consecutive blocks of one group, as the stack view's collapsible rows.
    pub fn groups(&self) -> Vec<Group> {
        let mut groups: Vec<Group> = Vec::new();
        for (index, block) in self.blocks.iter().enumerate() {
            match groups.last_mut() {
                Some(group) if self.blocks[group.blocks.start].group == block.group => {
                    group.blocks.end = index + 1;
                    group.repeats += usize::from(block.kind == group.kind);
                }
                _ => groups.push(Group {
                    name: block.group.clone(),
                    blocks: index..index + 1,
                    kind: block.kind,
                    repeats: 1,
                }),
            }
        }
        groups
    }

    /// The whole network's totals, from [`Graph::analyse`]'s reports.
    pub fn totals(&self, reports: &[NodeReport]) -> Totals {
        let auxiliary = |node: &Node| self.blocks.get(node.block).is_some_and(|b| b.auxiliary);
        let mut totals = Totals {
            parameters: 0,
            multiply_adds: 0,
            auxiliary_multiply_adds: 0,
            output: (0, 0, 0),
            receptive_field: None,
            whole_image: false,
        };
        for (node, report) in self.nodes.iter().zip(reports) {
            totals.parameters += report.parameters;
            if auxiliary(node) {
                totals.auxiliary_multiply_adds += report.multiply_adds;
            } else {
                totals.multiply_adds += report.multiply_adds;
                totals.output = report.output;
                if let Some(field) = report.field.window {
                    totals.receptive_field = Some(field);
                    totals.whole_image = report.field.whole_image;
                }
            }
        }
        totals
    }
}
