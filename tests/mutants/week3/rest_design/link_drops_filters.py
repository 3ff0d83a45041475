"""Bug: the Link header rebuilds the URL from the path and the cursor only (filters are lost)."""

from fastapi import Request

from solutions.week3 import rest_design as _solution
from solutions.week3.rest_design import *  # noqa: F403
from solutions.week3.rest_design import __all__  # noqa: F401


def _bare_link(request: Request, next_cursor: str) -> str:
    return f"{request.url.path}?cursor={next_cursor}"


_solution._next_link = _bare_link
