"""End to end: a resident on the REST channel, a relay on Telegram (a fake Bot API server)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from ruamel.yaml import YAML
from starlette.applications import Starlette

from bot.app.build import make_app
from bot.app.settings import PROJECT, Settings
from bot.channels.telegram.channel import TelegramChannel
from bot.domain.understanding import NLU
from tests.channels.telegram.botapi import FakeBotApi, TelegramResident
from tests.channels.telegram.test_e2e import exported, telegram_settings

SAMIRA = 7000001  # the relay's own Telegram account (private chat id = user id)


class RestResident:
    """A resident on a web chat speaking the Rasa REST protocol."""

    def __init__(self, http: httpx.AsyncClient, sender: str, app: Starlette) -> None:
        self.http = http
        self.sender = sender
        self.app = app
        self.replies: list[dict[str, Any]] = []

    async def say(self, text: str) -> None:
        body = {"sender": self.sender, "message": text}
        response = await self.http.post("/webhooks/rest/webhook", json=body)
        assert response.status_code == 200
        self.replies = response.json()
        await self.app.state.bot().dispatcher.drain()  # hand-off events run after the reply

    async def press(self, title: str) -> None:
        for reply in reversed(self.replies):
            for button in reply.get("buttons", []):
                if button["title"].startswith(title):
                    await self.say(button["payload"])
                    return
        raise AssertionError(f"no button {title!r} in {self.replies}")

    def said(self, fragment: str) -> bool:
        return any(fragment in r["text"] for r in self.replies)


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

        samira = TelegramResident(server, deliver, user_id=SAMIRA)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bot") as http:
            nadia = RestResident(http, "web-nadia", app)
            await nadia.say("salut")
            for title in ("18 à 25 ans", "J'ai une idée", "Restauration"):
                await nadia.press(title)
            await nadia.say("Un camion de pizzas au marché")
            await nadia.press("Trouver de l'argent")
            await nadia.press("C'est tout")
            await nadia.say("69120")
            for title in ("Oui", "Ici, par message", "Oui, c'est juste", "Oui, garde-le"):
                await nadia.press(title)
            await nadia.press("Oui, envoie-lui")
            await nadia.say("Nadia")
            assert nadia.said("C'est envoyé à Samira")

            cards = [m for m in server.sent if m["chat"]["id"] == SAMIRA]
            assert "Un camion de pizzas au marché" in cards[-1]["text"]
            await samira.press("✅ Je le prends")
            assert samira.said("Écris ici pour parler à Nadia")

            for i in range(3):
                await nadia.say(f"Bonjour, question {i}")
                if i == 0:
                    assert nadia.said(
                        "Samira, de CitésLab Vaulx-en-Velin (démo), a pris ton dossier"
                    )
                else:
                    assert nadia.said(f"💬 Samira : réponse {i - 1}")
                assert not nadia.said("Question")  # the bot itself stays silent
                last = [m for m in server.sent if m["chat"]["id"] == SAMIRA][-1]
                assert last["text"].endswith(f"Bonjour, question {i}")
                await samira.say(f"réponse {i}")
            await nadia.say("FIN")
            assert nadia.said("💬 Samira : réponse 2")
            assert nadia.said("tu es revenu·e avec moi")
            last = [m for m in server.sent if m["chat"]["id"] == SAMIRA][-1]
            assert "a quitté la conversation" in last["text"]

            await samira.press("Rencontré")
            assert samira.said("clôturé")
            await nadia.say("merci")
            assert nadia.said("a clôturé ton dossier : vous vous êtes rencontrés")

    [lead] = await exported(settings)
    assert lead["channel"] == "rest"
    assert [e["status"] for e in lead["status_history"]] == [
        "offered", "notified", "accepted", "in_conversation", "closed",
    ]  # fmt: skip
    assert lead["status"] == "closed"
