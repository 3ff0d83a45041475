"""Reference solution of ``week1.progressive_resizing``: the reference system's schedule."""

from rxvision.training.progressive import (
    fixres_test_size,
    resize_batch,
    resize_schedule,
    scaled_batch_size,
)

__all__ = ["fixres_test_size", "resize_batch", "resize_schedule", "scaled_batch_size"]
