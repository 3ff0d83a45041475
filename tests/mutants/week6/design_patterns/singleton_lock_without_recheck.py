"""Bug: takes the lock after the None check but does not check again inside it."""

import threading
from typing import Any

from solutions.week6 import design_patterns as _solution
from solutions.week6.design_patterns import *  # noqa: F403
from solutions.week6.design_patterns import __all__  # noqa: F401


class SingletonMeta(type):
    _instances: dict[type, Any] = {}
    _lock = threading.RLock()

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        if SingletonMeta._instances.get(cls) is None:
            with SingletonMeta._lock:
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
