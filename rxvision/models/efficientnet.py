"""EfficientNet B0-B7, written from scratch in PyTorch.

Paper: "EfficientNet: Rethinking Model Scaling for Convolutional Neural Networks", Mingxing Tan and
Quoc V. Le, ICML 2019, https://arxiv.org/abs/1905.11946

B0 is a stack of MBConv blocks (MobileNetV2's inverted residual, https://arxiv.org/abs/1801.04381,
with squeeze-and-excitation, https://arxiv.org/abs/1709.01507) found by architecture search;
B1-B7 scale it with one compound coefficient: width (channels), depth (blocks per stage) and input
resolution grow together (section 3.3 of the paper, table ``SCALING`` below).

Parameter and buffer names follow timm's ``efficientnet_b0`` / ``_b1`` / ``_b2`` / ``_b3`` (not
the ``tf_`` variants, which pad like TensorFlow), so a timm state dict loads with ``strict=True``
and the outputs match timm's in eval mode:

    conv_stem, bn1,
    blocks.{stage}.{i}.(conv_dw, bn1, se.conv_reduce, se.conv_expand, conv_pw, bn2)   stage 0
    blocks.{stage}.{i}.(conv_pw, bn1, conv_dw, bn2, se.conv_reduce, se.conv_expand, conv_pwl, bn3)
    conv_head, bn2, classifier
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch.nn.functional as F
from torch import Tensor, nn

__all__ = [
    "HEAD_CHS",
    "SCALING",
    "STAGES",
    "STEM_CHS",
    "BatchNormAct2d",
    "DepthwiseSeparable",
    "DropPath",
    "EfficientNet",
    "MBConv",
    "SqueezeExcite",
    "StageSpec",
    "drop_path",
    "efficientnet_b0",
    "efficientnet_b1",
    "efficientnet_b2",
    "efficientnet_b3",
    "round_filters",
    "round_repeats",
]


# -- helpers -----------------------------------------------------------------------------------
def round_filters(channels: int, width_mult: float, divisor: int = 8) -> int:
    """Scale a channel count by ``width_mult`` and round it to a multiple of ``divisor``.

    Rounds to the nearest multiple (halves up), never below ``divisor``, and adds one more
    ``divisor`` when rounding would drop more than 10% of the scaled value (timm's
    ``make_divisible``): ``round_filters(16, 1.2) == 24`` because 16 < 0.9 * 19.2.
    """
    scaled = channels * width_mult
    rounded = max(divisor, int(scaled + divisor / 2) // divisor * divisor)
    if rounded < 0.9 * scaled:
        rounded += divisor
    return rounded


def round_repeats(repeats: int, depth_mult: float) -> int:
    """Scale a stage's number of blocks by ``depth_mult``, rounding up (``ceil``)."""
    return int(math.ceil(repeats * depth_mult))


def drop_path(x: Tensor, drop_prob: float = 0.0, training: bool = False) -> Tensor:
    """Stochastic depth: zero whole samples with probability ``drop_prob``, rescale the rest.

    Identity in eval mode or when ``drop_prob`` is 0. Kept samples are divided by the keep
    probability so the expected value is unchanged. Works for any ``x`` of shape ``(N, ...)``.
    """
    if drop_prob == 0.0 or not training:
        return x
    keep_prob = 1.0 - drop_prob
    shape = (x.shape[0],) + (1,) * (x.ndim - 1)
    mask = x.new_empty(shape).bernoulli_(keep_prob)
    if keep_prob > 0.0:
        mask.div_(keep_prob)
    return x * mask


class DropPath(nn.Module):
    """:func:`drop_path` as a module (active only in training mode)."""

    def __init__(self, drop_prob: float = 0.0) -> None:
        super().__init__()
        self.drop_prob = drop_prob

    def forward(self, x: Tensor) -> Tensor:
        return drop_path(x, self.drop_prob, self.training)

    def extra_repr(self) -> str:
        return f"drop_prob={self.drop_prob:.3f}"


