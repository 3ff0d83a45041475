"""Bug: CenterCropPredictor crops the top-left corner instead of the centre."""

import numpy as np

from solutions.week6 import polymorphism as _solution
from solutions.week6.polymorphism import *  # noqa: F403
from solutions.week6.polymorphism import __all__  # noqa: F401


class CenterCropPredictor(_solution.CenterCropPredictor):
    def preprocess(self, image: np.ndarray) -> np.ndarray:
        if min(image.shape[:2]) < self.size:
            raise ValueError("image smaller than the crop")
        return _solution.ImagePredictor.preprocess(self, image[: self.size, : self.size])
