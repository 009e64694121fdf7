"""Relays' webhook URLs: checked when the relays are loaded, and again at each send."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import httpx
import pytest
from ruamel.yaml import YAML

from bot.app.bot import Bot
from bot.app.settings import PROJECT
from bot.handoff.notify import WebhookNotifier
from bot.handoff.reference import ReferenceDataError, load_relays
from tests.chat import Chat
from tests.handoff.test_lifecycle import intake
from tests.handoff.test_notify import FakeDns, webhook_relay

SECRET = {"citeslab_vaulx": "s3cret-for-vaulx"}


def relays_with_webhook(tmp_path: Path, url: str) -> Path:
    """A copy of data/relays.yml where the Vaulx relay has a webhook at ``url``."""
    path = tmp_path / "relays.yml"
    shutil.copy(PROJECT / "data" / "relays.yml", path)
    yaml = YAML()
    relays = yaml.load(path)
    relays["relays"][0]["contact"]["webhook_url"] = url
    yaml.dump(relays, path)
    return path


@pytest.mark.parametrize(
    "url", ["http://relay.example.org/hook", "https://127.0.0.1/hook", "https://10.0.0.8/x"]
)
def test_a_relays_file_with_an_unsafe_webhook_is_refused_by_name(tmp_path: Path, url: str) -> None:
    path = relays_with_webhook(tmp_path, url)
    with pytest.raises(ReferenceDataError, match="citeslab_vaulx: webhook_url"):
        load_relays(path)
    assert load_relays(path, allow_local_webhooks=True).relays[0].contact.webhook_url == url


class RelaySystem:
    """A relay's system (an ``httpx`` mock transport): records requests, answers ``status``."""

    def __init__(self, status: int = 200, headers: dict[str, str] | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self.status = status
        self.headers = headers or {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(self.status, headers=self.headers)


def notifier(system: RelaySystem, dns: FakeDns) -> WebhookNotifier:
    client = httpx.AsyncClient(transport=httpx.MockTransport(system))
    return WebhookNotifier(client, dict(SECRET), first_wait=0, resolver=dns)


async def test_a_name_rebound_to_an_inside_address_gets_nothing(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    system = RelaySystem()
    dns = FakeDns({"relay.example.org": ["10.0.0.8"]})  # public when loaded, inside now
    bot.handoffs.webhook = notifier(system, dns)
    webhook_relay(bot, "https://relay.example.org/hook")
    with caplog.at_level(logging.WARNING):
        await intake(Chat(bot.handle))
    assert dns.asked == ["relay.example.org"]
    assert system.requests == []
    assert "private or local address" in caplog.text


async def test_a_redirect_is_never_followed(bot: Bot) -> None:
    system = RelaySystem(302, {"location": "http://169.254.169.254/latest/meta-data"})
    bot.handoffs.webhook = notifier(system, FakeDns({"relay.example.org": ["93.184.215.14"]}))
    webhook_relay(bot, "https://relay.example.org/hook")
    await intake(Chat(bot.handle))
    assert [str(r.url) for r in system.requests] == ["https://93.184.215.14/hook"]


async def test_local_webhooks_work_when_allowed_for_tests(bot: Bot) -> None:
    system = RelaySystem()
    client = httpx.AsyncClient(transport=httpx.MockTransport(system))
    bot.handoffs.webhook = WebhookNotifier(client, dict(SECRET), allow_local=True)
    webhook_relay(bot, "http://127.0.0.1:8099/hook")
    await intake(Chat(bot.handle))
    assert [str(r.url) for r in system.requests] == ["http://127.0.0.1:8099/hook"]