class BatchNormAct2d(nn.BatchNorm2d):
    """BatchNorm then an optional SiLU, as in timm (the activation lives inside the norm layer).

    Its parameters and buffers are those of ``nn.BatchNorm2d`` (weight, bias, running_mean,
    running_var, num_batches_tracked), so the state dict is that of a plain BatchNorm.
    """

    def __init__(self, num_features: int, apply_act: bool = True) -> None:
        super().__init__(num_features)
        self.act = nn.SiLU(inplace=True) if apply_act else nn.Identity()

    def forward(self, x: Tensor) -> Tensor:
        return self.act(super().forward(x))


def _conv(
    in_chs: int, out_chs: int, kernel_size: int, stride: int = 1, groups: int = 1
) -> nn.Conv2d:
    """A bias-free convolution with symmetric "same-ish" padding ``kernel_size // 2``."""
    return nn.Conv2d(
        in_chs, out_chs, kernel_size, stride, padding=kernel_size // 2, groups=groups, bias=False
    )


def _se_channels(in_chs: int, se_ratio: float) -> int:
    """Squeeze width: a fraction of the block's *input* channels (not of the expanded width)."""
    return max(1, int(in_chs * se_ratio))


# -- blocks ------------------------------------------------------------------------------------
class SqueezeExcite(nn.Module):
    """Squeeze-and-excitation: reweight channels by a gate computed from their global averages.

    ``gate = sigmoid(conv_expand(silu(conv_reduce(mean_hw(x)))))`` and the output is ``x * gate``.
    """

    def __init__(self, channels: int, rd_channels: int) -> None:
        super().__init__()
        self.conv_reduce = nn.Conv2d(channels, rd_channels, 1, bias=True)
        self.act1 = nn.SiLU(inplace=True)
        self.conv_expand = nn.Conv2d(rd_channels, channels, 1, bias=True)
        self.gate = nn.Sigmoid()

    def forward(self, x: Tensor) -> Tensor:
        s = x.mean((2, 3), keepdim=True)
        s = self.conv_expand(self.act1(self.conv_reduce(s)))
        return x * self.gate(s)


class DepthwiseSeparable(nn.Module):
    """Stage-0 block (MBConv with expansion 1): depthwise conv, SE, pointwise projection."""

    def __init__(
        self,
        in_chs: int,
        out_chs: int,
        kernel_size: int = 3,
        stride: int = 1,
        se_ratio: float = 0.25,
        drop_path_rate: float = 0.0,
    ) -> None:
        super().__init__()
        self.has_skip = stride == 1 and in_chs == out_chs
        self.conv_dw = _conv(in_chs, in_chs, kernel_size, stride, groups=in_chs)
        self.bn1 = BatchNormAct2d(in_chs)
        self.se = SqueezeExcite(in_chs, _se_channels(in_chs, se_ratio))
        self.conv_pw = _conv(in_chs, out_chs, 1)
        self.bn2 = BatchNormAct2d(out_chs, apply_act=False)
        self.drop_path = DropPath(drop_path_rate) if drop_path_rate else nn.Identity()

    def forward(self, x: Tensor) -> Tensor:
        shortcut = x
        x = self.bn1(self.conv_dw(x))
        x = self.se(x)
        x = self.bn2(self.conv_pw(x))
        if self.has_skip:
            x = self.drop_path(x) + shortcut
        return x


class MBConv(nn.Module):
    """Mobile inverted bottleneck (timm's ``InvertedResidual``) with squeeze-and-excitation.

    1x1 expand (+BN+SiLU) -> kxk depthwise (+BN+SiLU) -> SE -> 1x1 project (+BN, no activation),
    plus a residual with stochastic depth when ``stride == 1`` and ``in_chs == out_chs``.
    """

    def __init__(
        self,
        in_chs: int,
        out_chs: int,
        kernel_size: int = 3,
        stride: int = 1,
        exp_ratio: float = 6.0,
        se_ratio: float = 0.25,
        drop_path_rate: float = 0.0,
    ) -> None:
        super().__init__()
        mid_chs = int(in_chs * exp_ratio)
        self.has_skip = stride == 1 and in_chs == out_chs
        self.conv_pw = _conv(in_chs, mid_chs, 1)
        self.bn1 = BatchNormAct2d(mid_chs)
        self.conv_dw = _conv(mid_chs, mid_chs, kernel_size, stride, groups=mid_chs)
        self.bn2 = BatchNormAct2d(mid_chs)
        self.se = SqueezeExcite(mid_chs, _se_channels(in_chs, se_ratio))
        self.conv_pwl = _conv(mid_chs, out_chs, 1)
        self.bn3 = BatchNormAct2d(out_chs, apply_act=False)
        self.drop_path = DropPath(drop_path_rate) if drop_path_rate else nn.Identity()

    def forward(self, x: Tensor) -> Tensor:
        shortcut = x
        x = self.bn1(self.conv_pw(x))
        x = self.bn2(self.conv_dw(x))
        x = self.se(x)
        x = self.bn3(self.conv_pwl(x))
        if self.has_skip:
            x = self.drop_path(x) + shortcut
        return x


