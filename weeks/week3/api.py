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
    ``k``: an integer, default 3, from 1 to ``top_k_max``. [#k] Answer 200 with a
    :class:`PredictResponse`. [#response] For example::

        {"predictions": [{"label": "red", "probability": 0.71}, ...],   # exactly min(k, C)
         "sha256": "<hex SHA-256 of the uploaded bytes>",
         "cached": false,
         "model": "<model name>"}

    - ``predictions``: the ``k`` most probable classes, most probable first. [#top-k] ``label``
      is ``predictor.classes[j]`` and ``probability`` is column ``j`` of ``predict_proba``
      (already probabilities: do not apply softmax again, do not scale). [#probabilities] When
      ``k`` is larger than the number of classes ``C``, all ``C`` classes are returned.
      [#k-above-classes]
    - ``sha256``: the hex SHA-256 of the uploaded bytes. [#sha256]
    - ``model``: ``predictor.name`` if the predictor has that attribute, else the name of its
      class (``type(predictor).__name__``). [#model-name]
    - The predictor receives a list with one ``PIL.Image.Image`` in mode ``"RGB"``. [#rgb]

``GET /health``
    Answer 200 with a :class:`HealthResponse`: ``status`` is ``"ok"``, ``model`` as above,
    ``classes`` the number of classes. [#health] ``cache`` is ``"ok"`` (Redis answers a PING),
    ``"unavailable"`` (a ``redis_url`` was given but Redis does not answer) or ``"disabled"``
    (``redis_url`` is None). [#health-cache]

Cache (only when ``redis_url`` is given)
-----------------------------------------

Use ``redis.asyncio``. Key: ``f"rxvision:predict:{sha256}:{k}"`` where ``sha256`` is the hex
digest of the uploaded bytes. [#cache-key] Value: the JSON of the response. [#cache-value] Set it
with an expiry of ``cache_ttl`` seconds (``SET key value EX ttl``). [#cache-ttl] Look the key up
*before* running the model: on a hit, answer the stored response with ``"cached": true`` and do
not call the predictor. [#cache-hit] When Redis is down or times out, the service still answers
(a cache miss, logged): never a 500. [#redis-down] Give the client short timeouts (e.g.
``socket_connect_timeout=0.5, socket_timeout=0.5``) so a dead Redis does not make every request
slow: a Redis that accepts the connection and then never answers must not hang a request.
[#redis-stalled]

Bad input: a 4xx whose JSON ``detail`` tells the client what to fix, never a 500
-------------------------------------------------------------------------------

=====================================================================  ========================
missing ``file`` field (FastAPI's own validation answers this)          422 [#missing-file]
``k`` below 1 or above ``top_k_max``, or not an integer                 422 [#k-range]
empty upload (0 bytes)                                                   400 [#empty]
upload larger than ``max_upload_bytes`` (do not read more than that)     413 [#too-large]
image with more pixels than can be decoded safely (decompression bomb)  413 [#bomb]
content type of the ``file`` part missing or not ``image/*``             415 [#content-type]
(``application/octet-stream`` is accepted: curl and many clients send
it), e.g. ``text/plain``
bytes that are not a decodable image, even when labelled ``image/png``   415 [#not-an-image]
=====================================================================  ========================

Any other malformed request (a body that is not multipart, a multipart body that is broken or has
no boundary) gets a 4xx as well, never a 500. [#malformed] Every 4xx answer is JSON with a
non-empty ``detail``; for 400, 413 and 415 it is a string. [#detail]

Decode with Pillow inside ``try``/``except`` (``Image.open``, ``verify``, open again, ``load``,
``convert("RGB")``); read the upload in chunks and stop as soon as it exceeds
``max_upload_bytes``. Raise ``fastapi.HTTPException(status_code, detail="...")`` for each case.
A request body larger than ``max_upload_bytes`` plus 16 KiB (room for the multipart envelope) is
refused with 413 before it is read: check ``Content-Length``, and count the bytes of a body sent
without one as they arrive (a small ASGI middleware that wraps ``receive``). [#bounded-read]

OpenAPI: give the app a title and a description, give each route a summary, a
``response_model`` and document the 4xx answers of ``/predict`` with
``responses={400: {"model": ErrorResponse, "description": ...}, 413: ..., 415: ...}``. [#openapi]
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
        apps. [#independent] Do not connect to Redis here: the first request does.
        [#lazy-connect]
    """
    # TODO: FastAPI(title=..., description=...), the /health and /predict routes, the cache.
    raise NotImplementedError("create_app: build the FastAPI app (see the module docstring)")
