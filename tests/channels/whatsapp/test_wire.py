"""Webhook bodies to inbound messages, and outbound messages to Graph API bodies."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.channels.whatsapp.parse import InboundMessage, parse_webhook
from bot.channels.whatsapp.render import (
    BODY_LIMIT,
    render_outbound,
    render_template,
    shorten,
    split_text,
)
from bot.domain.delivery import DeliveryStatus
from bot.domain.messages import Button, ChannelTexts, InboundKind, Outbound
from tests.channels.whatsapp.fakes import PHONE_NUMBER_ID, payload

TEXTS = ChannelTexts("T-EDITED.", "T-List", "T-NUMBER-HINT.", "T-NUMBERS-HINT.", "T-BYE.")


def parse_one(name: str) -> InboundMessage:
    [event] = parse_webhook(payload(name), PHONE_NUMBER_ID)
    assert isinstance(event, InboundMessage)
    return event


def test_text_button_list_and_template_replies() -> None:
    text = parse_one("text_message")
    assert (text.inbound.kind, text.inbound.user_ref) == (InboundKind.TEXT, "33698765432")
    assert text.inbound.message_id == "wamid.HBgLMzM2OTg3NjU0MzIVAgASGBQzRDEMO1"
    assert text.inbound.received_at.timestamp() == 1764150100
    button = parse_one("button_reply")
    assert (button.inbound.kind, button.inbound.payload) == (InboundKind.BUTTON, "s1:stage:young")
    listed = parse_one("list_reply")
    assert listed.inbound.payload == "s2:sector:cleaning"
    template = parse_one("template_quick_reply")  # its words matter, not Meta's payload
    assert (template.inbound.kind, template.inbound.text) == (InboundKind.TEXT, "Oui")


def test_the_business_scoped_id_is_the_key_and_the_phone_optional() -> None:
    both = parse_one("text_message_bsuid")
    assert both.inbound.user_ref == "FR.10000000000000000001"
    assert both.address.fields() == {"to": "33698765432"}
    username_only = parse_one("text_message_username_only")
    assert username_only.inbound.user_ref == "FR.10000000000000000002"
    assert username_only.address.fields() == {"recipient": "FR.10000000000000000002"}


def test_media_are_unsupported_with_their_kind() -> None:
    image = parse_one("image_message")
    assert (image.inbound.kind, image.inbound.media) == (InboundKind.UNSUPPORTED, "image")


def test_statuses_carry_their_error_code() -> None:
    [failed] = parse_webhook(payload("status_failed"), PHONE_NUMBER_ID)
    assert isinstance(failed, DeliveryStatus)
    assert (failed.status, failed.error_code) == ("failed", "131047")
    [read] = parse_webhook(payload("status_read"), PHONE_NUMBER_ID)
    assert isinstance(read, DeliveryStatus) and read.error_code is None


def test_another_business_number_is_skipped() -> None:
    assert parse_webhook(payload("text_message"), "another-number") == []


def buttons(*titles: str) -> tuple[Button, ...]:
    return tuple(Button(f"/q:o{i}", t) for i, t in enumerate(titles))


def test_one_to_three_choices_are_reply_buttons_shortened_without_losing_meaning() -> None:
    [message] = render_outbound(Outbound("Ton prénom ?", buttons("Je préfère ne pas dire")), TEXTS)
    interactive = message["interactive"]
    assert interactive["type"] == "button"
    assert interactive["action"]["buttons"][0]["reply"] == {
        "id": "/q:o0",
        "title": "Préfère ne pas dire",
    }
    assert shorten("Entreprise de moins de 3 ans", 20) == "Entreprise < 3 ans"
    assert shorten("Entreprise de 3 ans ou plus", 20) == "Entreprise ≥ 3 ans"
    assert shorten("Services aux personnes", 20) is None  # nothing safe to drop


def test_a_title_that_cannot_be_shortened_moves_to_a_list_with_its_label() -> None:
    [message] = render_outbound(
        Outbound("Qui ?", buttons("Services aux personnes", "Autre")), TEXTS
    )
    rows = message["interactive"]["action"]["sections"][0]["rows"]
    assert message["interactive"]["type"] == "list"
    assert rows[0] == {"id": "/q:o0", "title": "Services aux personnes"}


def test_four_to_ten_choices_are_a_list_and_more_are_numbered() -> None:
    titles = [f"Choix numéro {i} avec un titre assez long" for i in range(10)]
    [listed] = render_outbound(Outbound("Lequel ?", buttons(*titles)), TEXTS)
    rows = listed["interactive"]["action"]["sections"][0]["rows"]
    assert len(rows) == 10 and all(len(r["title"]) <= 24 for r in rows)
    assert rows[0]["description"] == titles[0]  # the whole label stays readable
    assert len(listed["interactive"]["action"]["button"]) <= 20
    [numbered] = render_outbound(Outbound("Lequel ?", buttons(*titles, "Autre")), TEXTS)
    assert numbered["type"] == "text"
    assert "11. Autre" in numbered["text"]["body"]


def test_a_long_question_goes_first_as_text_then_the_buttons() -> None:
    question = "Une longue explication. " * 100
    messages = render_outbound(Outbound(question, buttons("Oui", "Non")), TEXTS)
    assert [m["type"] for m in messages] == ["text", "interactive"]
    assert len(messages[-1]["interactive"]["body"]["text"]) <= BODY_LIMIT


def test_a_template_is_filled_in_order() -> None:
    message = render_template("relance", "fr", ["Nadia", "Samira"])
    parameters = message["template"]["components"][0]["parameters"]
    assert [p["text"] for p in parameters] == ["Nadia", "Samira"]
    assert "components" not in render_template("bonjour", "fr", [])["template"]


@given(st.text(min_size=0, max_size=12_000), st.sampled_from([1024, 4096]))
def test_split_text_keeps_every_word_within_the_limit(text: str, limit: int) -> None:
    pieces = split_text(text, limit)
    assert all(len(p) <= limit for p in pieces)
    # Only whitespace is dropped at the cuts (a word longer than the limit is cut in two).
    assert "".join("".join(pieces).split()) == "".join(text.split())


def test_a_first_opened_chat_is_a_start_and_system_notices_are_ignored() -> None:
    opened = payload("text_message")
    message = opened["entry"][0]["changes"][0]["value"]["messages"][0]
    message.pop("text")
    message["type"] = "request_welcome"
    [event] = parse_webhook(opened, PHONE_NUMBER_ID)
    assert isinstance(event, InboundMessage) and event.inbound.kind is InboundKind.START
    message["type"] = "system"
    assert parse_webhook(opened, PHONE_NUMBER_ID) == []
