"""Bug: the 4xx answers of /predict are not documented in the OpenAPI schema."""

from rxvision.serving.routes import predict as _route
from solutions.week3.api import *  # noqa: F403
from solutions.week3.api import __all__  # noqa: F401

for _api_route in _route.router.routes:
    _api_route.responses = {}
    _api_route.response_fields = {}
