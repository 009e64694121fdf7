"""Coordinators limited to territories: their figures, lists and cases, and no others."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from bot.app.build import make_app
from bot.app.settings import Settings, WebSettings
from bot.domain.understanding import NLU
from bot.web.access import Access, Scope
from tests.channels.intake import PITCH, go_through_intake
from tests.mailbox import Mailbox
from tests.web.site import COORDINATOR, Site, sign_in, web_settings

LYON, PARIS, VAULX = "lyon@example.org", "paris@example.org", "vaulx@example.org"
SCOPES = {COORDINATOR: [], LYON: ["69"], PARIS: ["93", "75"], VAULX: ["citeslab_vaulx"]}


@pytest.fixture
async def site(settings: Settings, nlu: NLU | None, mailbox: Mailbox) -> AsyncIterator[Site]:
    served = web_settings(settings)
    web = WebSettings(coordinators=SCOPES, max_failures=1000)
    app = make_app(served.model_copy(update={"web": web}), nlu=nlu)
    async with app.router.lifespan_context(app):
        yield Site(app, mailbox)


def test_the_setting_takes_a_list_or_territories_per_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BOT_WEB__COORDINATORS", '["A@b.fr"]')
    assert Settings().web.coordinators == ["A@b.fr"]
    monkeypatch.setenv("BOT_WEB__COORDINATORS", '{"a@b.fr": ["69", "2a", "bge_lyon"]}')
    scopes = Settings().web.coordinators
    assert scopes == {"a@b.fr": ["69", "2a", "bge_lyon"]}
    access = Access(lambda: pytest.fail("no relay looked up"), coordinators=scopes)
    found = access.find_email("A@B.fr")
    assert found is not None and found.scope == Scope(("69", "2A"), ("bge_lyon",))
    national = Access(lambda: pytest.fail("no relay"), coordinators=["a@b.fr"])
    assert (national.find_email("a@b.fr") or pytest.fail("not found")).scope is None


def leads_row(page: str) -> str:
    """The dashboard's "dossier créé" count."""
    [row] = [line for line in page.splitlines() if "dossier créé" in line]
    return row


async def test_a_coordinator_sees_only_their_territory(site: Site) -> None:
    async with site.client() as http:
        for n in range(5):  # five cases in Vaulx-en-Velin (69): above the "< 5" threshold
            resident = site.resident(http, f"resident-{n}")
            await resident.say("salut")
            await go_through_intake(resident)
    async with site.bot.engine.begin() as connection:
        case = str((await connection.execute(text("SELECT id FROM leads LIMIT 1"))).scalar())
        await connection.execute(text("UPDATE leads SET source = 'affiche-vaulx'"))
    for email, sees in ((COORDINATOR, True), (LYON, True), (VAULX, True), (PARIS, False)):
        async with site.client() as http:
            await sign_in(site, http, email)
            board = await http.get("/coordination")
            assert board.status_code == 200
            assert (">5<" in leads_row(board.text)) is sees, email
            assert ("affiche-vaulx" in board.text) is sees, email  # the source filter too
            exported = await http.get("/coordination/entonnoir.csv")
            rows = dict(csv.reader(io.StringIO(exported.text)))
            assert rows["Accord pour être recontacté·e (dossier créé)"] == ("5" if sees else "< 5")
            listed = await http.get("/coordination/dossiers")
            assert (f"n° {case[:6]}" in listed.text) is sees, email
            table = list(
                csv.reader(io.StringIO((await http.get("/coordination/dossiers.csv")).text))
            )
            assert table[0][0] == "dossier"
            assert len(table) - 1 == (5 if sees else 0), email  # the same cases as the list
            page = await http.get(f"/dossiers/{case}")
            assert page.status_code == (200 if sees else 403), email
            assert (PITCH in page.text) is sees
    async with site.client() as http:
        await sign_in(site, http, PARIS)
        board = await http.get("/coordination")
        assert "département 93, département 75" in board.text
        # Asking for another department gives nothing more than their own territory.
        other = await http.get("/coordination", params={"departement": "69"})
        assert ">5<" not in leads_row(other.text)
