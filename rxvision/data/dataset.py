"""PyTorch dataset over the synthetic pill photographs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from PIL import Image
from torch.utils.data import Dataset

from rxvision.data.catalogue import CLASS_NAMES
from rxvision.data.synthetic import SUBSETS, generate

__all__ = ["PillDataset"]


class PillDataset(Dataset):
    """Synthetic pill photographs of one split and subset, rendered once in ``__init__``.

    ``train``, ``val`` and ``test`` are independent sample streams of the same split (different
    seeds per sample), so no image appears in two subsets; identical arguments give identical
    images.

    Args:
        split: ``"studio"`` or ``"field"``.
        subset: ``"train"``, ``"val"`` or ``"test"``.
        samples_per_class: Images per class in this subset.
        image_size: Side length in pixels.
        seed: Base seed.
        transform: Optional callable applied to the PIL image in ``__getitem__`` (e.g. a
            torchvision transform); without it items are float32 tensors ``3 x H x W`` in [0, 1].

    Attributes:
        classes: Class names, ``classes[label]``.
        split: The split.
        subset: The subset.
        images: uint8 array ``(N, H, W, 3)``.
        labels: int64 array ``(N,)``.
    """

    def __init__(
        self,
        split: str = "studio",
        subset: str = "train",
        *,
        samples_per_class: int = 50,
        image_size: int = 64,
        seed: int = 0,
        transform: Callable | None = None,
    ) -> None:
        if subset not in SUBSETS:
            raise ValueError(f"subset must be one of {SUBSETS}, got {subset!r}")
        self.classes: tuple[str, ...] = CLASS_NAMES
        self.split = split
        self.subset = subset
        self.transform = transform
        self.images, self.labels = generate(
            split, samples_per_class=samples_per_class, size=image_size, seed=seed, subset=subset
        )

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> tuple[Any, int]:
        image = self.images[index]
        label = int(self.labels[index])
        if self.transform is not None:
            return self.transform(Image.fromarray(image)), label
        tensor = torch.from_numpy(np.ascontiguousarray(image.transpose(2, 0, 1)))
        return tensor.to(torch.float32).div_(255.0), label
