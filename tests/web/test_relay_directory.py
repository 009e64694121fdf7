"""Coordinators keep the relays directory on the web: add, edit, absences, invitations."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import text

from bot.app.settings import Settings
from bot.domain.understanding import NLU
from tests.channels.intake import go_through_intake
from tests.mailbox import Mailbox
from tests.web.site import COORDINATOR, SAME_SITE, SAMIRA, Site, csrf_of, serve, sign_in

YASMINA = "yasmina.demo@example.org"


@pytest.fixture
async def site(settings: Settings, nlu: NLU | None, mailbox: Mailbox) -> AsyncIterator[Site]:
    async with serve(settings, nlu, mailbox) as running:
        yield running


def nora(**changes: Any) -> dict[str, Any]:
    """The form of a new relay in Vaulx-en-Velin, as a coordinator fills it in."""
    form: dict[str, Any] = {
        "id": "maison_projets_vaulx",
        "structure": "Maison des projets (démo)",
        "display_name": "Yasmina",
        "town": "Vaulx-en-Velin",
        "email": YASMINA,
        "telegram_chat_id": "",
        "webhook_url": "",
        "postal_codes": "69120",
        "insee": "",
        "departments": "",
        "stages": ["idea", "creating", "testing", "young"],
        "needs": ["voir_clair", "argent", "statut"],
        "languages": "fr",
        "capacity": "5",
        "absent_until": "",
    }
    form.update(changes)
    return form


async def post(http: Any, path: str, form: dict[str, Any]) -> Any:
    page = await http.get(path)
    assert page.status_code == 200, page.text
    return await http.post(path, data={**form, "csrf": csrf_of(page)}, headers=SAME_SITE)


async def audited(site: Site) -> list[tuple[str, str]]:
    async with site.bot.engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT action, detail FROM audit_log WHERE action LIKE 'relay%' ORDER BY id")
        )
        return [(row.action, row.detail) for row in rows]


async def test_a_coordinator_adds_a_relay_who_gets_the_next_case_without_a_restart(
    site: Site,
) -> None:
    async with site.client() as http:
        await sign_in(site, http, COORDINATOR)
        listed = await http.get("/relais")
        assert listed.status_code == 200 and "Samira" in listed.text
        added = await post(http, "/relais/nouveau", nora())
        assert added.status_code == 303 and added.headers["location"].startswith("/relais?")
        listed = await http.get(added.headers["location"])
        assert "Yasmina" in listed.text and "en service tout de suite" in listed.text
        # Samira is away: the case of Vaulx goes to Yasmina, who is there.
        samira = await http.get("/relais/citeslab_vaulx")
        away = {**form_of(samira.text), "absent_until": "2099-12-31"}
        assert (await post(http, "/relais/citeslab_vaulx", away)).status_code == 303
        assert "Absent·e jusqu&#39;au 31/12/2099 inclus" in (await http.get("/relais")).text
        resident = site.resident(http)
        await resident.say("salut")
        await go_through_intake(resident, relay="Yasmina")
        await site.bot.drainer.settle()
    assert site.mailbox.to(YASMINA), "the new relay got the case by e-mail"
    assert not [m for m in site.mailbox.to(SAMIRA) if "Dossier" in str(m["Subject"])]
    assert await audited(site) == [
        ("relay_added", "maison_projets_vaulx"),
        ("relay_edited", "citeslab_vaulx"),
    ]


def form_of(page: str) -> dict[str, Any]:
    """The fields of the relay form as the page filled them (text inputs and boxes)."""
    found: dict[str, Any] = {}
    for name, value in re.findall(r'<input id="(\w+)" name="\w+" type="\w+" value="([^"]*)"', page):
        found[name] = value.replace("&#39;", "'").replace("&amp;", "&")
    for name, value in re.findall(r'name="(stages|needs)" value="(\w+)" checked', page):
        found.setdefault(name, []).append(value)
    if 'name="national" checked' in page:
        found["national"] = "on"
    return found


async def test_an_edit_that_breaks_the_rules_is_refused_in_french_and_nothing_changes(
    site: Site,
) -> None:
    async with site.client() as http:
        await sign_in(site, http, COORDINATOR)
        national = form_of((await http.get("/relais/coordination_nationale")).text)
        assert national["national"] == "on"
        refused = await post(http, "/relais/coordination_nationale", {**national, "national": ""})
        assert refused.status_code == 400
        assert "Il faut au moins un relais national" in refused.text
        assert 'role="alert"' in refused.text
        webhook = {**national, "webhook_url": "http://10.0.0.1/hook"}
        refused = await post(http, "/relais/coordination_nationale", webhook)
        assert refused.status_code == 400 and 'id="webhook_url-error"' in refused.text
        assert "https://" in refused.text
        taken = await post(http, "/relais/nouveau", nora(id="bge_lyon"))
        assert taken.status_code == 400 and "déjà pris" in taken.text
        wrong = await post(http, "/relais/nouveau", nora(postal_codes="691", stages=[]))
        assert wrong.status_code == 400
        assert 'aria-describedby="postal_codes-hint postal_codes-error"' in wrong.text
        assert "Coche au moins une étape" in wrong.text
    national_relay = site.bot.handoffs.relays["coordination_nationale"]
    assert national_relay.coverage.national and national_relay.contact.webhook_url is None
    assert "bge_lyon" in site.bot.handoffs.relays and await audited(site) == []


async def test_relays_cannot_see_the_directory_and_other_sites_cannot_post(site: Site) -> None:
    async with site.client() as http:
        await sign_in(site, http, SAMIRA)
        assert (await http.get("/relais")).status_code == 403
        assert (await http.get("/relais/citeslab_vaulx")).status_code == 403
        page = await http.get("/dossiers")
        posted = await http.post(
            "/relais/citeslab_vaulx", data={**nora(), "csrf": csrf_of(page)}, headers=SAME_SITE
        )
        assert posted.status_code == 403
    async with site.client() as http:
        await sign_in(site, http, COORDINATOR)
        page = await http.get("/relais/nouveau")
        forged = {"origin": "https://evil.example", "sec-fetch-site": "cross-site"}
        refused = await http.post("/relais/nouveau", data={**nora(), "csrf": csrf_of(page)},
                                  headers=forged)  # fmt: skip
        assert refused.status_code == 403
        assert (
            await http.post("/relais/nouveau", data=nora(), headers=SAME_SITE)
        ).status_code == 403
    assert "maison_projets_vaulx" not in site.bot.handoffs.relays
    async with site.client() as anonymous:
        assert (await anonymous.get("/relais")).headers["location"] == "/connexion"


async def test_another_worker_sees_the_saved_relay_at_its_next_look(
    settings: Settings, nlu: NLU | None, mailbox: Mailbox
) -> None:
    async with serve(settings, nlu, mailbox) as first, serve(settings, nlu, mailbox) as second:
        async with first.client() as http:
            await sign_in(first, http, COORDINATOR)
            assert (await post(http, "/relais/nouveau", nora())).status_code == 303
        assert "maison_projets_vaulx" in first.bot.handoffs.relays
        assert "maison_projets_vaulx" not in second.bot.handoffs.relays
        assert second.bot.relays is not None
        assert await second.bot.relays.refresh()  # what its poll does every few seconds
        assert second.bot.handoffs.relays["maison_projets_vaulx"].display_name == "Yasmina"
        assert not await second.bot.relays.refresh()  # nothing new: nothing done
        async with second.client() as http:
            await sign_in(second, http, YASMINA)  # she signs in on any worker
            assert (await http.get("/dossiers")).status_code == 200


async def test_inviting_a_relay_by_email_sends_a_sign_in_link(site: Site) -> None:
    async with site.client() as http:
        await sign_in(site, http, COORDINATOR)
        assert (await post(http, "/relais/nouveau", nora())).status_code == 303
        page = await http.get("/relais/maison_projets_vaulx")
        invited = await http.post(
            "/relais/maison_projets_vaulx/inviter", data={"csrf": csrf_of(page)}, headers=SAME_SITE
        )
        assert invited.status_code == 200 and "vient de partir" in invited.text
        assert "BOT_TELEGRAM__USERNAME" in invited.text  # no bot name set: no Telegram link
    [mail] = site.mailbox.to(YASMINA)
    assert mail["Subject"] == "Tremplin : ton invitation" and "Yasmina" in mail.get_content()
    async with site.client() as other:
        link = r"https://tremplin\.example\.org(/connexion/lien/\S+)"
        [path] = re.findall(link, mail.get_content())
        confirm = await other.get(path)
        signed = await other.post(path, data={"csrf": csrf_of(confirm)}, headers=SAME_SITE)
        assert signed.headers["location"] == "/dossiers"


async def test_the_invitation_gives_a_telegram_link_that_works_once(
    settings: Settings, nlu: NLU | None, mailbox: Mailbox
) -> None:
    telegram = settings.telegram.model_copy(update={"username": "tremplin_test_bot"})
    async with serve(settings.model_copy(update={"telegram": telegram}), nlu, mailbox) as site:
        async with site.client() as http:
            await sign_in(site, http, COORDINATOR)
            page = await http.get("/relais/citeslab_vaulx")
            invited = await http.post(
                "/relais/citeslab_vaulx/inviter", data={"csrf": csrf_of(page)}, headers=SAME_SITE
            )
        [token] = re.findall(
            r"https://t\.me/tremplin_test_bot\?start=(relais-[\w-]+)", invited.text
        )
        assert len(token) <= 64  # what Telegram carries in a deep link
        assert site.bot.relays is not None
        relay = await site.bot.relays.accept_invite(token, "424242")
        assert relay is not None and relay.contact.telegram_chat_id == "424242"
        assert await site.bot.relays.accept_invite(token, "999") is None
        assert site.bot.handoffs.relays["citeslab_vaulx"].contact.telegram_chat_id == "424242"
        assert ("relay_invited", "citeslab_vaulx") in await audited(site)
        assert ("relay_chat_added", "citeslab_vaulx") in await audited(site)
