"""Reference solution of ``week1.augmentation``: the reference system's augmentation."""

from rxvision.training.augment import MEAN, STD, denormalize, eval_transforms, train_transforms

__all__ = ["MEAN", "STD", "denormalize", "eval_transforms", "train_transforms"]
