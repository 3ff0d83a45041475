"""Bug: the softmax drill exponentiates raw logits (no max shift): overflow at 1e4 gives NaN."""

from types import ModuleType

import numpy as np

from solutions.week6 import capstone_coding as _solution

__all__ = ["drill"]


def _softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    e = np.exp(np.asarray(x, dtype=np.float64))
    return e / e.sum(axis=axis, keepdims=True)


def drill(name: str) -> ModuleType:
    module = _solution.drill(name)
    if name != "softmax_cross_entropy":
        return module
    patched = ModuleType(module.__name__)
    vars(patched).update(vars(module))
    patched.softmax = _softmax
    patched.log_softmax = lambda x, axis=-1: np.log(_softmax(x, axis))
    return patched
