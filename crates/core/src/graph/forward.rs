//! A forward pass of a [`Graph`] on a real image with simple fixed weights, so that a
//! student sees what each block does to a photo: the maps are those of an untrained
//! network whose filters are the lecture's kernels, not of trained weights.
//!
//! - Filter `o` of a 3x3 convolution is the lecture's preset number `o mod 8` (Edges,
//!   Blur, Sharpen, the Sobels, Identity), averaged over its group's input channels; a
//!   depthwise 3x3 convolution applies that preset to channel `o` alone.
//! - A 1x1 convolution's filter `o` passes its group's input channel `o mod C_in`
//!   through (a channel selection); other sizes use a Gaussian-like box blur for even
//!   filters and a centre-minus-surround for odd ones. Biases are 0.
//! - Batch normalisation has weight 1, bias 0, running mean 0 and variance 1: the
//!   identity, as is dropout (and stochastic depth) at inference.
//! - Merges add, concatenate along channels, or scale each channel by its gate.
//! - Flatten and linear layers are counted, not run.

use crate::conv::{conv2d, ConvParams};
use crate::error::Result;
use crate::geometry::Padding;
use crate::kernel::{Kernel, Preset};
use crate::pool::pool2d;
use crate::tensor::Tensor;

use super::{Graph, Merge, Op};

/// What a forward pass computed.
#[derive(Debug, Clone, PartialEq)]
pub struct Forward {
    /// Each node's output, where it ran and was asked to be kept (the input is node 0).
    pub outputs: Vec<Option<Tensor>>,
    /// The multiply-adds spent.
    pub multiply_adds: u64,
    /// How many nodes ran (the input counts as one).
    pub ran: usize,
    /// Which nodes ran, node by node.
    pub done: Vec<bool>,
}

/// Runs `graph` on `input` (which replaces the graph's input size), stopping before a
/// node that would take the multiply-adds past `budget` (the demo's time limit); nodes
/// after flatten or a linear layer, and nodes whose inputs did not run, do not run.
/// Keeps the outputs of the nodes for which `keep(node)` holds, and frees every other
/// output once its last reader has run.
///
/// # Errors
/// As [`Graph::analyse`], for the graph on this input.
pub fn forward(
    graph: &Graph,
    input: &Tensor,
    budget: u64,
    keep: impl Fn(usize) -> bool,
) -> Result<Forward> {
    let mut pass = Pass::new(graph, input, budget, keep)?;
    pass.run(u64::MAX)?;
    Ok(pass.into_forward())
}

/// A [`forward`] pass run a slice at a time, so that a page can draw between slices:
/// [`Pass::run`] goes on from where the last slice stopped.
#[derive(Debug, Clone)]
pub struct Pass {
    graph: Graph,
    reports: Vec<crate::graph::NodeReport>,
    input: Tensor,
    budget: u64,
    keep: Vec<bool>,
    last_use: Vec<usize>,
    live: Vec<Option<Tensor>>,
    next: usize,
    forward: Forward,
}

impl Pass {
    /// A pass of `graph` on `input` that has not run yet, as [`forward`] describes.
    ///
    /// # Errors
    /// As [`Graph::analyse`], for the graph on this input.
    pub fn new(
        graph: &Graph,
        input: &Tensor,
        budget: u64,
        keep: impl Fn(usize) -> bool,
    ) -> Result<Pass> {
        let graph = graph.with_input_size(input.height(), input.width());
        let reports = graph.analyse()?;
        let count = graph.nodes.len();
        let mut last_use = vec![0usize; count];
        for (index, node) in graph.nodes.iter().enumerate() {
            for &i in &node.inputs {
                last_use[i] = last_use[i].max(index);
            }
        }
        Ok(Pass {
            reports,
            input: input.clone(),
            budget,
            keep: (0..count).map(keep).collect(),
            last_use,
            live: vec![None; count],
            next: 0,
            forward: Forward {
                outputs: vec![None; count],
                multiply_adds: 0,
                ran: 0,
                done: vec![false; count],
            },
            graph,
        })
    }

