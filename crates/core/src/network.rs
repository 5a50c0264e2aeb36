//! Stacks of layers: every layer's output shape, parameters, multiply-adds and receptive
//! field, and a forward pass on a real image with simple fixed weights.
//!
//! Shapes are `(channels, height, width)` for one image; after [`Layer::Flatten`] a
//! vector of `n` features is `(n, 1, 1)`. Counts follow PyTorch's layers exactly, so the
//! presets' totals are torchvision's (AlexNet 61,100,840; VGG-16 138,357,544).

use crate::error::{positive, Error, LayerProblem, Result};
use crate::graph::{torchvision, Activation, Conv, Graph, Op, Pool};
use crate::pool::PoolFunction;
use crate::receptive_field::ReceptiveField;
use crate::tensor::Tensor;

/// One layer of a stack, with PyTorch's arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layer {
    /// `nn.Conv2d(C_in, out_channels, kernel, stride, padding, dilation, groups, bias)`;
    /// `C_in` comes from the layer before.
    Conv {
        /// Filters (output channels).
        out_channels: usize,
        /// Kernel `(K_h, K_w)`.
        kernel: (usize, usize),
        /// Stride.
        stride: (usize, usize),
        /// Zero padding on both sides, `(rows, columns)`.
        padding: (usize, usize),
        /// Dilation.
        dilation: (usize, usize),
        /// Groups.
        groups: usize,
        /// Whether a bias is added.
        bias: bool,
    },
    /// `nn.ReLU()`.
    Relu,
    /// `nn.MaxPool2d` / `nn.AvgPool2d` (and min pooling).
    Pool {
        /// Max, mean or min.
        function: PoolFunction,
        /// Window.
        kernel: (usize, usize),
        /// Stride.
        stride: (usize, usize),
        /// Padding.
        padding: (usize, usize),
    },
    /// `nn.AdaptiveAvgPool2d(output)`.
    AdaptiveAvgPool {
        /// Output `(height, width)`.
        output: (usize, usize),
    },
    /// `nn.Flatten()`: `C x H x W` to `C*H*W` features.
    Flatten,
    /// `nn.Linear(in, out_features, bias)`; `in` comes from the layer before.
    Linear {
        /// Output features.
        out_features: usize,
        /// Whether a bias is added.
        bias: bool,
    },
}

impl Layer {
    /// A square convolution with bias: `nn.Conv2d(_, out, k, stride=s, padding=p)`.
    pub fn conv(out_channels: usize, kernel: usize, stride: usize, padding: usize) -> Self {
        Layer::Conv {
            out_channels,
            kernel: (kernel, kernel),
            stride: (stride, stride),
            padding: (padding, padding),
            dilation: (1, 1),
            groups: 1,
            bias: true,
        }
    }

    /// A fully connected layer with bias: `nn.Linear(_, out_features)`.
    pub fn linear(out_features: usize) -> Self {
        Layer::Linear {
            out_features,
            bias: true,
        }
    }

    /// A square max pooling: `nn.MaxPool2d(k, stride=s)`.
    pub fn max_pool(kernel: usize, stride: usize) -> Self {
        Layer::Pool {
            function: PoolFunction::Max,
            kernel: (kernel, kernel),
            stride: (stride, stride),
            padding: (0, 0),
        }
    }

    /// The layer as PyTorch writes it, given its input channels or features.
    pub fn pytorch(&self, inputs: usize) -> String {
        Op::from(*self).pytorch(inputs)
    }

    /// The layer of a stack that does what `op` does, if a stack has one (dropout does
    /// nothing at inference and is left out).
    fn from_op(op: &Op) -> Option<Layer> {
        Some(match *op {
            Op::Conv(conv) => Layer::Conv {
                out_channels: conv.out_channels,
                kernel: conv.kernel,
                stride: conv.stride,
                padding: conv.padding,
                dilation: conv.dilation,
                groups: conv.groups,
                bias: conv.bias,
            },
            Op::Activation(Activation::Relu) => Layer::Relu,
            Op::Pool(pool) if !pool.ceil_mode => Layer::Pool {
                function: pool.function,
                kernel: pool.kernel,
                stride: pool.stride,
                padding: pool.padding,
            },
            Op::AdaptiveAvgPool { output } => Layer::AdaptiveAvgPool { output },
            Op::Flatten => Layer::Flatten,
            Op::Linear { out_features, bias } => Layer::Linear { out_features, bias },
            _ => return None,
        })
    }
}

