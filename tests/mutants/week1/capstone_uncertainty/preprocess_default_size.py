"""Calls preprocess without the size: every input is 64 px whatever the model expects."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import Tensor

from solutions.week1 import preprocessing
from solutions.week1.capstone_uncertainty import *  # noqa: F403
from solutions.week1.capstone_uncertainty import __all__  # noqa: F401


def preprocess_photos(photos: Sequence[np.ndarray], size: int) -> tuple[Tensor, Tensor]:
    inputs, accepted = [], []
    for photo in photos:
        try:
            tensor, _ = preprocessing.preprocess(photo)
        except ValueError:
            accepted.append(False)
            continue
        inputs.append(tensor)
        accepted.append(True)
    batch = torch.stack(inputs) if inputs else torch.zeros(0, 3, size, size)
    return batch.float(), torch.tensor(accepted, dtype=torch.bool)
