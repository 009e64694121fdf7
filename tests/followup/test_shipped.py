"""The shipped follow-ups (``flows/relance.yml``) in French, after the shipped intake."""

from __future__ import annotations

from bot.app.bot import Bot
from bot.domain import jobs as kinds
from bot.store.leads import export_leads
from tests.followup.helpers import Clock, Resident, hold, job_of, run_at


async def intake(chat: Resident) -> None:
    """The first coordinators' test of ``flows/tests/intake.yml``, by buttons."""
    await chat.say("salut")
    for title in ("18 à 25 ans", "J'ai une idée", "Restauration"):
        await chat.press(title)
    await chat.say("Un food truck de crêpes au marché du samedi")
    for title in ("Trouver de l'argent", "Me former", "C'est tout", "Je préfère ne pas dire"):
        await chat.press(title)
    await chat.say("69120")
    for title in ("Oui", "Ici, par message", "Oui, c'est juste", "Oui, garde-le"):
        await chat.press(title)
    await chat.press("Oui, envoie-lui")
    await chat.say("Nadia")


async def test_no_news_at_j3_in_the_residents_words(shipped_bot: Bot) -> None:
    clock = hold(shipped_bot, Clock())
    chat = Resident(shipped_bot, clock)
    await intake(chat)
    [lead] = await export_leads(shipped_bot.engine, shipped_bot.cipher)
    relay = shipped_bot.handoffs.relays[lead["relay_id"]].display_name
    await run_at(shipped_bot, clock, (await job_of(shipped_bot, kinds.CHECKIN_CONTACTED)).run_at)
    await chat.say("coucou")
    assert chat.said(f"Est-ce que {relay} t'a contacté·e ?")
    await chat.say("toujours rien")
    assert chat.said("Je passe ton projet à une autre personne")
    await run_at(shipped_bot, clock, (await job_of(shipped_bot, kinds.CHECKIN_OUTCOME)).run_at)
    await chat.say("salut")
    assert chat.said("qu'est devenu ton projet ?")
    await chat.say("j'ai eu un pret d'honneur")
    assert chat.said("Merci de m'avoir répondu")
    [lead] = await export_leads(shipped_bot.engine, shipped_bot.cipher)
    assert lead["outcome"] == "financed"


async def test_the_check_in_comes_in_the_residents_language(shipped_bot: Bot) -> None:
    texts = shipped_bot.dispatcher.runner.flows.translations["ar"].texts

    def ar(key: str) -> str:
        value = texts[key]
        assert isinstance(value, str)
        return value.strip()

    clock = hold(shipped_bot, Clock())
    chat = Resident(shipped_bot, clock)
    await chat.say("السلام عليكم، بغيت نحل مطعم")
    for step, option in (("age", "18_25"), ("etape", "idea"), ("secteur", "restauration")):
        await chat.press(ar(f"intake.{step}.options.{option}.label"))
    await chat.say("شاحنة أكل في السوق")
    await chat.press(ar("intake.besoins.options.argent.label"))
    await chat.press(ar("intake.besoins.done_label"))
    await chat.press(ar("intake.situation.options.undisclosed.label"))
    await chat.say("69120")
    for key in (
        "intake.lieu_ok.options.yes.label",
        "intake.contact_pref.options.message.label",
        "intake.recap.options.yes.label",
        "intake.accord_contact.yes_label",
        "intake.accord_relais.yes_label",
    ):
        await chat.press(ar(key))
    await chat.say("Nour")
    await run_at(shipped_bot, clock, (await job_of(shipped_bot, kinds.CHECKIN_CONTACTED)).run_at)
    await chat.say("سلام")
    assert chat.said(ar("relance.contact.ask").split("{followup_relay}")[0])
