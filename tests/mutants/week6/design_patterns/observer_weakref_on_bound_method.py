"""Bug: weakref.ref(obj.method): the bound method object dies at once, so it is never called."""

import weakref
from collections.abc import Callable
from typing import Any

from solutions.week6 import design_patterns as _solution
from solutions.week6.design_patterns import *  # noqa: F403
from solutions.week6.design_patterns import __all__  # noqa: F401


class ModelEvents(_solution.ModelEvents):
    @staticmethod
    def _ref(callback: Callable[[Any], Any]) -> weakref.ref:
        return weakref.ref(callback)
