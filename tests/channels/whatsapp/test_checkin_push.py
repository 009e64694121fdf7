"""A check-in's question on WhatsApp: as it is inside the 24-hour window; outside, the
``followup`` template invites the person to write back and the question waits for them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.channels.whatsapp.channel import WhatsAppChannel
from bot.domain.messages import Outbound
from tests.channels.whatsapp.fakes import FakeGraph, Phone
from tests.channels.whatsapp.test_followups import USER, keep_contact

QUESTION = Outbound("Est-ce que Karim t'a contacté·e ?")


async def test_inside_the_window_the_question_is_shown(
    phone: Phone, graph: FakeGraph, whatsapp: WhatsAppChannel
) -> None:
    await keep_contact(phone)
    before = len(graph.sent)
    shown = await whatsapp.push(USER, QUESTION, purpose="followup", values={"first_name": "N"})
    assert shown is True
    [sent] = graph.sent[before:]
    assert sent["type"] == "text" and "Karim t'a contacté" in sent["text"]["body"]


async def test_outside_the_window_the_template_asks_them_to_write_back(
    phone: Phone, graph: FakeGraph, whatsapp: WhatsAppChannel
) -> None:
    phone.at = datetime.now(UTC) - timedelta(hours=25)
    await keep_contact(phone)
    before = len(graph.sent)
    shown = await whatsapp.push(USER, QUESTION, purpose="followup", values={"first_name": "Nadia"})
    assert shown is False  # the question itself waits for their next message
    [sent] = graph.sent[before:]
    assert sent["type"] == "template" and sent["template"]["name"] == "tremplin_relance"


async def test_after_stop_nothing_goes(
    phone: Phone, graph: FakeGraph, whatsapp: WhatsAppChannel
) -> None:
    await keep_contact(phone)
    await phone.say("stop")
    before = len(graph.sent)
    shown = await whatsapp.push(USER, QUESTION, purpose="followup", values={"first_name": "N"})
    assert shown is False and graph.sent[before:] == []
