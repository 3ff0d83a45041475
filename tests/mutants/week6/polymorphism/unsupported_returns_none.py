"""Bug: the fallback implementation returns None for unsupported types instead of raising."""

from solutions.week6 import polymorphism as _solution
from solutions.week6.polymorphism import *  # noqa: F403
from solutions.week6.polymorphism import __all__  # noqa: F401

_solution.load_image.register(object, lambda source: None)
