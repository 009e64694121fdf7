"""Each kind of Telegram update becomes the right Inbound (or relay message), through PTB."""

from __future__ import annotations

import copy

import pytest

from bot.domain.messages import InboundKind
from tests.channels.telegram.conftest import RELAY_CHAT, Harness, make_harness
from tests.channels.telegram.fakes import (
    TEXTS,
    CallbackBot,
    RecordingRelays,
    RecordingTurns,
    RecordingUnreachable,
    payload,
)

SAMIRA = "5123400017"


async def test_a_text_becomes_a_text_inbound_and_the_reply_a_send_message(
    harness: Harness,
) -> None:
    await harness.receive(payload("text_message"))
    [inbound] = harness.turns.inbounds
    assert inbound.channel == "telegram"
    assert inbound.user_ref == SAMIRA
    assert inbound.kind is InboundKind.TEXT
    assert inbound.text == "wesh jveux ouvrir un food truck à vaulx"
    assert inbound.message_id == f"{SAMIRA}:11"
    [sent] = harness.request.sent()
    assert sent["chat_id"] == int(SAMIRA)
    assert sent["text"] == "Bien reçu"
    assert "parse_mode" not in sent  # plain text: nothing is read as formatting
    [ids] = harness.turns.delivered
    assert len(ids) == 1 and ids[0] is not None and ids[0].startswith(f"{SAMIRA}:")


async def test_a_deep_link_start_carries_its_source(harness: Harness) -> None:
    await harness.receive(payload("start_deeplink"))
    [inbound] = harness.turns.inbounds
    assert inbound.kind is InboundKind.START
    assert inbound.source == "affiche-mirail-2026"
    assert inbound.text == ""


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("/start", None),
        ("/start <script>alert(1)</script>", None),
        ("/start@tremplin_demo_bot relais-42", "relais-42"),
    ],
)
async def test_start_without_a_valid_payload_has_no_source(
    harness: Harness, text: str, source: str | None
) -> None:
    update = payload("start_deeplink")
    update["message"]["text"] = text
    update["message"]["entities"][0]["length"] = len(text.split(" ")[0])
    await harness.receive(update)
    [inbound] = harness.turns.inbounds
    assert inbound.kind is InboundKind.START
    assert inbound.source == source


async def test_other_commands_are_text_without_the_bot_name(harness: Harness) -> None:
    update = payload("start_deeplink")
    update["message"]["text"] = "/stop@tremplin_demo_bot"
    update["message"]["entities"][0]["length"] = len("/stop@tremplin_demo_bot")
    await harness.receive(update)
    [inbound] = harness.turns.inbounds
    assert (inbound.kind, inbound.text) == (InboundKind.TEXT, "/stop")


async def test_a_button_press_is_a_button_inbound_and_is_answered(harness: Harness) -> None:
    await harness.receive(payload("callback_query"))
    [inbound] = harness.turns.inbounds
    assert inbound.kind is InboundKind.BUTTON
    # Not one of our payloads (an old keyboard, or forged): it goes to the engine as it
    # is, which checks it against the current question and answers kindly.
    assert inbound.payload == inbound.text == "s1:stage:idea"
    assert inbound.message_id == "cb:4410000000000000001"
    [answer] = harness.request.sent("answerCallbackQuery")
    assert answer["callback_query_id"] == "4410000000000000001"


async def test_a_press_is_answered_even_when_the_turn_fails() -> None:
    async def broken(*_args: object) -> None:
        raise RuntimeError("database down")

    harness = await make_harness(broken)
    try:
        await harness.receive(payload("callback_query"))
        assert len(harness.request.sent("answerCallbackQuery")) == 1
    finally:
        await harness.channel.stop()


async def test_the_senders_own_contact_is_trusted_as_their_number(harness: Harness) -> None:
    await harness.receive(payload("contact_message"))
    [inbound] = harness.turns.inbounds
    assert inbound.kind is InboundKind.CONTACT
    assert inbound.text == "+33612345678"