impl From<Layer> for Op {
    fn from(layer: Layer) -> Op {
        match layer {
            Layer::Conv {
                out_channels,
                kernel,
                stride,
                padding,
                dilation,
                groups,
                bias,
            } => Op::Conv(Conv {
                out_channels,
                kernel,
                stride,
                padding,
                dilation,
                groups,
                bias,
            }),
            Layer::Relu => Op::RELU,
            Layer::Pool {
                function,
                kernel,
                stride,
                padding,
            } => Op::Pool(Pool {
                padding,
                stride,
                kernel,
                ..Pool::new(function, 1, 1)
            }),
            Layer::AdaptiveAvgPool { output } => Op::AdaptiveAvgPool { output },
            Layer::Flatten => Op::Flatten,
            Layer::Linear { out_features, bias } => Op::Linear { out_features, bias },
        }
    }
}

/// What one layer of a stack produces and costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayerReport {
    /// The layer.
    pub layer: Layer,
    /// Input `(channels, height, width)`.
    pub input: (usize, usize, usize),
    /// Output `(channels, height, width)`; a vector of `n` features is `(n, 1, 1)`.
    pub output: (usize, usize, usize),
    /// Learned parameters.
    pub parameters: u64,
    /// Multiply-adds for one image.
    pub multiply_adds: u64,
    /// The receptive field of one output cell on the network's input, while the layers
    /// so far slide windows; `None` once a layer mixes the whole image (adaptive
    /// pooling to a different size, flatten, linear).
    pub receptive_field: Option<ReceptiveField>,
}

/// Shapes, parameters, multiply-adds and receptive fields of every layer for an input of
/// `(channels, height, width)`: the stack as a chain [`Graph`], analysed as graphs are.
///
/// # Errors
/// A layer that does not fit its input, zero sizes, or a count too large to hold.
pub fn analyse(input: (usize, usize, usize), layers: &[Layer]) -> Result<Vec<LayerReport>> {
    let ops: Vec<Op> = layers.iter().map(|&layer| Op::from(layer)).collect();
    let graph = Graph::chain("stack", "Your stack", input, &ops);
    let reports = graph.analyse()?;
    Ok(layers
        .iter()
        .zip(reports.windows(2))
        .map(|(layer, pair)| LayerReport {
            layer: *layer,
            input: pair[0].output,
            output: pair[1].output,
            parameters: pair[1].parameters,
            multiply_adds: pair[1].multiply_adds,
            receptive_field: pair[1].field.window,
        })
        .collect())
}

/// The sum of the stack's parameters.
pub fn total_parameters(reports: &[LayerReport]) -> u64 {
    reports.iter().map(|r| r.parameters).sum()
}

/// Runs the stack on one image with simple fixed weights and returns every layer's
/// output, stopping before the first layer that would take the total past
/// `budget_multiply_adds` (the demo's time limit) or that is flat (linear layers are
/// counted, not run). The stack runs as a chain graph, with the weights that
/// [`graph::forward`](crate::graph::forward) describes: filter `o` of a 3x3 layer is the
/// lecture's preset number `o mod 8`, averaged over its input channels.
///
/// # Errors
/// As [`analyse`], or an input that does not match the first layer.
pub fn forward(input: &Tensor, layers: &[Layer], budget_multiply_adds: u64) -> Result<Vec<Tensor>> {
    let ops: Vec<Op> = layers.iter().map(|&layer| Op::from(layer)).collect();
    let shape = (input.channels(), input.height(), input.width());
    let graph = Graph::chain("stack", "Your stack", shape, &ops);
    let run = crate::graph::forward::forward(&graph, input, budget_multiply_adds, |i| i > 0)?;
    Ok(run.outputs.into_iter().skip(1).map_while(|o| o).collect())
}

