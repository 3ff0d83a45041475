"""EfficientNet from scratch: compound scaling, stochastic depth, squeeze-excitation, MBConv.

Paper: "EfficientNet: Rethinking Model Scaling for Convolutional Neural Networks", Tan and Le,
ICML 2019, https://arxiv.org/abs/1905.11946 (read sections 3.3 and 4 and table 1).

You write, in this order (the tests follow the same order):

1. ``round_filters`` and ``round_repeats``: the compound-scaling rule that turns B0 into B1..B7;
2. ``drop_path``: stochastic depth;
3. ``SqueezeExcite``, ``DepthwiseSeparable`` (stage-0 block) and ``MBConv`` (all other stages);
4. ``EfficientNet`` (stem, seven stages, head) and the constructors ``efficientnet_b0/b1/b2/b3``.

Your parameter and buffer names must be exactly timm's, so that the grader can load the state dict
of ``timm.create_model("efficientnet_b0")`` into your model with ``strict=True`` and compare the
outputs (to 1e-5, eval mode). [#timm-names] The names are given in each docstring. In training
mode (BatchNorm batch statistics, dropout and stochastic depth drawn in forward order from
torch's global generator) your outputs and gradients must match the grader's reference too.
[#train-mode] Look at timm's model too::

    python -c "import timm; print(timm.create_model('efficientnet_b0'))"

Conventions used everywhere below:

- Every ``nn.Conv2d`` except the two inside ``SqueezeExcite`` has ``bias=False`` and padding
  ``kernel_size // 2``; depthwise convolutions use ``groups=channels``. [#convs]
- "BN + SiLU" means a :class:`BatchNormAct2d` (given, below): timm keeps the activation *inside*
  the norm layer, so ``bn1`` is one module holding both. "BN, no activation" means
  ``BatchNormAct2d(channels, apply_act=False)``.
- Shapes are ``(N, C, H, W)``.

Given (do not change): ``StageSpec``, ``STAGES``, ``STEM_CHS``, ``HEAD_CHS``, ``SCALING``,
``DropPath``, ``BatchNormAct2d`` and ``_init_weights``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

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

    The rule (timm's ``make_divisible``, the same as the TensorFlow reference):

    1. ``scaled = channels * width_mult``;
    2. round to the nearest multiple of ``divisor``, halves up:
       ``int(scaled + divisor / 2) // divisor * divisor``, [#round-nearest] and never less than
       ``divisor``; [#round-min]
    3. if that dropped more than 10% (result ``< 0.9 * scaled``), add one more ``divisor``.
       [#round-guard]

    Examples: ``round_filters(32, 1.0) == 32``, ``round_filters(32, 1.2) == 40``
    (38.4 -> 40), ``round_filters(112, 1.2) == 136`` (134.4 -> 136), and the 10% guard:
    ``round_filters(16, 1.2) == 24`` (19.2 rounds to 16, which is 17% below 19.2).

    Returns:
        The scaled channel count, a positive multiple of ``divisor`` (an ``int``). [#round-int]
    """
    # TODO: implement the three steps above.
    raise NotImplementedError


def round_repeats(repeats: int, depth_mult: float) -> int:
    """Scale the number of blocks of one stage by ``depth_mult``, always rounding *up* (an
    ``int``). [#repeats-ceil]

    Examples: ``round_repeats(1, 1.1) == 2``, ``round_repeats(3, 1.4) == 5``,
    ``round_repeats(4, 1.0) == 4``.
    """
    # TODO: one line (math.ceil).
    raise NotImplementedError


