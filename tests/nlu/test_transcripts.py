"""Free text through the real dispatcher and the embedded NLU on the shipped flows: commands,
entities, chatter. Steps, slots and option ids are asserted; the coordinators' words are
read from ``flows/`` (never copied here), so rewording a question breaks nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.app.bot import Bot
from bot.app.flowtools import BotProbe
from bot.engine.loader import load_flows
from bot.engine.schema import ChoiceStep, SayStep
from tests.chat import Chat
from tests.conftest import SHIPPED_FLOWS
from tests.dbscan import count_rows

SHIPPED = load_flows(SHIPPED_FLOWS)
MESSAGES = SHIPPED.glob.messages
STOP_TEXTS = ["stop", "arrêtez de m'écrire", "STOP"]


def reply_of(command: str) -> str:
    """The reply of a global command of flows/global.yml."""
    reply = next(c.reply for c in SHIPPED.glob.commands if c.id == command)
    assert reply is not None
    return reply


def said_by(flow: str, step: str) -> str:
    """What a ``say`` step of the shipped flows says."""
    found = SHIPPED.flow(flow).steps[step]
    assert isinstance(found, SayStep)
    return found.say


def label(step: str, option: str) -> str:
    """The label of one button of an intake question."""
    found = SHIPPED.flow("intake").steps[step]
    assert isinstance(found, ChoiceStep)
    return next(o.label for o in found.options if o.id == option)


_PROGRESS = re.compile(
    re.escape(MESSAGES.progress)
    .replace(re.escape("{n}"), r"(\d+)")
    .replace(re.escape("{total}"), r"(\d+)")
)


def progress(chat: Chat) -> tuple[int, int]:
    """« Question N sur M » of the last turn, as (N, M)."""
    found = _PROGRESS.search(chat.text)
    assert found is not None, chat.text
    return int(found[1]), int(found[2])


async def state(bot: Bot, chat: Chat) -> dict[str, Any]:
    """The stored conversation (an empty dict when nothing is kept)."""
    return dict(await BotProbe(bot).conversation(chat.channel, chat.user) or {})


async def slots(bot: Bot, chat: Chat) -> dict[str, Any]:
    return dict((await state(bot, chat)).get("slots") or {})


async def _at_age(chat: Chat) -> None:
    await chat.say("salut")
    assert chat.asks == "age" and progress(chat)[0] == 1


async def _at_stage(chat: Chat) -> None:
    await _at_age(chat)
    await chat.choose("18_25")
    assert chat.asks == "etape" and progress(chat)[0] == 2


async def _at_pitch(chat: Chat) -> None:
    await _at_stage(chat)
    await chat.choose("idea")
    await chat.choose("restauration")
    assert chat.asks == "pitch" and progress(chat)[0] == 4


async def _at_situation(chat: Chat) -> None:
    await _at_pitch(chat)
    await chat.say("Des crêpes au marché du samedi")
    await chat.choose("argent")
    await chat.choose("_done")
    assert chat.asks == "situation" and progress(chat)[0] == 6


async def _at_place(chat: Chat) -> None:
    await _at_situation(chat)
    await chat.choose("undisclosed")
    assert chat.asks == "lieu" and progress(chat)[0] == 7


async def _at_place_confirmation(chat: Chat) -> None:
    await _at_place(chat)
    await chat.say("69120")
    assert chat.asks == "lieu_ok"
    assert chat.said("Vaulx-en-Velin (69120)")


STEPS = {
    "age": _at_age,
    "stage": _at_stage,
    "pitch": _at_pitch,
    "situation": _at_situation,
    "place": _at_place,
    "place_confirmation": _at_place_confirmation,
}


@pytest.mark.parametrize("text", STOP_TEXTS)
async def test_stop_in_any_words_stops_at_any_step(shipped_bot: Bot, text: str) -> None:
    for step, walk in STEPS.items():  # one resident per step, all on the same bot
        chat = Chat(shipped_bot.handle, user=f"resident-{step}")
        await walk(chat)
        await chat.say(text)
        assert chat.text == reply_of("stop"), step
        assert chat.buttons == [], step
        assert await state(shipped_bot, chat) == {}, step  # forgotten
    # Nobody consented to anything, so nothing about them is kept.
    assert await count_rows(shipped_bot.engine, "contacts") == 0


async def test_delete_my_data_reaches_erasure_at_any_step(shipped_bot: Bot) -> None:
    for step, walk in STEPS.items():
        chat = Chat(shipped_bot.handle, user=f"resident-{step}")
        await walk(chat)
        await chat.say("supprimez mes données")
        assert chat.said(MESSAGES.erase_confirm), step
        assert [b.payload for b in chat.buttons] == ["/_sys:erase", "/_sys:keep"], step
        await chat.choose("erase")
        assert chat.said(MESSAGES.erased), step
        assert await state(shipped_bot, chat) == {}, step


async def test_a_sentence_with_sector_and_place_skips_both_questions(
    shipped_bot: Bot, resident: Chat
) -> None:
    await _at_age(resident)
    _, total = progress(resident)
    await resident.say("un snack à Vaulx 69120")
    noted = f"{label('secteur', 'restauration')}, Vaulx-en-Velin (69120)"
    assert resident.said(MESSAGES.noted.replace("{noted}", noted))
    kept = await slots(shipped_bot, resident)
    assert (kept["sector"], kept["postal_code"]) == ("restauration", "69120")
    # Asked again, kindly, without a retry message: two questions fewer to go.
    assert resident.asks == "age" and progress(resident) == (1, total - 2)
    assert not resident.said(MESSAGES.not_understood)
    await resident.say("bof")
    # The noted answer was no misunderstanding: one miss only, no numbers, no person yet.
    assert (await state(shipped_bot, resident))["retries"] == 1
    assert not resident.said(MESSAGES.offer_human_yes)
    await resident.choose("18_25")
    await resident.choose("idea")
    assert resident.asks == "pitch"  # the sector question is skipped
    assert progress(resident) == (3, total - 2)
    await resident.say("Des kebabs végétariens")
    await resident.choose("local")
    await resident.choose("_done")
    assert resident.asks == "situation"
    await resident.choose("salarie")
    # The commune question is skipped; only its confirmation is asked.
    assert resident.asks == "lieu_ok"
    assert resident.said("Vaulx-en-Velin (69120)")
    await resident.choose("yes")
    await resident.choose("message")
    assert resident.asks == "recap"
    assert resident.said(label("secteur", "restauration")) and resident.said("Vaulx-en-Velin")


async def test_a_first_message_with_entities_fills_them_before_the_first_question(
    shipped_bot: Bot, resident: Chat
) -> None:
    await resident.say("jveux ouvrir un snack a Vaulx 69120")
    assert resident.asks == "age"
    kept = await slots(shipped_bot, resident)
    assert (kept["sector"], kept["postal_code"]) == ("restauration", "69120")
    await resident.choose("26_30")
    await resident.choose("creating")
    assert resident.asks == "pitch"  # the sector question is skipped


async def test_typos_in_a_sector_still_fill_it(shipped_bot: Bot, resident: Chat) -> None:
    await _at_stage(resident)
    await resident.choose("idea")
    assert resident.asks == "secteur"
    await resident.say("une boulangrie")
    assert resident.asks == "pitch"
    assert (await slots(shipped_bot, resident))["sector"] == "restauration"


async def test_chatter_gets_a_kind_redirect_and_off_topic_ends_with_a_person(
    shipped_bot: Bot, resident: Chat
) -> None:
    await _at_stage(resident)
    await resident.say("merci beaucoup")
    assert resident.said(MESSAGES.chatter["thanks"])
    assert resident.asks == "etape" and progress(resident)[0] == 2
    assert (await state(shipped_bot, resident))["retries"] == 0  # polite, not lost
    await resident.say("t'as vu le match du psg hier ?")
    assert resident.said(SHIPPED.faq.unknown)  # a question it cannot answer: one miss
    assert resident.asks == "etape" and progress(resident)[0] == 2
    assert not resident.said(MESSAGES.offer_human_yes)
    await resident.say("raconte moi une blague")
    assert resident.said(MESSAGES.not_understood)
    # No endless loop: after max_retries misses, numbered choices and a person offered.
    assert resident.said(MESSAGES.offer_human_yes)
    assert (await state(shipped_bot, resident))["numbered"] is True
    await resident.say("1")  # a number picks the first choice
    assert resident.asks == "secteur"
    assert (await slots(shipped_bot, resident))["stage"] == "idea"


async def test_off_topic_questions_in_a_row_end_with_a_person(resident: Chat) -> None:
    await _at_stage(resident)
    for text in (
        "t'as vu le match du psg hier ?",
        "quel temps il fait demain",
        "t'aimes le foot ?",
        "tu connais un bon film ?",
    ):
        await resident.say(text)
    assert resident.said(MESSAGES.offer_human_yes)


async def test_a_first_message_branches_on_its_intent(shipped_bot: Bot) -> None:
    funding = Chat(shipped_bot.handle, user="needs-money")
    await funding.say("g pas d'argent pour lancer mon projet")
    assert funding.said(said_by("intake", "ouverture_argent"))
    assert funding.asks == "age" and progress(funding)[0] == 1
    running = Chat(shipped_bot.handle, user="runs-a-business")
    await running.say("j'ai deja ma boite depuis 2 ans")
    assert running.said(said_by("intake", "ouverture_activite"))
    assert running.asks == "age"
    plain = Chat(shipped_bot.handle, user="says-hello")
    await plain.say("bonjour")
    assert not plain.said(said_by("intake", "ouverture_argent"))
    assert not plain.said(said_by("intake", "ouverture_activite"))
    assert plain.asks == "age"


async def test_asking_for_a_person_in_free_text_opens_the_human_flow(
    shipped_bot: Bot, resident: Chat
) -> None:
    await _at_stage(resident)
    await resident.say("jveux parler a un vrai conseiller")
    assert resident.said(said_by("humain", "explication"))
    now = await state(shipped_bot, resident)
    assert (now["flow"], now["step"]) == ("humain", "etape")  # the age is not asked again


async def test_odd_messages_never_break_a_turn(shipped_bot: Bot, resident: Chat) -> None:
    await _at_stage(resident)
    for text in ["😂😂😂", "\x00\x01\x02 ¤¤", "a" * 20000, "٣٤٥ مرحبا", "{}[]<>"]:
        await resident.say(text)
        assert resident.replies
        assert not resident.said(MESSAGES.broken)
    assert (await state(shipped_bot, resident))["step"] == "etape"


async def test_a_pitch_that_sounds_like_a_command_stays_a_pitch(
    shipped_bot: Bot, resident: Chat
) -> None:
    await _at_pitch(resident)
    await resident.say("une appli pour arrêter de fumer")
    assert resident.asks == "besoins" and progress(resident)[0] == 5
    assert (await slots(shipped_bot, resident))["pitch"] == "une appli pour arrêter de fumer"
    await resident.choose("formation")
    await resident.choose("_done")
    await resident.say("arrêtez de m'écrire")  # a real request to stop still works
    assert resident.text == reply_of("stop")
    assert await state(shipped_bot, resident) == {}
