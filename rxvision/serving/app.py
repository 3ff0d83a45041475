"""The application factory: wires a predictor, an optional Redis cache and the routers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from rxvision import __version__
from rxvision.serving.cache import PredictionCache
from rxvision.serving.deps import ServingOptions
from rxvision.serving.middleware import BodySizeLimit
from rxvision.serving.predictor import Predictor
from rxvision.serving.routes import api_router

__all__ = ["MULTIPART_OVERHEAD", "create_app"]

#: Room for the multipart boundary and part headers on top of ``max_upload_bytes``.
MULTIPART_OVERHEAD = 16_384

DESCRIPTION = """\
Identify a medication from a photo of a pill.

* `POST /predict`: upload an image (multipart field `file`), get the top-k medications.
* `GET /health`: liveness, the model and the state of the Redis cache.

Answers are cached in Redis under the SHA-256 of the image; bad input gets a 4xx whose `detail`
says what to fix.
"""


def create_app(
    predictor: Predictor,
    *,
    redis_url: str | None = None,
    max_upload_bytes: int = 5_000_000,
    cache_ttl: int = 3600,
    top_k_max: int = 10,
) -> FastAPI:
    """Build the prediction service around ``predictor``.

    Args:
        predictor: what the service serves (see :class:`~rxvision.serving.predictor.Predictor`).
        redis_url: Redis for the prediction cache; None disables caching.
        max_upload_bytes: largest accepted upload (413 above).
        cache_ttl: seconds a cached answer lives.
        top_k_max: largest ``k`` a client may ask for (422 above).
    """
    cache = PredictionCache(redis_url, cache_ttl) if redis_url else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if cache is not None:
            await cache.aclose()

    app = FastAPI(
        title="RxVision25 prediction service",
        description=DESCRIPTION,
        version=__version__,
        lifespan=lifespan,
    )
    app.state.predictor = predictor
    app.state.cache = cache
    app.state.options = ServingOptions(max_upload_bytes, cache_ttl, top_k_max)
    app.add_middleware(
        BodySizeLimit, max_upload_bytes=max_upload_bytes, overhead=MULTIPART_OVERHEAD
    )
    app.include_router(api_router)
    return app
