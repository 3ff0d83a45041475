"""Bug: an (H, W, 4) RGBA array keeps its alpha channel."""

import numpy as np

from solutions.week6 import polymorphism as _solution
from solutions.week6.polymorphism import *  # noqa: F403
from solutions.week6.polymorphism import __all__  # noqa: F401


@_solution.load_image.register
def _from_array(source: np.ndarray) -> np.ndarray:
    if source.ndim == 3 and source.shape[2] == 4 and source.dtype == np.uint8:
        return source.copy()
    return _solution._from_array(source)
