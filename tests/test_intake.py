"""The shipped intake (flows/) as residents use it: typing like they talk, asking questions.

These tests read the coordinators' flows, so they compare replies with the texts of those
flows (loaded here), never with sentences written in the test.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest

from bot.app.bot import Bot
from bot.engine.loader import FlowSet, load_flows
from bot.engine.schema import ChoiceStep, InputStep
from bot.store.leads import export_leads
from tests.chat import Chat
from tests.conftest import SHIPPED_FLOWS

FLOWS: FlowSet = load_flows(SHIPPED_FLOWS)
MESSAGES = FLOWS.glob.messages
FAQ = {entry.id: entry for entry in FLOWS.faq.faq}
PROGRESS = re.compile(
    re.escape(MESSAGES.progress).replace(r"\{n\}", r"(\d+)").replace(r"\{total\}", r"(\d+)")
)


def step(step_id: str, flow: str = "intake") -> Any:
    return FLOWS.flows[flow].flow.steps[step_id]


def label(step_id: str, option_id: str) -> str:
    found = step(step_id)
    assert isinstance(found, (ChoiceStep, InputStep))
    return next(o.label for o in found.options if o.id == option_id)


async def state(bot: Bot, chat: Chat) -> dict[str, Any]:
    """The stored conversation of ``chat``'s resident."""
    dispatcher = bot.dispatcher
    subject = dispatcher.pseudonyms.subject(chat.channel, chat.user)
    stored = await dispatcher.store.transact(subject, chat.channel, lambda tx: tx.load())
    return stored.state if stored is not None else {}


async def slots(bot: Bot, chat: Chat) -> dict[str, Any]:
    return dict((await state(bot, chat)).get("slots") or {})


async def typed_intake(
    resident: Chat, *, place: str = "vaulx", contact: str = "par message"
) -> None:
    """A resident who never presses a button, up to the contact consent."""
    await resident.say("slt")
    assert resident.asks == "age"
    await resident.say("jai 34 ans")
    assert resident.asks == "etape"
    await resident.say("j'ai juste l'idée")
    await resident.say("un snack")
    assert resident.asks == "pitch"
    await resident.say("des crêpes au marché le samedi")
    await resident.say("des sous et un local")
    assert resident.asks == "situation"
    await resident.say("je travaille")
    await resident.say(place)
    assert resident.asks == "lieu_ok"
    await resident.say("ouais")
    await resident.say(contact)
    assert resident.asks == "recap"
    await resident.say("ok")
    assert resident.asks == "accord_contact"


# ---------------------------------------------------------------- numbers at the age question
@pytest.mark.parametrize(
    ("typed", "bracket"),
    [("34", "31_plus"), ("j'ai 34 ans", "31_plus"), ("19", "18_25"), ("jai17ans", "15_17"),
     ("trente ans", "26_30"), ("34a", "31_plus")],
)  # fmt: skip
async def test_a_typed_age_lands_in_its_bracket(
    resident: Chat, shipped_bot: Bot, typed: str, bracket: str
) -> None:
    await resident.say("salut")
    await resident.say(typed)
    assert (await slots(shipped_bot, resident))["age_band"] == bracket
    assert resident.asks == "etape"


@pytest.mark.parametrize("typed", ["14", "1"])
async def test_an_age_under_15_typed_is_said_back_before_the_chat_ends(
    resident: Chat, shipped_bot: Bot, typed: str
) -> None:
    await resident.say("salut")
    await resident.say(typed)
    confirm = MESSAGES.confirm_answer.replace("{said}", typed)
    assert resident.said(confirm.replace("{label}", label("age", "under15")))
    assert (await state(shipped_bot, resident))["status"] == "active"  # nothing ended yet
    await resident.say("non")
    assert resident.asks == "age"
    await resident.say(typed)
    await resident.say("oui")
    assert (await state(shipped_bot, resident)) == {}  # under 15: nothing kept


# ---------------------------------------------------------------- "je sais pas"
async def test_je_sais_pas_always_gets_a_way_forward(resident: Chat, shipped_bot: Bot) -> None:
    await resident.say("salut")
    await resident.say("jsp")  # age: no "don't know" button, no kind text -> prefer not to say
    assert (await slots(shipped_bot, resident))["age_band"] == "undisclosed"
    await resident.say("chais pas")  # stage: its kind text, the question again, no miss
    assert resident.said(step("etape").dont_know)
    assert resident.asks == "etape"
    assert (await state(shipped_bot, resident))["retries"] == 0
    await resident.press(label("etape", "idea"))
    await resident.say("aucune idée")  # sector: its "don't know" button
    assert (await slots(shipped_bot, resident))["sector"] == "unknown"


