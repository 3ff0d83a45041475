"""Count the parameters and FLOPs of a model: how big is B0 compared with B1 and B3?

The EfficientNet paper compares models by parameters and by FLOPs (table 2). You write the
counters and use them for ``week1.scaling_report``.

Convention (the one of ``torch.utils.flop_counter.FlopCounterMode``, the grader's oracle):

- one multiply-accumulate (MAC, ``acc += a * b``) is **two FLOPs**; [#two-flops-per-mac]
- only ``nn.Conv2d`` and ``nn.Linear`` layers (and their subclasses) are counted, they are over
  99% of the compute of a CNN; [#counted-types] bias additions, BatchNorm, activations, pooling
  and the residual additions count **zero**; [#others-zero]
- the paper's "0.39B FLOPS" for B0 at 224x224 are in fact MACs: 0.39 G MACs is about 0.77 GFLOPs
  with this convention.

You write, in this order (the tests follow the same order):

1. ``count_params``: parameters, not buffers, each tensor once;
2. ``conv2d_flops`` and ``linear_flops``: the closed-form cost of one layer from its output shape;
3. ``count_flops``: run the model once with forward hooks and add the costs up per layer type.

Given (do not change): ``LAYER_TYPES``.
"""

from __future__ import annotations

from collections.abc import Sequence

from torch import nn

__all__ = ["LAYER_TYPES", "conv2d_flops", "count_flops", "count_params", "linear_flops"]

#: The layer types counted by :func:`count_flops`, by the key they are reported under.
LAYER_TYPES: dict[str, type[nn.Module]] = {"Conv2d": nn.Conv2d, "Linear": nn.Linear}


def count_params(model: nn.Module, trainable_only: bool = False) -> int:
    """Number of parameters (learnable scalars) of ``model``.

    - Count every parameter tensor of the whole module tree exactly once, even when two layers
      share it (tied weights): ``model.parameters()`` already de-duplicates. [#shared-once]
    - Buffers are NOT parameters: BatchNorm's ``running_mean``, ``running_var`` and
      ``num_batches_tracked`` are in ``state_dict()`` but not counted here. [#no-buffers]
    - With ``trainable_only=True`` count only the parameters with ``requires_grad=True`` (what an
      optimizer would update after freezing a backbone). [#trainable-only]

    Example: ``nn.Linear(10, 5)`` has ``10 * 5 + 5 = 55``; ``nn.BatchNorm2d(8)`` has 16 (weight
    and bias), not 33. timm's ``efficientnet_b0`` (1000 classes) has 5,288,548.

    Args:
        model: any module.
        trainable_only: count only parameters that require a gradient.

    Returns:
        The number of scalars, an ``int`` (0 for a module without parameters). [#params-int]
    """
    # TODO: one sum over model.parameters().
    raise NotImplementedError


def conv2d_flops(conv: nn.Conv2d, output_shape: Sequence[int]) -> int:
    """FLOPs of one forward of ``conv`` whose output has shape ``(N, C_out, H_out, W_out)``.

    Every output element is a dot product over ``C_in / groups`` input channels and a
    ``k_h x k_w`` window, so [#conv-formula]::

        FLOPs = 2 * N * C_out * H_out * W_out * (C_in // groups) * k_h * k_w

    Use the OUTPUT size: a stride-2 convolution has a quarter of the outputs of a stride-1 one.
    [#conv-output-size] ``groups`` matters: a depthwise convolution (``groups == C_in == C_out``)
    looks at ONE input channel per output. [#conv-groups] The bias is not counted. [#conv-no-bias]
    Read ``in_channels``, ``groups`` and ``kernel_size`` (a tuple: ``k_h`` and ``k_w`` may
    differ) from the module. [#conv-kernel]

    Example: ``nn.Conv2d(3, 32, 3, stride=2, padding=1)`` on ``(1, 3, 224, 224)`` outputs
    ``(1, 32, 112, 112)`` and costs ``2 * 32 * 112 * 112 * 3 * 3 * 3 = 21,676,032`` FLOPs.

    Args:
        conv: the convolution.
        output_shape: the shape of its output, ``(N, C_out, H_out, W_out)``.

    Returns:
        The FLOPs, an ``int``. [#conv-int]
    """
    # TODO: the formula above.
    raise NotImplementedError


def linear_flops(linear: nn.Linear, output_shape: Sequence[int]) -> int:
    """FLOPs of one forward of ``linear`` that produced an output of shape ``(..., out_features)``.

    Each of the ``rows`` output rows (the product of all dims but the last: ``N`` for a
    ``(N, out_features)`` output, ``N * T`` for ``(N, T, out_features)``) costs
    ``in_features * out_features`` MACs [#linear-formula]::

        FLOPs = 2 * rows * in_features * out_features

    The bias is not counted. [#linear-no-bias] Example: ``nn.Linear(1280, 26)`` on a batch of 4
    costs ``2 * 4 * 1280 * 26 = 266,240`` FLOPs.

    Args:
        linear: the layer.
        output_shape: the shape of its output.

    Returns:
        The FLOPs, an ``int``. [#linear-int]
    """
    # TODO: the formula above (math.prod helps).
    raise NotImplementedError


def count_flops(model: nn.Module, input_size: Sequence[int] = (1, 3, 224, 224)) -> dict[str, int]:
    """FLOPs of ONE forward of ``model`` on a batch of shape ``input_size``, per layer type.

    How:

    1. register a forward hook (``module.register_forward_hook(fn)``, ``fn(module, inputs,
       output)``) on every module that is an instance of one of :data:`LAYER_TYPES` (subclasses
       included); [#subclasses]
    2. put the model in eval mode and run it once under ``torch.no_grad()`` on
       ``torch.zeros(input_size)`` (same device and dtype as the model's parameters; float32 on
       the CPU for a model without parameters), [#input-dtype] so BatchNorm statistics do not
       move and no graph is kept; [#eval-no-grad]
    3. in the hook add :func:`conv2d_flops` / :func:`linear_flops` of the output shape to the
       count of the layer's type;
    4. in a ``finally`` block remove every hook (``handle.remove()``) and put the model back in
       the mode it was in (``model.train(was_training)``), also when the forward raises.
       [#cleanup]

    A layer called twice is counted twice (the hook fires twice). [#called-twice] Everything
    scales with the batch size ``input_size[0]``. [#batch-scaling]

    Args:
        model: an image model taking ``(N, C, H, W)``.
        input_size: the shape of the dummy input, ``(N, C, H, W)``.

    Returns:
        ``{"Conv2d": conv_flops, "Linear": linear_flops, "total": conv_flops + linear_flops}``
        (ints; a key is 0 when the model has no layer of that type). [#report-keys] The grader
        compares the total with ``FlopCounterMode().get_total_flops()`` exactly. [#total-oracle]
    """
    # TODO: hooks, one no-grad eval forward, clean-up in `finally`.
    raise NotImplementedError