/// A named stack of layers with its input.
#[derive(Debug, Clone, PartialEq)]
pub struct Architecture {
    /// Name, as the lecture writes it.
    pub name: &'static str,
    /// Input `(channels, height, width)`.
    pub input: (usize, usize, usize),
    /// The layers.
    pub layers: Vec<Layer>,
}

/// A `k x k` filter over one channel, stride 1, no padding, no bias: the lecture's
/// comparison of kernel sizes.
fn plain_conv(k: usize) -> Layer {
    Layer::Conv {
        out_channels: 1,
        kernel: (k, k),
        stride: (1, 1),
        padding: (0, 0),
        dilation: (1, 1),
        groups: 1,
        bias: false,
    }
}

impl Architecture {
    /// The lecture's comparison: three 3x3 convolutions (stride 1, no padding, one
    /// channel, no bias): receptive field 7 with 27 weights.
    pub fn three_3x3() -> Self {
        let conv = plain_conv(3);
        Architecture {
            name: "Three 3x3 convolutions",
            input: (1, 64, 64),
            layers: vec![conv; 3],
        }
    }

    /// ... against one 7x7 convolution: the same receptive field with 49 weights.
    pub fn one_7x7() -> Self {
        let conv = plain_conv(7);
        Architecture {
            name: "One 7x7 convolution",
            input: (1, 64, 64),
            layers: vec![conv],
        }
    }

    /// The stack of a chain graph (dropout left out: it has no parameters and does
    /// nothing at inference).
    fn from_graph(graph: &Graph) -> Self {
        Architecture {
            name: graph.title,
            input: graph.input(),
            layers: graph
                .nodes
                .iter()
                .filter_map(|n| Layer::from_op(&n.op))
                .collect(),
        }
    }

    /// LeNet-5 as usually built today (LeCun et al., 1998, with max pooling and ReLU):
    /// 61,706 parameters on a 1x32x32 input ([`torchvision::lenet5`]).
    pub fn lenet5() -> Self {
        Self::from_graph(&torchvision::lenet5())
    }

    /// torchvision's `alexnet()`: 61,100,840 parameters on 3x224x224
    /// ([`torchvision::alexnet`]).
    pub fn alexnet() -> Self {
        Self::from_graph(&torchvision::alexnet())
    }

    /// torchvision's `vgg16()` (configuration D, no batch norm): 138,357,544 parameters
    /// ([`torchvision::vgg16`]).
    pub fn vgg16() -> Self {
        Self::from_graph(&torchvision::vgg16())
    }

    /// `n` 3x3 convolutions with stride 1 and padding 1 (size kept): the lecture's "how
    /// many 3x3 layers to see a 100x100 object" (50 give a receptive field of 101).
    pub fn stack_3x3(n: usize) -> Self {
        Architecture {
            name: "3x3 convolutions",
            input: (1, 128, 128),
            layers: vec![Layer::conv(1, 3, 1, 1); n],
        }
    }
}

/// The most layers a written stack may have.
pub const MAX_LAYERS: usize = 64;

