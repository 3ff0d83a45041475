"""Bug: recommends threads for pure-Python CPU work (ignores the GIL)."""

from solutions.week6.threads_vs_processes import *  # noqa: F403
from solutions.week6.threads_vs_processes import __all__  # noqa: F401


def choose_kind(workload: str) -> str:
    table = {"cpu": "thread", "io": "thread", "gil_releasing": "thread", "network_many": "asyncio"}
    try:
        return table[workload]
    except KeyError:
        raise ValueError(workload) from None
