"""Bug: no upload size limit: the whole body is read whatever max_upload_bytes says."""

from fastapi import FastAPI, HTTPException, UploadFile

import solutions.week3.api as _solution
from rxvision.serving.middleware import BodySizeLimit
from rxvision.serving.routes import predict as _route
from solutions.week3.api import *  # noqa: F403
from solutions.week3.api import Predictor, __all__  # noqa: F401


async def _read_everything(file: UploadFile, max_bytes: int) -> bytes:
    data = await file.read()
    if not data:
        raise HTTPException(400, detail="The uploaded file is empty")
    return data


_route.read_upload = _read_everything


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
    app.user_middleware = [m for m in app.user_middleware if m.cls is not BodySizeLimit]
    return app
