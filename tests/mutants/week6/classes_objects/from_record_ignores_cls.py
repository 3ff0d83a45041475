"""Bug: from_record builds Medication(...) instead of cls(...), so subclasses get the base class."""

from collections.abc import Mapping
from typing import Any

from solutions.week6 import classes_objects as _solution
from solutions.week6.classes_objects import *  # noqa: F403
from solutions.week6.classes_objects import __all__  # noqa: F401


class Medication(_solution.Medication):
    __slots__ = ()

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> "Medication":
        made = _solution.Medication.from_record(record)
        return Medication(made.ndc, made.name, made.strength_mg)
