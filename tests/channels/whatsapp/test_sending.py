"""Sending through the Graph API: retries with back-off on limits only, pacing per number."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import text

from bot.app.bot import Bot
from bot.channels.whatsapp.graph import GraphClient, GraphError, Pacer, RetryPolicy
from bot.channels.whatsapp.parse import Address
from bot.channels.whatsapp.send import WhatsAppSender
from bot.domain.messages import Attachment, Outbound
from tests.channels.whatsapp.fakes import FakeGraph, Phone
from tests.channels.whatsapp.test_followups import keep_contact
from tests.channels.whatsapp.test_wire import TEXTS


class Clock:
    """A clock that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def client(graph: FakeGraph, clock: Clock, *, per_second: float = 1e9) -> GraphClient:
    http = httpx.AsyncClient(transport=graph.transport, base_url="https://graph.test/v24.0/")
    pacer = Pacer(per_second, clock=clock, sleep=clock.sleep)
    return GraphClient(http, "210", pacer=pacer, retry=RetryPolicy(5, 1.0, 8.0), sleep=clock.sleep)


TEXT: dict[str, Any] = {"type": "text", "text": {"body": "salut"}}


@pytest.mark.parametrize("code", [130429, 131056, 4, 80007])
async def test_limits_are_retried_with_a_growing_back_off(code: int) -> None:
    graph, clock = FakeGraph(), Clock()
    graph.refuse(code, times=3)
    wamid = await client(graph, clock).send({"to": "336"}, TEXT)
    assert wamid == "wamid.OUT1"
    assert len(graph.requests) == 4
    assert len(clock.sleeps) == 3
    assert clock.sleeps[0] < clock.sleeps[2] and all(s <= 8.0 for s in clock.sleeps)


@pytest.mark.parametrize("code", [131026, 131048, 131049, 131047, 100])
async def test_final_refusals_are_not_retried(code: int) -> None:
    graph, clock = FakeGraph(), Clock()
    graph.refuse(code)
    with pytest.raises(GraphError) as refused:
        await client(graph, clock).send({"to": "336"}, TEXT)
    assert refused.value.code == code
    assert len(graph.requests) == 1 and clock.sleeps == []


async def test_retries_stop_after_the_configured_attempts() -> None:
    graph, clock = FakeGraph(), Clock()
    graph.refuse(130429, times=10)
    with pytest.raises(GraphError):
        await client(graph, clock).send({"to": "336"}, TEXT)
    assert len(graph.requests) == 5


async def test_sends_are_paced_per_number() -> None:
    graph, clock = FakeGraph(), Clock()
    sender = client(graph, clock, per_second=80)
    for _ in range(81):
        await sender.send({"to": "336"}, TEXT)
    assert clock.now == pytest.approx(1.0)  # the 81st waited for the next second


async def test_a_rate_limited_reply_still_arrives(phone: Phone, graph: FakeGraph) -> None:
    graph.refuse(130429, times=2)
    await phone.say("salut")
    assert phone.said("T-WELCOME.") and phone.said("Q1/7. T-AGE?")
    assert len(graph.requests) == len(graph.sent) + 2  # two refusals, then each sent once


async def test_an_undeliverable_reply_is_not_retried_and_marks_the_contact(
    phone: Phone, graph: FakeGraph, wa_bot: Bot
) -> None:
    await keep_contact(phone)
    attempts = len(graph.requests)
    graph.refuse(131026)
    await phone.say("aide")
    assert len(graph.requests) == attempts + 1  # one try, and the turn's other replies wait
    async with wa_bot.engine.connect() as connection:
        stamp = (await connection.execute(text("SELECT unreachable_at FROM contacts"))).scalar()
    assert stamp is not None


async def test_long_texts_are_split_and_attachments_sent_as_documents() -> None:
    graph, clock = FakeGraph(), Clock()
    sender = WhatsAppSender(client(graph, clock))
    sender.texts = lambda lang: TEXTS
    file = Attachment("mes-donnees.json", "application/json", b"{}")
    reply = Outbound("mot " * 2000, attachment=file)
    await sender.send(Address(user_id="FR.1"), reply)
    kinds = [m["type"] for m in graph.sent]
    assert kinds == ["text", "text", "document"]
    assert all(len(m["text"]["body"]) <= 4096 for m in graph.sent[:2])
    assert graph.sent[2]["document"] == {"id": "media-1", "filename": "mes-donnees.json"}
    assert all(m["recipient"] == "FR.1" and "to" not in m for m in graph.sent)
