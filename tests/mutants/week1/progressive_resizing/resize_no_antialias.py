"""Bug: resize_batch interpolates without antialiasing, so downsizing aliases fine detail."""

import torch
import torch.nn.functional as F
from torch import Tensor

from solutions.week1.progressive_resizing import *  # noqa: F403
from solutions.week1.progressive_resizing import __all__  # noqa: F401


def resize_batch(images: Tensor, size: int) -> Tensor:
    if not torch.is_floating_point(images):
        raise TypeError(f"resize_batch expects a float tensor, got {images.dtype}")
    if images.shape[-2:] == (size, size):
        return images
    return F.interpolate(images, size=(size, size), mode="bilinear", align_corners=False)
