"""Bug: k has no upper bound: top_k_max is ignored."""

from typing import Annotated

from fastapi import FastAPI, Query

import solutions.week3.api as _solution
from rxvision.serving.deps import get_top_k
from solutions.week3.api import *  # noqa: F403
from solutions.week3.api import Predictor, __all__  # noqa: F401


def _any_k(k: Annotated[int, Query(ge=1)] = 3) -> int:
    return k


def create_app(
    predictor: Predictor,
    *,
    redis_url: str | None = None,
    max_upload_bytes: int = 5_000_000,
    cache_ttl: int = 3600,
    top_k_max: int = 10,
) -> FastAPI:
    app = _solution.create_app(
        predictor,
        redis_url=redis_url,
        max_upload_bytes=max_upload_bytes,
        cache_ttl=cache_ttl,
        top_k_max=top_k_max,
    )
    app.dependency_overrides[get_top_k] = _any_k
    return app
