"""Counts torchvision's classification networks, for crates/core/tests/torchvision.rs.

Not part of CI (it needs torch and torchvision: `pip install torch torchvision` in a venv).
Run: `python crates/core/tests/torchvision/count.py > counts.txt`.

For each network it prints
- `params`: the sum of `p.numel()` over `model.parameters()` (batch-norm running
  statistics are buffers, not parameters);
- `doc`: the weights' own metadata, which torchvision's documentation table shows
  (`num_params` and `_ops`, the "GFLOPS" column);
- `macs`: multiply-adds for one image in eval mode, counted by
  `torch.utils.flop_counter.FlopCounterMode` (it counts convolutions and matrix
  products, two FLOPs per multiply-add) and halved; auxiliary classifiers do not run in
  eval mode;
- `rf`: the receptive field of the last feature map (size, jump, start along one axis),
  measured, not computed: every weight positive, batch norm the identity, max pooling
  replaced by average pooling with the same window (so that every pixel of a window
  gets gradient), ReLU6 by ReLU, and the squeeze-and-excitation gate detached (its
  path through global pooling would make every cell see the whole image). The gradient
  of output cell i with respect to the input is then non-zero exactly on the union of
  the windows of every path to that cell. Cell 0's field ends at `start + size`, cell
  1's at `start + jump + size`, and the last cell's begins at `start + (n - 1) jump`:
  three measurements inside the image that fix size, jump and start.
"""

import torch
import torch.nn.functional as F
import torchvision
from torch.utils.flop_counter import FlopCounterMode
from torchvision import models
from torchvision.models.feature_extraction import create_feature_extractor
from torchvision.ops.misc import SqueezeExcitation

NETWORKS = [
    # name, builder kwargs, input side, weights enum, feature node, side for the field
    ("alexnet", {}, 224, models.AlexNet_Weights.IMAGENET1K_V1, "features", 512),
    ("vgg16", {}, 224, models.VGG16_Weights.IMAGENET1K_V1, "features", 512),
    ("vgg16_bn", {}, 224, models.VGG16_BN_Weights.IMAGENET1K_V1, "features", 512),
    ("resnet18", {}, 224, models.ResNet18_Weights.IMAGENET1K_V1, "layer4", 1024),
    ("resnet34", {}, 224, models.ResNet34_Weights.IMAGENET1K_V1, "layer4", 1200),
    ("resnet50", {}, 224, models.ResNet50_Weights.IMAGENET1K_V1, "layer4", 1024),
    ("googlenet", {"aux_logits": False, "init_weights": False}, 224,
     models.GoogLeNet_Weights.IMAGENET1K_V1, "inception5b", 1200),
    ("googlenet_aux", {"aux_logits": True, "init_weights": False}, 224, None, None, None),
    ("inception_v3", {"aux_logits": False, "init_weights": False}, 299,
     models.Inception_V3_Weights.IMAGENET1K_V1, "Mixed_7c", 1600),
    ("inception_v3_aux", {"aux_logits": True, "init_weights": False}, 299, None, None, None),
    ("densenet121", {}, 224, models.DenseNet121_Weights.IMAGENET1K_V1, "features", 1400),
    ("mobilenet_v2", {}, 224, models.MobileNet_V2_Weights.IMAGENET1K_V1, "features", 1200),
    ("efficientnet_b0", {}, 224, models.EfficientNet_B0_Weights.IMAGENET1K_V1, "features", 1400),
]


def builder(name):
    return getattr(models, name.removesuffix("_aux"))


def macs(model, side):
    model.eval()
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        model(torch.zeros(1, 3, side, side))
    return counter.get_total_flops() // 2


def avg_instead_of_max(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                       return_indices=False):
    return F.avg_pool2d(x, kernel_size, stride, padding, ceil_mode, True)


def receptive_field(model, node, side):
    model.eval()
    for module in model.modules():
        if isinstance(module, torch.nn.Conv2d):
            module.weight.data.fill_(1.0 / module.weight[0].numel())
            if module.bias is not None:
                module.bias.data.zero_()
        elif isinstance(module, torch.nn.BatchNorm2d):
            module.weight.data.fill_(1.0)
            module.bias.data.zero_()
            module.running_mean.zero_()
            module.running_var.fill_(1.0 - module.eps)
        for name, child in list(module.named_children()):
            if isinstance(child, torch.nn.ReLU6):
                setattr(module, name, torch.nn.ReLU())
    model.double().requires_grad_(False)
    extractor = create_feature_extractor(model, {node: "out"})
    saved_max, saved_se = F.max_pool2d, SqueezeExcitation.forward
    F.max_pool2d = avg_instead_of_max
    SqueezeExcitation.forward = lambda self, x: self._scale(x).detach() * x
    try:
        image = torch.ones(1, 3, side, side, dtype=torch.float64, requires_grad=True)
        out = extractor(image)["out"]
        n = out.shape[-1]

        def rows_seen(cell):
            (grad,) = torch.autograd.grad(out[0, :, cell, cell].sum(), image, retain_graph=True)
            rows = grad[0].abs().sum(dim=(0, 2)).nonzero().flatten()
            return rows.min().item(), rows.max().item() + 1

        _, end0 = rows_seen(0)
        _, end1 = rows_seen(1)
        begin_last, _ = rows_seen(n - 1)
    finally:
        F.max_pool2d, SqueezeExcitation.forward = saved_max, saved_se
    assert end1 < side and begin_last > 0, "make the input larger"
    jump = end1 - end0
    start = begin_last - (n - 1) * jump
    return end0 - start, jump, start


def main():
    print(f"torch {torch.__version__}, torchvision {torchvision.__version__}")
    for name, kwargs, side, weights, node, field_side in NETWORKS:
        torch.manual_seed(0)
        model = builder(name)(**kwargs)
        params = sum(p.numel() for p in model.parameters())
        line = f"{name}: params {params}, macs {macs(model, side)} at {side}"
        if weights is not None:
            meta = weights.meta
            line += f", doc num_params {meta['num_params']} GFLOPS {meta['_ops']}"
        if node is not None:
            size, jump, start = receptive_field(model, node, field_side)
            line += f", rf of {node}: size {size} jump {jump} start {start}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
