"""Orientation as residents meet it on the REST channel, on the shipped flows and data.

Like tests/test_intake.py, these compare with the texts of flows/ and data/ (loaded here),
never with sentences written in the test.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from bot.app.bot import Bot
from bot.app.settings import PROJECT
from bot.app.wording import RunnerWording
from bot.channels.rest import RestChannel
from bot.handoff.datafiles import load_reference
from bot.handoff.sheet import render_sheet
from bot.store.leads import export_leads, load_lead
from bot.web.server import make_web_app
from tests.channels.residents import RestResident

REFERENCE = load_reference(PROJECT / "data")
CATALOGUE = REFERENCE.catalogue


def name(scheme_id: str) -> str:
    scheme = CATALOGUE.scheme(scheme_id)
    assert scheme is not None
    return scheme.name


def rule_caveat(scheme_id: str, rule_id: str) -> str:
    scheme = CATALOGUE.scheme(scheme_id)
    assert scheme is not None
    caveat = next(r.caveat for r in scheme.rules if r.id == rule_id)
    assert caveat is not None
    return caveat


def asks(resident: RestResident) -> str | None:
    """The step whose buttons the last reply shows."""
    for button in resident.buttons:
        step = button["payload"].removeprefix("/").split(":", 1)[0]
        if step != "_sys":
            return step
    return None


@pytest.fixture
async def http(shipped_bot: Bot) -> AsyncIterator[httpx.AsyncClient]:
    rest = RestChannel()
    await rest.start(shipped_bot)
    transport = httpx.ASGITransport(app=make_web_app(rest.routes))
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
        yield client


async def walk(resident: RestResident, turns: list[tuple[str, str | None]]) -> str:
    """Type each answer; the bot must then ask the step given. All the texts, joined."""
    said: list[str] = []
    for typed, step in turns:
        await resident.say(typed)
        said.append(resident.text)
        assert asks(resident) == step, (typed, resident.text)
    return "\n".join(said)


def suggestions(text: str) -> str:
    """The message listing the schemes (after the recap)."""
    intro = "Voilà ce qui peut t'aider :"
    assert intro in text
    return text.split(intro, 1)[1].split("Je peux garder ton contact", 1)[0]


async def test_an_idea_money_and_je_sais_pas_get_someone_to_talk_to_and_a_loan_said_honestly(
    http: httpx.AsyncClient, shipped_bot: Bot
) -> None:
    nadia = RestResident(http, "rest-idea", shipped_bot.drainer.settle)
    text = await walk(
        nadia,
        [
            ("slt", "age"),
            ("jai 23 ans", "etape"),
            ("juste une idée", "secteur"),
            ("jsp", "pitch"),
            ("je préfère passer", "besoins"),
            ("des sous et je sais pas trop", "situation"),
            ("je préfère pas dire", "lieu"),
            ("vaulx", "lieu_ok"),
            ("ouais", "contact_pref"),
            ("par message", "recap"),
            ("oui", "accord_contact"),
        ],
    )
    shown = suggestions(text)
    assert shown.strip()  # never "Voilà ce qui peut t'aider :" followed by nothing
    assert name("citeslab") in shown
    loan = name("initiative_france") if name("initiative_france") in shown else name("adie")
    assert loan in shown and "rembourser" in shown


async def test_a_hairdresser_hears_about_the_cma_and_the_diploma(
    http: httpx.AsyncClient, shipped_bot: Bot
) -> None:
    sara = RestResident(http, "rest-hair", shipped_bot.drainer.settle)
    text = await walk(
        sara,
        [
            ("bonjour", "age"),
            ("31", "etape"),
            ("juste une idée pour l'instant", "secteur"),
            ("coiffeuse", "pitch"),
            ("coiffure afro à domicile", "besoins"),
            ("savoir par ou commencer", "situation"),
            ("je travaille", "lieu"),
            ("roubaix", "lieu_ok"),
            ("oui", "contact_pref"),
            ("ici", "recap"),
            ("c'est juste", "accord_contact"),
        ],
    )
    shown = suggestions(text)
    assert shown.index(name("cma")) < shown.index(name("citeslab"))
    assert rule_caveat("cma", "cma_beaute_diplome") in shown


async def test_a_job_seeker_hears_about_france_travail_the_arce_and_the_acre(
    http: httpx.AsyncClient, shipped_bot: Bot
) -> None:
    karim = RestResident(http, "rest-job-seeker", shipped_bot.drainer.settle)
    text = await walk(
        karim,
        [
            ("salut", "age"),
            ("jai 41 ans", "etape"),
            ("je prépare mon projet", "secteur"),
            ("un snack", "pitch"),
            ("tacos maison", "besoins"),
            ("de l'argent", "situation"),
            ("je suis au chômage depuis 6 mois", "lieu"),
            ("93200", "lieu_ok"),
            ("oui", "contact_pref"),
            ("par message", "recap"),
            ("oui", "accord_contact"),
        ],
    )
    shown = suggestions(text)
    first = shown.strip().splitlines()[0]
    assert name("france_travail") in first and "ARCE" in shown
    assert name("acre") in shown


@pytest.mark.parametrize(
    ("place", "user"),
    [("vaulx en velin", "lyon"), ("roubaix", "lille"), ("saint-denis 93", "seine-saint-denis"),
     ("paris 19", "paris"), ("toulouse mirail", "toulouse")],
)  # fmt: skip
async def test_an_established_company_goes_to_a_local_growth_relay_and_is_exported_as_a_pepite(
    http: httpx.AsyncClient, shipped_bot: Bot, place: str, user: str
) -> None:
    farid = RestResident(http, f"rest-company-{user}", shipped_bot.drainer.settle)
    await walk(
        farid,
        [
            ("bonjour", "age"),
            ("45 ans", "etape"),
            ("j'ai une boite de nettoyage depuis 5 ans", "effectif"),
            ("on est 4 plus moi", "chiffre_affaires"),
            ("300k", "croissance"),
            ("embaucher", "pitch_entreprise"),  # the sector came with the first sentence
            ("le ménage de bureaux", "lieu"),  # the situation changes nothing: not asked
            (place, "lieu_ok"),
            ("ouais", "contact_pref"),
            ("par message", "recap_entreprise"),
            ("oui", "accord_contact"),
            ("oui", "accord_relais"),  # someone near: not the national team
            ("oui vas-y", "prenom"),
            ("Farid", None),
        ],
    )
    [lead] = await export_leads(shipped_bot.engine, shipped_bot.cipher, maturity="pepite")
    relay = next(r for r in REFERENCE.relays.relays if r.id == lead["relay_id"])
    assert "croissance" in relay.needs and not relay.coverage.national
    assert lead["maturity"] == "pepite" and "veut embaucher" in lead["maturity_reasons"]
    async with shipped_bot.engine.connect() as connection:
        full = await connection.run_sync(
            lambda sync: load_lead(sync, lead["lead_id"], shipped_bot.cipher)
        )
    assert full is not None
    sheet = render_sheet(full, RunnerWording(shipped_bot.dispatcher))
    assert REFERENCE.maturity.label("pepite") in sheet and "veut embaucher" in sheet
    listed = next(line for line in sheet.splitlines() if name(lead["schemes"][0]) in line)
    assert all(name(i) in listed for i in lead["schemes"]) and "_" not in listed  # no ids


async def test_someone_outside_the_pilots_gets_schemes_and_the_national_team(
    http: httpx.AsyncClient, shipped_bot: Bot
) -> None:
    lou = RestResident(http, "rest-elsewhere", shipped_bot.drainer.settle)
    text = await walk(
        lou,
        [
            ("salut", "age"),
            ("27", "etape"),
            ("j'ai une idée", "secteur"),
            ("de la couture", "pitch"),
            ("des sacs en wax", "besoins"),
            ("me former", "situation"),
            ("étudiante", "lieu"),
            ("rennes", "lieu_ok"),
            ("oui", "contact_pref"),
            ("message", "recap"),
            ("oui", "accord_contact"),
            ("oui", "accord_national"),
        ],
    )
    shown = suggestions(text)
    assert name("etudiant_entrepreneur") in shown
    assert len([line for line in shown.splitlines() if line[:2].rstrip(".").isdigit()]) >= 2