def drop_path(x: Tensor, drop_prob: float = 0.0, training: bool = False) -> Tensor:
    """Stochastic depth ("drop path"): drop whole samples of a residual branch.

    In training mode with ``drop_prob > 0``: draw one Bernoulli(keep_prob) value per *sample*
    (``keep_prob = 1 - drop_prob``, a mask of shape ``(N, 1, 1, ...)`` with ``x.ndim`` dims),
    divide the mask by ``keep_prob`` (so the expected value is unchanged) and return
    ``x * mask``. [#per-sample] A dropped sample is all zeros; a kept one is ``x / keep_prob``.
    [#rescale] Draw the mask with ``x.new_empty(shape).bernoulli_(keep_prob)`` (torch's global
    random generator), so that the grader can replay it from the same seed. [#global-rng] With
    ``drop_prob == 1`` every sample is dropped (zeros, never a division by zero). [#drop-all]

    In eval mode (``training=False``) or when ``drop_prob == 0``: return ``x`` unchanged.
    [#identity]

    Args:
        x: any tensor of shape ``(N, ...)``.
        drop_prob: probability of dropping a sample.
        training: whether the model is training (pass ``module.training``).

    Returns:
        A tensor of the same shape and dtype as ``x``; gradients flow through it. [#dp-shape]
    """
    # TODO: identity shortcut first, then the per-sample mask.
    raise NotImplementedError


class DropPath(nn.Module):
    """:func:`drop_path` as a module (given: it only calls your function)."""

    def __init__(self, drop_prob: float = 0.0) -> None:
        super().__init__()
        self.drop_prob = drop_prob

    def forward(self, x: Tensor) -> Tensor:
        return drop_path(x, self.drop_prob, self.training)

    def extra_repr(self) -> str:
        return f"drop_prob={self.drop_prob:.3f}"


class BatchNormAct2d(nn.BatchNorm2d):
    """BatchNorm then an optional SiLU, as in timm (given).

    Its parameters and buffers are those of ``nn.BatchNorm2d`` (weight, bias, running_mean,
    running_var, num_batches_tracked); the activation is the submodule ``act``.
    """

    def __init__(self, num_features: int, apply_act: bool = True) -> None:
        super().__init__(num_features)
        self.act = nn.SiLU(inplace=True) if apply_act else nn.Identity()

    def forward(self, x: Tensor) -> Tensor:
        return self.act(super().forward(x))


# -- blocks ------------------------------------------------------------------------------------
class SqueezeExcite(nn.Module):
    """Squeeze-and-excitation: reweight the channels of ``x`` by a learned gate in (0, 1).

    Submodules (timm's names):

    - ``conv_reduce``: ``nn.Conv2d(channels, rd_channels, 1)`` *with* bias;
    - ``act1``: ``nn.SiLU()``;
    - ``conv_expand``: ``nn.Conv2d(rd_channels, channels, 1)`` *with* bias;
    - ``gate``: ``nn.Sigmoid()``.

    Forward: ``s = x.mean((2, 3), keepdim=True)`` (squeeze to ``(N, C, 1, 1)``), then
    ``s = gate(conv_expand(act1(conv_reduce(s))))`` (excite), and return ``x * s``. [#se]

    Args:
        channels: channels of ``x`` (in an MBConv, the *expanded* width).
        rd_channels: the bottleneck width. The blocks pass ``int(in_chs * se_ratio)`` where
            ``in_chs`` is the channel count of the *block's input*, not of the expanded width:
            in B0's first MBConv (16 -> 24, expanded to 96) that is 4, not 24. [#se-width]
            When that product is below 1 the blocks pass 1: ``max(1, int(in_chs * se_ratio))``.
            [#se-min]
    """

    def __init__(self, channels: int, rd_channels: int) -> None:
        super().__init__()
        # TODO: create conv_reduce, act1, conv_expand, gate.
        raise NotImplementedError

    def forward(self, x: Tensor) -> Tensor:
        """``(N, C, H, W)`` -> ``(N, C, H, W)``."""
        # TODO: squeeze, excite, scale.
        raise NotImplementedError


