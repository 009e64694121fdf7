"""Arabic read right to left: names, postal codes, phone numbers and links isolated inside
Arabic sentences, every Arabic line laid out right to left, and the marks kept by each
channel (Telegram, WhatsApp, REST, terminal). Texts in other languages get no mark."""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

import pytest

from bot.channels.rest import render_rest
from bot.channels.telegram.render import CallbackCodec, render_telegram
from bot.channels.terminal import render_terminal
from bot.channels.whatsapp.render import render_outbound
from bot.domain.bidi import FSI, PDI, RLM, embed, isolate, right_to_left, strip_marks
from bot.domain.messages import Button, ChannelTexts, Outbound
from bot.engine.langfiles import load_translations
from bot.engine.loader import load_flows
from bot.engine.render import Renderer
from bot.engine.translate import translated
from bot.handoff.catalogue import load_catalogue
from bot.handoff.orientation import Pick
from bot.handoff.schemetexts import catalogue_in, optional
from bot.handoff.suggestions import render_block
from bot.handoff.texts import fill
from tests.conftest import SHIPPED_FLOWS

FLOWS = load_flows(SHIPPED_FLOWS)
TRANSLATIONS = load_translations(SHIPPED_FLOWS)
ARABIC = translated(FLOWS, TRANSLATIONS["ar"])
ENGLISH = translated(FLOWS, TRANSLATIONS["en"])
CATALOGUE = load_catalogue(SHIPPED_FLOWS.parent / "data" / "schemes.yml")
# What people's answers and the reference data put inside sentences: all left to right.
VALUES: dict[str, Any] = {
    "relay_name": "Samira",
    "relay_structure": "CitésLab Vaulx-en-Velin (démo)",
    "relay_town": "Vaulx-en-Velin",
    "relay_email": "samira@example.org",
    "commune": "Vaulx-en-Velin",
    "postal_code": "69120",
    "phone": "06 12 34 56 78",
    "first_name": "Karim",
    "ref": "TR-4F2A",
    "followup_relay": "Samira",
    "case_relay": "Samira",
}
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
BUTTONS = (".label", ".phrase", "yes_label", "no_label")  # each laid out on its own
TRILINGUAL = ("global.messages.language_ask",)  # the same three languages everywhere


@pytest.mark.parametrize(
    "value", ["Vaulx-en-Velin", "CitésLab Vaulx (démo)", "69120", "06 12 34 56 78", "TR-4F2A"]
)
def test_a_value_written_left_to_right_is_isolated(value: str) -> None:
    assert isolate(value) == f"{FSI}{value}{PDI}"
    assert isolate(isolate(value)) == isolate(value)
    assert strip_marks(isolate(value)) == value


@pytest.mark.parametrize("value", ["", "سمير", "مطعم في Roubaix", "1. Adie\n2. BGE", "—"])
def test_arabic_multi_line_or_empty_values_are_left_as_they_are(value: str) -> None:
    assert isolate(value) == value


def test_only_right_to_left_templates_isolate() -> None:
    assert embed("Bonjour {x}", "Vaulx") == "Vaulx"
    assert embed("مرحبا {x}", "Vaulx") == f"{FSI}Vaulx{PDI}"
    assert embed(f"{RLM}{{x}}", "Vaulx") == f"{FSI}Vaulx{PDI}"
    assert right_to_left("مرحبا") and not right_to_left("Vaulx 69120")


def paragraph_direction(line: str) -> str:
    """The direction a messenger gives a line: its first strong letter outside isolates
    (Unicode bidi rules P2 and P3); ``none`` when it has none (an emoji, a number)."""
    depth = 0
    for ch in line:
        if ch in (FSI, "\u2066", "\u2067"):
            depth += 1
        elif ch == PDI:
            depth = max(0, depth - 1)
        elif depth == 0:
            kind = unicodedata.bidirectional(ch)
            if kind in ("R", "AL"):
                return "rtl"
            if kind == "L":
                return "ltr"
    return "none"


