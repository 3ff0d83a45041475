"""A pure ASGI middleware that refuses request bodies over a size limit before they are read."""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BodySizeLimit"]


def _detail(limit: int) -> str:
    return (
        f"The upload is larger than the limit of {limit} bytes; send a smaller image (resize or "
        "re-compress it)."
    )


class _TooLarge(HTTPException):
    """Raised from ``receive``: the app's exception handlers turn it into a 413 response."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=_detail(limit))


class BodySizeLimit:
    """Answer 413 when a request body is, or claims to be, larger than the upload limit.

    The declared ``Content-Length`` is checked first; a body without one (chunked) is counted as
    it streams in, so an oversized upload is never spooled whole to memory or disk.

    Args:
        app: the application to protect.
        max_upload_bytes: the limit on the uploaded file, as the client knows it.
        overhead: room for the multipart envelope (boundaries, part headers) on top.
    """

    def __init__(self, app: ASGIApp, max_upload_bytes: int, overhead: int = 16_384) -> None:
        self.app = app
        self.max_upload_bytes = max_upload_bytes
        self.max_body_bytes = max_upload_bytes + overhead

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            await self._refuse(send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise _TooLarge(self.max_upload_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if started:
                raise
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps({"detail": _detail(self.max_upload_bytes)}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
