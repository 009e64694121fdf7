"""The relays directory in the database: seeded once, followed by every worker, absences,
invitations by Telegram link, and ``bot relays import|export``."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from bot.app.build import make_app
from bot.app.relays_commands import run_relays_command
from bot.app.settings import PROJECT, Settings
from bot.channels.telegram.channel import TelegramChannel
from bot.domain.understanding import NLU
from bot.handoff.datafiles import load_reference
from bot.handoff.directory import RelayDirectory
from bot.handoff.matching import rank_relays
from bot.handoff.reference import load_relays
from bot.privacy.crypto import FernetCipher
from bot.store.database import make_engine, upgrade
from bot.store.turnstore import make_turn_store
from tests.channels.intake import PITCH, go_through_intake
from tests.channels.residents import RestResident
from tests.channels.telegram.botapi import FakeBotApi, TelegramResident
from tests.channels.telegram.test_e2e import telegram_settings

SEED = load_relays(PROJECT / "data" / "relays.yml")
SAMIRA_CHAT = 7000001


def test_an_absent_relay_takes_no_new_case_until_the_day_after() -> None:
    relays = load_reference(PROJECT / "data").relays
    away = [
        r.model_copy(update={"absent_until": date(2026, 12, 24)}) if r.id == "citeslab_vaulx" else r
        for r in relays.relays
    ]
    directory = relays.model_copy(update={"relays": away})
    place = {"postal_code": "69120", "insee": "69256", "department": "69", "stage": "idea"}
    during = rank_relays(directory, **place, today=date(2026, 12, 24))
    after = rank_relays(directory, **place, today=date(2026, 12, 25))
    assert "citeslab_vaulx" not in [r.id for r in during] and during[0].id == "bge_lyon"
    assert after[0].id == "citeslab_vaulx"


@pytest.fixture
async def directories(settings: Settings) -> AsyncIterator[list[RelayDirectory]]:
    """Two workers' directories on the same database (nothing applied but recorded)."""
    engine = make_engine(settings.database_url)
    await upgrade(engine)
    cipher = FernetCipher([FernetCipher.new_key()])
    stores = [make_turn_store(engine, cipher) for _ in range(2)]
    try:
        yield [RelayDirectory(store, lambda relays: None) for store in stores]
    finally:
        for store in stores:
            await store.close()
        await engine.dispose()


async def test_two_workers_starting_together_seed_the_directory_once(
    directories: list[RelayDirectory],
) -> None:
    first, second = await asyncio.gather(*(d.open(SEED) for d in directories))
    assert [r.id for r in first.relays] == [r.id for r in SEED.relays]
    assert first == second
    edited = SEED.relays[0].model_copy(update={"capacity": 1})
    assert (await directories[0].save(edited, "test", new=False)).ok
    again = await directories[1].open(SEED)  # a restart: the seed is not copied again
    assert again.relays[0].capacity == 1


async def test_a_save_on_one_worker_is_seen_by_the_other_at_its_next_look(
    directories: list[RelayDirectory],
) -> None:
    first, second = directories
    applied: list[Any] = []
    second.apply = applied.append
    await first.open(SEED)
    await second.open(SEED)
    assert not await second.refresh()
    away = SEED.relays[0].model_copy(update={"absent_until": date(2099, 1, 1)})
    assert (await first.save(away, "test", new=False)).ok
    assert await second.refresh()
    [version] = applied
    assert version.relays[0].absent_until == date(2099, 1, 1)


async def test_a_relay_registers_their_telegram_chat_by_the_invitation_link_once(
    settings: Settings, nlu: NLU | None
) -> None:
    async with FakeBotApi() as server:
        settings = telegram_settings(settings, server, webhook=False)
        app = make_app(settings, nlu=nlu)
        async with app.router.lifespan_context(app):
            channel: TelegramChannel = app.state.telegram
            bot = app.state.bot()

            async def deliver(update: dict[str, Any]) -> None:
                await server.push(update)
                await server.confirmed(update["update_id"])
                await channel.idle()
                await bot.drainer.settle()

            token = await bot.relays.invite("citeslab_vaulx", "web:coordinator:coord@example.org")
            samira = TelegramResident(server, deliver, user_id=SAMIRA_CHAT)
            await samira.open_link(token)
            assert samira.said("T-INVITED Samira.")
            relay = bot.handoffs.relays["citeslab_vaulx"]
            assert str(relay.contact.telegram_chat_id) == str(SAMIRA_CHAT)
            # The same link again, from someone else: refused, nothing changes.
            intruder = TelegramResident(server, deliver, user_id=7000002)
            intruder._update_ids = itertools.count(990100000)  # its own updates
            await intruder.open_link(token)
            assert intruder.said("T-INVITE-STALE.")
            relay = bot.handoffs.relays["citeslab_vaulx"]
            assert str(relay.contact.telegram_chat_id) == str(SAMIRA_CHAT)
            # Her next case comes to that chat.
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bot") as http:
                nadia = RestResident(http, "web-nadia", bot.drainer.settle)
                await nadia.say("salut")
                await go_through_intake(nadia, first_name="Nadia")
            cards = [m for m in server.sent if m["chat"]["id"] == SAMIRA_CHAT]
            assert PITCH in cards[-1]["text"]


def test_bot_relays_export_then_import_merges_the_file(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    class Args:
        relays_command = "export"
        out = tmp_path / "annuaire.yml"
        file = None

    assert run_relays_command(Args(), settings) == 0
    exported = yaml.safe_load(Args.out.read_text(encoding="utf-8"))
    assert [r["id"] for r in exported["relays"]] == [r.id for r in SEED.relays]
    exported["relays"][0]["capacity"] = 2
    new = dict(exported["relays"][0], id="nouveau_relais_test", display_name="T-NEW")
    exported["relays"] = [exported["relays"][0], new]  # the others are not listed: they stay
    Args.out.write_text(yaml.safe_dump(exported, allow_unicode=True), encoding="utf-8")
    Args.relays_command, Args.file = "import", Args.out
    assert run_relays_command(Args(), settings) == 0
    assert "1 relais ajouté(s), 1 mis à jour" in capsys.readouterr().out
    Args.relays_command, Args.out = "export", tmp_path / "again.yml"
    assert run_relays_command(Args(), settings) == 0
    again = yaml.safe_load(Args.out.read_text(encoding="utf-8"))["relays"]
    assert len(again) == len(SEED.relays) + 1 and again[0]["capacity"] == 2
    assert again[-1]["display_name"] == "T-NEW"
    nobody_national = [dict(r, coverage=dict(r["coverage"], national=False)) for r in again]
    broken = dict(exported, relays=nobody_national)
    Args.file = tmp_path / "broken.yml"
    Args.file.write_text(yaml.safe_dump(broken), encoding="utf-8")
    Args.relays_command = "import"
    assert run_relays_command(Args(), settings) == 1
    said = capsys.readouterr().out
    assert "Rien n'est importé" in said and "Il faut au moins un relais national" in said
