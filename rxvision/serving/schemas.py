"""Response bodies of the prediction API (they are also its OpenAPI schema)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

__all__ = ["CacheState", "ErrorResponse", "HealthResponse", "PredictResponse", "Prediction"]

CacheState = Literal["ok", "unavailable", "disabled"]


class Prediction(BaseModel):
    """One candidate medication and the model's probability for it."""

    label: str = Field(description="Class name (a medication).", examples=["amoxicillin_500"])
    probability: float = Field(ge=0.0, le=1.0, description="Softmax probability.", examples=[0.93])


class PredictResponse(BaseModel):
    """The top-k predictions for one uploaded image."""

    predictions: list[Prediction] = Field(
        description="The k most probable classes, most probable first."
    )
    sha256: str = Field(description="SHA-256 of the uploaded bytes (hex); also the cache key.")
    cached: bool = Field(description="True when the answer came from the Redis cache.")
    model: str = Field(description="Name of the model that produced the predictions.")


class HealthResponse(BaseModel):
    """Liveness of the service and of its cache."""

    status: Literal["ok"] = Field(description="Always 'ok' when the process answers.")
    model: str = Field(description="Name of the loaded model.")
    classes: int = Field(ge=1, description="How many classes the model knows.")
    cache: CacheState = Field(
        description="'ok' (Redis answers), 'unavailable' (configured, does not answer) or "
        "'disabled' (no redis_url)."
    )


class ErrorResponse(BaseModel):
    """Body of every 4xx answer that is not a request-validation error."""

    detail: str = Field(description="What was wrong with the request and how to fix it.")
