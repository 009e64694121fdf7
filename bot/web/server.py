"""Build the Starlette app: channel routes, ``GET /health``, start-up and shutdown hooks."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.web.headers import SecurityHeaders

Hook = Callable[[], Awaitable[None]]

log = logging.getLogger(__name__)


def make_web_app(
    routes: Sequence[BaseRoute],
    *,
    on_startup: Hook | None = None,
    on_shutdown: Hook | None = None,
) -> Starlette:
    """An ASGI app whose ``/health`` answers 200 once start-up has finished.

    Every answer carries the security headers of :mod:`bot.web.headers`.
    """
    ready = False

    async def health(_request: Request) -> Response:
        if ready:
            return JSONResponse({"status": "ok"})
        return JSONResponse({"status": "starting"}, status_code=503)

    async def not_found(_request: Request, _exc: Exception) -> Response:
        return JSONResponse({"error": "not found"}, status_code=404)

    async def method_not_allowed(_request: Request, _exc: Exception) -> Response:
        return JSONResponse({"error": "method not allowed"}, status_code=405)

    async def gone(_request: Request, _exc: Exception) -> Response:
        # The client hung up mid-body (a timeout, a closed tab): nobody reads this answer,
        # and nothing went wrong on our side, so no traceback either.
        log.info("a client disconnected before sending its whole request")
        return JSONResponse({"error": "client disconnected"}, status_code=400)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        nonlocal ready
        if on_startup is not None:
            await on_startup()
        ready = True
        try:
            yield
        finally:
            ready = False
            if on_shutdown is not None:
                await on_shutdown()

    return Starlette(
        routes=[Route("/health", health, methods=["GET"]), *routes],
        lifespan=lifespan,
        exception_handlers={404: not_found, 405: method_not_allowed, ClientDisconnect: gone},
        middleware=[Middleware(SecurityHeaders)],
    )
