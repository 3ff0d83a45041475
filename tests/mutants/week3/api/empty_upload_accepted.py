"""Bug: an empty upload is not refused with 400; it falls through to the decoder."""

from fastapi import HTTPException, UploadFile

from rxvision.serving.routes import predict as _route
from solutions.week3.api import *  # noqa: F403
from solutions.week3.api import __all__  # noqa: F401


async def _read_without_empty_check(file: UploadFile, max_bytes: int) -> bytes:
    data = await file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise HTTPException(413, detail=f"The upload is larger than the limit of {max_bytes} bytes")
    return data


_route.read_upload = _read_without_empty_check
