"""Signing out: on this device, or everywhere (every session opened until then ends)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from bot.app.build import link_secret
from bot.app.settings import Settings
from bot.domain.understanding import NLU
from bot.web.sessions import Sessions
from tests.mailbox import Mailbox
from tests.web.site import SAME_SITE, SAMIRA, Site, csrf_of, serve, sign_in, web_settings


@pytest.fixture
async def site(settings: Settings, nlu: NLU | None, mailbox: Mailbox) -> AsyncIterator[Site]:
    async with serve(settings, nlu, mailbox) as running:
        yield running


async def test_signing_out_everywhere_ends_the_other_devices_sessions(
    site: Site, settings: Settings
) -> None:
    async with site.client() as phone, site.client() as laptop:
        await sign_in(site, phone, SAMIRA)
        await sign_in(site, laptop, SAMIRA)
        page = await phone.get("/dossiers")
        assert "Me déconnecter de partout" in page.text
        # Signing out here only: the laptop stays signed in.
        out = await phone.post("/deconnexion", data={"csrf": csrf_of(page)}, headers=SAME_SITE)
        assert out.status_code == 303
        assert (await phone.get("/dossiers")).status_code == 303
        page = await laptop.get("/dossiers")
        assert page.status_code == 200
        await sign_in(site, phone, SAMIRA)
        assert (await phone.get("/dossiers")).status_code == 200
        # Everywhere, from the laptop: the phone's session ends too.
        everywhere = {"csrf": csrf_of(page), "partout": "1"}
        out = await laptop.post("/deconnexion", data=everywhere, headers=SAME_SITE)
        assert out.status_code == 303
        for device in (phone, laptop):
            gone = await device.get("/dossiers")
            assert gone.status_code == 303 and gone.headers["location"] == "/connexion"
    # A session opened after that works at once (as a new sign-in would open it; a
    # fourth sign-in e-mail within 15 minutes is held back by the limiter).
    fresh = Sessions(link_secret(web_settings(settings))).open(SAMIRA)
    async with site.client() as tablet:
        again = await tablet.get("/dossiers", headers={"cookie": f"__Host-tremplin={fresh}"})
        assert again.status_code == 200
    async with site.bot.engine.connect() as connection:
        actions = (await connection.execute(text("SELECT action FROM audit_log"))).scalars()
        assert {"signed_out", "signed_out_everywhere"} <= set(actions)
