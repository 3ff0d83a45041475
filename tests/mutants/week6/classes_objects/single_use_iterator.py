"""Bug: Catalogue.__iter__ returns self and __next__ walks a shared cursor: iterates only once."""

from collections.abc import Iterator

from solutions.week6 import classes_objects as _solution
from solutions.week6.classes_objects import *  # noqa: F403
from solutions.week6.classes_objects import __all__  # noqa: F401


class Catalogue(_solution.Catalogue):
    def __iter__(self) -> Iterator[Medication]:  # noqa: F405
        if not hasattr(self, "_cursor"):
            self._cursor = iter(list(self._items.values()))
        return self

    def __next__(self) -> Medication:  # noqa: F405
        return next(self._cursor)
