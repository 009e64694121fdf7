"""The ``rasa`` NLU backend: a Rasa Open Source server's ``/model/parse``, with a fallback."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, ValidationError

from bot.domain.understanding import NLU, NOTHING, Entity, Understanding

log = logging.getLogger(__name__)

OUT_OF_SCOPE = "out_of_scope"
RASA_FALLBACK = "nlu_fallback"  # what Rasa's FallbackClassifier answers below its threshold
MAX_CHARS = 1000
Normalize = Callable[[str, str], str]


class RasaError(Exception):
    """The Rasa server did not answer in time, or answered something unusable."""


class _Intent(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str | None = None
    confidence: float = 0.0


class _Entity(BaseModel):
    model_config = ConfigDict(extra="ignore")
    entity: str
    value: Any = None
    start: int = 0
    end: int = 0


class _Parse(BaseModel):
    model_config = ConfigDict(extra="ignore")
    intent: _Intent | None = None
    entities: list[_Entity] = []
    intent_ranking: list[_Intent] = []


def parse_rasa_response(
    body: Any, *, threshold: float = 0.0, normalize: Normalize | None = None
) -> Understanding:
    """Map Rasa's ``/model/parse`` JSON to an :class:`Understanding` (raises on bad shapes)."""
    try:
        parsed = _Parse.model_validate(body)
    except ValidationError as exc:
        raise RasaError(f"unexpected answer: {exc.error_count()} errors") from exc
    intent = parsed.intent.name if parsed.intent else None
    confidence = parsed.intent.confidence if parsed.intent else 0.0
    if intent == RASA_FALLBACK or (intent and intent != OUT_OF_SCOPE and confidence < threshold):
        intent, confidence = OUT_OF_SCOPE, 1.0 - confidence
    seen: set[tuple[str, str]] = set()
    entities: list[Entity] = []
    for item in sorted(parsed.entities, key=lambda e: (e.start, e.end)):
        if item.value is None:
            continue
        value = str(item.value)
        if normalize is not None:
            value = normalize(item.entity, value)
        if (item.entity, value) in seen:  # DIET and the regex extractor may both find it
            continue
        seen.add((item.entity, value))
        entities.append(Entity(item.entity, value, item.start, item.end))
    others = [i.confidence for i in parsed.intent_ranking if i.name != intent]
    runner_up = round(float(max(others, default=0.0)), 4)
    return Understanding(intent, round(float(confidence), 4), tuple(entities), runner_up)


class RasaNLU:
    """Asks a Rasa server; when it is down or slow, the fallback understands the turn.

    After a failure the server is left alone for ``cooldown`` seconds (the fallback
    answers meanwhile), so a dead server does not add its timeout to every turn.
    """

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 2.0,
        threshold: float = 0.0,
        fallback: NLU | None = None,
        normalize: Normalize | None = None,
        cooldown: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url.rstrip("/") + "/model/parse"
        self.timeout = timeout
        self.threshold = threshold
        self.fallback = fallback
        self.normalize = normalize
        self.cooldown = cooldown
        self._transport = transport
        self._clock = clock
        self._client: httpx.AsyncClient | None = None
        self._down_until = float("-inf")
        self._failures = 0

    async def parse(self, text: str) -> Understanding:
        """Rasa's understanding of ``text``, or the fallback's when Rasa cannot answer."""
        if not text.strip():
            return NOTHING
        if self._clock() >= self._down_until:
            try:
                understanding = await self.request(text)
            except RasaError as exc:
                self._failed(exc)
            else:
                if self._failures:
                    log.warning("Rasa NLU is back after %d failed turns", self._failures)
                    self._failures = 0
                return understanding
        else:
            self._failures += 1
        return await self.fallback.parse(text) if self.fallback is not None else NOTHING

    async def request(self, text: str) -> Understanding:
        """One call to ``/model/parse``; raises :class:`RasaError` on any failure."""
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.timeout, transport=self._transport)
        try:
            response = await self._client.post(self.url, json={"text": text[:MAX_CHARS]})
            response.raise_for_status()
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise RasaError(f"{type(exc).__name__}: {exc}") from exc
        return parse_rasa_response(body, threshold=self.threshold, normalize=self.normalize)

    def _failed(self, exc: RasaError) -> None:
        # Tried at most once per cooldown, so this warns at most that often.
        log.warning(
            "Rasa NLU at %s unavailable (%s); %s understands the turns for %.0f s",
            self.url,
            exc,
            "the embedded NLU" if self.fallback is not None else "nothing",
            self.cooldown,
        )
        self._failures += 1
        self._down_until = self._clock() + self.cooldown

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None
