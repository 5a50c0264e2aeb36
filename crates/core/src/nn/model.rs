//! A network with learned weights, built from a stack of [`Layer`]s: its forward pass
//! on a batch, and the backward pass that gives every weight's gradient.
//!
//! Every layer of the stack syntax can be trained: convolutions (any stride, padding,
//! dilation and groups), ReLU, max, min and mean pooling, adaptive average pooling,
//! flatten and linear layers. Weights start as PyTorch starts them ([`super::init`]).
//! Tensors are NCHW; after a flatten or a linear layer a batch of `n` feature vectors
//! is `N x n x 1 x 1`, and a linear layer reads whatever comes before it as flat
//! features (`C·H·W` of them).

use super::digits::{fnv1a, FNV_OFFSET};
use super::init;
use super::rng::Rng;
use crate::backward::{
    conv2d_input_gradient, conv2d_weight_gradient, max_pool2d_backward, max_pool2d_with_indices,
    pool2d_backward,
};
use crate::conv::{conv2d, ConvParams};
use crate::error::{Error, Result};
use crate::geometry::{Padding, Pads};
use crate::network::{analyse, Architecture, Layer, LayerReport};
use crate::pool::{adaptive_avg_pool2d, adaptive_window};
use crate::pool::{pool2d, PoolFunction, PoolParams};
use crate::tensor::{Shape, Tensor};

/// One learned tensor (a layer's weights or its bias) and the gradient of the loss with
/// respect to it, from the last backward pass.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// The values: `C_out x C_in/groups x K_h x K_w` for a convolution's weights,
    /// `out x in x 1 x 1` for a linear layer's, `1 x out x 1 x 1` for a bias.
    pub value: Tensor,
    /// `∂loss/∂value`, the same layout (zeros before the first backward pass).
    pub gradient: Vec<f32>,
}

impl Parameter {
    fn new(value: Tensor) -> Self {
        let gradient = vec![0.0; value.data().len()];
        Parameter { value, gradient }
    }
}

/// Which parameters a layer owns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Slot {
    weight: usize,
    bias: Option<usize>,
}

/// A stack of layers with its learned parameters.
#[derive(Clone, PartialEq)]
pub struct Model {
    input: (usize, usize, usize),
    reports: Vec<LayerReport>,
    slots: Vec<Option<Slot>>,
    parameters: Vec<Parameter>,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("input", &self.input)
            .field(
                "layers",
                &self.reports.iter().map(|r| r.layer).collect::<Vec<_>>(),
            )
            .field("parameters", &self.parameter_count())
            .field("fingerprint", &format_args!("{:08x}", self.fingerprint()))
            .finish()
    }
}

/// What a forward pass keeps for the backward pass: every layer's output, and for max
/// pooling the winners' indices.
#[derive(Debug, Clone, PartialEq)]
pub struct Activations {
    /// Layer `i`'s output (the last is the scores).
    pub outputs: Vec<Tensor>,
    indices: Vec<Option<Vec<usize>>>,
}

impl Activations {
    /// The last layer's output: `N x classes x 1 x 1` scores for a classifier.
    pub fn scores(&self) -> Option<&Tensor> {
        self.outputs.last()
    }
}

impl Model {
    /// The network `architecture` with PyTorch's initial weights drawn from `rng`, layer
    /// after layer (weights, then bias).
    ///
    /// # Errors
    /// As [`analyse`]: a layer that does not fit its input.
    pub fn new(architecture: &Architecture, rng: &mut Rng) -> Result<Self> {
        let reports = analyse(architecture.input, &architecture.layers)?;
        let mut parameters = Vec::new();
        let mut slots = Vec::with_capacity(reports.len());
        for report in &reports {
            let slot = match report.layer {
                Layer::Conv {
                    out_channels,
                    kernel,
                    groups,
                    bias,
                    ..
                } => {
                    let per_group = report.input.0 / groups.max(1);
                    let shape = Shape::new(out_channels, per_group, kernel.0, kernel.1)?;
                    Some(add_layer(&mut parameters, rng, shape, bias)?)
                }
                Layer::Linear { out_features, bias } => {
                    let (c, h, w) = report.input;
                    let shape = Shape::new(out_features, c * h * w, 1, 1)?;
                    Some(add_layer(&mut parameters, rng, shape, bias)?)
                }
                _ => None,
            };
            slots.push(slot);
        }
        Ok(Model {
            input: architecture.input,
            reports,
            slots,
            parameters,
        })
    }

