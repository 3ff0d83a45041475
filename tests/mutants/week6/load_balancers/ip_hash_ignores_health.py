"""Bug: IP hash indexes the full backend list, so clients of a down backend are still sent there."""

import hashlib

from solutions.week6 import load_balancers as _solution
from solutions.week6.load_balancers import *  # noqa: F403
from solutions.week6.load_balancers import Request, __all__  # noqa: F401


class IPHash(_solution.IPHash):
    def choose(self, request: Request, healthy: list[str]) -> str:
        digest = hashlib.sha256(request.client_ip.encode()).hexdigest()
        return self._backends[int(digest, 16) % len(self._backends)]
