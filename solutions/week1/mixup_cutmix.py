"""Reference solution of ``week1.mixup_cutmix``: the reference system's MixUp and CutMix."""

from rxvision.training.mixup import (
    cutmix,
    mixup,
    rand_box,
    sample_lambda,
    soft_target_cross_entropy,
)

__all__ = ["cutmix", "mixup", "rand_box", "sample_lambda", "soft_target_cross_entropy"]
