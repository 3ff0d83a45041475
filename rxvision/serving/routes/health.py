"""``GET /health``: is the process up, which model does it serve, does the cache answer."""

from __future__ import annotations

from fastapi import APIRouter

from rxvision.serving.deps import CacheDep, PredictorDep
from rxvision.serving.predictor import model_name
from rxvision.serving.schemas import HealthResponse

__all__ = ["router"]

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    response_model=HealthResponse,
    summary="Liveness, model and cache state",
    description="Answers 200 whenever the process runs. `cache` is `ok` when Redis answers, "
    "`unavailable` when it is configured but does not answer (predictions still work, uncached) "
    "and `disabled` when the service was started without a Redis URL.",
)
async def health(predictor: PredictorDep, cache: CacheDep) -> HealthResponse:
    return HealthResponse(
        status="ok",
        model=model_name(predictor),
        classes=len(predictor.classes),
        cache="disabled" if cache is None else await cache.state(),
    )