    /// The input each image must have, `(channels, height, width)`.
    pub fn input(&self) -> (usize, usize, usize) {
        self.input
    }

    /// Every layer with its shapes and counts, as [`analyse`] reports them.
    pub fn reports(&self) -> &[LayerReport] {
        &self.reports
    }

    /// The last layer's output for one image, `(channels, height, width)`.
    pub fn output(&self) -> (usize, usize, usize) {
        self.reports.last().map_or(self.input, |r| r.output)
    }

    /// Every parameter, layer after layer (weights, then bias).
    pub fn parameters(&self) -> &[Parameter] {
        &self.parameters
    }

    /// The number of learned values: the stack's parameter count.
    pub fn parameter_count(&self) -> usize {
        self.parameters.iter().map(|p| p.gradient.len()).sum()
    }

    /// Layer `layer`'s weights and their gradient (convolutions and linear layers).
    pub fn weight(&self, layer: usize) -> Option<&Parameter> {
        let slot = self.slots.get(layer)?.as_ref()?;
        self.parameters.get(slot.weight)
    }

    /// Layer `layer`'s bias and its gradient, if it has one.
    pub fn bias(&self, layer: usize) -> Option<&Parameter> {
        let slot = self.slots.get(layer)?.as_ref()?;
        self.parameters.get(slot.bias?)
    }

    /// Every learned value in one list, layer after layer (weights, then bias): what
    /// [`Model::set_values`] reads back.
    pub fn values(&self) -> Vec<f32> {
        self.parameters
            .iter()
            .flat_map(|p| p.value.data().iter().copied())
            .collect()
    }

    /// Replaces every learned value, in the order of [`Model::values`].
    ///
    /// # Errors
    /// A list of another length, or a value that is not finite (nothing is changed).
    pub fn set_values(&mut self, values: &[f32]) -> Result<()> {
        if values.len() != self.parameter_count() {
            return Err(Error::DataLength {
                what: "list of weights",
                expected: self.parameter_count(),
                actual: values.len(),
            });
        }
        if let Some(index) = values.iter().position(|v| !v.is_finite()) {
            return Err(Error::WeightNotFinite {
                index,
                value: values[index],
            });
        }
        let mut rest = values;
        for parameter in &mut self.parameters {
            let (mine, others) = rest.split_at(parameter.gradient.len());
            parameter.value.data_mut().copy_from_slice(mine);
            rest = others;
        }
        Ok(())
    }

    /// A 32-bit fingerprint (FNV-1a) of every learned value's bits: two models have the
    /// same one when their weights are (almost surely) the same bits, so runs natively
    /// and in WebAssembly can be compared by one number.
    pub fn fingerprint(&self) -> u32 {
        self.parameters
            .iter()
            .flat_map(|p| p.value.data())
            .fold(FNV_OFFSET, |hash, value| {
                fnv1a(hash, &value.to_bits().to_le_bytes())
            })
    }

