"""Serving: the FastAPI prediction service (``create_app``) and what it serves (``Predictor``).

Run it with ``uvicorn --factory`` on a function that calls :func:`create_app` with a predictor,
e.g. a :class:`TorchPredictor` around a trained model.
"""

from rxvision.serving.app import create_app
from rxvision.serving.cache import PredictionCache, cache_key
from rxvision.serving.predictor import Predictor, TorchPredictor, model_name, top_k
from rxvision.serving.schemas import ErrorResponse, HealthResponse, Prediction, PredictResponse

__all__ = [
    "ErrorResponse",
    "HealthResponse",
    "PredictResponse",
    "Prediction",
    "PredictionCache",
    "Predictor",
    "TorchPredictor",
    "cache_key",
    "create_app",
    "model_name",
    "top_k",
]