# -- model -------------------------------------------------------------------------------------
class StageSpec(NamedTuple):
    """One row of the B0 architecture (table 1 of the paper)."""

    block: str  # "ds" (DepthwiseSeparable) or "mbconv"
    repeats: int
    kernel_size: int
    stride: int  # of the stage's first block; the others use stride 1
    exp_ratio: float
    out_chs: int


STAGES: tuple[StageSpec, ...] = (
    StageSpec("ds", 1, 3, 1, 1.0, 16),
    StageSpec("mbconv", 2, 3, 2, 6.0, 24),
    StageSpec("mbconv", 2, 5, 2, 6.0, 40),
    StageSpec("mbconv", 3, 3, 2, 6.0, 80),
    StageSpec("mbconv", 3, 5, 1, 6.0, 112),
    StageSpec("mbconv", 4, 5, 2, 6.0, 192),
    StageSpec("mbconv", 1, 3, 1, 6.0, 320),
)
STEM_CHS = 32
HEAD_CHS = 1280


def _init_weights(module: nn.Module) -> None:
    """TensorFlow-style init, as timm's EfficientNet does it (fan-out normal convs, ones BN)."""
    if isinstance(module, nn.Conv2d):
        fan_out = module.kernel_size[0] * module.kernel_size[1] * module.out_channels
        fan_out //= module.groups
        nn.init.normal_(module.weight, 0.0, math.sqrt(2.0 / fan_out))
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.ones_(module.weight)
        nn.init.zeros_(module.bias)
    elif isinstance(module, nn.Linear):
        bound = 1.0 / math.sqrt(module.weight.size(0))
        nn.init.uniform_(module.weight, -bound, bound)
        nn.init.zeros_(module.bias)


def _make_block(
    spec: StageSpec, in_chs: int, out_chs: int, stride: int, drop_path_rate: float
) -> nn.Module:
    if spec.block == "ds":
        return DepthwiseSeparable(
            in_chs, out_chs, spec.kernel_size, stride, drop_path_rate=drop_path_rate
        )
    return MBConv(
        in_chs, out_chs, spec.kernel_size, stride, spec.exp_ratio, drop_path_rate=drop_path_rate
    )


