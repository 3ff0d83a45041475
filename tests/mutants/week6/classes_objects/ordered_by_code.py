"""Bug: orders medications by NDC code instead of by name."""

from solutions.week6 import classes_objects as _solution
from solutions.week6.classes_objects import *  # noqa: F403
from solutions.week6.classes_objects import __all__  # noqa: F401


class Medication(_solution.Medication):
    __slots__ = ()

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, _solution.Medication):
            return NotImplemented
        return self._ndc < other._ndc
