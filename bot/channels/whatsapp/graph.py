"""Send messages through the Graph API: one shared client, pacing, retries with back-off."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

log = logging.getLogger(__name__)

# Rate and account limits: wait and try again.
RETRYABLE = frozenset({4, 80007, 130429, 131056})
# Never worth a second try: undeliverable, spam and ecosystem limits.
FINAL = frozenset({131026, 131048, 131049})
WINDOW_CLOSED = 131047
UNDELIVERABLE = 131026

Sleep = Callable[[float], Awaitable[None]]


class GraphError(Exception):
    """The Graph API refused a message; ``code`` is Meta's error code when given."""

    def __init__(self, status: int, code: int | None, title: str) -> None:
        super().__init__(f"Graph API error {code} (HTTP {status}): {title}")
        self.status = status
        self.code = code
        self.title = title

    @property
    def retryable(self) -> bool:
        """A limit was hit, or the service was briefly unavailable."""
        if self.code in FINAL:
            return False
        return self.code in RETRYABLE or (self.code is None and self.status >= 500)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How many attempts, and the exponential back-off between them (seconds)."""

    attempts: int = 5
    delay: float = 1.0
    max_delay: float = 30.0

    def wait(self, attempt: int) -> float:
        """The wait before attempt ``attempt + 1`` (``attempt`` counts from 1), with jitter."""
        base = min(self.max_delay, self.delay * 2.0 ** (attempt - 1))
        return base * random.uniform(0.5, 1.0)  # jitter spreads retries of many senders


class Pacer:
    """At most ``per_second`` sends per business number, evenly spaced."""

    def __init__(
        self,
        per_second: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._interval = 1.0 / per_second
        self._next = 0.0
        self._clock = clock
        self._sleep = sleep

    async def wait(self) -> None:
        """Wait for this send's slot (slots are handed out in call order)."""
        now = self._clock()
        slot = max(now, self._next)
        self._next = slot + self._interval
        if slot > now:
            await self._sleep(slot - now)


def make_graph_http(
    graph_url: str,
    api_version: str,
    access_token: str,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    """The one HTTP client of the channel, pinned to an explicit Graph API version."""
    return httpx.AsyncClient(
        base_url=f"{graph_url.rstrip('/')}/{api_version.strip('/')}/",
        headers={"Authorization": f"Bearer {access_token}"},
        timeout=httpx.Timeout(10.0, connect=5.0),
        limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
        transport=transport,
    )


def _error(response: httpx.Response) -> GraphError:
    try:
        error = response.json().get("error") or {}
    except ValueError:
        error = {}
    code = error.get("code") if isinstance(error, dict) else None
    title = str(error.get("message") or error.get("error_user_title") or response.reason_phrase)
    return GraphError(response.status_code, code if isinstance(code, int) else None, title)


class GraphClient:
    """Posts messages for one business number; returns the id (``wamid``) of each."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        phone_number_id: str,
        *,
        pacer: Pacer,
        retry: RetryPolicy = RetryPolicy(),
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.http = http
        self.phone_number_id = phone_number_id
        self.pacer = pacer
        self.retry = retry
        self._sleep = sleep

    async def _post(self, body: dict[str, Any]) -> str:
        await self.pacer.wait()
        response = await self.http.post(f"{self.phone_number_id}/messages", json=body)
        if response.status_code >= 400:
            raise _error(response)
        messages = response.json().get("messages") or [{}]
        return str(messages[0].get("id") or "")

    async def send(self, recipient: dict[str, str], message: dict[str, Any]) -> str:
        """Send ``message`` to ``recipient`` (``to`` or ``recipient`` field); retry limits.

        Raises :class:`GraphError` once retries are exhausted or for a final error.
        """
        body = {"messaging_product": "whatsapp", "recipient_type": "individual"}
        body = {**body, **recipient, **message}
        attempt = 1
        while True:
            try:
                return await self._post(body)
            except GraphError as exc:
                if not exc.retryable or attempt >= self.retry.attempts:
                    raise
                log.warning("WhatsApp send limited (code %s), attempt %d", exc.code, attempt)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                # Nothing reached Meta: safe to try again.
                if attempt >= self.retry.attempts:
                    raise GraphError(0, None, f"connection failed: {exc!r}") from exc
                log.warning("WhatsApp connection failed, attempt %d", attempt)
            await self._sleep(self.retry.wait(attempt))
            attempt += 1

    async def aclose(self) -> None:
        """Close the HTTP client (at shutdown)."""
        await self.http.aclose()

    async def upload(self, filename: str, media_type: str, content: bytes) -> str:
        """Upload a file for a document message; returns its media id."""
        await self.pacer.wait()
        response = await self.http.post(
            f"{self.phone_number_id}/media",
            data={"messaging_product": "whatsapp", "type": media_type},
            files={"file": (filename, content, media_type)},
        )
        if response.status_code >= 400:
            raise _error(response)
        return str(response.json().get("id") or "")
