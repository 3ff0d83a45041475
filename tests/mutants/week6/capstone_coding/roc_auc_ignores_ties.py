"""Bug: roc_auc ranks tied scores by position (argsort) instead of giving them average ranks."""

from types import ModuleType

import numpy as np

from solutions.week6 import capstone_coding as _solution

__all__ = ["drill"]


def _roc_auc(y_true, scores) -> float:
    y, s = np.asarray(y_true), np.asarray(scores, dtype=np.float64)
    ranks = np.empty(len(s))
    ranks[np.argsort(s, kind="stable")] = np.arange(1, len(s) + 1)
    n_pos, n_neg = int(y.sum()), int(len(y) - y.sum())
    return float((ranks[y == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def drill(name: str) -> ModuleType:
    module = _solution.drill(name)
    if name != "classification_metrics":
        return module
    patched = ModuleType(module.__name__)
    vars(patched).update(vars(module))
    patched.roc_auc = _roc_auc
    return patched
