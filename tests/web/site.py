"""The served web app with relays reached by e-mail, and a browser-like way to sign in."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
from starlette.applications import Starlette

from bot.app.bot import Bot
from bot.app.build import make_app
from bot.app.settings import Settings, WebSettings
from bot.domain.understanding import NLU
from tests.channels.residents import RestResident
from tests.mailbox import Mailbox

PUBLIC_URL = "https://tremplin.example.org"
SAMIRA = "samira.demo@example.org"  # citeslab_vaulx: Vaulx-en-Velin, the test intake's relay
JULIEN = "julien.demo@example.org"  # bge_lyon
COORDINATOR = "coord@example.org"
ADMIN = "admin@example.org"
SAME_SITE = {"origin": PUBLIC_URL, "sec-fetch-site": "same-origin"}
SUBJECT = "Tremplin : ton lien pour te connecter"


def web_settings(settings: Settings, public_url: str = PUBLIC_URL) -> Settings:
    """``settings`` with the public address and a coordinator; relays come from data/."""
    handoff = settings.handoff.model_copy(update={"public_url": public_url})
    web = WebSettings(coordinators=[COORDINATOR], admins=[ADMIN], max_failures=1000)
    return settings.model_copy(update={"handoff": handoff, "web": web})


@dataclass
class Site:
    """The app, started, and the mailbox its e-mails go to."""

    app: Starlette
    mailbox: Mailbox

    @property
    def bot(self) -> Bot:
        running: Bot = self.app.state.bot()
        return running

    def client(self) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.app, client=("198.51.100.20", 4321))
        return httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL)

    def resident(self, http: httpx.AsyncClient, sender: str = "resident-web") -> RestResident:
        return RestResident(http, sender, settle=self.bot.drainer.settle)

    def link(self, email: str) -> str:
        """The path of the last sign-in link e-mailed to ``email``."""
        sent = [m for m in self.mailbox.to(email) if m["Subject"] == SUBJECT]
        assert sent, f"no sign-in e-mail to {email}"
        body = sent[-1].get_content()
        [path] = re.findall(re.escape(PUBLIC_URL) + r"(/connexion/lien/\S+)", body)
        return str(path)


@asynccontextmanager
async def serve(settings: Settings, nlu: NLU | None, mailbox: Mailbox) -> AsyncIterator[Site]:
    app = make_app(web_settings(settings), nlu=nlu)
    async with app.router.lifespan_context(app):
        yield Site(app, mailbox)


def csrf_of(page: httpx.Response) -> str:
    """The first form token of a page."""
    found = re.findall(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    return str(found[0])


async def sign_in(site: Site, http: httpx.AsyncClient, email: str) -> httpx.Response:
    """Ask for a link, open it, press the button: the answer that sets the session."""
    page = await http.get("/connexion")
    asked = await http.post(
        "/connexion", data={"email": email, "csrf": csrf_of(page)}, headers=SAME_SITE
    )
    assert asked.status_code == 200
    path = site.link(email)
    confirm = await http.get(path)
    assert confirm.status_code == 200, confirm.text
    return await http.post(path, data={"csrf": csrf_of(confirm)}, headers=SAME_SITE)