# ---------------------------------------------------------------- places
async def up_to_the_commune(resident: Chat) -> None:
    """Press every answer up to the commune question."""
    await resident.say("salut")
    await resident.press(label("age", "31_plus"))
    await resident.press(label("etape", "idea"))
    await resident.press(label("secteur", "restauration"))
    await resident.choose("skip")
    await resident.choose("argent")
    await resident.choose("_done")
    await resident.choose("undisclosed")


@pytest.mark.parametrize(
    ("typed", "code"), [("lyon 8", "69008"), ("marseille 15", "13015"), ("Paris 19", "75019"),
                        ("Toulouse Mirail", "31100"), ("vaulx", "69120")]
)  # fmt: skip
async def test_communes_with_arrondissements_and_districts_are_understood(
    resident: Chat, shipped_bot: Bot, typed: str, code: str
) -> None:
    await up_to_the_commune(resident)
    await resident.say(typed)
    assert (await slots(shipped_bot, resident))["postal_code"] == code
    assert resident.asks == "lieu_ok"
    assert not resident.said(MESSAGES.not_understood)


@pytest.mark.parametrize(
    "typed", ["non vaulx en velin", "Non, c'est Vaulx-en-Velin", "nan 69120", "plutôt vaulx"]
)
async def test_another_commune_typed_at_the_check_replaces_the_first(
    resident: Chat, shipped_bot: Bot, typed: str
) -> None:
    await up_to_the_commune(resident)
    await resident.say("villeurbane")
    assert resident.asks == "lieu_ok"
    await resident.say(typed)
    assert (await slots(shipped_bot, resident))["commune"] == "Vaulx-en-Velin"
    assert resident.asks == "lieu_ok"  # the new one is checked in turn
    assert resident.said("Vaulx-en-Velin (69120)")
    await resident.say("ouais")
    assert resident.asks == "contact_pref"


async def test_a_sentence_in_arabic_goes_on_in_arabic(resident: Chat) -> None:
    await resident.say("salut")
    await resident.say("أريد أن أفتح مطعما")
    arabic = FLOWS.translations["ar"].texts["intake.age.ask"]
    assert isinstance(arabic, str) and resident.said(arabic.strip())
    assert resident.asks == "age"


# ---------------------------------------------------------------- questions in the middle
@pytest.mark.parametrize(
    ("question", "entry"),
    [("c'est combien ?", "gratuit"), ("t'es un robot ?", "robot"),
     ("vous allez donner mon numéro à qui ?", "donnees")],
)  # fmt: skip
async def test_a_question_in_the_middle_is_answered_then_the_same_question_comes_back(
    resident: Chat, shipped_bot: Bot, question: str, entry: str
) -> None:
    await resident.say("salut")
    await resident.press(label("age", "18_25"))
    await resident.say(question)
    answer = FAQ[entry].answer
    assert answer is not None
    first_line = shipped_bot.dispatcher.runner.render.fill(answer, {}).splitlines()[0]
    assert resident.said(first_line)
    assert resident.asks == "etape"


async def test_what_is_a_scheme_is_answered_from_the_catalogue(resident: Chat) -> None:
    await resident.say("salut")
    await resident.say("c'est quoi Initiative France ?")
    assert resident.said("Initiative France")
    assert resident.asks == "age"


# ---------------------------------------------------------------- the end and after
async def test_after_the_hand_off_the_resident_hears_who_and_when_not_a_restart(
    resident: Chat, shipped_bot: Bot
) -> None:
    await typed_intake(resident)
    await resident.say("ouais")  # keep my contact
    assert resident.asks == "accord_relais"
    await resident.say("ok envoie")
    await resident.say("Nadia")
    done = await slots(shipped_bot, resident)
    relay = done["relay_name"]
    assert resident.said(relay) and done["lead_status"] == "new"
    assert re.search(r"(lundi|mardi|mercredi|jeudi|vendredi) \d+", resident.text)
    await resident.say("merci")
    assert resident.said(MESSAGES.chatter["thanks"])
    assert resident.asks != "age"
    await resident.say("qui va m'appeler ?")
    assert resident.said(relay)
    assert (await state(shipped_bot, resident))["flow"] != "intake" or resident.asks != "age"
    await resident.say("nouveau projet")
    assert resident.asks == "age"


