"""Bug: a duplicate NDC is answered 400 Bad Request instead of 409 Conflict."""

from fastapi import FastAPI
from starlette.exceptions import HTTPException

from solutions.week3 import rest_design as _solution
from solutions.week3.rest_design import *  # noqa: F403
from solutions.week3.rest_design import (
    DuplicateNDC,
    Medication,
    MedicationIn,
    Store,
    __all__,  # noqa: F401
)


class _Store(Store):
    def add_medication(self, data: MedicationIn) -> Medication:
        try:
            return super().add_medication(data)
        except DuplicateNDC as exc:
            raise HTTPException(400, str(exc)) from exc


def create_app(store: Store | None = None, *, max_limit: int = 100) -> FastAPI:
    if store is not None:
        store.__class__ = _Store
    return _solution.create_app(store or _Store(), max_limit=max_limit)
