"""Bug: errors use FastAPI's default {"detail": ...} JSON, not RFC 9457 problem details."""

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException

from solutions.week3 import rest_design as _solution
from solutions.week3.rest_design import *  # noqa: F403
from solutions.week3.rest_design import (
    Store,
    __all__,  # noqa: F401
)


def create_app(store: Store | None = None, *, max_limit: int = 100) -> FastAPI:
    app = _solution.create_app(store, max_limit=max_limit)
    app.exception_handlers.pop(HTTPException, None)
    app.exception_handlers.pop(RequestValidationError, None)
    return app
