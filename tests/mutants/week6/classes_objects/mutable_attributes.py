"""Bug: the attributes have setters, so anyone can reassign ndc and silently change the hash."""

from solutions.week6 import classes_objects as _solution
from solutions.week6.classes_objects import *  # noqa: F403
from solutions.week6.classes_objects import __all__  # noqa: F401


class Medication(_solution.Medication):
    __slots__ = ()

    @property
    def ndc(self) -> str:
        return self._ndc

    @ndc.setter
    def ndc(self, value: str) -> None:
        self._ndc = value

    @property
    def name(self) -> str:
        return self._name

    @name.setter
    def name(self, value: str) -> None:
        self._name = value

    @property
    def strength_mg(self) -> float:
        return self._strength_mg

    @strength_mg.setter
    def strength_mg(self, value: float) -> None:
        self._strength_mg = value
