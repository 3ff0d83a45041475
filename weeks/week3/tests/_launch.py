"""Test helpers for week3.api: a predictable predictor, and the app factory uvicorn runs.

The tests start a real server with::

    python -m uvicorn --factory _launch:create --app-dir weeks/week3/tests --port PORT

``create()`` imports the module under test from the file named in ``RXGRADE_API_MODULE`` (the
file the ``impl`` fixture chose: your ``weeks/week3/api.py``, the solution or a mutant) and calls
its ``create_app`` with a :class:`ColourPredictor`, ``redis_url=$RXGRADE_API_REDIS_URL`` and
``max_upload_bytes=$RXGRADE_API_MAX_UPLOAD_BYTES``.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
from PIL import Image

from grader._target import load_ref

__all__ = ["ColourPredictor", "create"]

ENV_MODULE = "RXGRADE_API_MODULE"
ENV_REDIS_URL = "RXGRADE_API_REDIS_URL"
ENV_MAX_UPLOAD = "RXGRADE_API_MAX_UPLOAD_BYTES"


class ColourPredictor:
    """Classifies an image by its mean colour: the closer to a colour, the more probable.

    Probabilities are ``softmax(-distance(mean RGB, prototype) / 40)`` over six colours, so a
    reddish image gives "red" first with a probability you can compute exactly.

    Attributes:
        calls: how many times :meth:`predict_proba` ran.
        modes: the ``mode`` of every image it received (the service must send ``"RGB"``).
    """

    classes: tuple[str, ...] = ("red", "green", "blue", "yellow", "white", "black")
    PROTOTYPES = np.array(
        [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0), (255, 255, 255), (0, 0, 0)],
        dtype=np.float64,
    )

    def __init__(self, name: str | None = "colour-test") -> None:
        if name is not None:
            self.name = name
        self.calls = 0
        self.modes: list[str] = []

    def predict_proba(self, images: list[Image.Image]) -> np.ndarray:
        """Shape ``(len(images), 6)``, rows summing to 1."""
        self.calls += 1
        rows = []
        for image in images:
            self.modes.append(image.mode)
            mean = np.asarray(image.convert("RGB"), dtype=np.float64).reshape(-1, 3).mean(axis=0)
            scores = -np.linalg.norm(self.PROTOTYPES - mean, axis=1) / 40.0
            weights = np.exp(scores - scores.max())
            rows.append(weights / weights.sum())
        return np.stack(rows)


def create() -> Any:
    """The app factory uvicorn calls (``--factory _launch:create``)."""
    module = load_ref(os.environ[ENV_MODULE])
    options: dict[str, Any] = {"redis_url": os.environ.get(ENV_REDIS_URL) or None}
    if max_upload := os.environ.get(ENV_MAX_UPLOAD):
        options["max_upload_bytes"] = int(max_upload)
    return module.create_app(ColourPredictor(), **options)
