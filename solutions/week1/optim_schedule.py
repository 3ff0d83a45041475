"""Reference solution of ``week1.optim_schedule``: the reference optimisers and schedule."""

from rxvision.training.optim import (
    build_optimizer,
    param_groups_weight_decay,
    warmup_cosine,
    warmup_cosine_scheduler,
)

__all__ = [
    "build_optimizer",
    "param_groups_weight_decay",
    "warmup_cosine",
    "warmup_cosine_scheduler",
]
