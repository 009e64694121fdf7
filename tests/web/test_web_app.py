"""The relays' and coordinators' web app: sign-in by e-mail, inbox, case, thread, funnel."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from typing import NoReturn

import pytest
from sqlalchemy import select, text, update

from bot.app.settings import PROJECT, Settings
from bot.domain.understanding import NLU
from bot.store.turns import leads
from tests.channels.intake import PITCH, go_through_intake
from tests.mailbox import Mailbox
from tests.web.site import (
    COORDINATOR,
    JULIEN,
    SAME_SITE,
    SAMIRA,
    Site,
    csrf_of,
    serve,
    sign_in,
)


@pytest.fixture
async def site(settings: Settings, nlu: NLU | None, mailbox: Mailbox) -> AsyncIterator[Site]:
    async with serve(settings, nlu, mailbox) as running:
        yield running


CSV = "/coordination/entonnoir.csv"


async def lead_id(site: Site) -> str:
    async with site.bot.engine.connect() as connection:
        return str((await connection.execute(text("SELECT id FROM leads"))).scalar())


async def test_a_relay_signs_in_takes_the_case_and_the_resident_hears_them(site: Site) -> None:
    async with site.client() as http:
        resident = site.resident(http)
        await resident.say("salut")
        await go_through_intake(resident)
        case = await lead_id(site)
        signed = await sign_in(site, http, SAMIRA)
        assert signed.status_code == 303 and signed.headers["location"] == "/dossiers"
        cookie = signed.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" in cookie
        assert cookie.startswith("__Host-tremplin=")
        inbox = await http.get("/dossiers")
        assert f"Dossier n° {case[:6]}" in inbox.text and "T-WAITING." in inbox.text
        assert "encore" in inbox.text  # the time left to take it
        page = await http.get(f"/dossiers/{case}")
        assert PITCH in page.text and f"n° {case[:6]}" in page.text
        form = {"csrf": csrf_of(page), "action": "accept"}
        taken = await http.post(f"/dossiers/{case}", data=form, headers=SAME_SITE)
        assert taken.status_code == 303
        await site.bot.drainer.settle()
        page = await http.get(f"/dossiers/{case}")
        assert "T-TAKEN." in page.text
        said = {"csrf": csrf_of(page), "action": "say", "text": "Bonjour Inès, on se voit mardi ?"}
        assert (await http.post(f"/dossiers/{case}", data=said, headers=SAME_SITE)).is_redirect
        await site.bot.drainer.settle()
        await resident.say("merci, mardi c'est parfait")
        assert resident.said("Bonjour Inès, on se voit mardi ?")
        [forwarded] = [m for m in site.mailbox.to(SAMIRA) if "parfait" in m.get_content()]
        assert f"T-ANSWER-ON-WEB https://tremplin.example.org/dossiers/{case}" in (
            forwarded.get_content()
        )
        page = await http.get(f"/dossiers/{case}")
        assert "Bonjour Inès, on se voit mardi ?" in page.text
        assert "merci, mardi c&#39;est parfait" in page.text  # the resident's answer, escaped
        # Whatever the language (Arabic reads right to left), each message and the sheet
        # take the direction of their own text.
        assert '<div dir="auto">merci, mardi c&#39;est parfait</div>' in page.text
        assert '<pre dir="auto">' in page.text
        closing = {"csrf": csrf_of(page), "action": "close", "outcome": "met"}
        assert (await http.post(f"/dossiers/{case}", data=closing, headers=SAME_SITE)).is_redirect
        assert "T-CLOSED." in (await http.get(f"/dossiers/{case}")).text


async def test_the_sign_in_link_works_once_and_unknown_addresses_get_the_same_answer(
    site: Site, mailbox: Mailbox
) -> None:
    async with site.client() as http:
        page = await http.get("/connexion")
        unknown = await http.post(
            "/connexion",
            data={"email": "nobody@example.org", "csrf": csrf_of(page)},
            headers=SAME_SITE,
        )
        page = await http.get("/connexion")
        known = await http.post(
            "/connexion", data={"email": SAMIRA, "csrf": csrf_of(page)}, headers=SAME_SITE
        )
        assert unknown.text == known.text and unknown.status_code == known.status_code == 200
        assert mailbox.to("nobody@example.org") == []
        path = site.link(SAMIRA)
        opened = await http.get(path)  # a mail scanner opening the link signs nobody in
        assert "set-cookie" not in opened.headers
        assert (await http.get("/dossiers")).status_code == 303
        used = await http.post(path, data={"csrf": csrf_of(opened)}, headers=SAME_SITE)
        assert used.status_code == 303
    async with site.client() as other:
        again = await other.get(path)
        replay = await other.post(path, data={"csrf": csrf_of(again)}, headers=SAME_SITE)
        assert replay.status_code == 410 and "set-cookie" not in replay.headers
        broken = await other.get(path[:-3])
        assert broken.status_code == 404


async def test_a_relay_cannot_open_another_relays_case(site: Site) -> None:
    async with site.client() as http:
        resident = site.resident(http)
        await resident.say("salut")
        await go_through_intake(resident)
        case = await lead_id(site)
    async with site.client() as julien:
        await sign_in(site, julien, JULIEN)
        refused = await julien.get(f"/dossiers/{case}")
        assert refused.status_code == 403 and PITCH not in refused.text
        assert case[:6] not in (await julien.get("/dossiers")).text
        page = await julien.get("/dossiers")
        form = {"csrf": csrf_of(page), "action": "accept"}
        taken = await julien.post(f"/dossiers/{case}", data=form, headers=SAME_SITE)
        assert taken.status_code == 403
        assert (await julien.get("/coordination")).status_code == 403  # a relay: no figures
    async with site.client() as nobody:
        assert (await nobody.get(f"/dossiers/{case}")).headers["location"] == "/connexion"


@pytest.mark.parametrize(
    "headers",
    [{"sec-fetch-site": "cross-site"}, {"origin": "https://evil.example.net"}, {}],
)
async def test_a_cross_site_post_is_refused(site: Site, headers: dict[str, str]) -> None:
    async with site.client() as http:
        resident = site.resident(http)
        await resident.say("salut")
        await go_through_intake(resident)
        case = await lead_id(site)
        await sign_in(site, http, SAMIRA)
        page = await http.get(f"/dossiers/{case}")
        form = {"action": "accept"}
        if headers:  # another site's page, even with a good form token
            form["csrf"] = csrf_of(page)
        refused = await http.post(f"/dossiers/{case}", data=form, headers=headers)
        assert refused.status_code == 403
        assert "ne vient pas de Tremplin" in refused.text
        assert "T-WAITING." in (await http.get(f"/dossiers/{case}")).text


async def test_the_coordinator_sees_the_funnel_with_small_counts_hidden_and_exports_it(
    site: Site,
) -> None:
    async with site.client() as http:
        for n in range(5):
            resident = site.resident(http, f"resident-{n}")
            await resident.say("salut")
            await go_through_intake(resident)
        signed = await sign_in(site, http, COORDINATOR)
        assert signed.headers["location"] == "/coordination"
        page = await http.get("/coordination")
        assert page.status_code == 200
        assert '<td>Accord pour être recontacté·e (dossier créé)</td><td class="n">5</td>' in (
            page.text
        )
        assert '<td>Pris par un relais</td><td class="n">&lt; 5</td>' in page.text
        exported = await http.get("/coordination/entonnoir.csv?departement=69&canal=rest")
        assert exported.headers["content-type"].startswith("text/csv")
        table = dict(csv.reader(io.StringIO(exported.text)))
        assert table["Dossier arrivé chez un relais"] == "5"
        assert table["Conversations commencées"] == "—"  # not known per territory
        assert table["Clôturé"] == "< 5"
        other = await http.get("/coordination/entonnoir.csv?departement=75")
        assert (
            dict(csv.reader(io.StringIO(other.text)))[
                "Accord pour être recontacté·e (dossier créé)"
            ]
            == "< 5"
        )
        assert (await http.get("/dossiers")).status_code == 403  # not a relay
        # Leads carrying a maturity signal (data/maturity.yml) are counted per level.
        async with site.bot.engine.begin() as connection:
            found = (await connection.execute(select(leads.c.id, leads.c.details))).all()
            for case_id, details in found:
                pepite = {**details, "maturity": "pepite"}
                await connection.execute(
                    update(leads).where(leads.c.id == case_id).values(details=pepite)
                )
        signals = dict(csv.reader(io.StringIO((await http.get(CSV)).text)))
        assert signals["dont signal « Pépite 🌟 »"] == "5"
        # Each question of the intake, from the answers people gave (one left after the age).
        left = site.resident(http, "resident-left")
        await left.say("salut")
        await left.choose("adult")
        everyone = await http.get(CSV)
        table = dict(csv.reader(io.StringIO(everyone.text)))
        assert table["Conversations commencées"] == "6"
        assert table["A répondu à « T-AGE? »"] == "6"
        assert table["A répondu à « T-STAGE? »"] == "5"
        assert table["A répondu à « T-PITCH? »"] == "5"
        assert list(table).index("A répondu à « T-AGE? »") < list(table).index(
            "A répondu à « T-STAGE? »"
        )  # in the order of the intake
        scoped = dict(csv.reader(io.StringIO(exported.text)))
        assert scoped["A répondu à « T-AGE? »"] == "—"  # not known per territory


async def test_signing_out_ends_the_session(site: Site) -> None:
    async with site.client() as http:
        await sign_in(site, http, COORDINATOR)
        page = await http.get("/coordination")
        out = await http.post("/deconnexion", data={"csrf": csrf_of(page)}, headers=SAME_SITE)
        assert out.status_code == 303
        assert (await http.get("/coordination")).headers["location"] == "/connexion"


def test_cookies_are_marked_secure_only_when_the_public_address_is_https(
    settings: Settings,
) -> None:
    from bot.app.web import make_web
    from bot.web.limits import FailureLimiter
    from tests.web.site import web_settings

    def unused() -> NoReturn:
        raise AssertionError("not needed to name the cookie")

    plain = make_web(web_settings(settings, "http://localhost:8000"), unused, FailureLimiter())
    assert not plain.secure and plain.cookie == "tremplin_session"
    https = make_web(web_settings(settings), unused, FailureLimiter())
    assert https.secure and https.cookie == "__Host-tremplin"


async def test_no_more_than_three_sign_in_emails_per_address_in_a_while(
    site: Site, mailbox: Mailbox
) -> None:
    async with site.client() as http:
        for _ in range(5):
            page = await http.get("/connexion")
            form = {"email": SAMIRA, "csrf": csrf_of(page)}
            assert (await http.post("/connexion", data=form, headers=SAME_SITE)).status_code == 200
    assert len([m for m in mailbox.to(SAMIRA) if "connecter" in m["Subject"]]) == 3


async def test_an_old_sign_in_link_says_to_ask_for_a_new_one(
    site: Site, settings: Settings
) -> None:
    from datetime import UTC, datetime, timedelta

    from bot.app.keys import link_secret
    from bot.web.sessions import SignInLinks

    yesterday = SignInLinks(link_secret(settings), clock=lambda: datetime.now(UTC) - timedelta(1))
    async with site.client() as http:
        old = await http.get(f"/connexion/lien/{yesterday.token(SAMIRA)}")
    assert old.status_code == 410 and "Demande un nouveau lien" in old.text


async def test_a_relay_removed_from_the_directory_loses_access_at_once(site: Site) -> None:
    async with site.client() as http:
        await sign_in(site, http, SAMIRA)
        assert (await http.get("/dossiers")).status_code == 200
        handoffs = site.bot.handoffs
        others = [r for r in handoffs.directory.relays if r.contact.email != SAMIRA]
        handoffs.use_relays(handoffs.directory.model_copy(update={"relays": others}))
        assert (await http.get("/dossiers")).headers["location"] == "/connexion"


async def test_a_relay_signs_in_from_telegram_with_web(site: Site) -> None:
    from tests.handoff.fakes import relay_says

    [reply] = await site.bot.relay_inbox.handle(relay_says("citeslab_vaulx", "42", text="/web"))
    [link] = re.findall(
        r"T-WEB-LINK 20 https://tremplin\.example\.org(/connexion/lien/\S+)", reply.text
    )
    async with site.client() as http:
        confirm = await http.get(link)
        assert "Samira" in confirm.text or SAMIRA in confirm.text
        signed = await http.post(link, data={"csrf": csrf_of(confirm)}, headers=SAME_SITE)
        assert signed.headers["location"] == "/dossiers"
        assert (await http.get("/dossiers")).status_code == 200
        replay = await http.post(link, data={"csrf": csrf_of(confirm)}, headers=SAME_SITE)
        assert replay.status_code in (403, 410)  # the form once, the link once


def test_a_relay_without_an_email_signs_in_under_their_relay_id() -> None:
    from bot.handoff.reference import load_relays
    from bot.web.access import Access, Role

    relays = load_relays(PROJECT / "data" / "relays.yml")
    [first, *_] = relays.relays
    without = relays.model_copy(
        update={"relays": [first.model_copy(update={"contact": first.contact.model_copy(
            update={"email": None, "telegram_chat_id": 42})})]}
    )  # fmt: skip
    access = Access(lambda: without)
    person = access.find(f"relay:{first.id}")
    assert person is not None and person.role is Role.RELAY and person.key == f"relay:{first.id}"
    assert access.find_email(f"relay:{first.id}") is None  # never through the e-mail form
    assert access.find("relay:nobody") is None