    /// Runs the next nodes until about `slice` multiply-adds are spent (at least one
    /// node, if any is left); returns whether every node has been visited.
    ///
    /// # Errors
    /// As [`forward`].
    pub fn run(&mut self, slice: u64) -> Result<bool> {
        let mut spent_here = 0u64;
        while self.next < self.graph.nodes.len() && spent_here < slice {
            let index = self.next;
            let node = &self.graph.nodes[index];
            let cost = self.reports[index].multiply_adds;
            let live = &self.live;
            let inputs: Option<Vec<&Tensor>> =
                node.inputs.iter().map(|&i| live[i].as_ref()).collect();
            let spent = self.forward.multiply_adds;
            let output = match (node.op, inputs) {
                (Op::Input(_), _) => Some(self.input.clone()),
                (Op::Flatten | Op::Linear { .. }, _) | (_, None) => None,
                (_, Some(_)) if spent.saturating_add(cost) > self.budget => None,
                (op, Some(inputs)) => {
                    self.forward.multiply_adds += cost;
                    spent_here = spent_here.saturating_add(cost);
                    Some(run(&op, &inputs)?)
                }
            };
            self.forward.ran += usize::from(output.is_some());
            self.forward.done[index] = output.is_some();
            for &i in &self.graph.nodes[index].inputs {
                if self.last_use[i] == index {
                    self.live[i] = None;
                }
            }
            if self.keep[index] {
                self.forward.outputs[index] = output.clone();
            }
            if self.last_use[index] > index {
                self.live[index] = output;
            }
            self.next += 1;
        }
        Ok(self.finished())
    }

    /// Every node has been visited (run, or left out).
    pub fn finished(&self) -> bool {
        self.next >= self.graph.nodes.len()
    }

    /// How many nodes have been visited.
    pub fn visited(&self) -> usize {
        self.next
    }

    /// What ran so far.
    pub fn forward(&self) -> &Forward {
        &self.forward
    }

    /// What ran, with the kept outputs.
    pub fn into_forward(self) -> Forward {
        self.forward
    }
}

/// One node on its inputs (all present, and the node not flat).
fn run(op: &Op, inputs: &[&Tensor]) -> Result<Tensor> {
    let Some(&x) = inputs.first() else {
        return Err(crate::Error::Wiring {
            layer: 0,
            given: 0,
            takes: op.arity(),
        });
    };
    Ok(match *op {
        Op::Conv(conv) => {
            let per_group = x.channels() / conv.groups.max(1);
            let weight = fixed_weights(conv.out_channels, per_group, conv.kernel)?;
            let params = ConvParams {
                stride: conv.stride,
                padding: Padding::symmetric(conv.padding.0, conv.padding.1),
                dilation: conv.dilation,
                groups: conv.groups,
                ..ConvParams::default()
            };
            conv2d(x, &weight, None, &params)?
        }
        Op::Activation(activation) => {
            let mut out = x.clone();
            out.data_mut()
                .iter_mut()
                .for_each(|v| *v = activation.apply(*v));
            out
        }
        Op::Pool(pool) => pool2d(x, pool.function, &pool.params())?,
        Op::AdaptiveAvgPool { output } => crate::pool::adaptive_avg_pool2d(x, output)?,
        Op::Merge(Merge::Add) => {
            let mut out = x.clone();
            for other in &inputs[1..] {
                out.data_mut()
                    .iter_mut()
                    .zip(other.data())
                    .for_each(|(a, b)| *a += b);
            }
            out
        }
        Op::Merge(Merge::Concat) => {
            let channels = inputs.iter().map(|t| t.channels()).sum();
            let data = inputs
                .iter()
                .flat_map(|t| t.data().iter().copied())
                .collect();
            Tensor::new(channels, x.height(), x.width(), data)?
        }
        Op::Merge(Merge::Scale) => {
            let gate = inputs.get(1).map_or(&[][..], |g| g.data());
            let plane = x.height() * x.width();
            let mut out = x.clone();
            for (channel, values) in out.data_mut().chunks_mut(plane.max(1)).enumerate() {
                let g = gate.get(channel).copied().unwrap_or(1.0);
                values.iter_mut().for_each(|v| *v *= g);
            }
            out
        }
        Op::Input(_)
        | Op::BatchNorm
        | Op::Dropout { .. }
        | Op::StochasticDepth { .. }
        | Op::Flatten
        | Op::Linear { .. } => x.clone(),
    })
}

