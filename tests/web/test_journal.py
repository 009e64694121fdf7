"""The admins' audit log page: newest first, filters, pages, CSV export audited; 403 else."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from bot.app.settings import Settings
from bot.domain.understanding import NLU
from bot.store.audit import record_access
from tests.channels.intake import go_through_intake
from tests.mailbox import Mailbox
from tests.web.site import ADMIN, COORDINATOR, SAME_SITE, SAMIRA, Site, csrf_of, serve, sign_in


@pytest.fixture
async def site(settings: Settings, nlu: NLU | None, mailbox: Mailbox) -> AsyncIterator[Site]:
    async with serve(settings, nlu, mailbox) as running:
        yield running


async def test_an_admin_reads_who_did_what_on_which_case(site: Site) -> None:
    async with site.client() as http:
        resident = site.resident(http)
        await resident.say("salut")
        await go_through_intake(resident)
    async with site.bot.engine.connect() as connection:
        case = str((await connection.execute(text("SELECT id FROM leads"))).scalar())
    async with site.client() as samira:
        await sign_in(site, samira, SAMIRA)
        page = await samira.get(f"/dossiers/{case}")
        take = {"csrf": csrf_of(page), "action": "accept"}
        await samira.post(f"/dossiers/{case}", data=take, headers=SAME_SITE)
        page = await samira.get(f"/dossiers/{case}")
        note = {"csrf": csrf_of(page), "action": "note", "note": "À rappeler"}
        await samira.post(f"/dossiers/{case}", data=note, headers=SAME_SITE)
        assert (await samira.get("/audit")).status_code == 403
    async with site.client() as coordinator:
        await sign_in(site, coordinator, COORDINATOR)
        assert (await coordinator.get("/audit")).status_code == 403
        assert (await coordinator.get("/audit.csv")).status_code == 403
        assert "/audit" not in (await coordinator.get("/coordination")).text
    async with site.client() as admin:
        await sign_in(site, admin, ADMIN)
        page = await admin.get("/audit")
        assert page.status_code == 200 and 'href="/audit"' in page.text  # in the menu
        body = page.text[page.text.index("<tbody>") :]  # the rows, not the filter's list
        for seen in ("Connexion", "Dossier consulté", "Dossier pris", "Note ajoutée"):
            assert seen in body
        assert f"n° {case[:6]}" in body and "relay:citeslab_vaulx:web" in body
        assert "À rappeler" not in body  # what a note says stays on the case
        # Newest first: the admin's own sign-in comes before Samira's note.
        assert body.index(f"web:admin:{ADMIN}") < body.index("Note ajoutée")
        only = await admin.get("/audit", params={"action": "note_added"})
        rows = only.text[only.text.index("<tbody>") :]
        assert "Note ajoutée" in rows and "Dossier pris" not in rows
        who = await admin.get("/audit", params={"qui": "COORD@"})
        rows = who.text[who.text.index("<tbody>") :]
        assert f"web:coordinator:{COORDINATOR}" in rows and "citeslab" not in rows
        empty = await admin.get("/audit", params={"du": "2001-01-01", "au": "2001-01-02"})
        assert "Aucune ligne" in empty.text
        exported = await admin.get("/audit.csv", params={"action": "case_accepted"})
        assert exported.headers["content-type"].startswith("text/csv")
        lines = list(csv.reader(io.StringIO(exported.text)))
        assert lines[0] == ["quand", "qui", "action", "dossier", "detail"]
        assert [row[2:4] for row in lines[1:]] == [["case_accepted", case[:6]]]
        again = await admin.get("/audit", params={"action": "audit_exported"})
        rows = again.text[again.text.index("<tbody>") :]
        assert "Journal exporté (CSV)" in rows and "action=case_accepted" in rows


async def test_the_log_comes_a_page_at_a_time(site: Site) -> None:
    async with site.bot.engine.begin() as connection:
        for n in range(60):
            await connection.run_sync(
                lambda c, n=n: record_access(c, actor=f"relay:r{n:02d}", action="case_viewed")
            )
    async with site.client() as admin:
        await sign_in(site, admin, ADMIN)
        first = await admin.get("/audit", params={"action": "case_viewed"})
        assert "relay:r59" in first.text and "relay:r05" not in first.text
        assert "Plus anciennes" in first.text and "Plus récentes" not in first.text
        second = await admin.get("/audit", params={"action": "case_viewed", "page": "2"})
        assert "relay:r05" in second.text and "relay:r59" not in second.text
        assert "Plus récentes" in second.text and "Plus anciennes" not in second.text
        odd = await admin.get("/audit", params={"page": "-3", "du": "hier"})
        assert odd.status_code == 200
