"""Outbound to Telegram: split long texts, keyboards, callback data within 64 bytes."""

from __future__ import annotations

import json

import hypothesis
from hypothesis import given
from hypothesis import strategies as st
from telegram import InlineKeyboardMarkup, ReplyKeyboardMarkup

from bot.app.build import make_runner
from bot.app.settings import Settings
from bot.channels.telegram.render import (
    MAX_CALLBACK_BYTES,
    CallbackCodec,
    render_keyboard,
    render_telegram,
    split_text,
)
from bot.domain.messages import Attachment, Button, Outbound
from bot.engine.render import DONE, payload
from bot.engine.schema import ChoiceStep, ConsentStep, InputStep
from tests.channels.telegram.conftest import Harness

SENTENCE = "Tu peux demander un prêt d'honneur à Initiative France, sans garantie. "


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_a_6000_character_text_is_split_in_two_at_a_sentence_end() -> None:
    text = (SENTENCE * 90)[:6000].rsplit(".", 1)[0] + "."
    assert len(text) > 5900
    first, second = split_text(text)
    assert len(first) <= 4096 and len(second) <= 4096
    assert first.endswith(".") and second.endswith(".")
    assert second.startswith("Tu peux")
    assert f"{first} {second}" == text


def test_paragraphs_come_before_sentences_and_spaces_before_a_hard_cut() -> None:
    text = "a" * 3000 + ". " + "b" * 500 + "\n\n" + "c" * 2000
    assert split_text(text) == ["a" * 3000 + ". " + "b" * 500, "c" * 2000]
    words = " ".join(["mot"] * 2000)
    assert all(len(part) <= 4096 and not part.endswith(" ") for part in split_text(words))
    assert [len(p) for p in split_text("x" * 5000)] == [4096, 904]


def test_emoji_count_double_as_telegram_counts_them() -> None:
    parts = split_text("🙂" * 3000)
    assert [_units(p) for p in parts] == [4096, 1904]


def _visible(text: str) -> str:
    return "".join(char for char in text if not char.isspace())


@hypothesis.settings(deadline=None)  # no time limit in tests
@given(st.text(min_size=1, max_size=3000))
def test_no_part_is_ever_too_long_and_only_spaces_are_lost(text: str) -> None:
    parts = split_text(text, limit=500)
    assert all(_units(p) <= 500 and p for p in parts)
    assert _visible("".join(parts)) == _visible(text)


def test_every_payload_of_the_flows_travels_as_itself(settings: Settings) -> None:
    runner = make_runner(settings)
    codec = CallbackCodec()
    payloads = [payload("_sys", option) for option in ("human", "retry", "none", "p9")]
    for item in runner.flows.flows.values():
        for step_id, step in item.flow.steps.items():
            if isinstance(step, (ChoiceStep, InputStep)):
                payloads += [payload(step_id, option.id) for option in step.options]
                payloads.append(payload(step_id, DONE))
            elif isinstance(step, ConsentStep):
                payloads += [payload(step_id, "yes"), payload(step_id, "no")]
    assert len(payloads) > 40
    every_kind = {"/age:adult", "/needs:_done", "/consent_relay:no", "/menu:who", "/_sys:human"}
    assert every_kind <= set(payloads)  # choices, several, consents, the after flow
    for one in payloads:
        assert codec.encode(one) == one
        assert len(one.encode()) <= MAX_CALLBACK_BYTES


def test_a_long_payload_travels_as_a_short_id_and_comes_back() -> None:
    codec = CallbackCodec()
    long = "/" + "etape_tres_longue_" * 2 + ":" + "option_encore_plus_longue_" * 2
    data = codec.encode(long)
    assert len(data.encode()) <= MAX_CALLBACK_BYTES and data != long
    assert codec.decode(data) == long
    assert codec.encode(long) == data  # stable, whatever the worker
    # An id this process never issued (another process, an old keyboard) comes back as
    # it is, and reads as an outdated button.
    assert CallbackCodec().decode(data) == data


def test_buttons_are_an_inline_keyboard_one_per_row() -> None:
    buttons = (Button("/stage:idea", "J'ai une idée"), Button("/stage:creating", "Je prépare"))
    markup = render_keyboard(buttons, CallbackCodec())
    assert isinstance(markup, InlineKeyboardMarkup)
    rows = [[(b.text, b.callback_data) for b in row] for row in markup.inline_keyboard]
    assert rows == [[("J'ai une idée", "/stage:idea")], [("Je prépare", "/stage:creating")]]


def test_a_phone_button_is_a_reply_keyboard_asking_for_the_contact() -> None:
    buttons = (
        Button("/tel:share", "Partager mon numéro", asks_phone=True),
        Button("/tel:no", "Non"),
    )
    markup = render_keyboard(buttons, CallbackCodec())
    assert isinstance(markup, ReplyKeyboardMarkup)
    assert markup.one_time_keyboard
    [[share], [no]] = markup.keyboard
    assert (share.text, share.request_contact) == ("Partager mon numéro", True)
    assert (no.text, no.request_contact) == ("Non", None)


def test_the_keyboard_goes_with_the_last_part_and_a_file_comes_after() -> None:
    reply = Outbound(
        SENTENCE * 70,
        (Button("/a:b", "OK"),),
        attachment=Attachment("mes-donnees.json", "application/json", b"{}"),
    )
    first, second, document = render_telegram(reply, CallbackCodec())
    assert first.markup is None and second.markup is not None
    assert document.document is not None and document.text == ""
    [only] = render_telegram(Outbound("", (Button("/a:b", "OK"),)), CallbackCodec())
    assert only.text and only.markup is not None  # Telegram refuses an empty text


async def test_each_outbound_becomes_the_right_bot_api_calls(harness: Harness) -> None:
    harness.turns.replies = [
        Outbound("Voilà *tout* ce que je garde sur toi <b>_brut_</b> :"),
        Outbound("Où en es-tu ?", (Button("/stage:idea", "J'ai une idée"),)),
        Outbound("", attachment=Attachment("mes-donnees.json", "application/json", b'{"a": 1}')),
    ]
    from tests.channels.telegram.fakes import payload as update

    await harness.receive(update("text_message"))
    plain, question = harness.request.sent()
    assert plain["text"] == "Voilà *tout* ce que je garde sur toi <b>_brut_</b> :"
    assert "parse_mode" not in plain and "entities" not in plain
    assert json.loads(json.dumps(plain["link_preview_options"])) == {"is_disabled": True}
    assert question["reply_markup"] == {
        "inline_keyboard": [[{"text": "J'ai une idée", "callback_data": "/stage:idea"}]]
    }
    [document] = harness.request.sent("sendDocument")
    assert document["chat_id"] == 5123400017
    [ids] = harness.turns.delivered
    assert len(ids) == 3 and all(ids)


async def test_a_6000_character_reply_is_sent_in_two_messages(harness: Harness) -> None:
    text = (SENTENCE * 90)[:6000].rsplit(".", 1)[0] + "."
    harness.turns.replies = [Outbound(text, (Button("/a:b", "Compris"),))]
    from tests.channels.telegram.fakes import payload as update

    await harness.receive(update("text_message"))
    first, second = harness.request.sent()
    assert first["text"].endswith(".") and second["text"].endswith(".")
    assert "reply_markup" not in first and "reply_markup" in second
    [[sent_id]] = harness.turns.delivered  # one id per reply: the part with the buttons
    assert sent_id is not None
