"""Bug: one non-reentrant Lock for all singletons: an __init__ creating another one deadlocks."""

import threading

from solutions.week6 import design_patterns as _solution
from solutions.week6.design_patterns import *  # noqa: F403
from solutions.week6.design_patterns import __all__  # noqa: F401

_solution.SingletonMeta._lock = threading.Lock()
