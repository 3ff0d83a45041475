"""Parameter and FLOP counting for convolutional networks.

Convention: one multiply-accumulate (MAC) is **two** FLOPs, the convention of
``torch.utils.flop_counter.FlopCounterMode`` and fvcore's "flops x 2". Only the convolutions and
the linear layers are counted (they are over 99% of the compute of a CNN); bias additions,
BatchNorm, activations and pooling count zero, as in ``FlopCounterMode``. The EfficientNet paper's
"0.39B FLOPS" for B0 at 224x224 are MACs: 0.39 G MACs = 0.77 GFLOPs here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor, nn

__all__ = ["LAYER_TYPES", "conv2d_flops", "count_flops", "count_params", "linear_flops"]

#: The layer types counted by :func:`count_flops`, by the key they are reported under.
LAYER_TYPES: dict[str, type[nn.Module]] = {"Conv2d": nn.Conv2d, "Linear": nn.Linear}


def count_params(model: nn.Module, trainable_only: bool = False) -> int:
    """Number of parameters of ``model``: each tensor once (shared weights too), buffers never.

    Args:
        model: any module.
        trainable_only: count only parameters with ``requires_grad=True``.
    """
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def conv2d_flops(conv: nn.Conv2d, output_shape: Sequence[int]) -> int:
    """FLOPs of one ``conv`` forward that produced an output of ``(N, C_out, H_out, W_out)``.

    ``2 * N * C_out * H_out * W_out * (C_in / groups) * k_h * k_w``; the bias is not counted.
    """
    n, c_out, h_out, w_out = output_shape
    k_h, k_w = conv.kernel_size
    macs_per_output = conv.in_channels // conv.groups * k_h * k_w
    return 2 * n * c_out * h_out * w_out * macs_per_output


def linear_flops(linear: nn.Linear, output_shape: Sequence[int]) -> int:
    """FLOPs of one ``linear`` forward with output ``(..., out_features)``.

    ``2 * rows * in_features * out_features`` with ``rows`` the product of the leading dims; the
    bias is not counted.
    """
    rows = math.prod(output_shape[:-1])
    return 2 * rows * linear.in_features * linear.out_features


def count_flops(model: nn.Module, input_size: Sequence[int] = (1, 3, 224, 224)) -> dict[str, int]:
    """FLOPs of one forward of ``model`` on a zero batch of shape ``input_size``.

    The model runs once in eval mode under ``torch.no_grad()`` with a forward hook on every
    ``nn.Conv2d`` and ``nn.Linear`` (subclasses included); its mode is restored and every hook
    removed afterwards, even on error.

    Returns:
        ``{"Conv2d": ..., "Linear": ..., "total": ...}``: FLOPs per layer type and their sum.
    """
    counts = dict.fromkeys(LAYER_TYPES, 0)
    handles = []

    def hook(module: nn.Module, inputs: tuple[Tensor, ...], output: Tensor) -> None:
        if isinstance(module, nn.Conv2d):
            counts["Conv2d"] += conv2d_flops(module, tuple(output.shape))
        else:
            counts["Linear"] += linear_flops(module, tuple(output.shape))  # type: ignore[arg-type]

    was_training = model.training
    try:
        for module in model.modules():
            if isinstance(module, tuple(LAYER_TYPES.values())):
                handles.append(module.register_forward_hook(hook))
        reference = next(model.parameters(), None)
        device = reference.device if reference is not None else torch.device("cpu")
        dtype = reference.dtype if reference is not None else torch.float32
        model.eval()
        with torch.no_grad():
            model(torch.zeros(tuple(input_size), device=device, dtype=dtype))
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    counts["total"] = sum(counts.values())
    return counts
