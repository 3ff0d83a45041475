"""Bug: a query row whose keys are all masked gets NaN (0/0 in the softmax) instead of zeros."""

from types import ModuleType

import numpy as np

from solutions.week6 import capstone_coding as _solution

__all__ = ["drill"]


def drill(name: str) -> ModuleType:
    module = _solution.drill(name)
    if name != "scaled_dot_product_attention":
        return module
    patched = ModuleType(module.__name__)
    vars(patched).update(vars(module))

    def attention(q, k, v, mask=None, causal=False):
        out, weights = module.attention(q, k, v, mask=mask, causal=causal)
        dead = ~np.asarray(weights).any(axis=-1, keepdims=True)
        return np.where(dead, np.nan, out), np.where(dead, np.nan, weights)

    patched.attention = attention
    return patched
