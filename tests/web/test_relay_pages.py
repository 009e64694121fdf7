"""The relays' case page: signed links that expire, forms that only work from the page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import text

from bot.app.bot import Bot
from bot.app.build import make_app
from bot.app.settings import Settings
from bot.domain.understanding import NLU
from bot.handoff.links import CaseLinks
from bot.web.forms import FormGuard
from bot.web.limits import FailureLimiter
from bot.web.relay_pages import make_relay_pages
from bot.web.server import make_web_app
from tests.channels.intake import PITCH, go_through_intake
from tests.channels.residents import RestResident
from tests.chat import Chat
from tests.handoff.test_lifecycle import intake

KEY = b"relay-pages-key-of-the-tests-32b"
RELAY = "citeslab_vaulx"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


class Ticks:
    """A monotonic clock (seconds) the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Site:
    """The pages in front of a bot with one case offered to Samira (Vaulx)."""

    bot: Bot
    case_id: str
    clock: Clock
    ticks: Ticks
    app: object

    @property
    def token(self) -> str:
        return self.bot.handoffs.links.token(self.case_id, RELAY)

    def client(self, address: str = "198.51.100.20") -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.app, client=(address, 4321))  # type: ignore[arg-type]
        return httpx.AsyncClient(transport=transport, base_url="https://tremplin.example.org")

    async def status(self) -> str:
        async with self.bot.engine.connect() as connection:
            query = text("SELECT status FROM handoffs WHERE id = :id")
            return str((await connection.execute(query, {"id": self.case_id})).scalar())


@pytest.fixture
async def site(bot: Bot) -> Site:
    clock, ticks = Clock(), Ticks()
    bot.handoffs.links = CaseLinks(KEY, valid_for=timedelta(days=7), clock=clock)
    await intake(Chat(bot.handle))
    async with bot.engine.connect() as connection:
        case_id = str((await connection.execute(text("SELECT id FROM handoffs"))).scalar())
    forms = FormGuard(
        b"forms-key-of-the-tests-32-bytes!", public_url="https://tremplin.example.org"
    )
    pages = make_relay_pages(
        lambda: bot.handoffs, forms=forms, limiter=FailureLimiter(5, 600, clock=ticks)
    )
    return Site(bot, case_id, clock, ticks, make_web_app(pages))


def csrf_of(page: httpx.Response) -> str:
    [token] = re.findall(r'name="csrf" value="([^"]+)"', page.text)
    return token


async def test_the_signed_link_opens_the_case_and_the_case_id_alone_does_not(
    site: Site,
) -> None:
    async with site.client() as http:
        page = await http.get(f"/relais/cas/{site.token}")
        assert page.status_code == 200
        assert PITCH in page.text and "T-WAITING." in page.text
        for guess in (site.case_id, site.token[:-2], site.token.replace(".", ".x", 1), "x.y"):
            refused = await http.get(f"/relais/cas/{guess}")
            assert refused.status_code == 404
            assert "T-LINK-BROKEN." in refused.text and PITCH not in refused.text


async def test_a_link_signed_for_another_relay_or_with_another_key_opens_nothing(
    site: Site,
) -> None:
    other_relay = site.bot.handoffs.links.token(site.case_id, "bge_lyon")
    other_key = CaseLinks(b"another-key-entirely-32-bytes!!!").token(site.case_id, RELAY)
    async with site.client() as http:
        assert (await http.get(f"/relais/cas/{other_relay}")).status_code == 404
        assert (await http.get(f"/relais/cas/{other_key}")).status_code == 404


async def test_an_old_link_says_kindly_how_to_get_a_new_one(site: Site) -> None:
    token = site.token
    site.clock.now += timedelta(days=6, hours=23)  # well past the 16 office hours to accept
    async with site.client() as http:
        assert (await http.get(f"/relais/cas/{token}")).status_code == 200
        site.clock.now += timedelta(hours=1)
        old = await http.get(f"/relais/cas/{token}")
    assert old.status_code == 410
    assert "T-LINK-OLD 7." in old.text and PITCH not in old.text


async def test_once_declined_the_page_shows_the_status_but_no_longer_the_sheet(
    site: Site,
) -> None:
    async with site.client() as http:
        page = await http.get(f"/relais/cas/{site.token}")
        form = {"csrf": csrf_of(page), "action": "decline"}
        assert (await http.post(f"/relais/cas/{site.token}", data=form)).status_code == 303
        after = await http.get(f"/relais/cas/{site.token}")
    assert "T-DECLINED." in after.text
    assert PITCH not in after.text and "csrf" not in after.text


