"""Capstone: a timed coding round from the drill bank (solution): the reference drills."""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["drill"]


def drill(name: str) -> ModuleType:
    """The reference module for the week-6 drill ``name`` (see the stub)."""
    return importlib.import_module(f"{__package__}.{name}")