async def test_a_call_asks_the_number_which_reaches_the_relay(
    resident: Chat, shipped_bot: Bot
) -> None:
    await typed_intake(resident, contact="appelez moi")
    await resident.say("oui")
    assert resident.asks == "telephone"
    await resident.say("06 12 34 56 78")
    await resident.say("oui")
    await resident.say("Nadia")
    phrase = next(o.phrase for o in step("contact_pref").options if o.id == "call")
    assert phrase is not None and resident.said(phrase)
    [lead] = await export_leads(shipped_bot.engine, shipped_bot.cipher)
    assert lead["phone"] == "+33612345678"
    assert lead["contact_pref"] == "call"


async def test_nobody_near_marseille_is_said_plainly_with_the_national_team(
    resident: Chat, shipped_bot: Bot
) -> None:
    await typed_intake(resident, place="marseille 15")
    await resident.say("oui")
    assert resident.asks == "accord_national"
    assert (await slots(shipped_bot, resident))["relay_local"] == "no"


# ---------------------------------------------------------------- recap and numbering
async def test_an_established_company_recap_shows_its_sector_and_growth_needs(
    resident: Chat, shipped_bot: Bot
) -> None:
    await resident.say("salut")
    await resident.say("45 ans")
    await resident.say("ça fait 5 ans que j'ai ma boîte")
    assert resident.said(MESSAGES.noted.replace("{noted}", label("entreprise_age", "3_5")))
    assert resident.asks == "effectif"
    await resident.say("on est 4 plus moi")
    assert resident.asks == "chiffre_affaires"  # "4" is a headcount, never an amount
    await resident.say("environ 200k")
    await resident.say("embaucher et trouver des clients")
    assert resident.asks == "secteur"
    await resident.say("nettoyage industriel")
    assert resident.asks == "pitch_entreprise"
    await resident.choose("skip")
    assert resident.asks == "lieu"  # the situation changes nothing here: not asked
    await resident.say("roubaix")
    await resident.say("oui")
    await resident.say("ici")
    assert resident.asks == "recap_entreprise"
    assert resident.said(label("croissance", "embauche"))
    assert resident.said(label("secteur", "services_personne"))
    assert resident.said(label("chiffre_affaires", "100k_500k"))
    assert not resident.said(", croissance")
    kept = await slots(shipped_bot, resident)
    assert kept["maturity"] == "pepite"  # 3 years or more, 5 people, 200k, wants to hire


async def test_question_numbers_follow_the_questions_really_asked(resident: Chat) -> None:
    numbers: list[tuple[int, int]] = []

    async def say(text: str) -> None:
        await resident.say(text)
        numbers.extend((int(n), int(m)) for n, m in PROGRESS.findall(resident.text))

    await say("salut")
    await say("un snack")  # the sector, answered ahead
    for text in ("19", "j'ai une idée", "passer", "des sous", "je préfère pas dire"):
        await say(text)
    counted = [n for n, _ in numbers]
    steps = [b - a for a, b in itertools.pairwise(counted)]
    assert counted[0] == 1 and set(steps) <= {0, 1}  # asked again, or the next: no jump
    totals = [m for _, m in numbers]
    assert totals == sorted(totals, reverse=True)  # answered ahead: fewer, never more
    assert totals[0] == 8 and totals[-1] == 7  # the sector, given ahead, is not asked


@pytest.mark.parametrize(
    ("growth", "situation_asked"), [("financer un camion", True), ("trouver des clients", False)]
)  # the situation matters for a loan (RSA, job seekers), not for clients
async def test_question_numbers_never_grow_on_a_companys_path(
    resident: Chat, growth: str, situation_asked: bool
) -> None:
    numbers: list[tuple[int, int]] = []

    async def say(text: str) -> None:
        await resident.say(text)
        numbers.extend((int(n), int(m)) for n, m in PROGRESS.findall(resident.text))

    for text in ("salut", "45 ans", "ma boite a 6 ans", "on est 3", "80k", growth,
                 "du transport de colis", "je passe"):  # fmt: skip
        await say(text)
    assert (resident.asks == "situation") is situation_asked
    if situation_asked:
        await say("je préfère pas dire")
    await say("roubaix")
    assert resident.asks == "lieu_ok"
    # Once the stage is known (a company's path is longer), the total only goes down.
    totals = [m for n, m in numbers if n > 2]
    assert totals == sorted(totals, reverse=True), numbers