async def test_the_form_takes_the_case_once(site: Site) -> None:
    async with site.client() as http:
        page = await http.get(f"/relais/cas/{site.token}")
        form = {"csrf": csrf_of(page), "action": "accept"}
        headers = {"origin": "https://tremplin.example.org", "sec-fetch-site": "same-origin"}
        taken = await http.post(f"/relais/cas/{site.token}", data=form, headers=headers)
        assert taken.status_code == 303
        assert await site.status() == "accepted"
        again = await http.post(f"/relais/cas/{site.token}", data=form, headers=headers)
        assert again.status_code == 403  # the same form twice: refused, nothing done
        page = await http.get(f"/relais/cas/{site.token}")
        assert "T-TAKEN." in page.text
        closing = {"csrf": csrf_of(page), "action": "close_met"}
        closed = await http.post(f"/relais/cas/{site.token}", data=closing, headers=headers)
        assert closed.status_code == 303
    assert await site.status() == "closed"


@pytest.mark.parametrize(
    "headers",
    [
        {"sec-fetch-site": "cross-site"},
        {"sec-fetch-site": "same-site"},
        {"origin": "https://evil.example.net"},
        {"origin": "null"},
    ],
)
async def test_a_post_from_another_site_is_refused_with_a_page(
    site: Site, headers: dict[str, str]
) -> None:
    async with site.client() as http:
        page = await http.get(f"/relais/cas/{site.token}")
        form = {"csrf": csrf_of(page), "action": "decline"}  # even with a good token
        refused = await http.post(f"/relais/cas/{site.token}", data=form, headers=headers)
    assert refused.status_code == 403
    assert "T-REFUSED." in refused.text and "text/html" in refused.headers["content-type"]
    assert await site.status() == "notified"  # still waiting for an answer


async def test_a_post_without_the_pages_token_is_refused(site: Site) -> None:
    other_case = site.bot.handoffs.links.token("0" * 32, RELAY)
    async with site.client() as http:
        elsewhere = await http.get(f"/relais/cas/{other_case}")  # 404, but it has no form
        assert "csrf" not in elsewhere.text
        page = await http.get(f"/relais/cas/{site.token}")
        foreign = FormGuard(b"x" * 32).issue(site.token)
        for form in ({"action": "accept"}, {"action": "accept", "csrf": foreign}):
            refused = await http.post(f"/relais/cas/{site.token}", data=form)
            assert refused.status_code == 403
        unknown = await http.post(
            f"/relais/cas/{site.token}", data={"csrf": csrf_of(page), "action": "delete"}
        )
        assert unknown.status_code == 400
    assert await site.status() == "notified"  # still waiting for an answer


async def test_every_answer_carries_the_security_headers(site: Site) -> None:
    async with site.client() as http:
        page = await http.get(f"/relais/cas/{site.token}")
        health = await http.get("/health")
        missing = await http.get("/relais/cas/nothing")
    for response in (page, health, missing):
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "form-action 'self'" in policy
    assert "'unsafe-inline'" not in policy and "script-src" not in policy


async def test_too_many_failures_from_one_address_make_it_wait(site: Site) -> None:
    async with site.client("203.0.113.66") as guesser, site.client() as relay:
        for number in range(5):
            assert (await guesser.get(f"/relais/cas/guess-{number}")).status_code == 404
        blocked = await guesser.get(f"/relais/cas/{site.token}")  # even a good link now
        assert blocked.status_code == 429
        assert "T-TOO-MANY 10." in blocked.text
        assert int(blocked.headers["retry-after"]) == 600
        assert (await relay.get(f"/relais/cas/{site.token}")).status_code == 200
        site.ticks.now += 601
        assert (await guesser.get(f"/relais/cas/{site.token}")).status_code == 200


async def test_a_link_and_a_form_from_one_worker_work_on_another(
    settings: Settings, nlu: NLU | None
) -> None:
    settings = settings.model_copy(update={"flows_reload_seconds": 0})
    first, second = make_app(settings, nlu=nlu), make_app(settings, nlu=nlu)
    async with first.router.lifespan_context(first), second.router.lifespan_context(second):
        one = httpx.AsyncClient(transport=httpx.ASGITransport(app=first), base_url="http://bot")
        two = httpx.AsyncClient(transport=httpx.ASGITransport(app=second), base_url="http://bot")
        async with one, two:
            bot = first.state.bot()
            resident = RestResident(one, "web-nadia", bot.drainer.settle)
            await resident.say("salut")
            await go_through_intake(resident)
            async with bot.engine.connect() as connection:
                query = text("SELECT id FROM handoffs")
                case_id = str((await connection.execute(query)).scalar())
            link = bot.handoffs.links.url("http://bot", case_id, RELAY)
            page = await two.get(link)
            assert page.status_code == 200 and PITCH in page.text
            form = {"csrf": csrf_of(page), "action": "accept"}
            assert (await one.post(link, data=form)).status_code == 303
            assert "T-TAKEN." in (await two.get(link)).text
