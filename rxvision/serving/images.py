"""Turn an untrusted upload into an RGB image, or into a 4xx a client can act on."""

from __future__ import annotations

import io

from fastapi import HTTPException, UploadFile
from PIL import Image, UnidentifiedImageError

__all__ = [
    "ACCEPTED_CONTENT_TYPES",
    "MAX_IMAGE_PIXELS",
    "check_content_type",
    "decode_image",
    "read_upload",
]

#: Content types accepted besides ``image/*`` (what clients send when they do not know better).
ACCEPTED_CONTENT_TYPES = ("application/octet-stream",)
#: Largest image (width x height) decoded; a bigger one is refused as a decompression bomb.
MAX_IMAGE_PIXELS = 50_000_000
_CHUNK = 1 << 16


def check_content_type(content_type: str | None) -> None:
    """Refuse (415) anything that does not claim to be an image.

    Raises:
        HTTPException: 415 for e.g. ``text/plain`` or ``application/pdf``.
    """
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media.startswith("image/") or media in ACCEPTED_CONTENT_TYPES:
        return
    raise HTTPException(
        status_code=415,
        detail=f"Upload an image (content type image/png, image/jpeg, ...); got content type "
        f"{content_type!r}. With curl: -F 'file=@pill.png;type=image/png'.",
    )


async def read_upload(file: UploadFile, max_bytes: int) -> bytes:
    """Read at most ``max_bytes`` of ``file``, refusing an empty or a larger upload.

    Raises:
        HTTPException: 400 for an empty file, 413 for more than ``max_bytes`` bytes.
    """
    data = bytearray()
    while chunk := await file.read(min(_CHUNK, max_bytes + 1 - len(data))):
        data += chunk
        if len(data) > max_bytes:
            raise HTTPException(
                status_code=413,
                detail=f"The upload is larger than the limit of {max_bytes} bytes; send a "
                "smaller image (resize or re-compress it).",
            )
    if not data:
        raise HTTPException(
            status_code=400,
            detail="The uploaded file is empty (0 bytes): send the image's bytes in the 'file' "
            "field.",
        )
    return bytes(data)


def decode_image(data: bytes) -> Image.Image:
    """Decode ``data`` with Pillow (verified, fully loaded) and convert it to RGB.

    Raises:
        HTTPException: 415 when the bytes are not an image Pillow can decode (whatever the
            content type said), 413 when the image has more than :data:`MAX_IMAGE_PIXELS` pixels.
    """
    try:
        # Image.open reads only the header, so the pixel count is checked before decoding
        with Image.open(io.BytesIO(data)) as probe:
            _check_pixels(probe.size)
            probe.verify()  # structure and checksums, without decoding the pixels
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            return image.convert("RGB")
    except HTTPException:
        raise
    except Image.DecompressionBombError as exc:  # beyond Pillow's own, larger, limit
        raise _too_many_pixels(str(exc)) from exc
    except UnidentifiedImageError as exc:
        raise _not_an_image("no image format recognised in these bytes") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _not_an_image(f"{type(exc).__name__}: {exc}") from exc


def _check_pixels(size: tuple[int, int]) -> None:
    width, height = size
    if width * height > MAX_IMAGE_PIXELS:
        raise _too_many_pixels(f"{width}x{height} = {width * height} pixels")


def _too_many_pixels(what: str) -> HTTPException:
    return HTTPException(
        status_code=413,
        detail=f"The image is too large to decode safely ({what}; the limit is "
        f"{MAX_IMAGE_PIXELS} pixels): resize it.",
    )


def _not_an_image(why: str) -> HTTPException:
    return HTTPException(
        status_code=415,
        detail=f"The upload is not an image that can be decoded ({why}); send a PNG, JPEG, WebP, "
        "BMP or TIFF file.",
    )
