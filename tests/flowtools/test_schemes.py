"""Coordinators' tools for the catalogue: check, explain, and edits that go live."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app.bot import Bot
from bot.app.build import make_data_watcher
from bot.app.settings import PROJECT, Settings
from bot.engine.loader import load_flows
from bot.flowtools.explain import explain
from bot.flowtools.findings import Severity
from bot.flowtools.reload import DataRejected, DataReloaded
from bot.flowtools.schemes import check_schemes
from bot.flowtools.style import load_style
from bot.handoff.datafiles import load_reference
from bot.handoff.profile import Profile
from tests.chat import Chat
from tests.conftest import SHIPPED_FLOWS

DATA = PROJECT / "data"
FLOWS = load_flows(SHIPPED_FLOWS)
STYLE = load_style(SHIPPED_FLOWS)


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A copy of data/ (without the runtime folder), which the test edits."""
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder, ignore=shutil.ignore_patterns("runtime"))
    return folder


def edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_shipped_catalogue_passes_with_no_empty_combination_and_readable_texts() -> None:
    report = check_schemes(DATA, load_reference(DATA), FLOWS, STYLE)
    assert [str(f) for f in report.findings] == []
    assert report.combinations > 1000 and report.empty == 0 and report.fewer_than_two == 0
    assert report.worst_score is not None and report.worst_score >= 70


def test_typos_dead_rules_broken_links_and_words_to_avoid_are_found(data_copy: Path) -> None:
    edit(data_copy, "schemes.yml", "sectors: [beaute]", "sectors: [beauté]")
    edit(data_copy, "schemes.yml", 'link: "https://www.bge.asso.fr"', 'link: "bge point fr"')
    edit(
        data_copy,
        "schemes.yml",
        "when: {stages: [idea]}\n        priority: 20",
        "when: {stages: [established]}\n        priority: 20",
    )
    edit(
        data_copy,
        "schemes.yml",
        "t'aide à construire ton idée",
        "t'aide à construire ton idée, c'est un dispositif",
    )
    report = check_schemes(data_copy, load_reference(data_copy), FLOWS, STYLE)
    messages = [f.message for f in report.findings]
    errors = [f for f in report.findings if f.severity is Severity.ERROR]
    assert any("« beauté »" in m and "n'existe pas" in m for m in messages)
    assert any("bge point fr" in m for m in messages)
    assert any("citeslab_premier_pas" in m and "jamais s'appliquer" in m for m in messages)
    assert any("dispositif" in m for m in messages)
    assert not report.ok and len(errors) >= 3
    assert all(f.line for f in errors if "combinaison" not in f.message)  # a line to go to


SMALL = """
version: 2
display: {title: "{number}. {name}", caveat: "! {caveat}", reach: "> {reach} {site}"}
schemes:
  - id: only_ideas
    name: "T-ONLY-IDEAS"
    offer: "Une personne t'aide à construire ton idée et te dit où aller."
    link: "https://example.org"
    kinds: [person]
    for: {stages: [idea]}
    rules: [{id: toujours, because: "T"}]
    last_checked: 2026-11-26
"""


def test_a_catalogue_leaving_someone_empty_handed_is_refused(data_copy: Path) -> None:
    (data_copy / "schemes.yml").write_text(SMALL, encoding="utf-8")
    report = check_schemes(data_copy, load_reference(data_copy), FLOWS, STYLE)
    assert report.empty > 0 and report.fewer_than_two > 0 and not report.ok
    assert any("aucune aide pour : creating" in f.message for f in report.findings)
    assert any("autres combinaisons" in f.message for f in report.findings)


def test_explain_says_which_rule_chose_each_scheme_and_why_others_are_left_out() -> None:
    profile = Profile.from_slots(
        {"stage": "idea", "needs": ["argent"], "sector": "beaute", "situation": "rsa"}
    )
    lines = explain(load_reference(DATA), profile)
    text = "\n".join(lines)
    assert lines[0].startswith("Profil : étape idea")
    assert "1. " in text and "règle « cma_beaute_diplome »" in text
    assert "garantie" in text or "règle « initiative_pret_d_honneur »" in text
    assert "Pas pour cette personne" in text and "reseau_entreprendre (étape)" in text


def test_explain_computes_the_maturity_of_a_company() -> None:
    profile = Profile.from_slots(
        {"stage": "established", "growth_needs": ["embauche"], "company_age": "6_10",
         "headcount": "6_10"}
    )  # fmt: skip
    text = "\n".join(explain(load_reference(DATA), profile))
    assert "Repérage : Pépite" in text and "veut embaucher" in text


# ---------------------------------------------------------------- edits go live
@pytest.fixture
def settings(settings: Settings, data_copy: Path) -> Settings:
    return settings.model_copy(update={"data_dir": data_copy})


async def test_an_edited_catalogue_or_relay_is_used_by_the_next_turn(
    bot: Bot, chat: Chat, settings: Settings, data_copy: Path
) -> None:
    told: list[str] = []
    watcher = make_data_watcher(settings, bot, tell=told.append)
    assert await watcher.poll() is None
    edit(data_copy, "schemes.yml", 'name: "CitésLab"', 'name: "T-CITESLAB"')
    edit(data_copy, "relays.yml", 'display_name: "Samira"', 'display_name: "T-IGNORED"')
    assert bot.relays is not None  # the directory is the database's: relays.yml only seeds it
    samira = bot.relays.find("citeslab_vaulx")
    assert samira is not None
    renamed = samira.model_copy(update={"display_name": "T-SAMIRA"})
    assert (await bot.relays.save(renamed, "test", new=False)).ok

    result = await watcher.poll()

    assert isinstance(result, DataReloaded) and told[-1].startswith("Nouvelle version des données")
    runner = bot.dispatcher.runner
    suggest = runner.actions["suggest_schemes"]
    text = suggest({"stage": "idea", "needs": ["voir_clair"]}, {}, datetime.now(UTC)).slots
    assert "T-CITESLAB" in str(text["schemes_text"])
    assert runner.render.label("schemes", "citeslab") == "T-CITESLAB"
    assert bot.handoffs.relays["citeslab_vaulx"].display_name == "T-SAMIRA"
    await chat.say("salut")
    for option in ("adult", "idea", "beaute"):
        await chat.choose(option)
    await chat.say("T-PITCH")
    await chat.choose("argent")
    await chat.choose("_done")
    await chat.say("69120")
    await chat.choose("message")
    await chat.choose("yes")
    assert chat.said("T-SEND-TO T-SAMIRA?")


async def test_a_broken_data_file_is_refused_and_the_old_version_keeps_serving(
    bot: Bot, settings: Settings, data_copy: Path
) -> None:
    told: list[str] = []
    watcher = make_data_watcher(settings, bot, tell=told.append)
    runner = bot.dispatcher.runner
    edit(data_copy, "schemes.yml", "kinds: [person]", "kinds: [someone]")

    result = await watcher.poll()

    assert isinstance(result, DataRejected) and "ERREUR" in told[-1]
    assert bot.dispatcher.runner is runner
    assert await watcher.poll() is None  # the same broken version is not tried again