class DepthwiseSeparable(nn.Module):
    """The stage-0 block of EfficientNet: an MBConv with expansion ratio 1 (nothing to expand).

    Submodules, in forward order (timm's ``DepthwiseSeparableConv``):

    - ``conv_dw``: depthwise ``kernel_size`` x ``kernel_size`` conv, ``in_chs -> in_chs``,
      ``stride``, ``groups=in_chs``;
    - ``bn1``: ``BatchNormAct2d(in_chs)`` (BN + SiLU);
    - ``se``: ``SqueezeExcite(in_chs, int(in_chs * se_ratio))``;
    - ``conv_pw``: 1x1 conv ``in_chs -> out_chs``;
    - ``bn2``: ``BatchNormAct2d(out_chs, apply_act=False)`` (BN, no activation);
    - ``drop_path``: ``DropPath(drop_path_rate)`` (or ``nn.Identity()`` when the rate is 0).
      [#ds-modules]

    Residual: only when ``stride == 1`` and ``in_chs == out_chs``; then the output is
    ``drop_path(branch) + x``, otherwise just ``branch``. [#ds-residual] (In B0 stage 0 goes
    32 -> 16, so it has no residual; in B1 and deeper models its second block has one.)

    Args:
        in_chs: input channels.
        out_chs: output channels.
        kernel_size: depthwise kernel size (3 or 5).
        stride: depthwise stride (1 or 2).
        se_ratio: squeeze ratio of the block *input* channels.
        drop_path_rate: stochastic-depth probability of the residual branch.
    """

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
        # TODO: create the submodules listed above and remember whether there is a residual.
        raise NotImplementedError

    def forward(self, x: Tensor) -> Tensor:
        """``(N, in_chs, H, W)`` -> ``(N, out_chs, H / stride, W / stride)``."""
        # TODO
        raise NotImplementedError


class MBConv(nn.Module):
    """Mobile inverted bottleneck with squeeze-excitation (timm's ``InvertedResidual``).

    With ``mid_chs = int(in_chs * exp_ratio)``, submodules in forward order:

    - ``conv_pw``: 1x1 expansion conv ``in_chs -> mid_chs``;
    - ``bn1``: ``BatchNormAct2d(mid_chs)`` (BN + SiLU);
    - ``conv_dw``: depthwise ``kernel_size`` x ``kernel_size`` conv ``mid_chs -> mid_chs``,
      ``stride``, ``groups=mid_chs``;
    - ``bn2``: ``BatchNormAct2d(mid_chs)`` (BN + SiLU);
    - ``se``: ``SqueezeExcite(mid_chs, int(in_chs * se_ratio))``: it acts on the expanded
      ``mid_chs`` channels but squeezes to a quarter of the block *input* ``in_chs``;
    - ``conv_pwl``: 1x1 projection conv ``mid_chs -> out_chs`` (linear bottleneck);
    - ``bn3``: ``BatchNormAct2d(out_chs, apply_act=False)``: no activation after the projection;
    - ``drop_path``: ``DropPath(drop_path_rate)`` (or ``nn.Identity()`` when the rate is 0).
      [#mb-modules]

    Residual: only when ``stride == 1`` and ``in_chs == out_chs``; then the output is
    ``drop_path(branch) + x`` (stochastic depth drops the branch, never the shortcut), otherwise
    just ``branch``. [#mb-residual]

    Args:
        in_chs: input channels.
        out_chs: output channels.
        kernel_size: depthwise kernel size (3 or 5).
        stride: depthwise stride (1 or 2).
        exp_ratio: expansion ratio (6 in every EfficientNet MBConv).
        se_ratio: squeeze ratio of the block *input* channels.
        drop_path_rate: stochastic-depth probability of the residual branch.
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
        # TODO: create the submodules listed above and remember whether there is a residual.
        raise NotImplementedError

    def forward(self, x: Tensor) -> Tensor:
        """``(N, in_chs, H, W)`` -> ``(N, out_chs, H / stride, W / stride)``."""
        # TODO
        raise NotImplementedError


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
    """TensorFlow-style init, as timm's EfficientNet does it (given; use ``self.apply``)."""
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


