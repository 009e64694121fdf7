"""Editing flows under a running bot: valid edits go live, invalid ones are refused."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import httpx
import pytest

from bot.app.bot import Bot
from bot.app.build import make_app
from bot.app.flowtools import BotProbe, watched
from bot.app.settings import Settings
from bot.domain.messages import Inbound
from bot.flowtools.reload import FlowWatcher, Rejected, Reloaded
from tests.chat import Chat
from tests.conftest import TEST_FLOWS

WELCOME_BACK = "T-WELCOME-BACK."
URL = "/webhooks/rest/webhook"


@pytest.fixture
def flows_copy(tmp_path: Path) -> Path:
    """A copy of the tests' own flows (``tests/flows``), which the test edits."""
    folder = tmp_path / "flows"
    shutil.copytree(TEST_FLOWS, folder)
    return folder


@pytest.fixture
def settings(settings: Settings, flows_copy: Path) -> Settings:
    """The test bot runs the copy of the flows, which the test edits."""
    return settings.model_copy(update={"flows_dir": flows_copy})


@pytest.fixture
def told() -> list[str]:
    """What the watcher told the coordinator."""
    return []


@pytest.fixture
def watcher(bot: Bot, flows_copy: Path, told: list[str]) -> FlowWatcher:
    return FlowWatcher(flows_copy, bot.dispatcher, tell=told.append)


def edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


async def flow_version(bot: Bot, chat: Chat) -> str | None:
    state = await BotProbe(bot).conversation(chat.channel, chat.user)
    assert state is not None
    version = state.get("flow_version")
    return str(version) if version is not None else None


async def test_a_valid_edit_is_used_by_the_next_turn(
    bot: Bot, chat: Chat, watcher: FlowWatcher, flows_copy: Path, told: list[str]
) -> None:
    await chat.say("salut")
    before = await flow_version(bot, chat)
    edit(flows_copy, "main.yml", "T-STAGE?", "T-STAGE-EDITED?")

    result = await watcher.poll()

    assert isinstance(result, Reloaded)
    assert told and told[-1].startswith("Nouvelle version des scripts en service")
    await chat.choose("adult")
    assert chat.said("T-STAGE-EDITED?")
    after = await flow_version(bot, chat)
    assert after == result.versions["main"] != before
    assert await watcher.poll() is None  # nothing changed since


async def test_an_invalid_edit_is_refused_and_the_old_version_keeps_serving(
    bot: Bot, chat: Chat, watcher: FlowWatcher, flows_copy: Path, told: list[str]
) -> None:
    serving = bot.dispatcher.runner
    await chat.say("salut")
    edit(flows_copy, "main.yml", "next: minor}", "next: minors}")

    result = await watcher.poll()

    assert isinstance(result, Rejected)
    assert bot.dispatcher.runner is serving
    assert "le bot garde la version d'avant" in told[-1]
    assert any(
        p.file == "main.yml" and p.line and "l'étape « minors » n'existe pas" in p.message
        for p in result.problems
    ), told[-1]
    await chat.choose("adult")
    assert chat.said("Q2/7. T-STAGE?")

    # An edit that only the check refuses (a step nobody reaches) is refused too.
    edit(flows_copy, "main.yml", "next: minors}", "next: minor}")
    edit(flows_copy, "human.yml", "  nothing:\n", "  lost:\n    say: T-LOST.\n  nothing:\n")
    result = await watcher.poll()
    assert isinstance(result, Rejected)
    assert "l'étape « lost » n'est jamais atteinte" in told[-1]
    assert bot.dispatcher.runner is serving

    edit(flows_copy, "human.yml", "  lost:\n    say: T-LOST.\n", "")
    edit(flows_copy, "main.yml", "T-STAGE?", "T-STAGE-EDITED?")
    assert isinstance(await watcher.poll(), Reloaded)
    assert bot.dispatcher.runner is not serving


