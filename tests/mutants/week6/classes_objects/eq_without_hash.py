"""Bug: defines __eq__ but not __hash__, so Python sets __hash__ = None (unhashable objects)."""

from solutions.week6 import classes_objects as _solution
from solutions.week6.classes_objects import *  # noqa: F403
from solutions.week6.classes_objects import __all__  # noqa: F401


class Medication(_solution.Medication):
    __slots__ = ()
    __hash__ = None  # what a class that defines __eq__ alone gets
