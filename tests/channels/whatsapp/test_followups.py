"""Follow-ups: free-form inside the 24-hour window, a template outside, never without consent."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from bot.app.bot import Bot
from bot.channels.whatsapp.channel import WhatsAppChannel
from bot.channels.whatsapp.followups import FollowUpOutcome, Template
from bot.domain.messages import Outbound
from bot.store.turns import TurnTx
from tests.channels.whatsapp.fakes import FakeGraph, Phone, Post, status_webhook

NEWS = Outbound("Bonne nouvelle : Samira a lu ton projet. Elle t'appelle cette semaine.")
USER = "33698765432"


async def keep_contact(phone: Phone, *, keep: bool = True) -> None:
    """The short way to a kept contact: ask for a person, answer, agree (or not)."""
    await phone.say("salut")
    await phone.choose("adult")
    await phone.say("parler à quelqu'un")
    assert phone.said("T-HUMAN-PLACE?")
    await phone.say("Roubaix")
    assert phone.said("T-HUMAN-KEEP?")
    await phone.choose("yes" if keep else "no")
    assert phone.said("T-HUMAN-SEND-TO Karim?" if keep else "T-HUMAN-NOTHING.")


async def follow_up(whatsapp: WhatsAppChannel) -> FollowUpOutcome:
    result = await whatsapp.followups.send(
        USER, NEWS, template="followup", values={"first_name": "Nadia"}
    )
    return result.outcome


async def test_outside_the_window_the_follow_up_goes_out_as_the_template(
    phone: Phone, graph: FakeGraph, whatsapp: WhatsAppChannel, wa_bot: Bot
) -> None:
    phone.at = datetime.now(UTC) - timedelta(hours=25)  # the last message is 25 hours old
    await keep_contact(phone)
    before = len(graph.sent)
    result = await whatsapp.followups.send(
        USER, NEWS, template="followup", values={"first_name": "Nadia"}
    )
    assert result.outcome is FollowUpOutcome.TEMPLATE
    [sent] = graph.sent[before:]
    assert sent["type"] == "template"
    assert sent["template"]["name"] == "tremplin_relance"
    assert sent["template"]["language"] == {"code": "fr"}
    parameters = sent["template"]["components"][0]["parameters"]
    assert parameters == [{"type": "text", "text": "Nadia"}]
    # Logged with its (hashed) id, so its statuses land on it.
    hashed = wa_bot.dispatcher.pseudonyms.message("whatsapp", sent["id"])
    async with wa_bot.engine.connect() as connection:
        logged = await connection.execute(
            text("SELECT count(*) FROM messages WHERE channel_message_id = :mid"), {"mid": hashed}
        )
        assert logged.scalar() == 1


async def test_outside_the_window_the_template_is_the_one_in_the_persons_language(
    phone: Phone, graph: FakeGraph, whatsapp: WhatsAppChannel
) -> None:
    phone.at = datetime.now(UTC) - timedelta(hours=25)
    await keep_contact(phone)
    whatsapp.followups.templates["followup_ar"] = Template(
        "tremplin_relance_ar", "ar", ("first_name",)
    )
    for lang, name, code in [("ar", "tremplin_relance_ar", "ar"), ("en", "tremplin_relance", "fr")]:
        before = len(graph.sent)
        news = replace(NEWS, lang=lang)
        result = await whatsapp.followups.send(
            USER, news, template="followup", values={"first_name": "Nadia"}
        )
        assert result.outcome is FollowUpOutcome.TEMPLATE
        [sent] = graph.sent[before:]
        # No English template approved: the French one goes out rather than nothing.
        assert (sent["template"]["name"], sent["template"]["language"]) == (name, {"code": code})


async def test_inside_the_window_the_follow_up_is_sent_as_it_is(
    phone: Phone, graph: FakeGraph, whatsapp: WhatsAppChannel
) -> None:
    await keep_contact(phone)
    before = len(graph.sent)
    assert await follow_up(whatsapp) is FollowUpOutcome.SENT
    [sent] = graph.sent[before:]
    assert sent["type"] == "text" and "Samira a lu ton projet" in sent["text"]["body"]


async def test_without_consent_nothing_is_sent(
    phone: Phone, graph: FakeGraph, whatsapp: WhatsAppChannel
) -> None:
    await keep_contact(phone, keep=False)
    before = len(graph.sent)
    assert await follow_up(whatsapp) is FollowUpOutcome.NO_CONSENT
    result = await whatsapp.followups.send(
        "33600000000", NEWS, template="followup", values={"first_name": "Ali"}
    )
    assert result.outcome is FollowUpOutcome.NO_CONSENT  # someone we never met
    assert graph.sent[before:] == []


async def test_after_stop_nothing_is_sent(
    phone: Phone, graph: FakeGraph, whatsapp: WhatsAppChannel
) -> None:
    await keep_contact(phone)
    await phone.say("stop")
    before = len(graph.sent)
    assert await follow_up(whatsapp) is FollowUpOutcome.STOPPED
    assert graph.sent[before:] == []


async def test_window_closed_right_away_switches_to_the_template(
    phone: Phone, graph: FakeGraph, whatsapp: WhatsAppChannel
) -> None:
    await keep_contact(phone)
    before = len(graph.sent)
    graph.refuse(131047)
    assert await follow_up(whatsapp) is FollowUpOutcome.TEMPLATE
    assert [m["type"] for m in graph.sent[before:]] == ["template"]


async def test_window_closed_in_a_later_status_switches_to_the_template(
    phone: Phone, post: Post, graph: FakeGraph, whatsapp: WhatsAppChannel
) -> None:
    await keep_contact(phone)
    before = len(graph.sent)
    assert await follow_up(whatsapp) is FollowUpOutcome.SENT
    [free_form] = graph.sent[before:]
    now = int(datetime.now(UTC).timestamp())
    await post(status_webhook(free_form["id"], "failed", now, code=131047))
    assert [m["type"] for m in graph.sent[before:]] == ["text", "template"]
    await post(status_webhook(free_form["id"], "failed", now, code=131047))  # redelivered
    assert len(graph.sent[before:]) == 2


async def test_a_template_missing_its_values_is_a_caller_error(
    phone: Phone, whatsapp: WhatsAppChannel
) -> None:
    await keep_contact(phone)
    with pytest.raises(ValueError, match="first_name"):
        await whatsapp.followups.send(USER, NEWS, template="followup")


async def test_outside_the_window_without_a_template_nothing_is_sent(
    phone: Phone, graph: FakeGraph, whatsapp: WhatsAppChannel
) -> None:
    phone.at = datetime.now(UTC) - timedelta(days=3)
    await keep_contact(phone)
    before = len(graph.sent)
    result = await whatsapp.followups.send(USER, NEWS, template="no_such_template")
    assert result.outcome is FollowUpOutcome.NO_TEMPLATE
    assert graph.sent[before:] == []


async def test_a_follow_up_refusal_blocks_news_but_not_the_relay_taking_the_case(
    phone: Phone, graph: FakeGraph, whatsapp: WhatsAppChannel, wa_bot: Bot
) -> None:
    await keep_contact(phone)
    subject = wa_bot.dispatcher.pseudonyms.subject("whatsapp", USER)

    def refuse_followups(tx: TurnTx) -> None:
        tx.record_consent(
            purpose="followup", granted=False, notice_version="t", notice_hash="", relay_id=None
        )

    await wa_bot.dispatcher.store.transact(subject, "whatsapp", refuse_followups)
    before = len(graph.sent)
    assert await follow_up(whatsapp) is FollowUpOutcome.NO_CONSENT
    result = await whatsapp.followups.send(
        USER, NEWS, template="followup", values={"first_name": "Nadia"}, purpose="contact"
    )
    assert result.outcome is FollowUpOutcome.SENT
    assert len(graph.sent[before:]) == 1


async def test_hand_off_news_is_pushed_inside_the_window_else_kept_for_later(
    phone: Phone, post: Post, graph: FakeGraph, whatsapp: WhatsAppChannel
) -> None:
    await keep_contact(phone)
    before = len(graph.sent)
    assert await whatsapp.push(USER, NEWS) is True
    assert [m["type"] for m in graph.sent[before:]] == ["text"]

    late = Phone(post, graph, wa_id="33611111111", at=phone_time(hours=30))
    await keep_contact(late)
    before = len(graph.sent)
    assert await whatsapp.push("33611111111", NEWS) is True
    [nudge] = graph.sent[before:]
    assert nudge["template"]["name"] == "tremplin_ecris_nous"  # "write back to read it"
    late.at = None
    await late.say("coucou")  # the person writes back: the news comes first
    assert late.said("Samira a lu ton projet")

    stranger = "33622222222"
    assert await whatsapp.push(stranger, NEWS) is False  # nothing kept for a stranger


def phone_time(*, hours: float) -> datetime:
    return datetime.now(UTC) - timedelta(hours=hours)
