"""The schemes' texts in every language: kept in flows/langues/, checked for missing and
stale ones like the flows' texts, and read by English and Arabic speakers in their language.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from bot.engine.langfiles import load_translations, source_hash
from bot.engine.loader import load_flows
from bot.flowtools.check import check_flows
from bot.flowtools.translations import data_texts, status
from bot.handoff.catalogue import load_catalogue
from bot.handoff.schemetexts import catalogue_in, optional, scheme_texts
from tests.chat import Chat
from tests.conftest import SHIPPED_FLOWS
from tests.test_languages import english_intake

DATA = SHIPPED_FLOWS.parent / "data"
CATALOGUE = load_catalogue(DATA / "schemes.yml")
TRANSLATIONS = load_translations(SHIPPED_FLOWS)
FRENCH = scheme_texts(CATALOGUE)


def test_every_text_of_a_scheme_a_resident_reads_has_a_key() -> None:
    adie = CATALOGUE.scheme("adie")
    assert adie is not None and adie.amount
    assert FRENCH["schemes.adie.offer"] == adie.offer
    assert FRENCH["schemes.adie.amount"] == adie.amount
    assert "schemes.cma.rules.cma_carte_vtc.caveat" in FRENCH
    assert not any(key.endswith(".conditions") for key in FRENCH)  # for relays
    assert FRENCH["schemes.adie.name"] == "Adie" and optional("schemes.adie.name")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_scheme_text_is_translated_and_up_to_date(lang: str) -> None:
    translation = TRANSLATIONS[lang]
    for key, french in FRENCH.items():
        if optional(key) and key not in translation.texts:
            continue  # a proper name: the same in every language
        assert key in translation.texts, key
        assert translation.sources.get(key) == source_hash(french), key
        assert translation.texts[key] != french or "{" in french, key


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_catalogue_in_a_language_keeps_names_links_and_rules(lang: str) -> None:
    shown = catalogue_in(CATALOGUE, TRANSLATIONS[lang].texts)
    for french, there in zip(CATALOGUE.schemes, shown.schemes, strict=True):
        name = TRANSLATIONS[lang].texts.get(f"schemes.{french.id}.name", french.name)
        assert (there.id, there.name, there.link, there.kinds) == (
            french.id,
            name,
            french.link,
            french.kinds,
        )
        assert [r.id for r in there.rules] == [r.id for r in french.rules]
        assert there.offer == TRANSLATIONS[lang].texts[f"schemes.{french.id}.offer"]


def test_a_missing_scheme_text_falls_back_to_french() -> None:
    texts = {k: v for k, v in TRANSLATIONS["en"].texts.items() if k != "schemes.bge.offer"}
    shown = catalogue_in(CATALOGUE, texts)
    bge, french = shown.scheme("bge"), CATALOGUE.scheme("bge")
    assert bge is not None and french is not None
    assert bge.offer == french.offer
    assert bge.caveat == TRANSLATIONS["en"].texts["schemes.bge.caveat"]


def test_missing_and_stale_scheme_texts_are_reported() -> None:
    flows = load_flows(SHIPPED_FLOWS)
    english = TRANSLATIONS["en"]
    texts = {k: v for k, v in english.texts.items() if k != "schemes.adie.offer"}
    sources = {**english.sources, "schemes.bge.caveat": "00000000"}
    del texts["schemes.conge_creation.name"]  # a name left out is never missing
    sources["schemes.cci.name"] = "00000000"  # a translated name whose French changed
    state = status(flows, replace(english, texts=texts, sources=sources), FRENCH)
    assert state.missing == ("schemes.adie.offer",)
    assert set(state.stale) == {"schemes.cci.name", "schemes.bge.caveat"}
    # Without data/, scheme keys are neither missing nor unknown.
    alone = status(flows, english)
    assert not any(k.startswith("schemes.") for k in alone.missing + alone.unknown)


def test_flows_check_reports_a_scheme_whose_french_changed(tmp_path: Path) -> None:
    shutil.copytree(SHIPPED_FLOWS, tmp_path / "flows")
    shutil.copytree(DATA, tmp_path / "data")
    schemes = tmp_path / "data" / "schemes.yml"
    adie = CATALOGUE.scheme("adie")
    assert adie is not None
    text = schemes.read_text(encoding="utf-8")
    schemes.write_text(text.replace(adie.caveat, adie.caveat + " Sans frais."), encoding="utf-8")
    assert data_texts(tmp_path / "data")["schemes.adie.caveat"].endswith("Sans frais.")
    messages = [f.message for f in check_flows(tmp_path / "flows").findings]
    assert any("changé" in m and "schemes.adie.caveat" in m and "« en »" in m for m in messages)
    assert any("changé" in m and "schemes.adie.caveat" in m and "« ar »" in m for m in messages)


def test_the_shipped_check_has_no_scheme_finding() -> None:
    findings = check_flows(SHIPPED_FLOWS).findings
    assert not [f for f in findings if "schemes." in f.message]


async def test_an_english_speaker_reads_the_schemes_in_english(resident: Chat) -> None:
    await english_intake(resident)
    said = "\n".join(resident.transcript)
    english = TRANSLATIONS["en"].texts
    shown = [s for s in CATALOGUE.schemes if english[f"schemes.{s.id}.offer"] in said]
    assert shown, "no scheme offer in English"
    assert not [s.id for s in CATALOGUE.schemes if s.offer in said]
    names = [english.get(f"schemes.{s.id}.name", s.name) for s in shown]
    assert all(name in said for name in names)  # translated, or the proper name


async def test_an_english_question_about_a_scheme_is_answered_in_english(
    resident: Chat,
) -> None:
    await resident.say("hi, i want to start a business")
    await resident.say("what is the adie?")
    assert resident.said(TRANSLATIONS["en"].texts["schemes.adie.offer"])


def test_names_that_describe_are_translated_proper_names_stay() -> None:
    english = catalogue_in(CATALOGUE, TRANSLATIONS["en"].texts)
    leave, adie = english.scheme("conge_creation"), english.scheme("adie")
    assert leave is not None and adie is not None
    assert leave.name == "Leave to start your business"
    assert adie.name == "Adie"


async def test_an_english_speaker_reads_what_the_bot_keeps_in_english(resident: Chat) -> None:
    await resident.say("hi, i want to start a business")
    await resident.say("my data")
    access = TRANSLATIONS["en"].texts
    assert resident.said(str(access["global.messages.access.footer"]).strip().splitlines()[0])
    assert "Tes réponses" not in resident.text and "Contact :" not in resident.text
    assert {r.lang for r in resident.replies} == {"en"}
