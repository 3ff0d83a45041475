"""Bug: stores the code as given, so 0002-1433-80 and 00002-1433-80 are different products."""

from solutions.week6 import classes_objects as _solution
from solutions.week6.classes_objects import *  # noqa: F403
from solutions.week6.classes_objects import __all__  # noqa: F401


class Medication(_solution.Medication):
    __slots__ = ()

    def __init__(self, ndc: str, name: str, strength_mg: float) -> None:
        super().__init__(ndc, name, strength_mg)
        self._ndc = ndc
