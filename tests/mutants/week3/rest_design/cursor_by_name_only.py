"""Bug: the cursor holds only the name, so items sharing a name are skipped at page boundaries."""

from fastapi import HTTPException

from solutions.week3 import rest_design as _solution
from solutions.week3.rest_design import *  # noqa: F403
from solutions.week3.rest_design import (
    Medication,
    __all__,  # noqa: F401
)


def _name_paginate(
    rows: list[Medication], cursor: str | None, limit: int
) -> tuple[list[Medication], str | None]:
    if cursor is not None:
        try:
            name, _ = _solution.decode_cursor(cursor)
        except ValueError as exc:
            raise HTTPException(400, "invalid cursor") from exc
        rows = [m for m in rows if m.name > name]
    page = rows[:limit]
    more = len(rows) > limit
    return page, _solution.encode_cursor(page[-1].name, page[-1].id) if more else None


_solution._paginate = _name_paginate
