r"""Bug: the NDC validator uses re.match with \d and no end anchor (accepts 5-4-3, junk after)."""

import re

from solutions.week6 import classes_objects as _solution
from solutions.week6.classes_objects import *  # noqa: F403
from solutions.week6.classes_objects import __all__  # noqa: F401

_LOOSE = re.compile(r"\d{4}-\d{4}-\d{2}|\d{5}-\d{3}-\d{2}|\d{5}-\d{4}-\d{1,2}")


class Medication(_solution.Medication):
    __slots__ = ()

    @staticmethod
    def is_valid_ndc(code: object) -> bool:
        return isinstance(code, str) and _LOOSE.match(code) is not None
