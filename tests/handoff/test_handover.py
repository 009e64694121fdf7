"""A relay hands a case to a colleague from Telegram (/passer): one open attempt, told."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bot.app.bot import Bot
from bot.store.leads import export_leads
from bot.store.notes import notes
from tests.channels.intake import go_through_intake
from tests.chat import Chat
from tests.handoff.fakes import RecordingMessenger, act, give_chat, relay_says

VAULX, LYON = "100", "200"


@pytest.fixture
def messenger(bot: Bot) -> RecordingMessenger:
    fake = RecordingMessenger()
    bot.handoffs.senders["telegram"] = fake
    give_chat(bot, "citeslab_vaulx", VAULX)
    give_chat(bot, "bge_lyon", LYON)
    return fake


async def test_a_relay_passes_the_case_to_a_colleague_on_telegram(
    bot: Bot, messenger: RecordingMessenger
) -> None:
    chat = Chat(bot.handle)
    await chat.say("salut")
    await go_through_intake(chat)
    [lead] = await export_leads(bot.engine, bot.cipher)
    ref = lead["lead_id"][:6]
    asked = await act(bot, relay_says("citeslab_vaulx", VAULX, f"/passer {ref}"))
    assert asked[0].text.startswith(f"T-WHICH-COLLEAGUE {ref}: bge_lyon (Julien")
    done = await act(
        bot, relay_says("citeslab_vaulx", VAULX, f"/passer {ref} bge_lyon Elle cherche un local")
    )
    assert done[0].text == f"T-HANDED {ref} Julien"
    [card] = messenger.to(LYON)
    assert "Nouveau dossier" in card.text  # the colleague's usual notification
    again = await act(bot, relay_says("citeslab_vaulx", VAULX, f"/passer {ref} bge_lyon"))
    assert again[0].text == f"Je ne trouve pas de dossier n° {ref} chez toi."  # not hers now
    await chat.say("alors ?")
    assert chat.said("T-HANDED-OVER Samira -> Julien")
    async with bot.engine.connect() as connection:
        open_now = (
            await connection.execute(
                text(
                    "SELECT relay_id FROM handoffs WHERE status IN "
                    "('offered', 'notified', 'accepted', 'in_conversation')"
                )
            )
        ).scalars()
        assert list(open_now) == ["bge_lyon"]
        kept = await connection.run_sync(lambda c: notes(c, bot.cipher, lead["lead_id"]))
    assert [(n.by, n.text) for n in kept] == [("Samira", "Pour Julien : Elle cherche un local")]
    [after] = await export_leads(bot.engine, bot.cipher)
    assert [e["status"] for e in after["status_history"]][-3:] == [
        "transferred", "offered", "notified",
    ]  # fmt: skip
