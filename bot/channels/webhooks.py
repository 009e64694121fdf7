"""What every webhook route shares: a body read with a size limit, and JSON answers."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response


def json_response(data: Any, status: int = 200) -> Response:
    """``data`` as a JSON response."""
    return Response(orjson.dumps(data), status_code=status, media_type="application/json")


class RefusedError(Exception):
    """A request answered with a JSON error (``{"error": ...}``) before any processing."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def response(self) -> Response:
        """The error answer."""
        return json_response({"error": self.message}, self.status)


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body; raises :class:`RefusedError` (413) past ``limit`` bytes, declared or sent."""
    declared = request.headers.get("content-length", "0")
    if declared.isdigit() and int(declared) > limit:
        raise RefusedError(413, "body too large")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise RefusedError(413, "body too large")
    return body


def parse_json(body: bytes, refusal: str = "the body must be valid JSON") -> Any:
    """The JSON value of ``body``; raises :class:`RefusedError` (400) when it is not JSON."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        raise RefusedError(400, refusal) from None
