"""Bug: a full page always gets a next_cursor, so clients fetch an extra, empty last page."""

from solutions.week3 import rest_design as _solution
from solutions.week3.rest_design import *  # noqa: F403
from solutions.week3.rest_design import (
    Medication,
    __all__,  # noqa: F401
)

_paginate = _solution._paginate


def _eager_paginate(
    rows: list[Medication], cursor: str | None, limit: int
) -> tuple[list[Medication], str | None]:
    page, next_cursor = _paginate(rows, cursor, limit)
    if next_cursor is None and len(page) == limit:
        next_cursor = _solution.encode_cursor(page[-1].name, page[-1].id)
    return page, next_cursor


_solution._paginate = _eager_paginate
