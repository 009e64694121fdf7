"""The coordinators' flows pages: the check of the files on disk, graphs, history, a trial chat."""

from __future__ import annotations

import csv
import html
import io
import re
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.app.settings import Settings
from bot.domain.understanding import NLU
from bot.store.leads import export_leads
from bot.web.flows_pages import GRAPH_POLICY, LONG_CACHE, MERMAID_VERSION
from tests.channels.intake import go_through_intake
from tests.conftest import TEST_FLOWS
from tests.mailbox import Mailbox
from tests.web.site import COORDINATOR, SAME_SITE, SAMIRA, Site, csrf_of, serve, sign_in


def copy_flows(folder: Path) -> Path:
    """A copy of the tests' flows a test may edit, as a coordinator would."""
    shutil.copytree(TEST_FLOWS, folder)
    return folder


def git(folder: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=Awa Coordinatrice", "-c", "user.email=awa@example.org",
         "-c", "init.defaultBranch=main", *args],
        cwd=folder, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout


@pytest.fixture
def flows_copy(tmp_path: Path) -> Path:
    return copy_flows(tmp_path / "project" / "flows")


@pytest.fixture
async def site(
    settings: Settings, nlu: NLU | None, mailbox: Mailbox, flows_copy: Path
) -> AsyncIterator[Site]:
    edited = settings.model_copy(update={"flows_dir": flows_copy})
    async with serve(edited, nlu, mailbox) as running:
        yield running


class WebTrial:
    """A coordinator trying the bot on ``/flows/essai``: types, presses buttons, reads."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.page = ""

    async def open(self) -> str:
        answer = await self.http.get("/flows/essai")
        assert answer.status_code == 200, answer.text
        self.page = answer.text
        return self.page

    async def post(self, **fields: str) -> None:
        page = await self.http.get("/flows/essai")
        sent = await self.http.post(
            "/flows/essai", data={"csrf": csrf_of(page), **fields}, headers=SAME_SITE
        )
        assert sent.status_code == 303, sent.text
        await self.open()

    async def say(self, text: str) -> None:
        await self.post(message=text)

    @property
    def buttons(self) -> dict[str, str]:
        """The bot's buttons shown: payload -> title."""
        found = re.findall(r'<button name="message" value="([^"]*)">([^<]*)</button>', self.page)
        return {html.unescape(p): html.unescape(t) for p, t in found}

    async def choose(self, option_id: str) -> None:
        for payload, title in self.buttons.items():
            if payload.rsplit(":", 1)[-1] == option_id:
                await self.post(message=payload, shown=title)
                return
        raise AssertionError(f"no option {option_id!r} in {self.buttons}")

    @property
    def last_turn(self) -> str:
        """What the bot said since my last message."""
        return html.unescape(self.page.rsplit("<strong>Toi</strong>", 1)[-1])

    def said(self, fragment: str) -> bool:
        return fragment in self.last_turn


async def test_the_check_shows_what_a_coordinator_just_broke(site: Site, flows_copy: Path) -> None:
    async with site.client() as http:
        await sign_in(site, http, COORDINATOR)
        page = await http.get("/flows")
        assert page.status_code == 200
        assert "Tout est bon" in page.text
        assert '<a href="/flows/graphe/main">Test intake</a>' in page.text
        main = flows_copy / "main.yml"
        main.write_text(
            main.read_text("utf-8").replace("next: minor}", "next: nulle_part}"), "utf-8"
        )
        broken = await http.get("/flows")
    text = html.unescape(broken.text)
    assert "Tout est bon" not in text
    assert "ERREUR" in text and "main.yml, ligne" in text and "nulle_part" in text
    assert "Corrige les erreurs" in text  # the same summary as the command


async def test_relays_may_not_open_the_flows_pages(site: Site) -> None:
    async with site.client() as http:
        assert (await http.get("/flows")).headers["location"] == "/connexion"
        await sign_in(site, http, SAMIRA)
        for path in ("/flows", "/flows/graphe/main", "/flows/versions", "/flows/essai"):
            assert (await http.get(path)).status_code == 403, path
        page = await http.get("/dossiers")
        refused = await http.post(
            "/flows/essai", data={"csrf": csrf_of(page), "message": "salut"}, headers=SAME_SITE
        )
        assert refused.status_code == 403


