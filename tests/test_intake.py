"""Transcripts of residents going through the intake flow, checked in the database."""

from __future__ import annotations

from bot.app.bot import Bot
from bot.store.leads import export_leads
from tests.chat import Chat
from tests.dbscan import count_rows, find_everywhere

PITCH = "Un food truck de crêpes au marché du samedi"
CONTRACT = {
    "lead_id",
    "channel",
    "user_ref",
    "created_at",
    "stage",
    "sector",
    "postal_code",
    "commune",
    "needs",
    "consents",
    "relay_id",
    "relay_name",
    "status",
    "schemes",
}


async def answer_up_to_consent(chat: Chat) -> None:
    await chat.say("salut")
    assert chat.said("Question 1 sur 8")
    await chat.press("18 à 25 ans")
    await chat.press("J'ai une idée")
    await chat.press("Restauration")
    assert chat.said("santé, de ta religion ou de tes origines")
    await chat.say(PITCH)
    await chat.press("Trouver de l'argent")
    await chat.press("Me former")
    await chat.press("C'est tout")
    assert chat.said("Question 6 sur 8")
    await chat.say("69120")
    assert chat.said("Vaulx-en-Velin (69120)")
    await chat.press("Oui")
    await chat.press("Ici, par message")
    assert chat.said("Je résume")
    assert chat.said("Restauration") and chat.said("Vaulx-en-Velin")
    await chat.press("Oui, c'est juste")
    assert chat.said("Voilà ce qui peut t'aider")
    assert chat.said("garder ton contact")


async def test_idea_stage_resident_completes_intake_and_lead_is_exported(
    chat: Chat, bot: Bot
) -> None:
    await answer_up_to_consent(chat)
    await chat.press("Oui, garde-le")
    assert chat.said("Samira")  # the relay is named before the case is shared
    await chat.press("Oui, envoie-lui")
    await chat.say("Nadia")
    assert chat.said("C'est envoyé à Samira")

    [lead] = await export_leads(bot.engine, bot.cipher)
    assert set(lead) >= CONTRACT
    assert lead["channel"] == "rest"
    assert lead["user_ref"] == "resident-1"
    assert lead["created_at"].endswith("Z")
    assert lead["stage"] == "idea"
    assert lead["sector"] == "restauration"
    assert (lead["postal_code"], lead["commune"]) == ("69120", "Vaulx-en-Velin")
    assert lead["needs"] == ["argent", "formation"]
    assert lead["relay_id"] == "citeslab_vaulx"
    assert lead["relay_name"].startswith("Samira")
    assert lead["status"] == "offered"  # the hand-off to Samira has started
    assert [e["status"] for e in lead["status_history"]] == ["offered"]
    assert lead["schemes"] and "french_tech_tremplin" not in lead["schemes"]
    assert lead["first_name"] == "Nadia"
    assert lead["pitch"] == PITCH
    purposes = {c["purpose"] for c in lead["consents"]}
    assert purposes == {"contact", "relay"}
    for consent in lead["consents"]:
        assert consent["given_at"].endswith("Z")
        assert consent["notice_version"].startswith("intake.")


async def test_declining_consent_leaves_no_personal_data(chat: Chat, bot: Bot) -> None:
    await answer_up_to_consent(chat)
    await chat.press("Non merci")
    assert chat.said("je ne garde rien")
    assert await export_leads(bot.engine, bot.cipher) == []
    assert await find_everywhere(bot.engine, "resident-1", PITCH, "crêpes") == []
    assert await count_rows(bot.engine, "conversations") == 0
    assert await count_rows(bot.engine, "contacts") == 0


async def test_stop_mid_flow_stops_the_bot(chat: Chat, bot: Bot) -> None:
    await chat.say("bonjour")
    await chat.press("26 à 30 ans")
    await chat.press("Je prépare mon projet")
    await chat.say("STOP")
    assert chat.said("je ne t'écris plus")
    assert all(not r.buttons for r in chat.replies)
    assert await count_rows(bot.engine, "conversations") == 0
    # Writing again later starts afresh.
    await chat.say("re")
    assert chat.said("Question 1 sur 8")


async def test_under_15_gets_generic_information_and_nothing_is_kept(chat: Chat, bot: Bot) -> None:
    await chat.say("slt")
    await chat.press("Moins de 15 ans")
    assert chat.said("adulte de confiance")
    for table in ("conversations", "contacts", "consents", "leads"):
        assert await count_rows(bot.engine, table) == 0
    assert await find_everywhere(bot.engine, "resident-1", "under15") == []


async def test_invalid_postal_code_is_asked_again(chat: Chat) -> None:
    await chat.say("salut")
    await chat.press("31 ans ou plus")
    await chat.press("J'ai commencé à vendre")
    await chat.press("Beauté, coiffure")
    await chat.press("Je préfère passer")
    await chat.press("Des clients")
    await chat.press("C'est tout")
    await chat.say("99999")
    assert chat.said("Je ne trouve pas ce code postal")
    assert chat.said("Tu es dans quelle commune")
    await chat.say("Roubaix")
    assert chat.said("C'est bien Roubaix (59100)")


async def test_established_company_goes_through_its_branch(chat: Chat, bot: Bot) -> None:
    await chat.say("bonjour")
    await chat.press("31 ans ou plus")
    await chat.press("Entreprise de 3 ans ou plus")
    assert chat.said("Ton entreprise a quel âge")
    await chat.press("5 à 10 ans")
    assert chat.said("combien à y travailler")
    await chat.press("2 à 5")
    await chat.press("Embaucher")
    await chat.press("C'est tout")
    await chat.say("31100")
    await chat.press("Oui")
    await chat.press("Un appel")
    await chat.press("Oui, c'est juste")
    await chat.press("Oui, garde-le")
    await chat.press("Oui, envoie-lui")
    await chat.press("Je préfère ne pas dire")
    [lead] = await export_leads(bot.engine, bot.cipher)
    assert lead["stage"] == "established"
    assert lead["details"]["company_age"] == "5_10"
    assert lead["details"]["headcount"] == "2_5"
    assert lead["details"]["growth_needs"] == ["embauche"]
    assert lead["first_name"] is None
    assert "accelerateur_croissance_tpe" in lead["schemes"]


async def test_a_person_can_be_reached_from_any_step(chat: Chat, bot: Bot) -> None:
    await chat.say("salut")
    await chat.press("18 à 25 ans")
    await chat.say("parler à quelqu'un")
    assert chat.said("Une vraie personne")
    await chat.press("J'ai une idée")
    await chat.say("Roubaix")
    await chat.press("Oui, garde-le")
    assert chat.said("BGE")
    await chat.press("Oui, envoie-lui")
    [lead] = await export_leads(bot.engine, bot.cipher)
    assert lead["relay_id"] == "bge_roubaix_tourcoing"
