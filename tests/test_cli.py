"""The ``bot`` command line: lead export in JSON and CSV, flow check and schema."""

from __future__ import annotations

import asyncio
import csv
import io
import json

import pytest

from bot.app.bot import Bot
from bot.app.settings import Settings
from bot.cli import main
from tests.chat import Chat
from tests.mailbox import Mailbox


@pytest.fixture
def env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("BOT_SECRET_KEY", str(settings.secret_key))
    monkeypatch.setenv("BOT_RUNTIME_DIR", str(settings.runtime_dir))
    monkeypatch.setenv("BOT_PRIVACY__ENCRYPTION_KEYS", json.dumps(settings.privacy.encryption_keys))


async def _one_lead(bot: Bot) -> None:
    """The tests' intake (tests/flows) to the end, with a phone number for a call."""
    chat = Chat(bot.handle, user="cli-person")
    await chat.say("salut")
    for option in ("adult", "idea", "beaute"):
        await chat.choose(option)
    await chat.say("Un salon de coiffure à domicile")
    await chat.choose("argent")
    await chat.choose("_done")
    await chat.say("Tourcoing")
    for option in ("call", "yes"):  # called back, contact kept
        await chat.choose(option)
    assert chat.asks == "phone"
    await chat.say("06 12 34 56 78")
    await chat.choose("yes")  # sent to the relay
    await chat.say("Yanis")
    assert chat.said("T-SENT")


async def test_leads_export_json_and_csv(
    bot: Bot, env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    await _one_lead(bot)
    # The CLI opens the database on its own, like a second process would.
    assert await asyncio.to_thread(main, ["leads", "export", "--format", "json"]) == 0
    [lead] = json.loads(capsys.readouterr().out)
    assert lead["user_ref"] == "cli-person"
    assert lead["sector"] == "beaute"
    assert lead["commune"] == "Tourcoing"
    assert (lead["contact_pref"], lead["first_name"]) == ("call", "Yanis")
    assert lead["phone"] == "+33612345678"  # the number typed, in E.164
    assert await asyncio.to_thread(main, ["leads", "export", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 1
    assert rows[0]["lead_id"] == lead["lead_id"]
    assert rows[0]["needs"] == "argent"
    assert json.loads(rows[0]["consents"])[0]["purpose"] == "contact"


def test_flows_check_passes_on_the_shipped_flows(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["flows", "check"]) == 0
    assert "sans erreur" in capsys.readouterr().out


async def test_jobs_list_shows_the_outbox_and_a_dead_job_gets_another_round(
    bot: Bot, env: None, mailbox: Mailbox, capsys: pytest.CaptureFixture[str]
) -> None:
    mailbox.refuse.update(str(r.contact.email) for r in bot.handoffs.relays.values())
    bot.handoffs.email = None  # nobody reachable: the offer is given up at once
    await _one_lead(bot)
    assert await asyncio.to_thread(main, ["jobs", "list", "--status", "dead"]) == 0
    out = capsys.readouterr().out
    assert "case.notify" in out and "no way to reach relay" in out
    job_id = next(line.split()[0] for line in out.splitlines() if "case.notify" in line)
    assert await asyncio.to_thread(main, ["jobs", "retry", job_id]) == 0
    assert f"Tâche {job_id} relancée." in capsys.readouterr().out
    assert await asyncio.to_thread(main, ["jobs", "retry", job_id]) == 0
    assert "Pas de tâche morte" in capsys.readouterr().out


def test_schemes_check_explain_and_the_pepites_export(
    bot: Bot, env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schemes", "check"]) == 0
    out = capsys.readouterr().out
    assert " 0 sans aide, 0 avec une seule aide." in out and "OK : 0 erreur" in out
    assert main(["schemes", "explain", "--stage", "idea", "--needs", "argent", "--place",
                 "roubaix", "--sector", "beaute"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "59100" in out and "1. cma" in out and "règle « cma_beaute_diplome »" in out
    assert main(["schemes", "explain", "--place", "nulle part du tout"]) == 1


async def test_explain_a_lead_and_export_only_the_pepites(
    bot: Bot, env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    await _one_lead(bot)
    assert await asyncio.to_thread(main, ["leads", "export"]) == 0
    [lead] = json.loads(capsys.readouterr().out)
    assert await asyncio.to_thread(main, ["schemes", "explain", "--lead", lead["lead_id"]]) == 0
    out = capsys.readouterr().out
    assert "étape idea" in out and "domaine beaute" in out and "1. cma" in out
    assert await asyncio.to_thread(main, ["leads", "export", "--pepites"]) == 0
    assert json.loads(capsys.readouterr().out) == []  # an idea is no pépite