    /// The size of each weighted layer's gradient after the last backward pass: for
    /// every convolution and linear layer, `(layer, ‖∂loss/∂W‖₂)`, the Euclidean norm of
    /// its weights' gradient (the bias left out), summed in `f64`. A layer whose norm
    /// stays near zero does not learn: what "vanishing gradients" means, layer by layer.
    pub fn gradient_norms(&self) -> Vec<(usize, f32)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(layer, slot)| {
                let gradient = &self.parameters.get(slot.as_ref()?.weight)?.gradient;
                let squares: f64 = gradient.iter().map(|&g| f64::from(g) * f64::from(g)).sum();
                Some((layer, squares.sqrt() as f32))
            })
            .collect()
    }

    /// The parameters and their gradients, as [`super::Optimizer::step`] takes them.
    pub fn parameters_and_gradients(&mut self) -> impl Iterator<Item = (&mut [f32], &[f32])> {
        self.parameters
            .iter_mut()
            .map(|p| (p.value.data_mut(), &p.gradient[..]))
    }

    /// Runs every layer on a batch `N x C x H x W` of the model's input size.
    ///
    /// # Errors
    /// An input of another size; a weight that is not finite.
    pub fn forward(&self, input: &Tensor) -> Result<Activations> {
        let shape = input.shape();
        if (shape.channels, shape.height, shape.width) != self.input {
            return Err(Error::TrainingInput {
                expected: self.input,
                actual: (shape.channels, shape.height, shape.width),
            });
        }
        let mut outputs: Vec<Tensor> = Vec::with_capacity(self.reports.len());
        let mut indices = Vec::with_capacity(self.reports.len());
        for (index, report) in self.reports.iter().enumerate() {
            let current = outputs.last().unwrap_or(input);
            let batch = current.batch();
            let mut winners = None;
            let next = match report.layer {
                Layer::Conv { .. } => {
                    let (weight, bias) = self.weight_and_bias(index)?;
                    conv2d(current, weight, bias, &conv_params(&report.layer))?
                }
                Layer::Relu => {
                    let mut out = current.clone();
                    out.relu();
                    out
                }
                Layer::Pool { function, .. } => {
                    let params = pool_params(&report.layer);
                    if function == PoolFunction::Max {
                        let (out, found) = max_pool2d_with_indices(current, &params)?;
                        winners = Some(found);
                        out
                    } else {
                        pool2d(current, function, &params)?
                    }
                }
                Layer::AdaptiveAvgPool { output } => adaptive_avg_pool2d(current, output)?,
                Layer::Flatten => flat(current)?,
                Layer::Linear { .. } => {
                    let (weight, bias) = self.weight_and_bias(index)?;
                    linear(current, weight, bias)?
                }
                Layer::Add { back } => {
                    // The input of layer `index - back`: the analysis checked it exists
                    // and has this shape.
                    let from = index - back;
                    let shortcut = if from == 0 { input } else { &outputs[from - 1] };
                    let mut out = current.clone();
                    add_scaled(out.data_mut(), 1.0, shortcut.data());
                    out
                }
            };
            debug_assert_eq!(next.batch(), batch);
            outputs.push(next);
            indices.push(winners);
        }
        Ok(Activations { outputs, indices })
    }

    /// The backward pass: from `grad_scores` (`∂loss/∂scores`, the last output's layout)
    /// and the forward pass's `activations` on `input`, sets every parameter's gradient.
    ///
    /// # Errors
    /// Activations or gradients that do not belong to this model and input.
    pub fn backward(
        &mut self,
        input: &Tensor,
        activations: &Activations,
        grad_scores: &[f32],
    ) -> Result<()> {
        let Some(scores) = activations.outputs.last() else {
            return Ok(());
        };
        if activations.outputs.len() != self.reports.len() {
            return Err(Error::DataLength {
                what: "list of layer outputs",
                expected: self.reports.len(),
                actual: activations.outputs.len(),
            });
        }
        let mut grad = like(scores, grad_scores.to_vec())?;
        // What residual connections send back to the input of the layer they start at:
        // `y = F(x) + x` gives `∂L/∂x = ∂L/∂y ∂F/∂x + ∂L/∂y`, the second term through here.
        let mut shortcuts: Vec<Option<Tensor>> = vec![None; self.reports.len()];
        for index in (0..self.reports.len()).rev() {
            let report = self.reports[index];
            let layer_input = if index == 0 {
                input
            } else {
                &activations.outputs[index - 1]
            };
            // The first layer's input is the data: no gradient is needed there.
            let wants_input = index > 0;
            grad = match report.layer {
                Layer::Conv { .. } => {
                    let params = conv_params(&report.layer);
                    let slot = self.slot(index)?;
                    let weight = &self.parameters[slot.weight].value;
                    let (weight_grad, bias_grad) =
                        conv2d_weight_gradient(layer_input, weight.shape(), &grad, &params)?;
                    let input_grad = if wants_input {
                        Some(conv2d_input_gradient(
                            layer_input.shape(),
                            weight,
                            &grad,
                            &params,
                        )?)
                    } else {
                        None
                    };
                    self.store(slot, weight_grad.data(), &bias_grad);
                    match input_grad {
                        Some(input_grad) => input_grad,
                        None => break,
                    }
                }
                Layer::Relu => {
                    let output = &activations.outputs[index];
                    for (g, &out) in grad.data_mut().iter_mut().zip(output.data()) {
                        if out <= 0.0 {
                            *g = 0.0;
                        }
                    }
                    grad
                }
                Layer::Pool { function, .. } => match &activations.indices[index] {
                    Some(winners) => max_pool2d_backward(&grad, winners, layer_input.shape())?,
                    None => {
                        pool2d_backward(layer_input, &grad, function, &pool_params(&report.layer))?
                    }
                },
                Layer::AdaptiveAvgPool { output } => {
                    adaptive_average_backward(&grad, layer_input.shape(), output)?
                }
                Layer::Flatten => like(layer_input, grad.into_data())?,
                Layer::Linear { .. } => {
                    let slot = self.slot(index)?;
                    let weight = &self.parameters[slot.weight].value;
                    let (input_grad, weight_grad, bias_grad) =
                        linear_backward(layer_input, weight, &grad, wants_input)?;
                    self.store(slot, &weight_grad, &bias_grad);
                    match input_grad {
                        Some(input_grad) => input_grad,
                        None => break,
                    }
                }
                Layer::Add { back } => {
                    // The sum's gradient goes on to the layer before unchanged, and
                    // along the shortcut to the input of layer `index - back`.
                    let from = index - back;
                    match &mut shortcuts[from] {
                        Some(sum) => add_scaled(sum.data_mut(), 1.0, grad.data()),
                        slot => *slot = Some(grad.clone()),
                    }
                    grad
                }
            };
            if let Some(shortcut) = shortcuts[index].take() {
                add_scaled(grad.data_mut(), 1.0, shortcut.data());
            }
        }
        Ok(())
    }

    fn slot(&self, layer: usize) -> Result<Slot> {
        self.slots
            .get(layer)
            .copied()
            .flatten()
            .ok_or(Error::DataLength {
                what: "list of layer parameters",
                expected: layer + 1,
                actual: self.slots.len(),
            })
    }

    fn weight_and_bias(&self, layer: usize) -> Result<(&Tensor, Option<&[f32]>)> {
        let slot = self.slot(layer)?;
        Ok((
            &self.parameters[slot.weight].value,
            slot.bias.map(|b| self.parameters[b].value.data()),
        ))
    }

    fn store(&mut self, slot: Slot, weight: &[f32], bias: &[f32]) {
        self.parameters[slot.weight]
            .gradient
            .copy_from_slice(weight);
        if let Some(b) = slot.bias {
            self.parameters[b].gradient.copy_from_slice(bias);
        }
    }
}

