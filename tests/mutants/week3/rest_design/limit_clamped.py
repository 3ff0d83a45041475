"""Bug: an out-of-range limit is silently clamped to [1, max_limit] instead of answered 422."""

import re
from typing import Any

from fastapi import FastAPI

from solutions.week3 import rest_design as _solution
from solutions.week3.rest_design import *  # noqa: F403
from solutions.week3.rest_design import (
    Store,
    __all__,  # noqa: F401
)


def create_app(store: Store | None = None, *, max_limit: int = 100) -> FastAPI:
    app = _solution.create_app(store, max_limit=max_limit)
    inner = app.build_middleware_stack()

    async def clamping(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            query = scope.get("query_string", b"").decode()

            def clamp(match: re.Match[str]) -> str:
                return f"limit={min(max(int(match.group(1)), 1), max_limit)}"

            scope = {**scope, "query_string": re.sub(r"limit=(-?\d+)", clamp, query).encode()}
        await inner(scope, receive, send)

    app.middleware_stack = clamping  # type: ignore[assignment]
    return app