class EfficientNet(nn.Module):
    """EfficientNet: B0's stages scaled in width and depth.

    Args:
        width_mult: channel multiplier (applied with :func:`round_filters` to stem, stages, head).
        depth_mult: blocks-per-stage multiplier (applied with :func:`round_repeats`).
        num_classes: outputs of the classifier.
        drop_rate: dropout before the classifier (training only).
        drop_path_rate: stochastic depth of the last block; block ``i`` of ``n`` gets
            ``drop_path_rate * i / n``.
        in_chans: input channels.
    """

    def __init__(
        self,
        width_mult: float = 1.0,
        depth_mult: float = 1.0,
        num_classes: int = 1000,
        drop_rate: float = 0.2,
        drop_path_rate: float = 0.2,
        in_chans: int = 3,
    ) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.drop_rate = drop_rate
        stem_chs = round_filters(STEM_CHS, width_mult)
        self.conv_stem = _conv(in_chans, stem_chs, 3, stride=2)
        self.bn1 = BatchNormAct2d(stem_chs)

        repeats = [round_repeats(spec.repeats, depth_mult) for spec in STAGES]
        total, index = sum(repeats), 0
        in_chs, stages = stem_chs, []
        for spec, n in zip(STAGES, repeats, strict=True):
            out_chs = round_filters(spec.out_chs, width_mult)
            blocks = []
            for i in range(n):
                stride = spec.stride if i == 0 else 1
                rate = drop_path_rate * index / total
                block = _make_block(spec, in_chs, out_chs, stride, rate)
                blocks.append(block)
                in_chs, index = out_chs, index + 1
            stages.append(nn.Sequential(*blocks))
        self.blocks = nn.Sequential(*stages)

        self.num_features = round_filters(HEAD_CHS, width_mult)
        self.conv_head = _conv(in_chs, self.num_features, 1)
        self.bn2 = BatchNormAct2d(self.num_features)
        self.classifier = nn.Linear(self.num_features, num_classes)
        self.apply(_init_weights)

    def forward_features(self, x: Tensor) -> Tensor:
        """``(N, in_chans, H, W)`` -> ``(N, num_features, H/32, W/32)`` (before pooling)."""
        x = self.bn1(self.conv_stem(x))
        x = self.blocks(x)
        return self.bn2(self.conv_head(x))

    def forward_head(self, x: Tensor) -> Tensor:
        """Global average pool, dropout (training only), classifier: -> ``(N, num_classes)``."""
        x = x.mean((2, 3))
        if self.drop_rate > 0.0:
            x = F.dropout(x, p=self.drop_rate, training=self.training)
        return self.classifier(x)

    def forward(self, x: Tensor) -> Tensor:
        return self.forward_head(self.forward_features(x))


# -- configs -----------------------------------------------------------------------------------
# variant -> (width_mult, depth_mult, resolution, dropout), from the paper and the TF reference
SCALING: dict[str, tuple[float, float, int, float]] = {
    "b0": (1.0, 1.0, 224, 0.2),
    "b1": (1.0, 1.1, 240, 0.2),
    "b2": (1.1, 1.2, 260, 0.3),
    "b3": (1.2, 1.4, 300, 0.3),
    "b4": (1.4, 1.8, 380, 0.4),
    "b5": (1.6, 2.2, 456, 0.4),
    "b6": (1.8, 2.6, 528, 0.5),
    "b7": (2.0, 3.1, 600, 0.5),
}


def _efficientnet(
    variant: str,
    num_classes: int,
    drop_rate: float | None,
    drop_path_rate: float,
    in_chans: int,
) -> EfficientNet:
    width, depth, _, dropout = SCALING[variant]
    return EfficientNet(
        width_mult=width,
        depth_mult=depth,
        num_classes=num_classes,
        drop_rate=dropout if drop_rate is None else drop_rate,
        drop_path_rate=drop_path_rate,
        in_chans=in_chans,
    )


# -- constructors ------------------------------------------------------------------------------
def efficientnet_b0(
    num_classes: int = 1000,
    drop_rate: float | None = None,
    drop_path_rate: float = 0.2,
    in_chans: int = 3,
) -> EfficientNet:
    """EfficientNet-B0 (5.3 M parameters with 1000 classes); ``drop_rate=None`` uses 0.2."""
    return _efficientnet("b0", num_classes, drop_rate, drop_path_rate, in_chans)


def efficientnet_b1(
    num_classes: int = 1000,
    drop_rate: float | None = None,
    drop_path_rate: float = 0.2,
    in_chans: int = 3,
) -> EfficientNet:
    """EfficientNet-B1 (7.8 M parameters); ``drop_rate=None`` uses 0.2."""
    return _efficientnet("b1", num_classes, drop_rate, drop_path_rate, in_chans)


def efficientnet_b2(
    num_classes: int = 1000,
    drop_rate: float | None = None,
    drop_path_rate: float = 0.2,
    in_chans: int = 3,
) -> EfficientNet:
    """EfficientNet-B2 (9.1 M parameters); ``drop_rate=None`` uses 0.3."""
    return _efficientnet("b2", num_classes, drop_rate, drop_path_rate, in_chans)


def efficientnet_b3(
    num_classes: int = 1000,
    drop_rate: float | None = None,
    drop_path_rate: float = 0.2,
    in_chans: int = 3,
) -> EfficientNet:
    """EfficientNet-B3 (12.2 M parameters); ``drop_rate=None`` uses 0.3."""
    return _efficientnet("b3", num_classes, drop_rate, drop_path_rate, in_chans)