class EfficientNet(nn.Module):
    """EfficientNet: B0's stem, stages and head, scaled in width and depth.

    Attributes (timm's names), with ``r = round_filters(..., width_mult)``:

    - ``conv_stem``: 3x3 conv, stride 2, ``in_chans -> r(STEM_CHS)``; ``bn1``: BN + SiLU;
    - ``blocks``: an ``nn.Sequential`` of 7 stages, each an ``nn.Sequential`` of blocks, so that
      parameters are named ``blocks.{stage}.{i}.conv_dw.weight`` and so on. Stage ``s`` follows
      ``STAGES[s]``: ``round_repeats(spec.repeats, depth_mult)`` blocks (``DepthwiseSeparable``
      for ``"ds"``, ``MBConv`` with ``spec.exp_ratio`` for ``"mbconv"``), output channels
      ``r(spec.out_chs)``, kernel ``spec.kernel_size``; only the first block of a stage has
      ``spec.stride``, the others stride 1; each block's input channels are the previous
      block's output channels (the first block's are the stem's); [#stages]
    - stochastic depth grows linearly with depth: block number ``k`` (counted over *all*
      stages from 0) of ``n`` blocks in total gets ``drop_path_rate * k / n``;
      [#drop-path-rates]
    - ``conv_head``: 1x1 conv ``last stage's channels -> r(HEAD_CHS)``; ``bn2``: BN + SiLU;
    - ``classifier``: ``nn.Linear(r(HEAD_CHS), num_classes)``;
    - finish ``__init__`` with ``self.apply(_init_weights)``.

    Also set ``self.num_classes``, ``self.drop_rate`` and ``self.num_features`` (= ``r(HEAD_CHS)``).
    [#attrs]

    Args:
        width_mult: channel multiplier (``SCALING[variant][0]``).
        depth_mult: blocks-per-stage multiplier (``SCALING[variant][1]``).
        num_classes: outputs of the classifier.
        drop_rate: dropout probability before the classifier (training only).
        drop_path_rate: stochastic depth of the deepest block (see above).
        in_chans: input image channels.
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
        # TODO: stem, the 7 stages from STAGES (scaled), head, classifier, init.
        raise NotImplementedError

    def forward_features(self, x: Tensor) -> Tensor:
        """Stem, stages, head: ``(N, in_chans, H, W)`` -> ``(N, num_features, H/32, W/32)``.
        [#features]"""
        # TODO
        raise NotImplementedError

    def forward_head(self, x: Tensor) -> Tensor:
        """Global average pool over H and W, dropout (``F.dropout`` with ``p=self.drop_rate``,
        active only in training mode), classifier: ``(N, num_features, h, w)`` ->
        ``(N, num_classes)`` logits. [#head]"""
        # TODO
        raise NotImplementedError

    def forward(self, x: Tensor) -> Tensor:
        """``(N, in_chans, H, W)`` images -> ``(N, num_classes)`` logits."""
        # TODO: forward_features, then forward_head.
        raise NotImplementedError


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


# -- constructors ------------------------------------------------------------------------------
def efficientnet_b0(
    num_classes: int = 1000,
    drop_rate: float | None = None,
    drop_path_rate: float = 0.2,
    in_chans: int = 3,
) -> EfficientNet:
    """EfficientNet-B0: ``EfficientNet`` with ``SCALING["b0"]``'s width and depth multipliers.

    ``drop_rate=None`` means the variant's dropout from ``SCALING`` (0.2 for B0); [#variant-dropout]
    the other arguments are passed on. [#variant-args] With 1000 classes B0 has 5,288,548
    parameters, like ``timm.create_model("efficientnet_b0")``. [#variants]
    """
    # TODO: look the variant up in SCALING and build the model.
    raise NotImplementedError


def efficientnet_b1(
    num_classes: int = 1000,
    drop_rate: float | None = None,
    drop_path_rate: float = 0.2,
    in_chans: int = 3,
) -> EfficientNet:
    """EfficientNet-B1 (``SCALING["b1"]``; 7,794,184 parameters with 1000 classes)."""
    # TODO
    raise NotImplementedError


def efficientnet_b2(
    num_classes: int = 1000,
    drop_rate: float | None = None,
    drop_path_rate: float = 0.2,
    in_chans: int = 3,
) -> EfficientNet:
    """EfficientNet-B2 (``SCALING["b2"]``; 9,109,994 parameters with 1000 classes)."""
    # TODO
    raise NotImplementedError


def efficientnet_b3(
    num_classes: int = 1000,
    drop_rate: float | None = None,
    drop_path_rate: float = 0.2,
    in_chans: int = 3,
) -> EfficientNet:
    """EfficientNet-B3 (``SCALING["b3"]``; 12,233,232 parameters with 1000 classes)."""
    # TODO
    raise NotImplementedError
