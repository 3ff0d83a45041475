"""Bug: __eq__ returns False (not NotImplemented) for other types, so Python never asks them."""

from solutions.week6 import classes_objects as _solution
from solutions.week6.classes_objects import *  # noqa: F403
from solutions.week6.classes_objects import __all__  # noqa: F401


class Medication(_solution.Medication):
    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _solution.Medication):
            return False
        return self._ndc == other._ndc

    __hash__ = _solution.Medication.__hash__
