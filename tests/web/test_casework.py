"""Staff work on a case page: a relay hands the case to a colleague; private notes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import text

from bot.app.settings import Settings
from bot.domain.understanding import NLU
from tests.channels.intake import PITCH, go_through_intake
from tests.channels.residents import RestResident
from tests.dbscan import count_rows, find_everywhere
from tests.mailbox import Mailbox
from tests.web.site import COORDINATOR, JULIEN, SAME_SITE, SAMIRA, Site, csrf_of, serve, sign_in

NOTE = "Elle préfère être appelée le matin, pas par SMS."
WORD = "Elle cherche un local à Vaulx, tu connais bien."


@pytest.fixture
async def site(settings: Settings, nlu: NLU | None, mailbox: Mailbox) -> AsyncIterator[Site]:
    async with serve(settings, nlu, mailbox) as running:
        yield running


async def scalar(site: Site, sql: str) -> object:
    async with site.bot.engine.connect() as connection:
        return (await connection.execute(text(sql))).scalar()


async def a_case(site: Site, http: httpx.AsyncClient) -> tuple[RestResident, str]:
    resident = site.resident(http)
    await resident.say("salut")
    await go_through_intake(resident)
    return resident, str(await scalar(site, "SELECT id FROM leads"))


async def test_a_relay_hands_the_case_to_a_colleague_who_gets_it(
    site: Site, mailbox: Mailbox
) -> None:
    async with site.client() as http:
        resident, case = await a_case(site, http)
        async with site.client() as samira:
            await sign_in(site, samira, SAMIRA)
            page = await samira.get(f"/dossiers/{case}")
            assert "Passer le dossier" in page.text and 'value="bge_lyon"' in page.text
            # Colleagues covering the resident come first, in their own group.
            assert page.text.index("Couvrent son territoire") < page.text.index("Autres relais")
            before = len(mailbox.to(JULIEN))
            form = {"csrf": csrf_of(page), "action": "hand_over", "to": "bge_lyon", "message": WORD}
            done = await samira.post(f"/dossiers/{case}", data=form, headers=SAME_SITE)
            assert done.status_code == 200 and "transmis à Julien" in done.text
            await site.bot.drainer.settle()
            # The first relay can no longer act on it, nor hand it over twice.
            gone = await samira.get(f"/dossiers/{case}")
            assert gone.status_code == 403 and PITCH not in gone.text
            again = {**form, "csrf": csrf_of(gone)}
            assert (
                await samira.post(f"/dossiers/{case}", data=again, headers=SAME_SITE)
            ).status_code == 403
        # The colleague is told on their way (e-mail here) and finds the word left for them.
        assert len(mailbox.to(JULIEN)) > before
        async with site.client() as julien:
            await sign_in(site, julien, JULIEN)
            page = await julien.get(f"/dossiers/{case}")
            assert page.status_code == 200 and PITCH in page.text and WORD in page.text
            assert "Ce dossier t" in page.text or "T-" in page.text  # waiting for them
            take = {"csrf": csrf_of(page), "action": "accept"}
            assert (
                await julien.post(f"/dossiers/{case}", data=take, headers=SAME_SITE)
            ).is_redirect
        # The resident hears who will contact them now; the history says what happened.
        await resident.say("ok merci")
        assert resident.said("T-HANDED-OVER Samira -> Julien")
        assert await scalar(
            site, "SELECT count(*) FROM handoffs WHERE status IN "
            "('offered', 'notified', 'accepted', 'in_conversation')"
        ) == 1  # fmt: skip
        assert (
            await scalar(site, "SELECT detail FROM handoff_events WHERE status = 'transferred'")
            == "handed over to bge_lyon"
        )
        assert (
            await scalar(site, "SELECT actor FROM audit_log WHERE action = 'case_handed_over'")
            == "relay:citeslab_vaulx:web"
        )


async def test_a_case_is_not_handed_to_oneself_or_to_nobody(site: Site) -> None:
    async with site.client() as http:
        _resident, case = await a_case(site, http)
    async with site.client() as samira:
        await sign_in(site, samira, SAMIRA)
        for to in ("citeslab_vaulx", "nobody", ""):
            page = await samira.get(f"/dossiers/{case}")
            form = {"csrf": csrf_of(page), "action": "hand_over", "to": to}
            refused = await samira.post(f"/dossiers/{case}", data=form, headers=SAME_SITE)
            assert refused.status_code == 400 and "Choisis à qui" in refused.text
    assert await scalar(site, "SELECT count(*) FROM handoffs") == 1


async def test_notes_stay_with_staff_encrypted_and_go_with_the_case(site: Site) -> None:
    async with site.client() as http:
        resident, case = await a_case(site, http)
        async with site.client() as samira:
            await sign_in(site, samira, SAMIRA)
            page = await samira.get(f"/dossiers/{case}")
            take = {"csrf": csrf_of(page), "action": "accept"}
            await samira.post(f"/dossiers/{case}", data=take, headers=SAME_SITE)
            page = await samira.get(f"/dossiers/{case}")
            form = {"csrf": csrf_of(page), "action": "note", "note": NOTE}
            assert (
                await samira.post(f"/dossiers/{case}", data=form, headers=SAME_SITE)
            ).is_redirect
            page = await samira.get(f"/dossiers/{case}")
            assert "Notes de l'équipe" in page.text and "Samira" in page.text
            notes = page.text[page.text.index("Notes de l") :]
            assert "Elle préfère être appelée le matin" in notes
            thread = page.text[page.text.index("La conversation") : page.text.index("Notes de l")]
            assert "appelée le matin" not in thread  # not a message of the thread
        async with site.client() as coordinator:
            await sign_in(site, coordinator, COORDINATOR)
            page = await coordinator.get(f"/dossiers/{case}")
            assert page.status_code == 200 and "appelée le matin" in page.text
            assert 'value="accept"' not in page.text and 'value="hand_over"' not in page.text
            form = {"csrf": csrf_of(page), "action": "note", "note": "Vu avec Samira."}
            assert (
                await coordinator.post(f"/dossiers/{case}", data=form, headers=SAME_SITE)
            ).is_redirect
            take = {"csrf": csrf_of(page), "action": "accept"}
            refused = await coordinator.post(f"/dossiers/{case}", data=take, headers=SAME_SITE)
            assert refused.status_code == 403  # the coordination notes, it does not act
        await site.bot.drainer.settle()
        await resident.say("bonjour")
        assert not resident.said("appelée le matin")
        assert await find_everywhere(site.bot.engine, "appelée le matin", "Vu avec Samira") == []
        assert await scalar(site, "SELECT count(*) FROM case_messages WHERE author = 'note'") == 2
        assert await scalar(site, "SELECT count(*) FROM audit_log WHERE action = 'note_added'") == 2
        await resident.say("supprimer mes données")
        await resident.say("/_sys:erase")
        assert await count_rows(site.bot.engine, "leads") == 0  # erased, and its notes
        assert await count_rows(site.bot.engine, "case_messages") == 0
