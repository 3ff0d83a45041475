"""The prediction service: FastAPI, a file upload, top-k answers and a Redis cache.

You write one function, :func:`create_app`, that builds a FastAPI application serving any
:class:`Predictor` (an object with ``classes`` and ``predict_proba``). The response models are
given (imported below from ``rxvision.serving.schemas``): use them as ``response_model`` so the
OpenAPI schema documents your answers.

Run it (once it works) with a factory, then open http://127.0.0.1:8000/docs::

    uvicorn --factory my_launcher:build   # where build() returns create_app(SomePredictor())

Routes
------

``POST /predict``
    Multipart form upload; the image is the field ``file`` (an ``UploadFile``). Query parameter
    ``k``: an integer, default 3, from 1 to ``top_k_max``. Answer 200 with a
    :class:`PredictResponse`::

        {"predictions": [{"label": "red", "probability": 0.71}, ...],   # exactly min(k, C)
         "sha256": "<hex SHA-256 of the uploaded bytes>",
         "cached": false,
         "model": "<model name>"}

    - ``predictions``: the ``k`` most probable classes, most probable first; ``label`` is
      ``predictor.classes[j]`` and ``probability`` is column ``j`` of ``predict_proba`` (already
      probabilities: do not apply softmax again, do not scale). When ``k`` is larger than the
      number of classes ``C``, all ``C`` classes are returned.
    - ``model``: ``predictor.name`` if the predictor has that attribute, else the name of its
      class (``type(predictor).__name__``).
    - The predictor receives a list with one ``PIL.Image.Image`` in mode ``"RGB"``.

``GET /health``
    Answer 200 with a :class:`HealthResponse`: ``status`` is ``"ok"``, ``model`` as above,
    ``classes`` the number of classes, ``cache`` is ``"ok"`` (Redis answers a PING),
    ``"unavailable"`` (a ``redis_url`` was given but Redis does not answer) or ``"disabled"``
    (``redis_url`` is None).

Cache (only when ``redis_url`` is given)
-----------------------------------------

Use ``redis.asyncio``. Key: ``f"rxvision:predict:{sha256}:{k}"`` where ``sha256`` is the hex
digest of the uploaded bytes. Value: the JSON of the response. Set it with an expiry of
``cache_ttl`` seconds (``SET key value EX ttl``). Look the key up *before* running the model: on a
hit, answer the stored response with ``"cached": true`` and do not call the predictor.
When Redis is down or times out, the service still answers (a cache miss, logged): never a 500.
Give the client short timeouts (e.g. ``socket_connect_timeout=0.5, socket_timeout=0.5``) so a
dead Redis does not make every request slow.

Bad input: a 4xx whose JSON ``detail`` tells the client what to fix, never a 500
-------------------------------------------------------------------------------

=====================================================================  ======
missing ``file`` field (FastAPI's own validation answers this)          422
``k`` below 1 or above ``top_k_max``                                     422
empty upload (0 bytes)                                                   400
upload larger than ``max_upload_bytes`` (do not read more than that)     413
image with more pixels than can be decoded safely (decompression bomb)  413
content type that is not ``image/*`` (``application/octet-stream`` is   415
accepted: curl and many clients send it), e.g. ``text/plain``
bytes that are not a decodable image, even when labelled ``image/png``   415
=====================================================================  ======

Decode with Pillow inside ``try``/``except`` (``Image.open``, ``verify``, open again, ``load``,
``convert("RGB")``); read the upload in chunks and stop as soon as it exceeds
``max_upload_bytes``. Raise ``fastapi.HTTPException(status_code, detail="...")`` for each case.

OpenAPI: give the app a title and a description, give each route a summary, a
``response_model`` and document the 4xx answers of ``/predict`` with
``responses={400: {"model": ErrorResponse, "description": ...}, 413: ..., 415: ...}``.
"""

from __future__ import annotations

from fastapi import FastAPI

# Given: what the service serves (Predictor) and the shape of its answers (the response models).
# Read them in rxvision/serving/predictor.py and rxvision/serving/schemas.py; use the models as
# `response_model=` so the OpenAPI schema documents your answers.
from rxvision.serving.predictor import Predictor
from rxvision.serving.schemas import ErrorResponse, HealthResponse, Prediction, PredictResponse

__all__ = [
    "ErrorResponse",
    "HealthResponse",
    "PredictResponse",
    "Prediction",
    "Predictor",
    "create_app",
]


# -- your part ------------------------------------------------------------------------------------
def create_app(
    predictor: Predictor,
    *,
    redis_url: str | None = None,
    max_upload_bytes: int = 5_000_000,
    cache_ttl: int = 3600,
    top_k_max: int = 10,
) -> FastAPI:
    """Build the prediction service around ``predictor`` (see the module docstring for the spec).

    Args:
        predictor: what the service serves; call ``predictor.predict_proba([rgb_image])``.
        redis_url: Redis for the prediction cache (``redis://host:port/db``); None disables it.
        max_upload_bytes: largest accepted upload in bytes (413 above).
        cache_ttl: seconds a cached answer lives in Redis.
        top_k_max: largest ``k`` a client may ask for (422 above).

    Returns:
        A FastAPI application with ``POST /predict`` and ``GET /health``. Build everything
        inside this function (the Redis client too), so that two calls give two independent
        apps; do not connect to Redis here: the first request does.
    """
    # TODO: FastAPI(title=..., description=...), the /health and /predict routes, the cache.
    raise NotImplementedError("create_app: build the FastAPI app (see the module docstring)")
