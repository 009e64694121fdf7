"""End to end: a resident on the REST channel, a relay on Telegram (a fake Bot API server)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from ruamel.yaml import YAML

from bot.app.build import make_app
from bot.app.settings import PROJECT, Settings
from bot.channels.telegram.channel import TelegramChannel
from bot.domain.understanding import NLU
from tests.channels.intake import PITCH, go_through_intake
from tests.channels.residents import RestResident
from tests.channels.telegram.botapi import FakeBotApi, TelegramResident
from tests.channels.telegram.test_e2e import exported, telegram_settings

SAMIRA = 7000001  # the relay's own Telegram account (private chat id = user id)


@pytest.fixture
async def server() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as running:
        yield running


def data_with_relay_on_telegram(tmp_path: Path) -> Path:
    """A copy of data/ where the Vaulx relay reads her cases on Telegram."""
    data = tmp_path / "data"
    shutil.copytree(PROJECT / "data", data, ignore=shutil.ignore_patterns("runtime"))
    yaml = YAML()
    relays = yaml.load(data / "relays.yml")
    for relay in relays["relays"]:
        if relay["id"] == "citeslab_vaulx":
            relay["contact"]["telegram_chat_id"] = SAMIRA
    yaml.dump(relays, data / "relays.yml")
    return data


async def test_handoff_acceptance_bridge_fin_and_closure(
    settings: Settings, server: FakeBotApi, nlu: NLU | None, tmp_path: Path
) -> None:
    settings = telegram_settings(settings, server, webhook=False)
    settings = settings.model_copy(update={"data_dir": data_with_relay_on_telegram(tmp_path)})
    app = make_app(settings, nlu=nlu)
    async with app.router.lifespan_context(app):
        channel: TelegramChannel = app.state.telegram

        async def deliver(update: dict[str, Any]) -> None:
            await server.push(update)
            await server.confirmed(update["update_id"])
            await channel.idle()
            await app.state.bot().drainer.settle()  # what her press queued

        samira = TelegramResident(server, deliver, user_id=SAMIRA)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bot") as http:
            nadia = RestResident(http, "web-nadia", app.state.bot().drainer.settle)
            await nadia.say("salut")
            await go_through_intake(nadia, first_name="Nadia")

            cards = [m for m in server.sent if m["chat"]["id"] == SAMIRA]
            assert PITCH in cards[-1]["text"] and "Nadia" in cards[-1]["text"]
            await samira.choose("accept")  # "✅ Je le prends"
            assert samira.said("Écris ici pour parler à Nadia")

            for i in range(3):
                await nadia.say(f"Bonjour, question {i}")
                if i == 0:  # the news kept for her: the case arrived, then was taken
                    assert nadia.said("T-ARRIVED Samira")
                    assert nadia.said(
                        "Samira, de CitésLab Vaulx-en-Velin (démo), a pris ton dossier"
                    )
                else:
                    assert nadia.said(f"💬 Samira : réponse {i - 1}")
                    assert not nadia.said("T-")  # the bot itself stays silent
                assert not nadia.buttons
                last = [m for m in server.sent if m["chat"]["id"] == SAMIRA][-1]
                assert last["text"].endswith(f"Bonjour, question {i}")
                await samira.say(f"réponse {i}")
            await nadia.say("un message stp")  # sounds like "stop" to the NLU: for Samira
            assert nadia.said("💬 Samira : réponse 2")
            last = [m for m in server.sent if m["chat"]["id"] == SAMIRA][-1]
            assert last["text"].endswith("un message stp")
            await nadia.say("FIN")
            assert nadia.said("T-LEAVE Samira")  # the flows' "leave" command answered
            last = [m for m in server.sent if m["chat"]["id"] == SAMIRA][-1]
            assert "a quitté la conversation" in last["text"]

            await samira.choose("close_met")  # "Rencontré"
            assert samira.said("clôturé")
            await nadia.say("merci")
            assert nadia.said("a clôturé ton dossier : vous vous êtes rencontrés")

    [lead] = await exported(settings)
    assert lead["channel"] == "rest"
    assert [e["status"] for e in lead["status_history"]] == [
        "offered", "notified", "accepted", "in_conversation", "closed",
    ]  # fmt: skip
    assert lead["status"] == "closed"
