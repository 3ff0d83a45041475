"""Reference solution of ``week3.api``: the prediction service of ``rxvision.serving``."""

from rxvision.serving import (
    ErrorResponse,
    HealthResponse,
    Prediction,
    Predictor,
    PredictResponse,
    create_app,
)

__all__ = [
    "ErrorResponse",
    "HealthResponse",
    "PredictResponse",
    "Prediction",
    "Predictor",
    "create_app",
]
