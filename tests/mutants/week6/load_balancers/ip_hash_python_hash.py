"""Bug: IP hash uses Python's hash(), which is salted per process (PYTHONHASHSEED)."""

from solutions.week6 import load_balancers as _solution
from solutions.week6.load_balancers import *  # noqa: F403
from solutions.week6.load_balancers import Request, __all__  # noqa: F401


class IPHash(_solution.IPHash):
    def choose(self, request: Request, healthy: list[str]) -> str:
        return healthy[hash(request.client_ip) % len(healthy)]
