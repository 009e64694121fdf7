"""Redaction of special-category data: what a person says about themselves is masked, what
their project offers, or to whom, is kept."""

from __future__ import annotations

import pytest

from bot.app.bot import Bot
from bot.app.flowtools import BotProbe
from bot.privacy.sensitive import MASK, redact
from tests.chat import Chat
from tests.dbscan import find_everywhere


@pytest.mark.parametrize(
    ("text", "masked", "category"),
    [
        ("je suis malade depuis un an", "malade", "santé"),
        ("je suis musulman et je veux ouvrir un snack", "musulman", "religion"),
        ("j'ai un handicap, je veux travailler chez moi", "handicap", "santé"),
        ("ma religion compte beaucoup pour moi", "religion", "religion"),
        ("Avec mon diabète je veux faire de la couture", "diabète", "santé"),
        ("Je suis MALADE", "MALADE", "santé"),  # whatever the case
    ],
)
def test_what_a_person_says_about_themselves_is_masked(
    text: str, masked: str, category: str
) -> None:
    redaction = redact(text)
    assert masked not in redaction.text
    assert MASK in redaction.text
    assert category in redaction.categories
    # Only the sensitive word goes: the rest of the answer is kept as written.
    assert redaction.text == text.replace(masked, MASK, 1)


@pytest.mark.parametrize(
    "text",
    [
        "des cours de couture pour les femmes voilées",
        "vêtements pour femmes voilées",
        "snack halal",
        "taxi pour personnes handicapées",
        "aide aux personnes handicapées",
    ],
)
def test_what_the_project_offers_or_to_whom_is_kept(text: str) -> None:
    redaction = redact(text)
    assert redaction.text == text
    assert redaction.categories == ()


@pytest.mark.parametrize("text", ["je suis musulman", "je suis juive", "je suis chrétien"])
def test_a_religion_is_reported_as_religion_only(text: str) -> None:
    assert redact(text).categories == ("religion",)


def test_in_one_answer_the_person_is_masked_and_the_offer_kept() -> None:
    text = "je suis malade, je veux faire un taxi pour personnes handicapées"
    redaction = redact(text)
    assert redaction.text == f"je suis {MASK}, je veux faire un taxi pour personnes handicapées"
    assert redaction.categories == ("santé",)


async def test_a_pitch_about_an_offer_is_stored_whole_and_without_a_remark(bot: Bot) -> None:
    chat = Chat(bot.handle)
    await chat.say("salut")
    for option in ("adult", "idea", "autre"):
        await chat.choose(option)
    assert chat.asks == "pitch"
    pitch = "Un taxi pour personnes handicapées"
    await chat.say(pitch)
    assert not chat.said("T-REDACTED")
    assert chat.asks == "needs"
    state = await BotProbe(bot).conversation(chat.channel, chat.user)
    assert state is not None and state["slots"]["pitch"] == pitch


async def test_a_pitch_about_the_person_is_masked_before_storage(bot: Bot) -> None:
    chat = Chat(bot.handle)
    await chat.say("salut")
    for option in ("adult", "idea", "autre"):
        await chat.choose(option)
    await chat.say("je suis musulman et je veux vendre des vêtements pour femmes voilées")
    assert chat.said("T-REDACTED religion")
    state = await BotProbe(bot).conversation(chat.channel, chat.user)
    assert state is not None
    kept = f"je suis {MASK} et je veux vendre des vêtements pour femmes voilées"
    assert state["slots"]["pitch"] == kept
    assert await find_everywhere(bot.engine, "musulman") == []
