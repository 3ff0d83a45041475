"""Deterministic synthetic pill photographs: catalogue, renderer, dataset and previews.

Nothing is generated or downloaded at import time, and torch is imported only when
:class:`PillDataset` is first used (``from rxvision.data import CATALOGUE`` stays light).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rxvision.data.catalogue import CATALOGUE, CLASS_NAMES, Medication
from rxvision.data.preview import contact_sheet
from rxvision.data.synthetic import SPLITS, SUBSETS, generate, render_pill

if TYPE_CHECKING:
    from rxvision.data.dataset import PillDataset

__all__ = [
    "CATALOGUE",
    "CLASS_NAMES",
    "SPLITS",
    "SUBSETS",
    "Medication",
    "PillDataset",
    "contact_sheet",
    "generate",
    "render_pill",
]


def __getattr__(name: str) -> Any:
    if name == "PillDataset":
        from rxvision.data.dataset import PillDataset

        return PillDataset
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
