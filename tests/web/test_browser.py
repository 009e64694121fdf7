"""End to end in a real headless Chromium (Debian's ``chromium``, driven by Playwright).

A relay signs in by the link caught by the test SMTP server, sees the new case, takes
it and answers; the resident reads the answer on REST. Another relay gets 403 on that
case, and a post from another site is refused. Each page is checked with axe-core (no
serious or critical violation) and screenshotted at phone and desktop widths.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import text

from bot.app.bot import Bot
from bot.app.build import make_app
from bot.app.settings import PROJECT, Settings
from bot.domain.understanding import NLU
from tests.channels.intake import PITCH, go_through_intake
from tests.channels.residents import RestResident
from tests.mailbox import Mailbox
from tests.web.site import ADMIN, COORDINATOR, JULIEN, SAMIRA, SUBJECT, web_settings

CHROMIUM = Path("/usr/bin/chromium")
# Where screenshots go: a temporary folder, or BOT_SCREENSHOTS (the README's copies are
# made with BOT_SCREENSHOTS=docs/screenshots).
SCREENSHOTS = os.environ.get("BOT_SCREENSHOTS")
WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)",
    ),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Served:
    """The app served by uvicorn on a loopback port, in this event loop."""

    def __init__(self, settings: Settings, nlu: NLU | None, mailbox: Mailbox) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.app = make_app(web_settings(settings, self.url), nlu=nlu)
        self.mailbox = mailbox
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_config=None, lifespan="on"
        )
        self.server = uvicorn.Server(config)

    @property
    def bot(self) -> Bot:
        running: Bot = self.app.state.bot()
        return running

    def link(self, email: str) -> str:
        sent = [m for m in self.mailbox.to(email) if m["Subject"] == SUBJECT]
        assert sent, f"no sign-in e-mail to {email}"
        [url] = re.findall(re.escape(self.url) + r"/connexion/lien/\S+", sent[-1].get_content())
        return str(url)


@pytest.fixture
async def served(settings: Settings, nlu: NLU | None, mailbox: Mailbox) -> AsyncIterator[Served]:
    site = Served(settings, nlu, mailbox)
    task = asyncio.create_task(site.server.serve())
    while not site.server.started:
        assert not task.done(), "the server did not start"
        await asyncio.sleep(0.05)
    try:
        yield site
    finally:
        site.server.should_exit = True
        await task


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield launched
        finally:
            await launched.close()


async def accessible(page: Any) -> None:
    """axe-core finds nothing serious or critical on the page."""
    from axe_playwright_python.async_playwright import Axe

    results = await Axe().run(page)
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]
    assert bad == [], f"{page.url}: {bad}"


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """The folder screenshots are saved in."""
    return PROJECT / SCREENSHOTS if SCREENSHOTS else tmp_path


async def shoot(page: Any, folder: Path, name: str) -> None:
    """Screenshots of the page at phone and desktop widths (linked from the README)."""
    for width, (w, h) in WIDTHS.items():
        await page.set_viewport_size({"width": w, "height": h})
        await page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
    await page.set_viewport_size({"width": WIDTHS["phone"][0], "height": WIDTHS["phone"][1]})


async def sign_in(served: Served, page: Any, email: str) -> None:
    await page.goto(f"{served.url}/connexion")
    await accessible(page)
    await page.get_by_label("Ton adresse e-mail").fill(email)
    await page.get_by_role("button", name="Recevoir mon lien").click()
    await page.get_by_text("Regarde tes e-mails").first.wait_for()
    await page.goto(served.link(email))
    await page.get_by_role("button", name="Me connecter").click()
    await page.wait_for_load_state()


async def test_a_relay_signs_in_takes_the_case_and_answers_the_resident(
    served: Served, browser: Any, shots: Path
) -> None:
    async with httpx.AsyncClient(base_url=served.url) as http:
        resident = RestResident(http, "resident-browser", settle=served.bot.drainer.settle)
        await resident.say("salut")
        await go_through_intake(resident)
    async with served.bot.engine.connect() as connection:
        case = str((await connection.execute(text("SELECT id FROM leads"))).scalar())

    samira = await browser.new_context(viewport={"width": 390, "height": 844})
    page = await samira.new_page()
    await sign_in(served, page, SAMIRA)
    assert page.url.endswith("/dossiers")
    # The stylesheet passed the page's policy (its hash), so the page is styled.
    background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(250, 250, 250)"
    await accessible(page)
    await shoot(page, shots, "boite")
    await page.get_by_role("link", name=f"Dossier n° {case[:6]}").click()
    assert PITCH in await page.content()
    await accessible(page)
    await shoot(page, shots, "dossier")
    await page.get_by_role("button", name="✅ Je le prends").click()
    await page.get_by_text("T-TAKEN.").wait_for()
    await served.bot.drainer.settle()
    await page.get_by_label("Ton message pour Inès").fill("Bonjour Inès, je t'appelle demain ?")
    await page.get_by_role("button", name="Envoyer").click()
    await page.get_by_text("Bonjour Inès, je t'appelle demain ?").wait_for()
    await accessible(page)
    await served.bot.drainer.settle()
    async with httpx.AsyncClient(base_url=served.url) as http:
        resident = RestResident(http, "resident-browser", settle=served.bot.drainer.settle)
        await resident.say("oui, demain c'est bien")
        assert resident.said("Bonjour Inès, je t'appelle demain ?")
    await page.reload()
    await page.get_by_text("oui, demain c'est bien").wait_for()
    await shoot(page, shots, "conversation")

    # Another relay, signed in, gets 403 on Samira's case.
    julien = await (await browser.new_context()).new_page()
    await sign_in(served, julien, JULIEN)
    refused = await julien.goto(f"{served.url}/dossiers/{case}")
    assert refused is not None and refused.status == 403
    assert PITCH not in await julien.content()

    # A form on another site posting to the case is refused, even from Samira's browser.
    attacker = await samira.new_page()
    await attacker.set_content(
        f'<form method="post" action="{served.url}/dossiers/{case}">'
        '<input name="action" value="close"><input name="outcome" value="met">'
        '<button id="go">go</button></form>'
    )
    async with attacker.expect_navigation() as navigation:
        await attacker.click("#go")
    answer = await navigation.value
    assert answer is not None and answer.status == 403
    await page.reload()
    assert "T-TAKEN." in await page.content() or "T-TALKING." in await page.content()


async def test_a_coordinator_sees_the_funnel_and_exports_it(
    served: Served, browser: Any, shots: Path
) -> None:
    context = await browser.new_context(accept_downloads=True)
    page = await context.new_page()
    await sign_in(served, page, COORDINATOR)
    assert page.url.endswith("/coordination")
    await accessible(page)
    before = await page.locator("td.n").all_inner_texts()
    async with httpx.AsyncClient(base_url=served.url) as http:
        for n in range(5):
            resident = RestResident(http, f"resident-{n}", settle=served.bot.drainer.settle)
            await resident.say("salut")
            await go_through_intake(resident)
    await page.reload()
    after = await page.locator("td.n").all_inner_texts()
    assert before[1] == "< 5" and after[1] == "5"  # the funnel moved
    await shoot(page, shots, "tableau-de-bord")
    async with page.expect_download() as download:
        await page.get_by_role("link", name="Télécharger ce tableau (CSV)").click()
    saved = await (await download.value).path()
    exported = await asyncio.to_thread(Path(saved).read_text, encoding="utf-8")
    assert "etape,personnes" in exported
    await page.get_by_role("link", name="Voir les dossiers").click()
    await page.get_by_role("heading", name="Les dossiers").wait_for()
    await accessible(page)
    await page.get_by_role("link", name="Dossier n° ").first.click()
    assert PITCH in await page.content()
    await accessible(page)


async def test_an_admin_reads_the_audit_log_and_notes_a_case(
    served: Served, browser: Any, shots: Path
) -> None:
    async with httpx.AsyncClient(base_url=served.url) as http:
        resident = RestResident(http, "resident-audit", settle=served.bot.drainer.settle)
        await resident.say("salut")
        await go_through_intake(resident)
    async with served.bot.engine.connect() as connection:
        case = str((await connection.execute(text("SELECT id FROM leads"))).scalar())
    page = await (await browser.new_context()).new_page()
    await sign_in(served, page, ADMIN)
    await page.goto(f"{served.url}/dossiers/{case}")
    assert PITCH in await page.content()
    await accessible(page)
    await page.get_by_label("Ajouter une note").fill("Vu en réunion d'équipe.")
    await page.get_by_role("button", name="Garder la note").click()
    await page.get_by_text("Vu en réunion d'équipe.").wait_for()
    await page.get_by_role("link", name="Journal").click()
    await page.get_by_role("cell", name="Note ajoutée").wait_for()
    await accessible(page)
    await shoot(page, shots, "journal")
    await page.get_by_label("Action").select_option("case_viewed")
    await page.get_by_role("button", name="Voir").click()
    await page.get_by_role("cell", name=f"n° {case[:6]}").first.wait_for()
    await accessible(page)


async def test_a_coordinator_adds_a_relay_from_a_phone(
    served: Served, browser: Any, shots: Path
) -> None:
    page = await browser.new_page()
    await page.set_viewport_size({"width": WIDTHS["phone"][0], "height": WIDTHS["phone"][1]})
    await sign_in(served, page, COORDINATOR)
    await page.get_by_role("link", name="Relais", exact=True).click()
    await page.wait_for_load_state()
    assert page.url.endswith("/relais")
    await accessible(page)
    await shoot(page, shots, "annuaire-relais")
    await page.get_by_role("link", name="Ajouter un relais").click()
    await page.wait_for_load_state()
    await accessible(page)
    await page.get_by_label("Identifiant", exact=True).fill("maison_projets_vaulx")
    await page.get_by_label("Structure", exact=True).fill("Maison des projets (démo)")
    await page.get_by_label("Prénom affiché aux habitant·es").fill("Yasmina")
    await page.get_by_label("Ville", exact=True).fill("Vaulx-en-Velin")
    await page.get_by_label("Codes postaux", exact=True).fill("691")  # a mistake: refused, said
    await page.get_by_label("Une idée").check()
    await page.get_by_role("button", name="Enregistrer").click()
    await page.wait_for_load_state()
    await accessible(page)  # the errors are tied to their fields
    assert "Coche au moins un besoin" in await page.content()
    await shoot(page, shots, "relais-erreurs")
    await page.get_by_label("Codes postaux", exact=True).fill("69120")
    await page.get_by_label("Se former").check()
    await page.get_by_role("button", name="Enregistrer").click()
    await page.wait_for_load_state()
    assert "/relais?" in page.url and "Yasmina" in await page.content()
    assert "maison_projets_vaulx" in served.bot.handoffs.relays
    await page.get_by_role("link", name="Yasmina").click()
    await page.wait_for_load_state()
    await accessible(page)
    await page.get_by_role("button", name="Inviter").click()
    await page.wait_for_load_state()
    await accessible(page)


async def test_a_coordinator_checks_the_flows_sees_a_graph_and_tries_the_bot(
    served: Served, browser: Any, shots: Path
) -> None:
    page = await (await browser.new_context()).new_page()
    blocked: list[str] = []  # what the page's Content-Security-Policy refused, if anything
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    await sign_in(served, page, COORDINATOR)
    await page.get_by_role("link", name="Scripts").click()
    await page.get_by_text("Tout est bon").first.wait_for()
    await accessible(page)
    await shoot(page, shots, "scripts")

    await page.get_by_role("link", name="Test intake").click()
    drawn = page.locator('pre.mermaid[data-drawn="yes"] svg')
    await drawn.wait_for(timeout=30_000)  # drawn in the browser by the vendored Mermaid
    assert await page.locator("pre.mermaid svg g.node").count() > 5
    assert "T-AGE?" in (await drawn.text_content() or "")
    assert blocked == []
    await accessible(page)
    await shoot(page, shots, "schema")

    await page.goto(f"{served.url}/flows/versions")
    await accessible(page)

    await page.goto(f"{served.url}/flows/essai")
    await accessible(page)
    await page.get_by_role("button", name="Commencer (« Bonjour »)").click()
    await page.get_by_text("T-WELCOME.").wait_for()
    await page.get_by_role("button", name="Adult").click()
    await page.get_by_text("T-STAGE?").wait_for()
    await page.get_by_label("Ton message").fill("juste l'idee")
    await page.keyboard.press("Enter")
    await page.get_by_text("T-SECTOR?").wait_for()
    await accessible(page)
    await shoot(page, shots, "essai")
    await page.get_by_role("button", name="Recommencer à zéro").click()
    await page.get_by_text("Pas encore de message").wait_for()
    assert blocked == []
