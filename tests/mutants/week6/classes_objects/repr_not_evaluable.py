"""Bug: repr without quotes or field names (Medication(00002-1433-80, Trulicity, 1.5))."""

from solutions.week6 import classes_objects as _solution
from solutions.week6.classes_objects import *  # noqa: F403
from solutions.week6.classes_objects import __all__  # noqa: F401


class Medication(_solution.Medication):
    __slots__ = ()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._ndc}, {self._name}, {self._strength_mg})"
