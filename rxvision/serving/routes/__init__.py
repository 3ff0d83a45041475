"""One router per resource; :data:`api_router` includes them all."""

from fastapi import APIRouter

from rxvision.serving.routes import health, predict

__all__ = ["api_router"]

api_router = APIRouter()
api_router.include_router(predict.router)
api_router.include_router(health.router)
