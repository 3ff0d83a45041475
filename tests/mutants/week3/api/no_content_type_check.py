"""Bug: never checks the content type, so a text/plain upload is served like an image."""

from rxvision.serving.routes import predict as _route
from solutions.week3.api import *  # noqa: F403
from solutions.week3.api import __all__  # noqa: F401


def _accept_anything(content_type: str | None) -> None:
    return None


_route.check_content_type = _accept_anything