/// Adds a layer's weights of `shape` (and its bias) with PyTorch's initialisation.
fn add_layer(
    parameters: &mut Vec<Parameter>,
    rng: &mut Rng,
    shape: Shape,
    bias: bool,
) -> Result<Slot> {
    let fan_in = shape.channels * shape.height * shape.width;
    let mut weight = Tensor::filled(shape, 0.0);
    init::uniform(rng, weight.data_mut(), init::weight_bound(fan_in));
    parameters.push(Parameter::new(weight));
    let slot = Slot {
        weight: parameters.len() - 1,
        bias: bias.then_some(parameters.len()),
    };
    if bias {
        let mut values = Tensor::filled(Shape::new(1, shape.batch, 1, 1)?, 0.0);
        init::uniform(rng, values.data_mut(), init::bias_bound(fan_in));
        parameters.push(Parameter::new(values));
    }
    Ok(slot)
}

fn conv_params(layer: &Layer) -> ConvParams {
    match *layer {
        Layer::Conv {
            stride,
            padding,
            dilation,
            groups,
            ..
        } => ConvParams {
            stride,
            padding: Padding::symmetric(padding.0, padding.1),
            dilation,
            groups,
            ..ConvParams::default()
        },
        _ => ConvParams::default(),
    }
}

fn pool_params(layer: &Layer) -> PoolParams {
    match *layer {
        Layer::Pool {
            kernel,
            stride,
            padding,
            ..
        } => PoolParams {
            kernel,
            stride: Some(stride),
            padding: Pads::symmetric(padding.0, padding.1),
            ..PoolParams::square(1)
        },
        _ => PoolParams::square(1),
    }
}

