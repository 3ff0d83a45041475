"""Bug: only pathlib paths (os.PathLike) are registered, so a plain str path is a TypeError."""

import functools
import os

import numpy as np

from solutions.week6 import polymorphism as _solution
from solutions.week6.polymorphism import *  # noqa: F403
from solutions.week6.polymorphism import __all__  # noqa: F401


@functools.singledispatch
def load_image(source: object) -> np.ndarray:
    raise TypeError(f"load_image cannot read a {type(source).__name__}")


for _cls, _fn in _solution.load_image.registry.items():
    if _cls not in (object, str):
        load_image.register(_cls, _fn)


@load_image.register(os.PathLike)
def _from_path(source: os.PathLike) -> np.ndarray:
    return _solution._from_path(source)


_solution.load_image = load_image
