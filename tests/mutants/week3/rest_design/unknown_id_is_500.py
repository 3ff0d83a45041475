"""Bug: an unknown id raises KeyError inside the route (store[id]): the client gets a 500."""

from fastapi import FastAPI

from solutions.week3 import rest_design as _solution
from solutions.week3.rest_design import *  # noqa: F403
from solutions.week3.rest_design import (
    Medication,
    Store,
    __all__,  # noqa: F401
)


class _Store(Store):
    def get_medication(self, medication_id: str) -> Medication | None:
        return self._medications[medication_id]


def create_app(store: Store | None = None, *, max_limit: int = 100) -> FastAPI:
    if store is not None:
        store.__class__ = _Store
    return _solution.create_app(store or _Store(), max_limit=max_limit)
