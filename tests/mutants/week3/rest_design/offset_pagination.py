"""Bug: the cursor encodes an offset into the list, so inserts before it repeat or skip items."""

from fastapi import HTTPException

from solutions.week3 import rest_design as _solution
from solutions.week3.rest_design import *  # noqa: F403
from solutions.week3.rest_design import (
    Medication,
    __all__,  # noqa: F401
)


def _offset_paginate(
    rows: list[Medication], cursor: str | None, limit: int
) -> tuple[list[Medication], str | None]:
    offset = 0
    if cursor is not None:
        try:
            offset = int(_solution.decode_cursor(cursor)[1])
        except ValueError as exc:
            raise HTTPException(400, "invalid cursor") from exc
    page = rows[offset : offset + limit]
    more = len(rows) > offset + limit
    return page, _solution.encode_cursor("offset", str(offset + limit)) if more else None


_solution._paginate = _offset_paginate
