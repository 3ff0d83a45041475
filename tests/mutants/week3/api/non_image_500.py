"""Bug: decodes with Pillow without try/except, so bytes that are not an image give a 500."""

import io

from PIL import Image

from rxvision.serving.routes import predict as _route
from solutions.week3.api import *  # noqa: F403
from solutions.week3.api import __all__  # noqa: F401


def _decode_unguarded(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("RGB")


_route.decode_image = _decode_unguarded
