"""Reference solution of ``week1.training_loop``: the reference system's training loop."""

from rxvision.training.loop import (
    EpochRecord,
    FitResult,
    evaluate,
    fit,
    seed_everything,
    train_one_epoch,
)

__all__ = [
    "EpochRecord",
    "FitResult",
    "evaluate",
    "fit",
    "seed_everything",
    "train_one_epoch",
]
