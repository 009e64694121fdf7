"""The deployment recipe (deploy/): two workers started at once on a fresh PostgreSQL.

Runs real ``bot serve`` processes as the systemd units of ``deploy/`` start them, with
the settings of ``deploy/tremplin.env`` (the database, keys and folders replaced by the
test's own). Only with ``BOT_TEST_DATABASE_URL``: the workers share PostgreSQL.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from dotenv import dotenv_values

from bot.app.settings import PROJECT, Settings
from bot.privacy.crypto import FernetCipher
from tests.conftest import PG_URL, TEST_FLOWS, TEST_KEY
from tests.freshdb import fresh_database

pytestmark = pytest.mark.skipif(
    PG_URL is None, reason="workers share a PostgreSQL database: set BOT_TEST_DATABASE_URL"
)

DEPLOY = PROJECT / "deploy"
SECRETS = ("BOT_DATABASE_URL", "BOT_SECRET_KEY", "BOT_PRIVACY__ENCRYPTION_KEYS")
NAME = "Zénobie"
PITCH = "Des cerfs-volants lumineux pour les fêtes de quartier"


def recipe_settings() -> dict[str, str]:
    """The shared settings file, read as systemd reads it (single quotes kept literal)."""
    values = dotenv_values(DEPLOY / "tremplin.env")
    return {key: value for key, value in values.items() if value is not None}


def unit_command(port: int) -> list[str]:
    """``ExecStart`` of the worker unit for instance ``port``, run by this Python."""
    unit = (DEPLOY / "tremplin@.service").read_text(encoding="utf-8")
    line = next(ln for ln in unit.splitlines() if ln.startswith("ExecStart="))
    program, *args = shlex.split(line.removeprefix("ExecStart=").replace("%i", str(port)))
    assert program.endswith("/bot")
    return [sys.executable, "-m", "bot", *args]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Worker:
    """One ``bot serve`` process, its output in a file."""

    def __init__(self, env: dict[str, str], folder: Path, name: str) -> None:
        self.port = free_port()
        self.log = folder / f"{name}.log"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                unit_command(self.port), env=env, stdout=out, stderr=subprocess.STDOUT
            )
        self.url = f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_ready(self) -> None:
        """Until ``/health`` answers 200; fails if the process ends first."""
        while self.process.poll() is None:
            try:
                if httpx.get(f"{self.url}/health").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"the worker exited ({self.process.returncode}):\n{self.output()}")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()  # what systemctl stop sends
        return self.process.wait()


@pytest.fixture
def recipe_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The recipe's environment on a fresh database, with the tests' keys and flows."""
    assert PG_URL is not None
    with fresh_database(PG_URL, tmp_path, "deploy") as url:
        settings = recipe_settings()
        assert set(SECRETS) <= set(settings) and settings["BOT_WORKERS"] == "2"
        json.loads(settings["BOT_PRIVACY__ENCRYPTION_KEYS"])  # a JSON list, once read
        known = {name.upper() for name in Settings.model_fields}  # no misspelt setting
        assert [k for k in settings if k.removeprefix("BOT_").split("__")[0] not in known] == []
        env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
        env.update(settings)
        env.update(
            BOT_DATABASE_URL=url,
            BOT_SECRET_KEY="deployment-test-secret-key-32-chars",
            BOT_PRIVACY__ENCRYPTION_KEYS=json.dumps([TEST_KEY]),
            BOT_RUNTIME_DIR=str(tmp_path / "runtime"),
            BOT_FLOWS_DIR=str(TEST_FLOWS),
            BOT_NLU__BACKEND="keywords",  # the test is about workers, not understanding
            BOT_LOG_LEVEL="WARNING",
        )
        yield env


class Resident:
    """A REST resident whose messages go to one worker, then the other."""

    def __init__(self, workers: list[Worker]) -> None:
        self.workers = workers
        self.turn = 0
        self.replies: list[dict[str, Any]] = []

    def say(self, text: str) -> str:
        worker = self.workers[self.turn % len(self.workers)]
        self.turn += 1
        body = {"sender": "deploy-1", "message": text, "message_id": f"d{self.turn}"}
        response = httpx.post(f"{worker.url}/webhooks/rest/webhook", json=body, timeout=None)
        assert response.status_code == 200, response.text
        self.replies = response.json()
        said = "\n".join(r["text"] for r in self.replies)
        assert "T-BROKEN" not in said
        return said

    def choose(self, option: str) -> str:
        buttons = [b for r in self.replies for b in r.get("buttons", [])]
        payload = next(b["payload"] for b in buttons if b["payload"].endswith(f":{option}"))
        return self.say(payload)


def test_two_workers_started_at_once_share_one_conversation(
    recipe_env: dict[str, str], tmp_path: Path
) -> None:
    workers = [Worker(recipe_env, tmp_path, f"worker-{i}") for i in (1, 2)]
    try:
        for worker in workers:
            worker.wait_ready()  # both migrated the fresh database, one after the other
        resident = Resident(workers)
        resident.say("salut")
        for option in ("adult", "idea", "autre"):
            resident.choose(option)
        resident.say(PITCH)
        resident.choose("argent")
        resident.choose("_done")
        resident.say("93200")
        for option in ("message", "yes", "yes"):
            resident.choose(option)
        assert "T-SENT" in resident.say(NAME)
        # « mes données » on the other worker: it reads what the first one encrypted.
        mine = resident.say("mes données")
        assert f"T-CONTACT rest {NAME}." in mine and PITCH in mine
    finally:
        codes = [worker.stop() for worker in workers]
    # uvicorn shuts down, then ends by the signal it caught: what systemd calls a success.
    assert set(codes) <= {0, -signal.SIGTERM}, [w.output() for w in workers]


def test_a_worker_with_its_own_keys_is_refused_with_a_reason(
    recipe_env: dict[str, str], tmp_path: Path
) -> None:
    first = Worker(recipe_env, tmp_path, "first")
    try:
        first.wait_ready()
        generated = {k: v for k, v in recipe_env.items() if k != "BOT_PRIVACY__ENCRYPTION_KEYS"}
        own = {**recipe_env, "BOT_PRIVACY__ENCRYPTION_KEYS": json.dumps([FernetCipher.new_key()])}
        for env, reason in (
            (generated, "set BOT_PRIVACY__ENCRYPTION_KEYS"),
            (own, "cannot read the data already in this database"),
        ):
            refused = Worker(env, tmp_path, "refused")
            assert refused.process.wait() == 2
            said = refused.output()
            assert said.startswith("error: ") and reason in said
    finally:
        first.stop()
