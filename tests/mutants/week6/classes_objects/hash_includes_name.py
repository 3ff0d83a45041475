"""Bug: hashes (ndc, name) while __eq__ compares the ndc only: equal objects, different hashes."""

from solutions.week6 import classes_objects as _solution
from solutions.week6.classes_objects import *  # noqa: F403
from solutions.week6.classes_objects import __all__  # noqa: F401


class Medication(_solution.Medication):
    __slots__ = ()

    def __hash__(self) -> int:
        return hash((self._ndc, self._name))
