"""Bug: the singleton checks and creates without any lock (a race builds several instances)."""

from typing import Any

from solutions.week6 import design_patterns as _solution
from solutions.week6.design_patterns import *  # noqa: F403
from solutions.week6.design_patterns import __all__  # noqa: F401


class SingletonMeta(type):
    _instances: dict[type, Any] = {}

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        if cls not in SingletonMeta._instances:
            SingletonMeta._instances[cls] = super().__call__(*args, **kwargs)
        return SingletonMeta._instances[cls]

    def reset(cls) -> None:
        SingletonMeta._instances.pop(cls, None)


class ModelCache(metaclass=SingletonMeta):
    __init__ = _solution.ModelCache.__init__
    get_or_load = _solution.ModelCache.get_or_load
    invalidate = _solution.ModelCache.invalidate
    __contains__ = _solution.ModelCache.__contains__
    __len__ = _solution.ModelCache.__len__