async def test_someone_elses_contact_is_not_taken_as_the_senders(harness: Harness) -> None:
    await harness.receive(payload("contact_other"))
    [inbound] = harness.turns.inbounds
    assert inbound.kind is InboundKind.UNSUPPORTED
    assert inbound.media == "contact"
    assert "+33698765432" not in inbound.text


@pytest.mark.parametrize(
    ("fixture", "media"),
    [
        ("voice_message", "voice"),
        ("photo_message", "photo"),
        ("sticker_message", "sticker"),
        ("location_message", "location"),
        ("document_message", "document"),
    ],
)
async def test_media_become_unsupported_inbounds_naming_their_kind(
    harness: Harness, fixture: str, media: str
) -> None:
    await harness.receive(payload(fixture))
    [inbound] = harness.turns.inbounds
    assert inbound.kind is InboundKind.UNSUPPORTED
    assert inbound.media == media
    assert inbound.text == ""  # a caption is not read as an answer
    assert len(harness.request.sent()) == 1  # the engine's kind reply goes out


async def test_an_edit_is_not_a_new_answer_the_person_is_told_to_write_again(
    harness: Harness,
) -> None:
    await harness.receive(payload("edited_message"))
    assert harness.turns.inbounds == []
    [notice] = harness.request.sent()
    assert notice["text"] == TEXTS.edited
    assert notice["chat_id"] == int(SAMIRA)


async def test_the_edit_notice_is_in_the_language_the_person_speaks() -> None:
    turns, relays, unreachable = RecordingTurns(), RecordingRelays(), RecordingUnreachable()
    bot = CallbackBot(turns, relays, unreachable, languages={SAMIRA: "ar"})
    harness = await make_harness(bot=bot)
    try:
        await harness.receive(payload("edited_message"))
    finally:
        await harness.channel.stop()
    [notice] = harness.request.sent()
    assert notice["text"] == f"[ar] {TEXTS.edited}"


async def test_groups_bots_and_service_messages_are_ignored(harness: Harness) -> None:
    await harness.receive(payload("group_message"))
    from_bot = payload("text_message")
    from_bot["message"]["from"]["is_bot"] = True
    await harness.receive(from_bot)
    service = payload("text_message")
    del service["message"]["text"]
    service["message"]["write_access_allowed"] = {"from_request": True}
    await harness.receive(service)
    assert harness.turns.inbounds == []
    assert harness.request.sent() == []


async def test_a_blocked_bot_reported_by_telegram_marks_the_resident(harness: Harness) -> None:
    await harness.receive(payload("blocked_bot"))
    assert harness.unreachable.user_refs == [SAMIRA]
    unblocked = copy.deepcopy(payload("blocked_bot"))
    unblocked["update_id"] += 1
    unblocked["my_chat_member"]["new_chat_member"]["status"] = "member"
    await harness.receive(unblocked)
    assert harness.unreachable.user_refs == [SAMIRA]


async def test_a_relay_reply_goes_to_the_relay_side_with_the_card_it_answers(
    harness: Harness,
) -> None:
    await harness.receive(payload("relay_reply"))
    assert harness.turns.inbounds == []
    [message] = harness.relays.received
    assert message.relay_id == "citeslab_vaulx"
    assert message.chat_id == RELAY_CHAT
    assert message.sender_ref == "6100000001"
    assert (message.kind, message.text) == (InboundKind.TEXT, "Je la rappelle demain")
    assert message.reply_to == f"{RELAY_CHAT}:40"
    [sent] = harness.request.sent()
    assert (sent["chat_id"], sent["text"]) == (int(RELAY_CHAT), "C'est noté")


async def test_a_relay_press_goes_to_the_relay_side_and_is_answered(harness: Harness) -> None:
    await harness.receive(payload("relay_press"))
    [message] = harness.relays.received
    assert (message.kind, message.payload) == (InboundKind.BUTTON, "/case:take")
    assert message.reply_to == f"{RELAY_CHAT}:40"
    assert len(harness.request.sent("answerCallbackQuery")) == 1
    assert harness.turns.inbounds == []