impl Architecture {
    /// Reads a stack written as `input(C,H,W); conv(out,k[,stride[,padding[,dilation]]]);
    /// relu; max(k[,stride]); mean(k[,stride]); avgpool(h,w); flatten; linear(out)`:
    /// layers split by `;` or new lines, the input first (default `input(3,64,64)`).
    /// Convolutions and linear layers have a bias, as PyTorch's do by default.
    ///
    /// # Errors
    /// An unknown layer, a wrong number of arguments, a zero or too large number, or more
    /// than [`MAX_LAYERS`] layers; the message names the layer.
    pub fn parse(text: &str) -> Result<Self> {
        let mut input = (3, 64, 64);
        let mut layers = Vec::new();
        let parts = text
            .split([';', '\n'])
            .map(str::trim)
            .filter(|p| !p.is_empty());
        for (index, part) in parts.enumerate() {
            let bad = |problem: LayerProblem| Error::LayerSyntax {
                layer: index,
                text: crate::error::shorten(part),
                problem,
            };
            let (name, arguments) = match part.split_once('(') {
                Some((name, rest)) => {
                    let inner = rest
                        .strip_suffix(')')
                        .ok_or_else(|| bad(LayerProblem::MissingParenthesis))?;
                    let numbers = inner
                        .split(',')
                        .map(|a| {
                            a.trim().parse::<usize>().map_err(|_| {
                                bad(LayerProblem::NotWhole {
                                    text: crate::error::shorten(a.trim()),
                                })
                            })
                        })
                        .collect::<Result<Vec<usize>>>()?;
                    (name.trim(), numbers)
                }
                None => (part, Vec::new()),
            };
            let limit = |value: usize, high: usize, what: &'static str| {
                if (1..=high).contains(&value) {
                    Ok(value)
                } else {
                    Err(bad(LayerProblem::Range { what, high, value }))
                }
            };
            let count = |low: usize, high: usize| {
                if (low..=high).contains(&arguments.len()) {
                    Ok(())
                } else {
                    Err(bad(LayerProblem::Arguments {
                        low,
                        high,
                        count: arguments.len(),
                    }))
                }
            };
            let arg = |i: usize, default: usize| arguments.get(i).copied().unwrap_or(default);
            let layer = match name {
                "input" if index == 0 => {
                    count(3, 3)?;
                    input = (
                        limit(arg(0, 3), 64, "channels")?,
                        limit(arg(1, 64), 4096, "height")?,
                        limit(arg(2, 64), 4096, "width")?,
                    );
                    continue;
                }
                "conv" => {
                    count(2, 5)?;
                    let k = limit(arg(1, 3), crate::kernel::MAX_KERNEL_SIDE, "kernel size")?;
                    let padding = arg(3, 0);
                    if padding > 64 {
                        return Err(bad(LayerProblem::Padding { padding, limit: 64 }));
                    }
                    Layer::Conv {
                        out_channels: limit(arg(0, 1), 4096, "number of filters")?,
                        kernel: (k, k),
                        stride: (
                            limit(arg(2, 1), 64, "stride")?,
                            limit(arg(2, 1), 64, "stride")?,
                        ),
                        padding: (padding, padding),
                        dilation: (
                            limit(arg(4, 1), 64, "dilation")?,
                            limit(arg(4, 1), 64, "dilation")?,
                        ),
                        groups: 1,
                        bias: true,
                    }
                }
                "relu" => {
                    count(0, 0)?;
                    Layer::Relu
                }
                "max" | "mean" => {
                    count(1, 2)?;
                    let k = limit(arg(0, 2), 64, "window")?;
                    let s = limit(arg(1, k), 64, "stride")?;
                    Layer::Pool {
                        function: if name == "max" {
                            PoolFunction::Max
                        } else {
                            PoolFunction::Mean
                        },
                        kernel: (k, k),
                        stride: (s, s),
                        padding: (0, 0),
                    }
                }
                "avgpool" => {
                    count(2, 2)?;
                    Layer::AdaptiveAvgPool {
                        output: (
                            limit(arg(0, 1), 4096, "height")?,
                            limit(arg(1, 1), 4096, "width")?,
                        ),
                    }
                }
                "flatten" => {
                    count(0, 0)?;
                    Layer::Flatten
                }
                "linear" => {
                    count(1, 1)?;
                    Layer::Linear {
                        out_features: limit(arg(0, 1), 100_000, "number of outputs")?,
                        bias: true,
                    }
                }
                _ => return Err(bad(LayerProblem::UnknownLayer)),
            };
            layers.push(layer);
            if layers.len() > MAX_LAYERS {
                return Err(Error::TooLarge {
                    what: "number of layers",
                    size: layers.len(),
                    limit: MAX_LAYERS,
                });
            }
        }
        Ok(Architecture {
            name: "Your stack",
            input,
            layers,
        })
    }
}

