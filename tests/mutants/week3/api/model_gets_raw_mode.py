"""Bug: the decoded image is not converted to RGB (greyscale, RGBA, palette pass as they are)."""

import io

from fastapi import HTTPException
from PIL import Image

from rxvision.serving.routes import predict as _route
from solutions.week3.api import *  # noqa: F403
from solutions.week3.api import __all__  # noqa: F401


def _decode_keep_mode(data: bytes) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except Exception as exc:
        raise HTTPException(
            415, detail=f"The upload is not an image that can be decoded: {exc}"
        ) from exc
    return image


_route.decode_image = _decode_keep_mode
