"""The test flows in two more languages, and a resident who writes Arabic then English.

Translations are made from the French of ``tests/flows`` with a marker (« [ar] T-AGE? »),
so the transcripts read which language each message came in.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from bot.engine.langfiles import source_hash
from bot.engine.loader import load_flows
from bot.engine.translate import source_texts
from bot.flowtools.translations import render_file
from tests.channels.intake import Resident

LANGUAGES = """
languages:
  fr: {name: "Français", words: [francais]}
  en: {name: "English", words: [english, "in english please"]}
  ar: {name: "العربية", words: ["عربي", "بالعربية"]}
"""


def lang_flows(tests_flows: Path, folder: Path) -> Path:
    """A copy of ``tests_flows`` in ``folder`` with English and Arabic texts."""
    target = folder / "flows"
    shutil.copytree(tests_flows, target)
    with (target / "global.yml").open("a", encoding="utf-8") as out:
        out.write(LANGUAGES)
    french = source_texts(load_flows(tests_flows))
    (target / "langues").mkdir()
    for lang, name in (("en", "English"), ("ar", "العربية")):
        texts: dict[str, Any] = {
            key: value if isinstance(value, list) else f"[{lang}] {value}"
            for key, value in french.items()
        }
        sources = {key: source_hash(value) for key, value in french.items()}
        (target / "langues" / f"{lang}.yml").write_text(
            render_file(lang, name, texts, sources), encoding="utf-8"
        )
    return target


async def arabic_then_english(resident: Resident) -> None:
    """Arabic from the first word, English from the needs on, to the lead."""
    await resident.say("السلام عليكم، بغيت نحل مطعم")
    assert resident.said("[ar] T-AGE?")
    await resident.choose("adult")
    assert resident.said("[ar] T-STAGE?")
    await resident.choose("idea")
    await resident.choose("restauration")
    assert resident.said("[ar] T-PITCH?")
    await resident.say("شاحنة بيتزا في السوق")
    assert resident.said("[ar] T-NEEDS?")
    await resident.say("in english please")
    assert resident.said("[en] T-LANGUAGE-SET.")
    assert resident.said("[en] T-NEEDS?")
    await resident.choose("argent")
    await resident.choose("_done")
    assert resident.said("[en] T-PLACE?")
    await resident.say("69120")
    assert resident.said("[en] T-CONTACT?")
    await resident.choose("message")
    assert resident.said("[en] T-KEEP-CONTACT?")
    await resident.choose("yes")
    assert resident.said("[en] T-SEND-TO Samira?")
    await resident.choose("yes")
    assert resident.said("[en] T-NAME?")
    await resident.say("Nour")
    assert resident.said("[en] T-SENT Samira ")


def check_lead(leads: list[dict[str, Any]], channel: str) -> None:
    """The lead says English; each consent, the language of the text the person read."""
    [lead] = leads
    assert lead["channel"] == channel
    assert lead["lang"] == "en"
    assert sorted((c["purpose"], c["lang"]) for c in lead["consents"]) == [
        ("contact", "en"),
        ("relay", "en"),
    ]