# ---------------------------------------------------------------- redaction
async def test_the_project_question_does_not_single_people_out() -> None:
    ask = step("pitch").ask.lower()
    assert "religion" not in ask and "origine" not in ask and "santé" not in ask


@pytest.mark.parametrize(
    "pitch",
    ["des cours de couture pour les femmes voilées", "un snack halal",
     "un taxi pour personnes handicapées"],
)  # fmt: skip
async def test_what_the_project_offers_is_kept_whole(
    resident: Chat, shipped_bot: Bot, pitch: str
) -> None:
    await resident.say("salut")
    await resident.press(label("age", "31_plus"))
    await resident.press(label("etape", "idea"))
    await resident.press(label("secteur", "autre"))
    await resident.say(pitch)
    assert (await slots(shipped_bot, resident))["pitch"] == pitch


# ---------------------------------------------------------------- typing costs few turns
async def test_typing_takes_at_most_two_more_turns_than_pressing(
    shipped_bot: Bot,
) -> None:
    pressing = Chat(shipped_bot.handle, user="presser")
    await pressing.say("salut")
    for step_id, option in (("age", "31_plus"), ("etape", "idea"), ("secteur", "restauration")):
        assert pressing.asks == step_id
        await pressing.choose(option)
    await pressing.say("des crêpes au marché le samedi")
    await pressing.choose("argent")
    await pressing.choose("local")
    await pressing.choose("_done")
    await pressing.choose("salarie")
    await pressing.say("69120")
    for option in ("yes", "message", "yes", "yes", "yes"):
        await pressing.choose(option)
    await pressing.say("Nadia")
    typing = Chat(shipped_bot.handle, user="typer")
    await typed_intake(typing)
    for text in ("ouais", "vas-y", "Nadia"):
        await typing.say(text)
    pressed = sum(line.startswith("me:") for line in pressing.transcript)
    typed = sum(line.startswith("me:") for line in typing.transcript)
    exported = await export_leads(shipped_bot.engine, shipped_bot.cipher)
    leads = {lead["user_ref"]: lead for lead in exported}
    assert set(leads) == {"presser", "typer"}
    assert typed <= pressed + 2


# ---------------------------------------------------------------- a stop the NLU only guessed
async def test_a_word_that_only_sounds_like_stop_is_asked_about_first(
    resident: Chat, shipped_bot: Bot
) -> None:
    await resident.say("salut")
    await resident.say("34")
    assert resident.asks == "etape"
    await resident.say("message")  # the NLU hears "stop" in it
    assert resident.said(MESSAGES.stop_confirm)
    assert (await state(shipped_bot, resident))["status"] == "active"
    await resident.say("non")
    assert resident.said(MESSAGES.stop_kept)
    assert resident.asks == "etape"  # where they were, nothing lost
    assert (await slots(shipped_bot, resident))["age_band"] == "31_plus"
    await resident.say("envoyez moi plus de sms")
    assert resident.said(MESSAGES.stop_confirm)
    await resident.say("oui")
    stop = next(c for c in FLOWS.glob.commands if c.do == "stop")
    assert resident.said(stop.reply or "")
    assert (await state(shipped_bot, resident)) == {}  # no consent yet: nothing kept


async def test_an_answer_instead_of_yes_or_no_is_read_as_an_answer(
    resident: Chat, shipped_bot: Bot
) -> None:
    await resident.say("salut")
    await resident.say("message")
    assert resident.said(MESSAGES.stop_confirm)
    await resident.say("j'ai 34 ans")
    assert (await slots(shipped_bot, resident))["age_band"] == "31_plus"
    assert resident.asks == "etape"


async def test_stop_in_its_own_words_stops_at_once(resident: Chat, shipped_bot: Bot) -> None:
    await resident.say("salut")
    await resident.say("stop")
    stop = next(c for c in FLOWS.glob.commands if c.do == "stop")
    assert resident.said(stop.reply or "")
    assert not resident.said(MESSAGES.stop_confirm)
