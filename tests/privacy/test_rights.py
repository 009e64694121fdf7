"""A resident's rights, exercised in the chat: see, correct, stop, erase."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.app.bot import Bot
from bot.app.build import start_bot
from bot.app.flowtools import BotProbe
from bot.app.settings import Settings
from bot.domain.understanding import NLU, Understanding
from bot.store.leads import export_leads
from tests.chat import Chat
from tests.conftest import TEST_FLOWS
from tests.dbscan import count_rows, find_everywhere
from tests.mailbox import Mailbox

NAME = "Zoubida"
PITCH = "Une boutique de robes de soirée sur mesure"


async def complete_intake(chat: Chat, *, pitch: str = PITCH) -> None:
    """The tests' intake (``tests/flows/main.yml``) to the end: contact kept, case sent."""
    await chat.say("bonjour")
    for option in ("adult", "idea", "autre"):
        await chat.choose(option)
    await chat.say(pitch)
    await chat.choose("local")
    await chat.choose("_done")
    await chat.say("93200")
    for option in ("message", "yes", "yes"):  # contact preference, both consents
        await chat.choose(option)
    assert chat.asks == "first_name"
    await chat.say(NAME)
    assert chat.said("T-SENT Mamadou")  # 93200 goes to the Plaine Commune relay


async def test_erasure_leaves_nothing_but_the_suppression_record(
    bot: Bot, mailbox: Mailbox
) -> None:
    chat = Chat(bot.handle, user="tg-777001")
    await complete_intake(chat)
    [lead] = await export_leads(bot.engine, bot.cipher)
    await chat.say("supprimer mes données")
    assert chat.said("T-ERASE?")
    assert [b.payload for b in chat.buttons] == ["/_sys:erase", "/_sys:keep"]
    await chat.choose("erase")
    assert chat.said("T-ERASED.")
    assert await find_everywhere(bot.engine, NAME, "tg-777001", PITCH, "robes") == []
    for table in ("conversations", "contacts", "consents", "leads"):
        assert await count_rows(bot.engine, table) == 0
    assert await count_rows(bot.engine, "suppressions") == 1
    # The relay who had the case is told to drop what they noted, by its number only.
    relay = bot.handoffs.relays[lead["relay_id"]]
    [withdrawn] = [m for m in mailbox.to(str(relay.contact.email)) if "retiré" in m["Subject"]]
    body = withdrawn.get_payload(decode=True).decode("utf-8")
    assert lead["lead_id"][:6] in body and NAME not in body


async def test_erasure_can_be_cancelled(bot: Bot) -> None:
    chat = Chat(bot.handle)
    await complete_intake(chat)
    await chat.say("supprimer mes données")
    await chat.choose("keep")
    assert chat.said("T-KEPT.") and not chat.said("T-ERASED.")
    assert len(await export_leads(bot.engine, bot.cipher)) == 1
    assert await count_rows(bot.engine, "suppressions") == 0


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
    await chat.choose("adult")
    assert chat.asks == "stage"
    await chat.say("vous pouvez effacer tout ce que vous avez sur moi ?")
    assert chat.said("T-ERASE?")
    assert [b.payload for b in chat.buttons] == ["/_sys:erase", "/_sys:keep"]


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
    assert chat.said("T-ACCESS.")  # the command's reply, then the summary
    assert f"T-CONTACT rest {NAME}." in summary.text
    assert "T-CONSENTS contact ; relay." in summary.text  # the coordinators' purpose names
    assert "T-CASE-SENT Mamadou" in summary.text
    assert "Samira" not in summary.text  # 93200 goes to the Plaine Commune relay
    assert "T-FOOTER." in summary.text
    assert summary.attachment is not None
    copy = json.loads(summary.attachment.content)
    assert copy["contact"]["first_name"] == NAME
    assert copy["case"]["pitch"] == PITCH
    assert {c["purpose"] for c in copy["consents"]} == {"contact", "relay"}


FIX_FLOW = """\
flow: fix
title: "Test correction"
version: 1
steps:
  clear:
    set: {sector: null}
    next: {flow: main, step: sector}
"""


@pytest.fixture
def correctable(settings: Settings, tmp_path: Path) -> Settings:
    """The tests' flows, where « corriger » clears the sector and asks it again."""
    folder = tmp_path / "flows"
    shutil.copytree(TEST_FLOWS, folder)
    (folder / "fix.yml").write_text(FIX_FLOW, encoding="utf-8")
    glob = folder / "global.yml"
    text = glob.read_text(encoding="utf-8")
    old = "do: {flow: main, step: age}"
    assert old in text
    glob.write_text(text.replace(old, "do: {flow: fix}"), encoding="utf-8")
    return settings.model_copy(update={"flows_dir": folder})


async def test_correcting_an_answer_after_the_end_updates_the_case(
    correctable: Settings, nlu: NLU | None
) -> None:
    bot = await start_bot(correctable, nlu=nlu, migrate=False)
    try:
        chat = Chat(bot.handle)
        await complete_intake(chat)
        await chat.say("corriger")
        assert chat.asks == "sector"
        await chat.choose("beaute")
        assert chat.said("T-SENT Mamadou")  # every other answer and consent still holds
        [lead] = await export_leads(bot.engine, bot.cipher)  # the same case, updated
        assert lead["sector"] == "beaute"
        assert lead["first_name"] == NAME
        assert lead["pitch"] == PITCH
    finally:
        await bot.close()


async def test_stop_from_someone_we_keep_withdraws_follow_ups(bot: Bot) -> None:
    chat = Chat(bot.handle)
    await complete_intake(chat)
    await chat.say("stop")
    assert chat.replies[-1].text == "T-STOP."
    async with bot.engine.connect() as connection:
        from sqlalchemy import text

        stopped = (await connection.execute(text("SELECT stopped_at FROM contacts"))).scalar()
        withdrawal = (
            await connection.execute(text("SELECT purpose FROM consents WHERE kind = 'withdrawal'"))
        ).scalar()
    assert stopped is not None
    assert withdrawal == "followup"
    await chat.say("bonjour")  # writing again starts afresh
    assert chat.said("T-WELCOME.") and chat.said("Q1/7. T-AGE?")


async def test_a_health_mention_is_redacted_before_storage(bot: Bot) -> None:
    chat = Chat(bot.handle)
    await chat.say("salut")
    for option in ("adult", "idea", "autre"):
        await chat.choose(option)
    assert chat.asks == "pitch"
    await chat.say("Avec mon diabète je veux faire de la couture à la maison")
    assert chat.said("T-REDACTED health.")
    assert chat.said("Q5/7. T-NEEDS?") and chat.asks == "needs"
    assert await find_everywhere(bot.engine, "diabète") == []
    state = await BotProbe(bot).conversation(chat.channel, chat.user)
    assert state is not None
    assert state["slots"]["pitch"] == "Avec mon […] je veux faire de la couture à la maison"


async def test_full_notice_on_request_names_the_controller(bot: Bot, settings: Settings) -> None:
    chat = Chat(bot.handle)
    await chat.say("salut")
    assert chat.said("T-WELCOME. 🔒 Je ne garde rien sur toi sans ton accord")  # notice_court
    await chat.say("/confidentialite")
    assert chat.said(f"Qui : {settings.privacy.controller}.")  # notice_complet, filled in
    assert chat.said("« supprimer mes données »")
    assert chat.said("Q1/7. T-AGE?") and chat.asks == "age"  # and the conversation goes on
