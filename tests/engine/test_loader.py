"""Flow files load, and a broken one is explained in French with its file and line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.app.settings import PROJECT
from bot.engine.loader import load_flows
from bot.engine.schema import flow_file_schema
from bot.engine.yamlfiles import FlowError

FLOWS = PROJECT / "flows"
TEST_FLOWS = Path(__file__).parents[1] / "flows"


def test_every_shipped_flow_loads() -> None:
    flows = load_flows(FLOWS)
    assert {"intake", "humain"} <= set(flows.flows)
    assert flows.glob.settings.start_flow == "intake"


def test_the_tests_own_flows_load() -> None:
    flows = load_flows(TEST_FLOWS)
    assert {"main", "human", "after"} <= set(flows.flows)
    assert flows.glob.settings.after_end == "after"
    assert {e.id for e in flows.faq.faq} == {"free", "next", "scheme"}


def test_published_json_schema_is_up_to_date() -> None:
    published = json.loads((FLOWS / "schema.json").read_text(encoding="utf-8"))
    assert published == flow_file_schema(), "flows/schema.json is stale: run `bot flows schema`"


def test_the_json_schema_knows_every_kind_of_file() -> None:
    schema = flow_file_schema()
    assert {"Flow", "Global", "Faq"} <= set(schema["$defs"])
    option = schema["$defs"]["Option"]["properties"]
    assert {"range", "means", "phrase", "confirm"} <= set(option)


def _folder_with(tmp_path: Path, name: str, content: str) -> Path:
    shutil.copy(FLOWS / "global.yml", tmp_path / "global.yml")
    shutil.copy(FLOWS / "intake.yml", tmp_path / "intake.yml")
    shutil.copy(FLOWS / "humain.yml", tmp_path / "humain.yml")
    shutil.copy(FLOWS / "relais.yml", tmp_path / "relais.yml")
    (tmp_path / name).write_text(content, encoding="utf-8")
    return tmp_path


BROKEN = [
    ("flow: essai\ntitle: t\nsteps:\n  a:\n    sya: bonjour\n", 4, "pas de type connu"),
    (
        "flow: essai\ntitle: t\nsteps:\n  a:\n    say: salut\n    nxet: b\n",
        6,
        "n'existe pas (faute de frappe",
    ),
    (
        "flow: essai\ntitle: t\nsteps:\n  a:\n    say: salut\n    next: nulle_part\n",
        4,
        "l'étape « nulle_part » n'existe pas",
    ),
    (
        "flow: essai\ntitle: t\nsteps:\n  a:\n    ask: Q ?\n    options:\n"
        "      - {id: x, label: X}\n",
        4,
        "il manque le champ « slot",
    ),
    (
        "flow: essai\ntitle: t\nsteps:\n  a:\n    ask: Q ?\n    slot: s\n    options:\n"
        "      - {id: x, label: X}\n      - {id: x, label: Y}\n",
        7,
        "boutons en double : x",
    ),
    ("flow: Essai Un\ntitle: t\nsteps:\n  a: {say: x}\n", 1, "n'est pas un nom valide"),
    ("flow: essai\ntitle: t\nsteps:\n  a:\n    say: [oups\n", 6, "YAML mal formé"),
    (
        "flow: essai\ntitle: t\nsteps:\n  a:\n    call: inconnu\n",
        4,
        "le script « inconnu » n'existe pas",
    ),
]


@pytest.mark.parametrize(("content", "line", "message"), BROKEN)
def test_broken_flows_are_explained_with_file_and_line(
    tmp_path: Path, content: str, line: int, message: str
) -> None:
    folder = _folder_with(tmp_path, "essai.yml", content)
    with pytest.raises(FlowError) as caught:
        load_flows(folder)
    problems = [p for p in caught.value.problems if p.file == "essai.yml"]
    assert problems, caught.value
    assert any(p.line == line and message in p.message for p in problems), [
        str(p) for p in problems
    ]


def test_two_flows_with_the_same_name_are_refused(tmp_path: Path) -> None:
    folder = _folder_with(tmp_path, "copie.yml", (FLOWS / "intake.yml").read_text(encoding="utf-8"))
    with pytest.raises(FlowError, match="déjà pris"):
        load_flows(folder)


def test_missing_global_file_is_reported(tmp_path: Path) -> None:
    shutil.copy(FLOWS / "intake.yml", tmp_path / "intake.yml")
    with pytest.raises(FlowError, match=r"global\.yml : fichier manquant"):
        load_flows(tmp_path)
