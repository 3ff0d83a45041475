"""Reference solution of ``week1.flop_counter``: the reference system's profiling helpers."""

from rxvision.models.profiling import (
    LAYER_TYPES,
    conv2d_flops,
    count_flops,
    count_params,
    linear_flops,
)

__all__ = ["LAYER_TYPES", "conv2d_flops", "count_flops", "count_params", "linear_flops"]
