"""The rasa backend against a fake Rasa (httpx.MockTransport): mapping, timeouts, fallback."""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from bot.domain.understanding import Entity, Understanding
from bot.nlu.embedded import EmbeddedNLU
from bot.nlu.rasa import RasaError, RasaNLU, parse_rasa_response

URL = "http://rasa.test:5005"


def rasa_answer(intent: str | None, confidence: float, *entities: dict[str, Any]) -> Any:
    """What Rasa 3.6's /model/parse returns (the fields we read, plus some we ignore)."""
    return {
        "text": "…",
        "intent": {"name": intent, "confidence": confidence} if intent else None,
        "entities": list(entities),
        "intent_ranking": [{"name": intent, "confidence": confidence}],
        "response_selector": {},
    }


class FakeRasa:
    """A recording stand-in for the server; ``reply`` decides each answer."""

    def __init__(self, reply: Callable[[str], httpx.Response]) -> None:
        self.reply = reply
        self.texts: list[str] = []
        self.transport = httpx.MockTransport(self._handle)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        assert request.method == "POST"
        assert request.url == f"{URL}/model/parse"
        text = json.loads(request.content)["text"]
        self.texts.append(text)
        return self.reply(text)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class FixedNLU:
    """A fallback that always understands the same thing and counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    async def parse(self, text: str) -> Understanding:
        self.calls += 1
        return Understanding("greet", 0.99)


def _down(text: str) -> httpx.Response:
    raise httpx.ConnectError("connection refused")


def _slow(text: str) -> httpx.Response:
    raise httpx.ReadTimeout("timed out")


async def test_an_answer_is_mapped_with_canonical_entities() -> None:
    body = rasa_answer(
        "start_project",
        0.93,
        {"entity": "sector", "value": "snack", "start": 3, "end": 8, "extractor": "DIET"},
        {"entity": "sector", "value": "restauration", "start": 3, "end": 8},
        {"entity": "postal_code", "value": "69120", "start": 17, "end": 22},
    )
    rasa = FakeRasa(lambda text: httpx.Response(200, json=body))
    nlu = RasaNLU(
        URL,
        transport=rasa.transport,
        normalize=lambda name, value: "restauration" if value == "snack" else value,
    )
    understood = await nlu.parse("un snack à Vaulx 69120")
    assert rasa.texts == ["un snack à Vaulx 69120"]
    assert understood == Understanding(
        "start_project",
        0.93,
        (Entity("sector", "restauration", 3, 8), Entity("postal_code", "69120", 17, 22)),
    )
    await nlu.aclose()


def test_the_fallback_classifier_and_low_confidence_become_out_of_scope() -> None:
    assert parse_rasa_response(rasa_answer("nlu_fallback", 0.4)).intent == "out_of_scope"
    low = parse_rasa_response(rasa_answer("greet", 0.2), threshold=0.3)
    assert (low.intent, low.confidence) == ("out_of_scope", 0.8)
    assert parse_rasa_response(rasa_answer(None, 0.0)).intent is None


@pytest.mark.parametrize("body", [[], {"intent": "greet"}, {"entities": [{"value": 1}]}])
def test_unexpected_shapes_are_errors_not_crashes(body: Any) -> None:
    with pytest.raises(RasaError):
        parse_rasa_response(body)


@pytest.mark.parametrize(
    "reply",
    [
        _down,
        _slow,
        lambda text: httpx.Response(500, text="boom"),
        lambda text: httpx.Response(200, text="<html>not json</html>"),
        lambda text: httpx.Response(200, json={"intent": "greet"}),
    ],
    ids=["down", "slow", "error", "not-json", "bad-shape"],
)
async def test_when_rasa_cannot_answer_the_fallback_understands_the_turn(
    reply: Callable[[str], httpx.Response], caplog: pytest.LogCaptureFixture
) -> None:
    fallback = FixedNLU()
    nlu = RasaNLU(URL, transport=FakeRasa(reply).transport, fallback=fallback)
    with caplog.at_level(logging.WARNING, logger="bot.nlu.rasa"):
        understood = await nlu.parse("salut")
    assert understood.intent == "greet" and fallback.calls == 1
    assert "unavailable" in caplog.text and "salut" not in caplog.text  # no message bodies
    await nlu.aclose()


async def test_a_dead_server_is_left_alone_for_the_cooldown_then_tried_again() -> None:
    state = {"up": False}

    def reply(text: str) -> httpx.Response:
        if not state["up"]:
            raise httpx.ConnectError("refused")
        return httpx.Response(200, json=rasa_answer("thanks", 0.9))

    rasa, clock, fallback = FakeRasa(reply), Clock(), FixedNLU()
    nlu = RasaNLU(URL, transport=rasa.transport, fallback=fallback, cooldown=10, clock=clock)
    await nlu.parse("un")
    await nlu.parse("deux")
    assert rasa.texts == ["un"] and fallback.calls == 2  # the 2nd turn did not wait for Rasa
    state["up"] = True
    clock.now = 11
    assert (await nlu.parse("merci")).intent == "thanks"
    assert fallback.calls == 2
    await nlu.aclose()


async def test_the_timeout_is_applied_to_each_call() -> None:
    seen: list[Any] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return httpx.Response(200, json=rasa_answer("greet", 0.9))

    nlu = RasaNLU(URL, timeout=0.25, transport=httpx.MockTransport(handler))
    await nlu.parse("salut")
    assert seen == [{"connect": 0.25, "read": 0.25, "write": 0.25, "pool": 0.25}]
    await nlu.aclose()


async def test_without_a_fallback_an_outage_means_nothing_understood() -> None:
    nlu = RasaNLU(URL, transport=FakeRasa(_down).transport)
    assert await nlu.parse("salut") == Understanding()
    with pytest.raises(RasaError):
        await nlu.request("salut")
    await nlu.aclose()


async def test_nothing_listening_on_the_port_falls_back_to_the_embedded_backend(
    embedded_nlu: EmbeddedNLU,
) -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: connection refused
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    nlu = RasaNLU(f"http://127.0.0.1:{port}", timeout=5, fallback=embedded_nlu)
    understood = await nlu.parse("supprimez mes données")
    assert understood.intent == "delete_data"
    await nlu.aclose()
