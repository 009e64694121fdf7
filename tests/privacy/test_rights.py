"""A resident's rights, exercised in the chat: see, correct, stop, erase."""

from __future__ import annotations

import json

import pytest

from bot.app.bot import Bot
from bot.domain.understanding import Understanding
from bot.store.leads import export_leads
from tests.chat import Chat
from tests.dbscan import count_rows, find_everywhere

NAME = "Zoubida"
PITCH = "Une boutique de robes de soirée sur mesure"


class RecordingCaseEvents:
    def __init__(self) -> None:
        self.withdrawn: list[tuple[str, str]] = []

    async def case_withdrawn(self, lead_id: str, relay_id: str) -> None:
        self.withdrawn.append((lead_id, relay_id))


async def complete_intake(chat: Chat, *, pitch: str = PITCH) -> None:
    await chat.say("bonjour")
    for button in ("26 à 30 ans", "J'ai une idée", "Commerce, boutique"):
        await chat.press(button)
    await chat.say(pitch)
    await chat.press("Des clients")
    await chat.press("C'est tout")
    await chat.say("93200")
    for button in (
        "Oui",
        "Ici, par message",
        "Oui, c'est juste",
        "Oui, garde-le",
        "Oui, envoie-lui",
    ):
        await chat.press(button)
    await chat.say(NAME)
    assert chat.said("C'est envoyé")


async def test_erasure_leaves_nothing_but_the_suppression_record(bot: Bot) -> None:
    events = RecordingCaseEvents()
    bot.dispatcher.case_events = events
    chat = Chat(bot.handle, user="tg-777001")
    await complete_intake(chat)
    [lead] = await export_leads(bot.engine, bot.cipher)
    await chat.say("supprimer mes données")
    assert chat.said("efface tout ce que je sais")
    await chat.press("Oui, tout effacer")
    assert chat.said("j'ai tout effacé")
    assert await find_everywhere(bot.engine, NAME, "tg-777001", PITCH, "robes") == []
    for table in ("conversations", "contacts", "consents", "leads"):
        assert await count_rows(bot.engine, table) == 0
    assert await count_rows(bot.engine, "suppressions") == 1
    assert events.withdrawn == [(lead["lead_id"], lead["relay_id"])]


async def test_erasure_can_be_cancelled(bot: Bot) -> None:
    chat = Chat(bot.handle)
    await complete_intake(chat)
    await chat.say("supprimer mes données")
    await chat.press("Non, garder")
    assert chat.said("je ne touche à rien")
    assert len(await export_leads(bot.engine, bot.cipher)) == 1


@pytest.fixture
def nlu() -> object:
    class DeleteIntent:
        async def parse(self, text: str) -> Understanding:
            if "efface" in text:
                return Understanding("delete_data", 0.93)
            return Understanding()

    return DeleteIntent()


async def test_erasure_is_reached_by_intent_in_the_middle_of_a_question(bot: Bot) -> None:
    chat = Chat(bot.handle)
    await chat.say("salut")
    await chat.press("18 à 25 ans")
    await chat.say("vous pouvez effacer tout ce que vous avez sur moi ?")
    assert chat.said("efface tout ce que je sais")


async def test_contact_fields_are_encrypted_at_rest(bot: Bot) -> None:
    chat = Chat(bot.handle, user="tg-555")
    await complete_intake(chat)
    assert await find_everywhere(bot.engine, "tg-555") == []  # only ciphertext in tables
    [lead] = await export_leads(bot.engine, bot.cipher)
    assert lead["user_ref"] == "tg-555"
    assert lead["first_name"] == NAME


async def test_my_data_gives_a_summary_and_a_json_copy(bot: Bot) -> None:
    chat = Chat(bot.handle)
    await complete_intake(chat)
    await chat.say("mes données")
    summary = next(r for r in chat.replies if r.attachment is not None)
    assert NAME in summary.text
    assert "garder ton contact" in summary.text
    assert "Samira" not in summary.text  # 93200 goes to the Plaine Commune relay
    assert summary.attachment is not None
    copy = json.loads(summary.attachment.content)
    assert copy["contact"]["first_name"] == NAME
    assert copy["case"]["pitch"] == PITCH
    assert {c["purpose"] for c in copy["consents"]} == {"contact", "relay"}


async def test_correcting_an_answer_after_the_end_updates_the_case(bot: Bot) -> None:
    chat = Chat(bot.handle)
    await complete_intake(chat)
    await chat.say("corriger")
    await chat.press("Le domaine")
    await chat.press("Numérique")
    await chat.press("Oui")  # the commune is confirmed again
    assert chat.said("Je résume")
    await chat.press("Oui, c'est juste")
    [lead] = await export_leads(bot.engine, bot.cipher)
    assert lead["sector"] == "numerique"
    assert lead["first_name"] == NAME


async def test_stop_from_someone_we_keep_withdraws_follow_ups(bot: Bot) -> None:
    chat = Chat(bot.handle)
    await complete_intake(chat)
    await chat.say("stop")
    assert chat.said("je ne t'écris plus")
    async with bot.engine.connect() as connection:
        from sqlalchemy import text

        stopped = (await connection.execute(text("SELECT stopped_at FROM contacts"))).scalar()
        withdrawal = (
            await connection.execute(text("SELECT purpose FROM consents WHERE kind = 'withdrawal'"))
        ).scalar()
    assert stopped is not None
    assert withdrawal == "followup"
    await chat.say("bonjour")  # writing again starts afresh
    assert chat.said("Question 1 sur 8")


async def test_a_health_mention_is_redacted_before_storage(bot: Bot) -> None:
    chat = Chat(bot.handle)
    await chat.say("salut")
    await chat.press("31 ans ou plus")
    await chat.press("J'ai une idée")
    await chat.press("Artisanat")
    await chat.say("Avec mon diabète je veux faire de la couture à la maison")
    assert chat.said("retiré de ta réponse ce qui parle de santé")
    assert chat.said("Question 5 sur 8")
    assert await find_everywhere(bot.engine, "diabète") == []


async def test_full_notice_on_request_names_the_controller(bot: Bot) -> None:
    chat = Chat(bot.handle)
    await chat.say("salut")
    assert chat.said("Je ne garde rien sur toi sans ton accord")
    await chat.say("/confidentialite")
    assert chat.said("l'équipe Tremplin")
    assert chat.said("supprimer mes données")
    assert chat.said("Question 1 sur 8")  # and the conversation goes on
