"""docs/architecture.md stays true: what it names exists, and the channels follow its steps."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import re
import tomllib
from types import ModuleType

import pytest
from starlette.routing import Route

from bot.app.channels import make_channels
from bot.app.settings import PROJECT, Settings

DOC = (PROJECT / "docs" / "architecture.md").read_text(encoding="utf-8")
NOTES = DOC.split("## How the code follows this guide", 1)[1]  # the guide's copy aside
BOT = PROJECT / "bot"
SMALLEST = ["rest", "terminal"]  # the channels the doc gives as examples of its steps


def _independent_channels() -> list[str]:
    config = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    [alone] = [c for c in contracts if c["name"].startswith("Each channel stands alone")]
    return list(alone["modules"])


def test_the_paths_the_doc_names_exist() -> None:
    paths = set(re.findall(r"`(bot/[^`\s<>]*)`", DOC))
    assert paths, "the doc names no path of bot/"
    missing = sorted(p for p in paths if not (PROJECT / p).exists())
    assert missing == []


def test_the_files_the_doc_names_by_name_exist() -> None:
    names = set(re.findall(r"`([a-z_]+\.py)`", NOTES))
    present = {path.name for path in BOT.rglob("*.py")}
    assert sorted(names - present) == []


def test_the_packages_the_doc_names_exist() -> None:
    dotted = {m for m in re.findall(r"\bbot(?:\.[a-z_]+)+", DOC) if not m.endswith(".py")}
    assert sorted(m for m in dotted if importlib.util.find_spec(m) is None) == []


def test_every_channel_stands_alone_in_the_import_contracts() -> None:
    channels = {
        f"bot.channels.{path.stem}"
        for path in (BOT / "channels").iterdir()
        if path.name not in ("__init__.py", "webhooks.py", "__pycache__")
    }
    assert channels == set(_independent_channels())


def _bot_imports(module: ModuleType) -> set[str]:
    tree = ast.parse(inspect.getsource(module))
    found = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    found |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    return {name for name in found if name.startswith("bot.")}


@pytest.mark.parametrize("name", SMALLEST)
def test_the_smallest_channels_follow_the_steps_to_add_a_channel(name: str) -> None:
    module = importlib.import_module(f"bot.channels.{name}")
    # 1. the channel's name, and its pure parse and render functions
    assert name == module.CHANNEL
    assert callable(getattr(module, f"parse_{name}"))
    assert callable(getattr(module, f"render_{name}"))
    # 2. a class with the registration shape of bot.domain.ports.Channel
    channel_class = getattr(module, f"{name.capitalize()}Channel")
    for member in ("name", "start", "stop"):
        assert hasattr(channel_class, member), member
    assert channel_class.name == name
    assert inspect.iscoroutinefunction(channel_class.start)
    assert inspect.iscoroutinefunction(channel_class.stop)
    # 3. only the domain (and the shared webhook helpers), and alone in the contracts
    assert _bot_imports(module) <= {
        "bot.domain.messages",
        "bot.domain.ports",
        "bot.domain.text",
        "bot.channels.webhooks",
    }
    assert f"bot.channels.{name}" in _independent_channels()


def test_the_rest_channel_is_served_on_its_webhook_path(settings: Settings) -> None:
    from bot.channels.rest import RestChannel

    # 4. enabled for `bot serve`; 2. its routes follow the webhook convention
    [rest] = [c for c in make_channels(settings) if isinstance(c, RestChannel)]
    assert rest.sender is None
    paths = {route.path for route in rest.routes if isinstance(route, Route)}
    assert paths == {"/webhooks/rest/webhook"}


def test_the_terminal_channel_is_run_by_bot_chat() -> None:
    from bot.channels.terminal import TerminalChannel

    # 4. run by the command that uses it; no web routes
    assert "TerminalChannel(" in (BOT / "cli.py").read_text(encoding="utf-8")
    terminal = TerminalChannel(lambda: None, lambda _text: None)
    assert list(terminal.routes) == [] and terminal.sender is None


def test_the_channel_package_imports_no_client() -> None:
    source = (BOT / "channels" / "__init__.py").read_text(encoding="utf-8")
    assert "import" not in source


def test_the_doc_lists_the_steps_it_says_the_tests_check() -> None:
    steps = DOC.split("## How to add a channel", 1)[1].split("\n## ", 1)[0]
    assert [int(n) for n in re.findall(r"^(\d)\. ", steps, re.M)] == [1, 2, 3, 4, 5]
    assert "tests/test_architecture.py" in steps
