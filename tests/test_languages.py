"""Residents who write in English or Arabic: the whole intake in their language, a switch
mid-way, consent recorded with its language, and the relay told which language they speak.

The texts compared are those of flows/langues/ (loaded here), never sentences of the test.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.app.bot import Bot
from bot.app.wording import RunnerWording
from bot.engine.langfiles import load_translations
from bot.engine.loader import FlowSet, load_flows
from bot.handoff.sheet import render_sheet
from bot.store.leads import export_leads, load_lead
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


async def test_an_arabic_speaker_goes_through_the_intake_in_arabic_and_the_relay_knows(
    resident: Chat, shipped_bot: Bot
) -> None:
    await resident.say("السلام عليكم، أريد أن أفتح مطعما")
    assert resident.said(text("ar", "intake.age.ask"))
    await resident.say("عمري 34 سنة")
    assert resident.asks == "etape"
    await resident.say("عندي فكرة")
    if resident.asks == "secteur":
        await resident.say("مطعم")
    assert resident.asks == "pitch"
    assert resident.said(text("ar", "intake.pitch.ask"))
    await resident.say("شاحنة أكل في السوق")
    assert resident.asks == "besoins"
    await resident.say("فلوس ومحل")
    assert resident.asks == "situation"
    await resident.say("كنقلب على خدمة")
    await resident.say("vaulx")
    assert resident.asks == "lieu_ok"
    await resident.say("نعم")
    assert resident.asks == "contact_pref"
    await resident.say("برسالة")
    assert resident.asks == "recap"
    await resident.say("واخا")
    assert resident.asks == "accord_contact"
    assert resident.said(text("ar", "intake.accord_contact.text").splitlines()[0])
    await resident.say("نعم")
    assert resident.asks == "accord_relais"
    await resident.say("نعم")
    assert resident.asks == "prenom"
    await resident.say("Karim")
    await resident.say("شكرا")  # news of the case kept for their next message (REST)
    assert resident.said(text("ar", "personne.sent").split("{relay_name}")[0])
    [lead] = await export_leads(shipped_bot.engine, shipped_bot.cipher)
    assert lead["lang"] == "ar"
    assert {c["lang"] for c in lead["consents"]} == {"ar"}
    async with shipped_bot.engine.connect() as connection:
        full = await connection.run_sync(
            lambda sync: load_lead(sync, lead["lead_id"], shipped_bot.cipher)
        )
    assert full is not None
    sheet = render_sheet(full, RunnerWording(shipped_bot.dispatcher))
    assert FLOWS.handoff is not None
    spoken = FLOWS.handoff.relais.sheet
    assert spoken.lang.replace("{lang}", spoken.languages["ar"]) in sheet


async def test_a_resident_switches_language_in_the_middle_and_back(
    resident: Chat, shipped_bot: Bot
) -> None:
    await resident.say("salut")
    assert resident.asks == "age"
    await resident.say("34")
    assert resident.asks == "etape"
    await resident.say("english please")
    assert resident.said(text("en", "global.messages.language_set"))
    assert resident.said(text("en", "intake.etape.ask"))
    await resident.say("عربي")
    assert resident.said(text("ar", "global.messages.language_set"))
    assert resident.said(text("ar", "intake.etape.ask"))
    assert (await state(shipped_bot, resident))["lang"] == "ar"
    await resident.say("français")
    assert resident.asks == "etape"
    assert (await state(shipped_bot, resident))["lang"] == "fr"


@pytest.mark.parametrize(
    ("asked", "lang"), [("hi, do you speak english?", "en"), ("Tu parles arabe ?", "ar")]
)
async def test_asking_for_a_language_in_a_sentence_switches_to_it(
    resident: Chat, shipped_bot: Bot, asked: str, lang: str
) -> None:
    await resident.say("salut")
    await resident.say(asked)
    assert resident.said(text(lang, "global.messages.language_set"))
    assert resident.said(text(lang, "intake.age.ask"))
    assert (await state(shipped_bot, resident))["lang"] == lang


async def test_an_unclear_first_word_offers_the_three_languages(resident: Chat) -> None:
    await resident.say("hello")
    titles = [b.title for b in resident.buttons]
    assert titles == [lang.name for lang in FLOWS.glob.languages.values()]
    await resident.press("English")
    assert resident.said(text("en", "global.messages.language_set"))
    assert resident.asks == "age"


async def test_questions_in_english_and_arabic_get_the_faq_answer_in_that_language(
    resident: Chat,
) -> None:
    await resident.say("hi, i want to start a business")
    assert resident.asks == "age"
    await resident.say("is it free?")
    assert resident.said(text("en", "faq.gratuit.answer").splitlines()[0])
    await resident.say("عربي")
    await resident.say("واش هادشي فابور؟")
    assert resident.said(text("ar", "faq.gratuit.answer").splitlines()[0])
    assert resident.asks == "age"