/// Writes a stack in the form [`Architecture::parse`] reads (square layers, as the
/// presets are).
impl std::fmt::Display for Architecture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (c, h, w) = self.input;
        write!(f, "input({c},{h},{w})")?;
        for layer in &self.layers {
            match *layer {
                Layer::Conv {
                    out_channels,
                    kernel,
                    stride,
                    padding,
                    dilation,
                    ..
                } => write!(
                    f,
                    ";conv({out_channels},{},{},{},{})",
                    kernel.0, stride.0, padding.0, dilation.0
                )?,
                Layer::Relu => f.write_str(";relu")?,
                Layer::Pool {
                    function,
                    kernel,
                    stride,
                    ..
                } => {
                    let name = if function == PoolFunction::Mean {
                        "mean"
                    } else {
                        "max"
                    };
                    write!(f, ";{name}({},{})", kernel.0, stride.0)?
                }
                Layer::AdaptiveAvgPool { output } => {
                    write!(f, ";avgpool({},{})", output.0, output.1)?
                }
                Layer::Flatten => f.write_str(";flatten")?,
                Layer::Linear { out_features, .. } => write!(f, ";linear({out_features})")?,
            }
        }
        Ok(())
    }
}

/// The lecture's table of architectures: name, year, parameters (as the lecture rounds
/// them) and ImageNet top-1 accuracy.
pub const LECTURE_TABLE: [(&str, u16, &str, Option<&str>); 7] = [
    ("LeNet-5", 1998, "60K", None),
    ("AlexNet", 2012, "60M", Some("63.3%")),
    ("VGG-16", 2014, "138M", Some("74.4%")),
    ("ResNet-50", 2015, "25.6M", Some("79.3%")),
    ("Inception v3", 2015, "23.8M", Some("78.8%")),
    ("DenseNet-121", 2016, "8.0M", Some("75.0%")),
    ("EfficientNet-B0", 2019, "5.3M", Some("77.1%")),
];

