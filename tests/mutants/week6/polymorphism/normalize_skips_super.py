"""Bug: NormalizedPredictor re-implements preprocess without super() and forgets the / 255."""

import numpy as np

from solutions.week6 import polymorphism as _solution
from solutions.week6.polymorphism import *  # noqa: F403
from solutions.week6.polymorphism import __all__  # noqa: F401


class NormalizedPredictor(_solution.NormalizedPredictor):
    def preprocess(self, image: np.ndarray) -> np.ndarray:
        x = image.astype(np.float32).transpose(2, 0, 1)
        mean = np.asarray(self.MEAN, dtype=np.float32)[:, None, None]
        std = np.asarray(self.STD, dtype=np.float32)[:, None, None]
        return (x - mean) / std