/// `data` in the shape of `tensor`.
fn like(tensor: &Tensor, data: Vec<f32>) -> Result<Tensor> {
    let s = tensor.shape();
    Tensor::with_batch(s.batch, s.channels, s.height, s.width, data)
}

/// Every image's values as one feature vector: `N x (C·H·W) x 1 x 1`.
fn flat(input: &Tensor) -> Result<Tensor> {
    let s = input.shape();
    Tensor::with_batch(
        s.batch,
        s.channels * s.height * s.width,
        1,
        1,
        input.data().to_vec(),
    )
}

/// `nn.Linear`: `y = x Wᵀ + b` for every image's features `x` (`N x in`), weights `W`
/// (`out x in`).
fn linear(input: &Tensor, weight: &Tensor, bias: Option<&[f32]>) -> Result<Tensor> {
    let (outs, ins) = (weight.batch(), weight.channels());
    let batch = input.batch();
    // Wᵀ, so that each input feature adds a contiguous row to the outputs.
    let mut transposed = vec![0.0; ins * outs];
    for (o, row) in weight.data().chunks_exact(ins).enumerate() {
        for (i, &w) in row.iter().enumerate() {
            transposed[i * outs + o] = w;
        }
    }
    let mut data = Vec::with_capacity(batch * outs);
    for x in input.data().chunks_exact(ins) {
        let start = data.len();
        match bias {
            Some(b) => data.extend_from_slice(b),
            None => data.resize(start + outs, 0.0),
        }
        let y = &mut data[start..];
        for (&x, w) in x.iter().zip(transposed.chunks_exact(outs)) {
            add_scaled(y, x, w);
        }
    }
    Tensor::with_batch(batch, outs, 1, 1, data)
}

/// The gradients of [`linear`]: `∂x = ∂y W` (if wanted), `∂W = ∂yᵀ x`, `∂b = Σ ∂y`.
#[allow(clippy::type_complexity)]
fn linear_backward(
    input: &Tensor,
    weight: &Tensor,
    grad: &Tensor,
    wants_input: bool,
) -> Result<(Option<Tensor>, Vec<f32>, Vec<f32>)> {
    let (outs, ins) = (weight.batch(), weight.channels());
    let mut weight_grad = vec![0.0; outs * ins];
    let mut bias_grad = vec![0.0; outs];
    let mut input_grad = wants_input.then(|| vec![0.0; input.data().len()]);
    for (n, (x, g)) in input
        .data()
        .chunks_exact(ins)
        .zip(grad.data().chunks_exact(outs))
        .enumerate()
    {
        for (o, &g) in g.iter().enumerate() {
            bias_grad[o] += g;
            if g == 0.0 {
                continue;
            }
            add_scaled(&mut weight_grad[o * ins..(o + 1) * ins], g, x);
            if let Some(input_grad) = &mut input_grad {
                add_scaled(
                    &mut input_grad[n * ins..(n + 1) * ins],
                    g,
                    &weight.data()[o * ins..(o + 1) * ins],
                );
            }
        }
    }
    let input_grad = input_grad.map(|data| like(input, data)).transpose()?;
    Ok((input_grad, weight_grad, bias_grad))
}

/// `out += scale · values`, lane by lane (the compiler vectorises it).
fn add_scaled(out: &mut [f32], scale: f32, values: &[f32]) {
    for (o, &v) in out.iter_mut().zip(values) {
        *o += scale * v;
    }
}

