"""Bug: filters are applied to each page after slicing, so pages come back short or empty."""

from solutions.week3 import rest_design as _solution
from solutions.week3.rest_design import *  # noqa: F403
from solutions.week3.rest_design import (
    Medication,
    Store,
    __all__,  # noqa: F401
)

_visible, _paginate = _solution._visible, _solution._paginate
_filters: dict[str, str | None] = {}


def _unfiltered(store: Store, form: str | None, colour: str | None) -> list[Medication]:
    _filters.update(form=form, colour=colour)
    return _visible(store, None, None)


def _filter_page(
    rows: list[Medication], cursor: str | None, limit: int
) -> tuple[list[Medication], str | None]:
    page, next_cursor = _paginate(rows, cursor, limit)
    form, colour = _filters.get("form"), _filters.get("colour")
    page = [m for m in page if (form is None or m.form == form) and (colour in (None, m.colour))]
    return page, next_cursor


_solution._visible = _unfiltered
_solution._paginate = _filter_page