def _filled(render: Renderer, text: str) -> str:
    slots = {name: VALUES.get(name, "Roubaix") for name in _PLACEHOLDER.findall(text)}
    return render.fill(text, slots)


def test_every_arabic_line_a_resident_reads_lays_out_right_to_left() -> None:
    render = Renderer(ARABIC)
    wrong = []
    for key, text in TRANSLATIONS["ar"].texts.items():
        inside = key.endswith(BUTTONS) or optional(key)  # buttons, names inside a line
        if not isinstance(text, str) or inside or key in TRILINGUAL:
            continue
        for line in _filled(render, text).split("\n"):
            if paragraph_direction(line) == "ltr":
                wrong.append((key, line))
    assert wrong == []


def test_names_and_numbers_inside_arabic_sentences_are_isolated() -> None:
    render = Renderer(ARABIC)
    relay = _filled(render, TRANSLATIONS["ar"].texts["humain.accord_relais.text"])
    assert f"{FSI}CitésLab Vaulx-en-Velin (démo){PDI}" in relay
    assert f"{FSI}Samira{PDI}" in relay
    place = _filled(render, TRANSLATIONS["ar"].texts["intake.lieu_ok.ask"])
    assert f"({FSI}69120{PDI})" in place and f"{FSI}Vaulx-en-Velin{PDI}" in place
    # The hand-off's own texts (news of the case) too.
    sent = TRANSLATIONS["ar"].texts["personne.sent"]
    assert f"{FSI}Samira{PDI}" in fill(sent, relay_name="Samira")


@pytest.mark.parametrize("flows", [FLOWS, ENGLISH], ids=["fr", "en"])
def test_french_and_english_get_no_mark(flows: Any) -> None:
    render = Renderer(flows)
    for step_id in ("accord_relais", "lieu_ok"):
        step = flows.flows["humain" if step_id == "accord_relais" else "intake"].flow.steps[step_id]
        text = _filled(render, getattr(step, "text", None) or step.ask)
        assert not {FSI, PDI, RLM} & set(text)


def test_an_arabic_scheme_block_reads_right_to_left_with_its_link_isolated() -> None:
    arabic = catalogue_in(CATALOGUE, TRANSLATIONS["ar"].texts)
    adie = arabic.scheme("adie")
    assert adie is not None
    block = render_block(arabic.display, Pick(adie, 0, adie.rules[0], 0), 2)
    lines = block.split("\n")
    assert all(paragraph_direction(line) in ("rtl", "none") for line in lines), lines
    assert f"{FSI}www.adie.org{PDI}" in lines[-1]
    assert f"{FSI}Adie{PDI}" in lines[0]  # the name stays as written, isolated


MARKED = f"أقرب شخص إليك هو {FSI}Samira{PDI}، في {FSI}Vaulx-en-Velin (69120){PDI}."
TEXTS = ChannelTexts(
    edited="x", list_button="القائمة", numbered_hint="x", numbered_hint_multiple="x", bye="x"
)


def test_every_channel_keeps_the_marks() -> None:
    reply = Outbound(MARKED, buttons=(Button("/a:yes", "نعم"), Button("/a:no", "لا")), lang="ar")
    [telegram] = render_telegram(reply, CallbackCodec())
    assert MARKED in telegram.text
    whatsapp = render_outbound(reply, TEXTS)
    assert MARKED in json.dumps(whatsapp, ensure_ascii=False)
    assert MARKED in json.dumps(render_rest("u1", [reply]), ensure_ascii=False)
    assert MARKED in render_terminal([reply])[0]


def test_arabic_written_by_a_resident_is_isolated_in_a_relays_french_text() -> None:
    pitch = "شاحنة أكل في السوق"
    assert fill("• Projet : {pitch}.", pitch=pitch) == f"• Projet : {FSI}{pitch}{PDI}."
    assert fill("• Projet : {pitch}.", pitch="crêpes") == "• Projet : crêpes."
    assert embed("Bonjour {x}", "Karim") == "Karim"