/// The gradient of adaptive average pooling: each output cell's gradient, divided by
/// its window's size, goes to every cell of the window.
fn adaptive_average_backward(
    grad: &Tensor,
    input: Shape,
    (out_h, out_w): (usize, usize),
) -> Result<Tensor> {
    let mut result = Tensor::filled(input, 0.0);
    let (h, w) = (input.height, input.width);
    for (plane, g) in result
        .data_mut()
        .chunks_exact_mut(input.plane_len())
        .zip(grad.data().chunks_exact(out_h * out_w))
    {
        for y in 0..out_h {
            let (top, bottom) = adaptive_window(y, h, out_h);
            for x in 0..out_w {
                let (left, right) = adaptive_window(x, w, out_w);
                let share = g[y * out_w + x] / ((bottom - top) * (right - left)) as f32;
                for row in top..bottom {
                    for cell in &mut plane[row * w + left..row * w + right] {
                        *cell += share;
                    }
                }
            }
        }
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::loss::cross_entropy;
    use crate::nn::train::LENET5;

    /// Every kind of layer, with strides, padding, dilation, groups, uneven windows,
    /// residual connections and overlapping adaptive windows (max and min pooling windows do not overlap: a
    /// winner that changes within ±h would leave no derivative to compare with).
    fn every_layer() -> Architecture {
        let pool = |function, kernel, stride, padding| Layer::Pool {
            function,
            kernel,
            stride,
            padding,
        };
        Architecture {
            name: "every layer",
            input: (2, 10, 10),
            layers: vec![
                Layer::Conv {
                    out_channels: 4,
                    kernel: (3, 3),
                    stride: (1, 1),
                    padding: (1, 1),
                    dilation: (2, 2),
                    groups: 2,
                    bias: true,
                },
                Layer::Relu,
                // A residual block: the shortcut from the first convolution's output.
                Layer::conv(4, 3, 1, 1),
                Layer::Add { back: 2 },
                pool(PoolFunction::Max, (2, 2), (2, 2), (0, 0)),
                Layer::Conv {
                    out_channels: 3,
                    kernel: (3, 2),
                    stride: (2, 1),
                    padding: (1, 0),
                    dilation: (1, 1),
                    groups: 1,
                    bias: false,
                },
                pool(PoolFunction::Mean, (2, 2), (1, 1), (1, 1)),
                Layer::AdaptiveAvgPool { output: (2, 3) },
                pool(PoolFunction::Min, (2, 1), (2, 1), (0, 0)),
                Layer::Flatten,
                Layer::linear(5),
                Layer::Relu,
                // Around one layer: relu(x) + x.
                Layer::Add { back: 1 },
                Layer::linear(3),
            ],
        }
    }

    fn random_batch(rng: &mut Rng, batch: usize, (c, h, w): (usize, usize, usize)) -> Tensor {
        let data = (0..batch * c * h * w)
            .map(|_| rng.uniform_in(-1.0, 1.0))
            .collect();
        Tensor::with_batch(batch, c, h, w, data).unwrap()
    }

    fn loss(model: &Model, input: &Tensor, labels: &[u8]) -> (f32, Vec<f32>, Activations) {
        let activations = model.forward(input).unwrap();
        let scores = activations.scores().unwrap().data();
        let result = cross_entropy(scores, labels, 3).unwrap();
        (result.loss, result.gradient, activations)
    }

    #[test]
    fn gradients_are_central_differences() {
        let architecture = every_layer();
        let mut rng = Rng::new(5);
        let mut model = Model::new(&architecture, &mut rng).unwrap();
        assert_eq!(model.output(), (3, 1, 1));
        assert_eq!(
            model.parameter_count() as u64,
            crate::network::total_parameters(model.reports())
        );
        let input = random_batch(&mut rng, 2, architecture.input);
        let labels = [0, 2];
        let (_, grad_scores, activations) = loss(&model, &input, &labels);
        model.backward(&input, &activations, &grad_scores).unwrap();
        let analytic: Vec<Vec<f32>> = model
            .parameters()
            .iter()
            .map(|p| p.gradient.clone())
            .collect();
        let values = model.values();
        let mut offset = 0;
        let (mut checked, mut kinks) = (0, 0);
        for (index, gradient) in analytic.iter().enumerate() {
            for (i, &g) in gradient.iter().enumerate() {
                let at = |delta: f32| {
                    let mut moved = values.clone();
                    moved[offset + i] += delta;
                    let mut probe = model.clone();
                    probe.set_values(&moved).unwrap();
                    f64::from(loss(&probe, &input, &labels).0)
                };
                let difference = |h: f32| (at(h) - at(-h)) / (2.0 * f64::from(h));
                let (numeric, half) = (difference(1e-3), difference(5e-4));
                if (numeric - half).abs() > 5e-4 {
                    // A ReLU or a pooling window's winner changes within ±h: the loss has
                    // a kink there and no central difference to compare with.
                    kinks += 1;
                    continue;
                }
                let g = f64::from(g);
                assert!(
                    (numeric - g).abs() <= 5e-4 + 1e-2 * numeric.abs(),
                    "parameter {index}, value {i}: finite difference {numeric}, backward {g}"
                );
                checked += 1;
            }
            offset += gradient.len();
        }
        assert_eq!(checked + kinks, model.parameter_count());
        assert!(
            kinks * 20 < checked,
            "{kinks} kinks against {checked} checked"
        );
        // The gradients are not all zero: every layer passed something back.
        for (index, gradient) in analytic.iter().enumerate() {
            assert!(gradient.iter().any(|&g| g != 0.0), "parameter {index}");
        }
    }

    #[test]
    fn lenet_has_the_papers_parameters_and_pytorchs_initial_ranges() {
        let architecture = Architecture::parse(LENET5).unwrap();
        let model = Model::new(&architecture, &mut Rng::new(1)).unwrap();
        assert_eq!(model.parameter_count(), 61_706);
        assert_eq!(model.output(), (10, 1, 1));
        let conv1 = model.weight(0).unwrap();
        assert_eq!(conv1.value.shape(), Shape::new(6, 1, 5, 5).unwrap());
        assert!(conv1.value.data().iter().all(|w| w.abs() <= 0.2));
        let fc1 = model.weight(7).unwrap();
        assert_eq!(fc1.value.shape(), Shape::new(120, 400, 1, 1).unwrap());
        assert!(fc1.value.data().iter().all(|w| w.abs() <= 0.05));
        assert!(model
            .bias(7)
            .unwrap()
            .value
            .data()
            .iter()
            .all(|b| b.abs() <= 0.05));
        assert!(model.weight(1).is_none() && model.bias(1).is_none());
        // The same seed draws the same weights.
        assert_eq!(Model::new(&architecture, &mut Rng::new(1)).unwrap(), model);
        assert_ne!(Model::new(&architecture, &mut Rng::new(2)).unwrap(), model);
    }

    #[test]
    fn values_are_replaced_whole_or_not_at_all() {
        let architecture = Architecture::parse("input(1,4,4); flatten; linear(2)").unwrap();
        let mut model = Model::new(&architecture, &mut Rng::new(1)).unwrap();
        let mut values: Vec<f32> = (0..34).map(|v| v as f32 / 100.0).collect();
        model.set_values(&values).unwrap();
        assert_eq!(model.values(), values);
        assert!(matches!(
            model.set_values(&values[1..]),
            Err(Error::DataLength {
                expected: 34,
                actual: 33,
                ..
            })
        ));
        values[3] = f32::NAN;
        assert!(matches!(
            model.set_values(&values),
            Err(Error::WeightNotFinite { index: 3, .. })
        ));
        assert_eq!(model.values()[3], 0.03);
        let scores = model
            .forward(&Tensor::filled(Shape::new(1, 1, 4, 4).unwrap(), 1.0))
            .unwrap();
        // Output o = bias_o + Σ w_o,i: (0.32 + Σ_{0..16} i/100, 0.33 + Σ_{16..32} i/100).
        let expected = [0.32 + 1.2, 0.33 + 3.76];
        for (s, e) in scores.scores().unwrap().data().iter().zip(expected) {
            assert!((s - e).abs() < 1e-5, "{s} against {e}");
        }
        assert!(matches!(
            model.forward(&Tensor::filled(Shape::new(1, 1, 5, 4).unwrap(), 1.0)),
            Err(Error::TrainingInput { .. })
        ));
    }
}
