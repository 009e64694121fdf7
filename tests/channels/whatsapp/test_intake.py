"""A resident goes through the intake on WhatsApp: reply buttons, lists, numbered choices."""

from __future__ import annotations

from sqlalchemy import text

from bot.app.bot import Bot
from bot.store.leads import export_leads
from tests.channels.intake import TYPED_INTAKE, check_typed_answer, check_typed_lead
from tests.channels.whatsapp.fakes import (
    ACCESS_TOKEN,
    API_VERSION,
    PHONE_NUMBER_ID,
    FakeGraph,
    Phone,
    Post,
    choices,
    payload,
)

PITCH = "Un food truck de crêpes au marché du samedi"


def kinds(phone: Phone) -> list[str]:
    """How each message of the last turn was shown: text, button, list or template."""
    return [(m.get("interactive") or {}).get("type") or m["type"] for m in phone.received]


async def test_a_resident_completes_the_intake_and_the_lead_is_exported(
    phone: Phone, graph: FakeGraph, wa_bot: Bot
) -> None:
    await phone.say("salut")
    assert phone.said("Q1/7. T-AGE?")
    assert kinds(phone)[-1] == "list"  # 4 age brackets: more than 3 reply buttons
    await phone.choose("adult")
    assert phone.said("Q2/7. T-STAGE?")
    assert kinds(phone)[-1] == "button"  # 3 stages
    await phone.choose("idea")
    assert phone.said("Q3/7. T-SECTOR?")
    # Not understood twice: the choices come numbered in the text, a person is offered,
    # and the person types a number.
    await phone.say("zorglub")
    assert phone.said("T-NOT-UNDERSTOOD.") and not phone.said("2. Beauty")
    await phone.say("blabla")
    assert phone.said("1. Food") and phone.said("2. Beauty") and phone.said("[T-Person]")
    await phone.say("2")
    assert phone.said("Q4/7. T-PITCH?")
    assert kinds(phone)[-1] == "button"  # "Skip"
    await phone.say(PITCH)
    assert phone.said("Q5/7. T-NEEDS?")
    assert kinds(phone)[-1] == "list"  # 3 needs and "C'est tout"
    await phone.choose("argent")
    await phone.choose("local")
    assert phone.said("[✔ Money]") and phone.said("[✔ A place]")
    await phone.choose("_done")
    assert phone.said("Q6/7. T-PLACE?")
    await phone.say("69120")
    assert phone.said("Q7/7. T-CONTACT?")
    await phone.choose("message")
    assert phone.said("T-KEEP-CONTACT?") and phone.said("[Keep]")
    await phone.choose("yes")
    assert phone.said("T-SEND-TO Samira?")
    await phone.choose("yes")
    assert phone.said("T-NAME?") and phone.said("[No name]")
    await phone.say("Nadia")
    assert phone.said("T-SENT Samira")

    [lead] = await export_leads(wa_bot.engine, wa_bot.cipher)
    assert lead["channel"] == "whatsapp"
    assert lead["user_ref"] == "33698765432"
    assert (lead["stage"], lead["sector"], lead["postal_code"]) == ("idea", "beaute", "69120")
    assert (lead["pitch"], lead["contact_pref"]) == (PITCH, "message")
    assert lead["needs"] == ["argent", "local"]
    assert lead["relay_id"] == "citeslab_vaulx"
    assert lead["first_name"] == "Nadia"
    assert {c["purpose"] for c in lead["consents"]} == {"contact", "relay"}

    for request in graph.requests:  # one Graph API version, our number, our token
        assert request.url.path == f"/{API_VERSION}/{PHONE_NUMBER_ID}/messages"
        assert request.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"
    for message in graph.sent:
        assert message["messaging_product"] == "whatsapp"
        for choice in choices(message):
            limit = 20 if message["interactive"]["type"] == "button" else 24
            assert len(choice["title"]) <= limit
        if message["type"] == "interactive":
            assert len(message["interactive"]["body"]["text"]) <= 1024


async def test_a_username_only_resident_is_served_by_user_id(
    post: Post, graph: FakeGraph, wa_bot: Bot
) -> None:
    response = await post(payload("text_message_username_only"))
    assert response.status_code == 200
    replies = graph.to("FR.10000000000000000002")
    assert replies and all("to" not in m for m in replies)
    assert "T-AGE?" in str(replies)
    subject = wa_bot.dispatcher.pseudonyms.subject("whatsapp", "FR.10000000000000000002")
    async with wa_bot.engine.connect() as connection:
        ids = (await connection.execute(text("SELECT id FROM conversations"))).scalars().all()
    assert ids == [subject]


async def test_the_business_scoped_id_is_the_key_and_the_phone_gets_the_reply(
    post: Post, graph: FakeGraph, wa_bot: Bot
) -> None:
    await post(payload("text_message_bsuid"))
    assert graph.to("33698765432")  # answered on the phone number Meta showed
    subject = wa_bot.dispatcher.pseudonyms.subject("whatsapp", "FR.10000000000000000001")
    async with wa_bot.engine.connect() as connection:
        ids = (await connection.execute(text("SELECT id FROM conversations"))).scalars().all()
    assert ids == [subject]


MEDIA: list[dict[str, object]] = [
    {"type": "image", "image": {"id": "1", "mime_type": "image/jpeg"}},
    {"type": "audio", "audio": {"id": "2", "mime_type": "audio/ogg", "voice": True}},
    {"type": "video", "video": {"id": "3", "mime_type": "video/mp4"}},
    {"type": "document", "document": {"id": "4", "filename": "cv.pdf"}},
    {"type": "sticker", "sticker": {"id": "5", "animated": False}},
    {"type": "location", "location": {"latitude": 45.77, "longitude": 4.88}},
    {"type": "reaction", "reaction": {"message_id": "wamid.OUT1", "emoji": "👍"}},
]


async def test_media_get_a_short_kind_reply_and_the_question_again(phone: Phone) -> None:
    await phone.say("salut")
    for message in MEDIA:
        await phone.send(message)
        assert phone.said("T-UNSUPPORTED."), message["type"]
        assert phone.text.index("T-UNSUPPORTED.") < phone.text.index("Q1/7. T-AGE?")


async def test_several_messages_of_one_webhook_are_answered_in_order(
    phone: Phone, post: Post, graph: FakeGraph
) -> None:
    await phone.say("salut")
    [row] = [c for c in choices(phone.received[-1]) if c["id"] == "/age:adult"]
    first = phone.body({"type": "text", "text": {"body": "recommencer"}})
    second = phone.body(
        {"type": "interactive", "interactive": {"type": "list_reply", "list_reply": row}}
    )
    first["entry"][0]["changes"][0]["value"]["messages"].extend(
        second["entry"][0]["changes"][0]["value"]["messages"]
    )
    before = len(graph.sent)
    await post(first)
    texts = [str(m) for m in graph.sent[before:]]
    restart = next(i for i, t in enumerate(texts) if "T-RESTART." in t)
    asked = next(i for i, t in enumerate(texts) if "Q1/7. T-AGE?" in t)
    answered = next(i for i, t in enumerate(texts) if "Q2/7. T-STAGE?" in t)
    assert restart <= asked < answered


async def test_a_resident_who_only_types_goes_through_to_the_lead_and_after(
    phone: Phone, graph: FakeGraph, wa_bot: Bot
) -> None:
    for typed, expected in TYPED_INTAKE:
        await phone.say(typed)
        check_typed_answer(typed, phone.text, expected)
    check_typed_lead(await export_leads(wa_bot.engine, wa_bot.cipher), "whatsapp", phone.address)
