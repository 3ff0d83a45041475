"""Bug: a grey (H, W) array is returned as is, without repeating it into 3 channels."""

import numpy as np

from solutions.week6 import polymorphism as _solution
from solutions.week6.polymorphism import *  # noqa: F403
from solutions.week6.polymorphism import __all__  # noqa: F401


@_solution.load_image.register
def _from_array(source: np.ndarray) -> np.ndarray:
    if source.dtype != np.uint8:
        raise ValueError("expected uint8")
    if source.ndim == 2:
        return source.copy()
    return _solution._from_array(source)
