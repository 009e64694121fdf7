"""Residents who write in English or Arabic: the whole intake in their language, a switch
mid-way, consent recorded with its language, and the relay told which language they speak.

The texts compared are those of flows/langues/ (loaded here), never sentences of the test.
"""

from __future__ import annotations

from typing import Any

from bot.app.bot import Bot
from bot.engine.langfiles import load_translations
from bot.engine.loader import FlowSet, load_flows
from bot.store.leads import export_leads
from tests.chat import Chat
from tests.conftest import SHIPPED_FLOWS

FLOWS: FlowSet = load_flows(SHIPPED_FLOWS)
TEXTS = {lang: t.texts for lang, t in load_translations(SHIPPED_FLOWS).items()}


def text(lang: str, key: str) -> str:
    value = TEXTS[lang][key]
    assert isinstance(value, str)
    return value.strip()


async def state(bot: Bot, chat: Chat) -> dict[str, Any]:
    dispatcher = bot.dispatcher
    subject = dispatcher.pseudonyms.subject(chat.channel, chat.user)
    stored = await dispatcher.store.transact(subject, chat.channel, lambda tx: tx.load())
    return stored.state if stored is not None else {}


async def english_intake(resident: Chat) -> None:
    """An English speaker who types everything, up to the contact consent."""
    await resident.say("hi, do you speak english? i want to open a restaurant")
    assert resident.said(text("en", "intake.age.ask"))
    assert resident.asks == "age"
    await resident.say("i'm 34")
    assert resident.asks == "etape"
    await resident.say("just an idea")
    assert resident.said(text("en", "intake.secteur.ask")) or resident.asks == "pitch"
    if resident.asks == "secteur":
        await resident.say("food truck")
    assert resident.asks == "pitch"
    await resident.say("crepes at the saturday market")
    assert resident.asks == "besoins"
    await resident.say("money and a place")
    assert resident.asks == "situation"
    await resident.say("i work")
    await resident.say("vaulx")
    assert resident.asks == "lieu_ok"
    await resident.say("yes")
    assert resident.asks == "contact_pref"
    await resident.say("by message")
    assert resident.asks == "recap"
    await resident.say("yes")
    assert resident.asks == "accord_contact"
    assert resident.said(text("en", "intake.accord_contact.text").splitlines()[0])


async def test_an_english_speaker_goes_through_the_intake_in_english(
    resident: Chat, shipped_bot: Bot
) -> None:
    await english_intake(resident)
    await resident.say("yes")
    assert resident.asks == "accord_relais"
    await resident.say("yes")
    assert resident.asks == "prenom"
    await resident.say("Sam")
    [lead] = await export_leads(shipped_bot.engine, shipped_bot.cipher)
    assert lead["lang"] == "en"
    assert {c["lang"] for c in lead["consents"]} == {"en"}
    assert (await state(shipped_bot, resident))["lang"] == "en"
