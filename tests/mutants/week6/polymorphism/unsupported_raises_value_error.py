"""Bug: unsupported types raise ValueError (a bad value) instead of TypeError (a bad type)."""

from solutions.week6 import polymorphism as _solution
from solutions.week6.polymorphism import *  # noqa: F403
from solutions.week6.polymorphism import __all__  # noqa: F401


def _unsupported(source: object) -> None:
    raise ValueError(f"unsupported input: {source!r}")


_solution.load_image.register(object, _unsupported)
