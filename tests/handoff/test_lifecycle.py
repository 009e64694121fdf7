"""A case goes from a resident to a relay and back: offer, accept, talk, close, move on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.app.bot import Bot
from bot.domain.messages import Outbound
from bot.store.leads import export_leads
from tests.channels.intake import PITCH, go_through_intake
from tests.chat import Chat
from tests.handoff.fakes import RecordingMessenger, act, give_chat, relay_says

VAULX, LYON = "100", "200"


@pytest.fixture
def messenger(bot: Bot) -> RecordingMessenger:
    fake = RecordingMessenger()
    bot.handoffs.senders["telegram"] = fake  # relays read their cards on Telegram
    give_chat(bot, "citeslab_vaulx", VAULX)
    give_chat(bot, "bge_lyon", LYON)
    return fake


async def intake(chat: Chat, *, share: bool = True) -> None:
    """The test intake by buttons, in Vaulx-en-Velin (Samira's relay)."""
    await chat.say("salut")
    await go_through_intake(chat, share=share)


def button(card: Outbound, action: str) -> str:
    """The payload of the card's button for ``action`` (``/case:<id>:<action>``)."""
    return next(b.payload for b in card.buttons if b.payload.endswith(f":{action}"))


async def test_no_relay_hears_of_a_case_without_consent_to_share(
    bot: Bot, messenger: RecordingMessenger
) -> None:
    await intake(Chat(bot.handle), share=False)
    assert messenger.sent == []
    [lead] = await export_leads(bot.engine, bot.cipher)
    assert lead["relay_id"] is None
    assert lead["status"] == "kept"


async def test_accept_talk_three_times_each_way_fin_and_close(
    bot: Bot, messenger: RecordingMessenger
) -> None:
    chat = Chat(bot.handle)
    await intake(chat)
    [card] = messenger.to(VAULX)
    assert PITCH in card.text
    assert "Inès" in card.text
    replies = await act(bot, relay_says("citeslab_vaulx", VAULX, payload=button(card, "accept")))
    assert "Écris ici pour parler à Inès" in replies[0].text

    for i in range(3):
        await chat.say(f"question {i} de la résidente")
        if i == 0:  # the news kept for a REST resident: the case arrived, then was taken
            assert chat.said("T-ARRIVED Samira")
            assert chat.said("Samira, de CitésLab Vaulx-en-Velin (démo), a pris ton dossier")
        else:
            assert not chat.said("T-")  # the bot itself stays silent
        assert chat.asks is None
        assert messenger.to(VAULX)[-1].text.endswith(f"question {i} de la résidente")
        assert await act(bot, relay_says("citeslab_vaulx", VAULX, f"réponse {i}")) == []
    await chat.say("FIN")
    assert chat.said("💬 Samira : réponse 2")
    assert chat.said("T-LEAVE Samira")  # the flows' "leave" command answered
    assert "a quitté la conversation" in messenger.to(VAULX)[-1].text
    [before] = await export_leads(bot.engine, bot.cipher)
    ref = before["lead_id"][:6]
    close = await act(bot, relay_says("citeslab_vaulx", VAULX, f"/clore {ref} rencontre"))
    assert "clôturé" in close[0].text
    await chat.say("coucou")
    assert chat.said("a clôturé ton dossier : vous vous êtes rencontrés")
    [lead] = await export_leads(bot.engine, bot.cipher)
    statuses = [event["status"] for event in lead["status_history"]]
    assert statuses == ["offered", "notified", "accepted", "in_conversation", "closed"]
    assert lead["status"] == "closed"


async def test_a_decline_moves_the_case_on_and_the_resident_is_told(
    bot: Bot, messenger: RecordingMessenger
) -> None:
    chat = Chat(bot.handle)
    await intake(chat)
    [card] = messenger.to(VAULX)
    await act(bot, relay_says("citeslab_vaulx", VAULX, payload=button(card, "decline")))
    [second] = messenger.to(LYON)
    assert "Nouveau dossier" in second.text
    await chat.say("alors ?")
    assert chat.said("Je l'ai transmis à Julien, de BGE Rhône")
    [lead] = await export_leads(bot.engine, bot.cipher)
    assert lead["relay_id"] == "bge_lyon"
    assert [e["status"] for e in lead["status_history"]] == [
        "offered", "notified", "declined", "offered", "notified",
    ]  # fmt: skip


async def test_an_unanswered_case_expires_and_moves_on(
    bot: Bot, messenger: RecordingMessenger
) -> None:
    await intake(Chat(bot.handle))
    assert await bot.handoffs.expire_due() == 0  # not yet
    bot.handoffs.clock = lambda: datetime.now(UTC) + timedelta(days=10)
    assert await bot.handoffs.expire_due() == 1
    await bot.drainer.settle()
    assert len(messenger.to(LYON)) == 1
    [lead] = await export_leads(bot.engine, bot.cipher)
    assert "expired" in [e["status"] for e in lead["status_history"]]


async def test_a_relay_cannot_act_on_another_relays_case(
    bot: Bot, messenger: RecordingMessenger
) -> None:
    await intake(Chat(bot.handle))
    [card] = messenger.to(VAULX)
    replies = await act(bot, relay_says("bge_lyon", LYON, payload=button(card, "accept")))
    assert "n'est pas pour toi" in replies[0].text
    listing = await act(bot, relay_says("bge_lyon", LYON, "/mescas"))
    assert "aucun dossier" in listing[0].text
    [lead] = await export_leads(bot.engine, bot.cipher)
    assert lead["status"] == "notified"