async def test_a_conversation_on_a_removed_step_starts_again_kindly(
    chat: Chat, watcher: FlowWatcher, flows_copy: Path
) -> None:
    await chat.say("salut")
    for option in ("adult", "idea", "restauration"):
        await chat.choose(option)
    assert chat.asks == "pitch" and chat.said("Q4/7. T-PITCH?")
    edit(flows_copy, "main.yml", "  pitch:\n", "  idea_text:\n")
    assert isinstance(await watcher.poll(), Reloaded)

    await chat.say("Un food truck de crêpes")

    assert chat.said(WELCOME_BACK)
    # From the start again (the message still told the sector: one question less).
    assert chat.said("Q1/6. T-AGE?") and chat.asks == "age"


async def test_a_conversation_returning_to_a_removed_step_starts_again_kindly(
    chat: Chat, watcher: FlowWatcher, flows_copy: Path
) -> None:
    await chat.say("salut")
    await chat.choose("adult")
    await chat.choose("idea")
    await chat.say("parler à quelqu'un")  # from "sector" to the flow "human"
    assert chat.said("T-HUMAN-PLACE?")
    edit(flows_copy, "main.yml", "  sector:\n", "  domain:\n")
    assert isinstance(await watcher.poll(), Reloaded)

    await chat.say("Roubaix")

    assert chat.said(WELCOME_BACK)
    assert chat.said("Q1/7. T-AGE?") and chat.asks == "age"


async def test_a_consent_whose_flow_changed_meanwhile_is_asked_again(
    bot: Bot, chat: Chat, watcher: FlowWatcher, flows_copy: Path
) -> None:
    await chat.say("salut")
    await chat.say("parler à quelqu'un")
    await chat.say("Roubaix")
    assert chat.said("T-HUMAN-KEEP?")
    edit(flows_copy, "human.yml", "T-HUMAN-KEEP?", "T-HUMAN-KEEP-EDITED?")
    assert isinstance(await watcher.poll(), Reloaded)

    await chat.choose("yes")  # pressed under the text of the previous version

    assert chat.said("T-HUMAN-KEEP-EDITED?") and not chat.said("T-HUMAN-KEEP?")
    state = await BotProbe(bot).conversation(chat.channel, chat.user)
    assert state is not None and "consent_contact" not in state["slots"]
    await chat.choose("yes")
    assert chat.said("T-HUMAN-SEND-TO")


async def test_an_edited_notice_goes_live(
    chat: Chat, watcher: FlowWatcher, flows_copy: Path
) -> None:
    edit(flows_copy, "notices/court.md", "pour tout savoir", "pour en savoir plus")
    assert isinstance(await watcher.poll(), Reloaded)
    await chat.say("salut")
    assert chat.said("pour en savoir plus")


async def test_bot_chat_takes_in_edits_before_each_message(
    bot: Bot, settings: Settings, flows_copy: Path
) -> None:
    told: list[str] = []
    handle = watched(bot, settings, told.append).handle
    chat = Chat(handle, channel="terminal", user="coordinator")
    await chat.say("salut")
    edit(flows_copy, "main.yml", "T-STAGE?", "T-STAGE-EDITED?")

    await chat.choose("adult")

    assert told and told[-1].startswith("Nouvelle version")
    assert chat.said("T-STAGE-EDITED?")
    assert isinstance(await handle(Inbound("terminal", "coordinator", "aide")), list)


async def test_the_server_watches_the_flows_while_it_runs(
    settings: Settings, flows_copy: Path
) -> None:
    app = make_app(settings.model_copy(update={"flows_reload_seconds": 0.01}))
    transport = httpx.ASGITransport(app=app)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://bot") as http,
        app.router.lifespan_context(app),
    ):
        watcher = app.state.flow_watcher
        assert isinstance(watcher, FlowWatcher)
        reloaded = asyncio.Event()
        watcher.tell = lambda _text: reloaded.set()
        edit(flows_copy, "main.yml", "T-AGE?", "T-AGE-EDITED?")
        await reloaded.wait()  # the server's own polling task took the edit in
        reply = await http.post(URL, json={"sender": "s", "message": "salut"})
        assert "Q1/7. T-AGE-EDITED?" in reply.json()[-1]["text"]