async def test_the_graph_page_draws_with_mermaid_served_by_us(site: Site) -> None:
    async with site.client() as http:
        await sign_in(site, http, COORDINATOR)
        page = await http.get("/flows/graphe/main")
        assert page.status_code == 200
        assert page.headers["content-security-policy"] == GRAPH_POLICY
        assert '<pre class="mermaid"' in page.text and "flowchart TD" in page.text
        text = html.unescape(page.text)
        assert "bouton « Under 15 » → minor" in text  # the steps in words
        [script] = re.findall(r'<script src="(/static/mermaid\.min\.js\?v=\w+)"></script>', text)
        served = await http.get(script)
        assert served.status_code == 200
        assert served.headers["content-type"].startswith("text/javascript")
        assert served.headers["cache-control"] == LONG_CACHE
        assert b"mermaid" in served.content[:200] and len(served.content) > 1_000_000
        assert (await http.get("/static/../settings.py")).status_code == 404
        missing = await http.get("/flows/graphe/nothing")
        assert missing.status_code == 404 and "Script introuvable" in missing.text
    assert MERMAID_VERSION.startswith("11.")


async def test_the_versions_page_lists_who_changed_what(
    settings: Settings, nlu: NLU | None, mailbox: Mailbox, tmp_path: Path
) -> None:
    project = tmp_path / "checkout"
    flows = copy_flows(project / "flows")
    git(project, "init", "-q")
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "Premiers scripts")
    main = flows / "main.yml"
    main.write_text(main.read_text("utf-8").replace("T-AGE?", "T-AGE-NEW?"), "utf-8")
    git(project, "commit", "-q", "-am", "La question de l'âge reformulée")
    commit = git(project, "rev-parse", "HEAD").strip()
    edited = settings.model_copy(update={"flows_dir": flows})
    async with serve(edited, nlu, mailbox) as site, site.client() as http:
        await sign_in(site, http, COORDINATOR)
        page = await http.get("/flows/versions")
        text = html.unescape(page.text)
        assert "La question de l'âge reformulée" in text and "Awa Coordinatrice" in text
        assert "flows/main.yml" in text
        assert f'href="/flows/versions/{commit}"' in page.text
        diff = html.unescape((await http.get(f"/flows/versions/{commit}")).text)
        assert '+    ask: "T-AGE-NEW?"' in diff and '-    ask: "T-AGE?"' in diff
        assert (await http.get("/flows/versions/not-a-commit")).status_code == 404


async def test_without_git_the_versions_page_says_so(site: Site) -> None:
    async with site.client() as http:
        await sign_in(site, http, COORDINATOR)
        page = html.unescape((await http.get("/flows/versions")).text)
    assert "pas suivi par git" in page
    assert "main.yml" in page  # each file's hash and date are still shown


async def test_a_coordinator_tries_the_bot_and_the_trial_is_not_counted(
    site: Site, mailbox: Mailbox
) -> None:
    async with site.client() as http:
        for n in range(5):
            resident = site.resident(http, f"resident-{n}")
            await resident.say("salut")
            await go_through_intake(resident)
        cases_sent = len(mailbox.to(SAMIRA))
        await sign_in(site, http, COORDINATOR)
        trial = WebTrial(http)
        assert "Pas encore de message" in await trial.open()
        await trial.post(message="Bonjour")  # the « Commencer » button
        assert trial.said("T-WELCOME.") and trial.said("Q1/7. T-AGE?")
        assert "Adult" in trial.buttons.values()
        await trial.choose("adult")
        assert '<strong>Toi</strong><br><span class="said">Adult</span>' in trial.page
        assert trial.said("Q2/7. T-STAGE?")
        await trial.post(action="reset")
        assert "Pas encore de message" in trial.page
        await trial.say("salut")
        await go_through_intake(trial)  # to the very end: a lead, kept as a test
        await site.bot.drainer.settle()
        assert len(mailbox.to(SAMIRA)) == cases_sent  # no case sent to a relay
        exported = await http.get("/coordination/entonnoir.csv")
    table = dict(csv.reader(io.StringIO(exported.text)))
    assert table["Conversations commencées"] == "5"
    assert len(await export_leads(site.bot.engine, site.bot.cipher)) == 5
    assert table["Accord pour être recontacté·e (dossier créé)"] == "5"
