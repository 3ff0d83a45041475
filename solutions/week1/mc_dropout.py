"""Reference solution of ``week1.mc_dropout``: re-exports the reference system."""

from rxvision.models.uncertainty import (
    DROPOUT_TYPES,
    MCDropoutResult,
    enable_dropout,
    entropy,
    is_dropout,
    mc_dropout_predict,
)

__all__ = [
    "DROPOUT_TYPES",
    "MCDropoutResult",
    "enable_dropout",
    "entropy",
    "is_dropout",
    "mc_dropout_predict",
]
