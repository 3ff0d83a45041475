"""Bug: DELETE answers 200 with a JSON body instead of 204 No Content."""

from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from solutions.week3 import rest_design as _solution
from solutions.week3.rest_design import *  # noqa: F403
from solutions.week3.rest_design import (
    Store,
    __all__,  # noqa: F401
)


def create_app(store: Store | None = None, *, max_limit: int = 100) -> FastAPI:
    app = _solution.create_app(store, max_limit=max_limit)

    @app.middleware("http")
    async def bug(request: Request, call_next: Any) -> Response:
        response = await call_next(request)
        if response.status_code == 204:
            return JSONResponse({"deleted": True})
        return response

    return app
