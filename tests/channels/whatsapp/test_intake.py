"""A resident goes through the intake on WhatsApp: reply buttons, lists, numbered choices."""

from __future__ import annotations

from sqlalchemy import text

from bot.app.bot import Bot
from bot.store.leads import export_leads
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
    assert phone.said("Question 1 sur 8")
    assert kinds(phone)[-1] == "list"  # 6 age brackets
    await phone.press("18 à 25 ans")
    assert phone.said("Question 2 sur 8")
    stages = {c["title"]: c.get("description") for c in choices(phone.received[-1])}
    assert stages["Entreprise < 3 ans"] == "Entreprise de moins de 3 ans"
    await phone.press("J'ai une idée")
    # 12 sectors: more than a list holds, so numbered text; the person types a number.
    assert kinds(phone) == ["text"]
    assert phone.said("2. Restauration") and phone.said("Réponds avec le numéro")
    await phone.say("2")
    assert phone.said("santé, de ta religion ou de tes origines")
    assert kinds(phone)[-1] == "button"  # "Je préfère passer"
    await phone.say(PITCH)
    assert kinds(phone)[-1] == "list"  # 9 needs and "C'est tout"
    await phone.press("Trouver de l'argent")
    await phone.press("Me former")
    assert phone.said("[✔ Me former]")
    await phone.press("C'est tout")
    assert phone.said("Question 6 sur 8")
    await phone.say("69120")
    assert phone.said("Vaulx-en-Velin (69120)")
    await phone.press("Oui")
    await phone.press("Ici, par message")
    assert phone.said("Je résume")
    await phone.press("Oui, c'est juste")
    assert phone.said("Voilà ce qui peut t'aider") and phone.said("garder ton contact")
    await phone.press("Oui, garde-le")
    assert phone.said("Samira")
    await phone.press("Oui, envoie-lui")
    # "Je préfère ne pas dire" is 22 characters: the button says it in 19.
    assert phone.said("[Préfère ne pas dire]")
    await phone.say("Nadia")
    assert phone.said("C'est envoyé à Samira")

    [lead] = await export_leads(wa_bot.engine, wa_bot.cipher)
    assert lead["channel"] == "whatsapp"
    assert lead["user_ref"] == "33698765432"
    assert (lead["stage"], lead["sector"], lead["postal_code"]) == ("idea", "restauration", "69120")
    assert lead["needs"] == ["argent", "formation"]
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
    assert "Question 1 sur 8" in str(replies)
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
        assert phone.said("Je ne sais lire que les messages écrits"), message["type"]
        assert phone.said("Question 1 sur 8")


async def test_several_messages_of_one_webhook_are_answered_in_order(
    phone: Phone, post: Post, graph: FakeGraph
) -> None:
    await phone.say("salut")
    [row] = [c for c in choices(phone.received[-1]) if c["title"] == "18 à 25 ans"]
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
    restart = next(i for i, t in enumerate(texts) if "Question 1 sur 8" in t)
    answered = next(i for i, t in enumerate(texts) if "Question 2 sur 8" in t)
    assert restart < answered
