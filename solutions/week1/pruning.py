"""Reference solution of ``week1.pruning``: the reference system's magnitude pruning."""

from rxvision.export.prune import (
    SparsityReport,
    fine_tune,
    make_permanent,
    prunable_layers,
    prune_model,
    sparsity,
)

__all__ = [
    "SparsityReport",
    "fine_tune",
    "make_permanent",
    "prunable_layers",
    "prune_model",
    "sparsity",
]
