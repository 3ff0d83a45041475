"""Bug: crop is correct but loops over the batch in Python (one slice per image)."""

import torch
from torch import Tensor

from solutions.week1.tensor_ops import *  # noqa: F403
from solutions.week1.tensor_ops import __all__  # noqa: F401


def crop(images: Tensor, corners: Tensor, size: int) -> Tensor:
    _, _, h, w = images.shape
    out = []
    for image, (top, left) in zip(images, corners.tolist(), strict=True):
        if top < 0 or left < 0 or top + size > h or left + size > w:
            raise ValueError(f"every {size}x{size} window must lie inside the {h}x{w} images")
        out.append(image[:, top : top + size, left : left + size])
    return torch.stack(out)