/// The fewest layers of `kernel x kernel` convolutions at stride 1 whose receptive field
/// covers `size` pixels: `ceil((size - 1) / (kernel - 1))`.
///
/// # Errors
/// A kernel smaller than 2 (it never grows the field) or a zero size.
pub fn layers_to_cover(size: usize, kernel: usize) -> Result<usize> {
    positive(size, "object size")?;
    if kernel < 2 {
        return Err(Error::NoGrowth { kernel });
    }
    Ok((size - 1).div_ceil(kernel - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn total(architecture: &Architecture) -> u64 {
        total_parameters(&analyse(architecture.input, &architecture.layers).unwrap())
    }

    #[test]
    fn torchvision_parameter_counts() {
        assert_eq!(total(&Architecture::alexnet()), 61_100_840);
        assert_eq!(total(&Architecture::vgg16()), 138_357_544);
        assert_eq!(total(&Architecture::lenet5()), 61_706);
    }

    #[test]
    fn alexnet_shapes_and_receptive_fields() {
        let reports = analyse((3, 224, 224), &Architecture::alexnet().layers).unwrap();
        assert_eq!(reports[0].output, (64, 55, 55));
        assert_eq!(reports[2].output, (64, 27, 27));
        assert_eq!(reports[12].output, (256, 6, 6));
        assert_eq!(reports[14].output, (9216, 1, 1));
        assert_eq!(reports[0].receptive_field.unwrap().size, (11, 11));
        // conv1 11/4, pool 3/2, conv2 5: 11 + 2*4 + 4*8 = 51.
        assert_eq!(reports[3].receptive_field.unwrap().size, (51, 51));
        // The adaptive pool keeps 6x6, so the field lives on: 195 after the last pool.
        assert_eq!(reports[13].receptive_field.unwrap().size, (195, 195));
        assert_eq!(reports[14].receptive_field, None);
        assert_eq!(reports[0].multiply_adds, 55 * 55 * 64 * 11 * 11 * 3);
        assert_eq!(
            reports[15].layer.pytorch(reports[15].input.0),
            "nn.Linear(9216, 4096)"
        );
        assert_eq!(
            reports[0].layer.pytorch(3),
            "nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2)"
        );
    }

    #[test]
    fn three_small_against_one_large() {
        let three = analyse((1, 64, 64), &Architecture::three_3x3().layers).unwrap();
        let one = analyse((1, 64, 64), &Architecture::one_7x7().layers).unwrap();
        assert_eq!(
            three
                .iter()
                .map(|r| r.receptive_field.unwrap().size.0)
                .collect::<Vec<_>>(),
            [3, 5, 7]
        );
        assert_eq!(one[0].receptive_field.unwrap().size.0, 7);
        assert_eq!((total_parameters(&three), total_parameters(&one)), (27, 49));
        assert_eq!(three[2].output, one[0].output);
    }

    #[test]
    fn hundred_pixels_need_fifty_layers() {
        assert_eq!(layers_to_cover(100, 3), Ok(50));
        let stack = Architecture::stack_3x3(50);
        let reports = analyse(stack.input, &stack.layers).unwrap();
        assert_eq!(reports[49].receptive_field.unwrap().size.0, 101);
        assert_eq!(reports[48].receptive_field.unwrap().size.0, 99);
        assert!(layers_to_cover(100, 1).is_err());
    }

    #[test]
    fn forward_runs_within_the_budget() {
        let input = Tensor::new(
            3,
            64,
            64,
            (0..3 * 64 * 64).map(|i| (i % 251) as f32).collect(),
        )
        .unwrap();
        let layers = Architecture::alexnet().layers;
        let outputs = forward(&input, &layers, 50_000_000).unwrap();
        // 64x64 input: conv1 -> 64x15x15, pool -> 7x7, conv2 -> 192x7x7, pool -> 3x3, ...
        assert_eq!((outputs[0].channels(), outputs[0].height()), (64, 15));
        assert!(outputs.len() >= 3 && outputs.len() < layers.len());
        let lenet = forward(
            &Tensor::filled(crate::Shape::new(1, 1, 32, 32).unwrap(), 1.0),
            &Architecture::lenet5().layers,
            u64::MAX,
        )
        .unwrap();
        assert_eq!(lenet.len(), 6, "stops at flatten");
        assert_eq!(lenet[5].shape(), crate::Shape::new(1, 16, 5, 5).unwrap());
    }

    #[test]
    fn stacks_are_written_and_read_back() {
        for architecture in [
            Architecture::lenet5(),
            Architecture::alexnet(),
            Architecture::vgg16(),
        ] {
            let text = architecture.to_string();
            let read = Architecture::parse(&text).unwrap();
            assert_eq!(
                (read.input, &read.layers),
                (architecture.input, &architecture.layers),
                "{text}"
            );
        }
        let mine =
            Architecture::parse("conv(8,3,1,1); relu\nmax(2);conv(16, 3, 2);flatten;linear(10)")
                .unwrap();
        assert_eq!(mine.input, (3, 64, 64));
        let reports = analyse(mine.input, &mine.layers).unwrap();
        assert_eq!(reports[3].output, (16, 15, 15));
        assert_eq!(
            total_parameters(&reports),
            (3 * 9 + 1) * 8 + (8 * 9 + 1) * 16 + (16 * 15 * 15 + 1) * 10
        );
        let message = |text: &str| Architecture::parse(text).unwrap_err().to_string();
        assert!(message("conv(8)").contains("layer 1 ('conv(8)'): takes 2 to 5 numbers, not 1"));
        assert!(message("relu; pool(2)").contains("layer 2 ('pool(2)'): use input, conv"));
        assert!(message("conv(0,3)").contains("number of filters must be from 1 to 4096, not 0"));
        assert!(message("conv(8,x)").contains("'x' is not a whole number"));
        assert!(message("conv(8,3").contains("a ')' is missing"));
        assert!(message("relu; input(1,8,8)").contains("use input, conv"));
        assert!(message(&"relu;".repeat(70)).contains("more than the limit of 64"));
    }

    #[test]
    fn bad_stacks_are_explained() {
        assert!(analyse((3, 8, 8), &[Layer::conv(4, 11, 1, 0)])
            .unwrap_err()
            .to_string()
            .contains("larger than the padded input"));
        let flat = [Layer::Flatten, Layer::linear(3), Layer::conv(1, 1, 1, 0)];
        assert!(analyse((1, 4, 4), &flat)
            .unwrap_err()
            .to_string()
            .contains("flat vector"));
        assert!(analyse((0, 4, 4), &[Layer::Relu]).is_err());
    }
}