/// The fixed weights of a convolution with `out_channels` filters of `per_group` input
/// channels (see the module's documentation).
pub(crate) fn fixed_weights(
    out_channels: usize,
    per_group: usize,
    (kh, kw): (usize, usize),
) -> Result<Tensor> {
    let mut data = Vec::with_capacity(out_channels * per_group * kh * kw);
    for o in 0..out_channels {
        if (kh, kw) == (1, 1) {
            let pick = o % per_group.max(1);
            data.extend((0..per_group).map(|i| if i == pick { 1.0 } else { 0.0 }));
            continue;
        }
        let kernel = if (kh, kw) == (3, 3) {
            Preset::LECTURE[o % Preset::LECTURE.len()].kernel()
        } else if o % 2 == 0 {
            Kernel::new(kh, kw, vec![1.0 / (kh * kw) as f32; kh * kw])?
        } else {
            // Centre minus surround: a blob detector of any size.
            let surround = -1.0 / (kh * kw - 1).max(1) as f32;
            let mut weights = vec![surround; kh * kw];
            weights[(kh / 2) * kw + kw / 2] = 1.0;
            Kernel::new(kh, kw, weights)?
        };
        for _ in 0..per_group {
            data.extend(kernel.weights().iter().map(|w| w / per_group as f32));
        }
    }
    Tensor::with_batch(out_channels, per_group, kh, kw, data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::torchvision;

    fn photo(channels: usize, side: usize) -> Tensor {
        let data = (0..channels * side * side)
            .map(|i| ((i * 37) % 251) as f32)
            .collect();
        Tensor::new(channels, side, side, data).unwrap()
    }

    #[test]
    fn every_preset_runs_on_a_small_photo() {
        // Small inputs (torchvision's smallest for Inception v3 and AlexNet) and a budget,
        // so that the debug build stays quick: VGG is a chain, run by the stack's tests.
        let budget = 60_000_000;
        for (name, side) in [
            ("lenet5", 32),
            ("alexnet", 63),
            ("resnet18", 32),
            ("resnet50", 32),
            ("googlenet_aux", 32),
            ("inception_v3", 75),
            ("densenet121", 32),
            ("mobilenet_v2", 32),
            ("efficientnet_b0", 32),
        ] {
            let graph = torchvision::preset(name).unwrap();
            let input = photo(graph.input().0, side);
            let run = forward(&graph, &input, budget, |_| true).unwrap();
            let reports = graph.with_input_size(side, side).analyse().unwrap();
            let mut spent = 0u64;
            for ((node, output), report) in graph.nodes.iter().zip(&run.outputs).zip(&reports) {
                spent += report.multiply_adds;
                match output {
                    Some(output) => {
                        let shape = (output.channels(), output.height(), output.width());
                        assert_eq!(shape, report.output, "{name} {}", node.name);
                        assert!(output.data().iter().all(|v| v.is_finite()), "{name}");
                    }
                    None => assert!(
                        report.flat || spent > budget,
                        "{name}: {} did not run",
                        node.name
                    ),
                }
            }
            // Inception v3 at its smallest still costs more: only its first blocks run.
            if name != "inception_v3" {
                assert!(run.ran > graph.nodes.len() / 2, "{name}: {}", run.ran);
            }
        }
    }

    #[test]
    fn the_budget_stops_the_pass_and_outputs_are_freed() {
        let graph = torchvision::resnet18();
        let input = photo(3, 32);
        let full = forward(&graph, &input, u64::MAX, |_| true).unwrap();
        let half = forward(&graph, &input, full.multiply_adds / 2, |_| true).unwrap();
        assert!(half.ran < full.ran && half.multiply_adds <= full.multiply_adds / 2);
        // `done` says node by node what `ran` counts; flat layers never run.
        assert_eq!(half.done.iter().filter(|&&d| d).count(), half.ran);
        assert_eq!(full.done.len(), graph.nodes.len());
        let fc = graph.nodes.len() - 1;
        assert!(full.done[..fc - 1].iter().all(|&d| d) && !full.done[fc]);
        // Only what was asked for is kept.
        let last = graph.blocks[4].nodes.end - 1;
        let one = forward(&graph, &input, u64::MAX, |i| i == last).unwrap();
        assert_eq!(one.outputs.iter().filter(|o| o.is_some()).count(), 1);
        assert_eq!(one.outputs[last], full.outputs[last]);
        // A pass run in small slices computes the same.
        let mut pass = Pass::new(&graph, &input, full.multiply_adds / 2, |_| true).unwrap();
        let mut slices = 0;
        while !pass.run(1_000_000).unwrap() {
            slices += 1;
            assert!(pass.visited() < graph.nodes.len());
        }
        assert!(slices > 3, "{slices} slices");
        assert_eq!(pass.into_forward(), half);
    }

    #[test]
    fn merges_add_concatenate_and_scale() {
        let x = Tensor::new(2, 1, 2, vec![1.0, 2.0, 3.0, 4.0]).unwrap();
        let sum = run(&Op::Merge(Merge::Add), &[&x, &x]).unwrap();
        assert_eq!(sum.data(), [2.0, 4.0, 6.0, 8.0]);
        let cat = run(&Op::Merge(Merge::Concat), &[&x, &sum]).unwrap();
        assert_eq!(cat.channels(), 4);
        assert_eq!(&cat.data()[4..], [2.0, 4.0, 6.0, 8.0]);
        let gate = Tensor::new(2, 1, 1, vec![0.5, 0.0]).unwrap();
        let scaled = run(&Op::Merge(Merge::Scale), &[&x, &gate]).unwrap();
        assert_eq!(scaled.data(), [0.5, 1.0, 0.0, 0.0]);
        // A 1x1 convolution selects channels.
        let weights = fixed_weights(3, 2, (1, 1)).unwrap();
        assert_eq!(weights.data(), [1.0, 0.0, 0.0, 1.0, 1.0, 0.0]);
    }
}
