"""End to end over REST: nobody took the case, J+3 the resident says « non » and the case
goes to the next relay; J+90 the outcome is in the lead export."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy.engine import Connection

from bot.app.bot import Bot
from bot.app.web import checkin_labels
from bot.channels.rest import RestChannel
from bot.domain import jobs as kinds
from bot.store import handoffs as store
from bot.store.funnel import Filters, funnel
from bot.store.leads import export_leads
from bot.web.dashboard import rows
from bot.web.server import make_web_app
from tests.channels.intake import go_through_intake
from tests.channels.residents import RestResident
from tests.followup.helpers import Moving, hold, job_of, jobs, run_at
from tests.mailbox import Mailbox

COORDINATOR = "coordination@example.org"


@pytest.fixture
async def client(bot: Bot) -> AsyncIterator[httpx.AsyncClient]:
    rest = RestChannel()
    await rest.start(bot)
    transport = httpx.ASGITransport(app=make_web_app(rest.routes))
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as http:
        yield http


async def test_no_news_at_j3_moves_the_case_on_and_the_outcome_reaches_the_export(
    bot: Bot, client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    # Messages over HTTP carry the real time: the fake clock starts there.
    clock = hold(bot, Moving())
    bot.handoffs.config = type(bot.handoffs.config)(coordinator_email=COORDINATOR)
    resident = RestResident(client, "web-ines", settle=bot.drainer.settle)
    await resident.say("salut")
    await go_through_intake(resident)
    samira = str(bot.handoffs.relays["citeslab_vaulx"].contact.email)
    assert len(mailbox.to(samira)) == 1  # the case, by e-mail

    # Samira never answers; her reminders come (halfway, last hour), then J+3.
    planned = sorted(j.run_at for j in await jobs(bot) if j.kind == kinds.RELAY_REMINDER)
    for moment in planned:
        await run_at(bot, clock, moment)
    await run_at(bot, clock, (await job_of(bot, kinds.CHECKIN_CONTACTED)).run_at)
    reminders = [m for m in mailbox.to(samira) if "T-REMIND" in m.get_content()]
    assert len(reminders) == 2
    await resident.say("bonjour")  # REST: the question waited for the resident
    assert resident.said("T-CONTACTED Samira?")
    await resident.choose("no")
    assert resident.said("T-CONTACTED-NO.")
    [before] = await export_leads(bot.engine, bot.cipher)
    first, second = await bot.store.run(lambda c: store.for_lead(c, before["lead_id"]))
    assert (first.relay_id, first.status) == ("citeslab_vaulx", "declined")
    assert second.status == "notified" and second.relay_id != "citeslab_vaulx"
    assert mailbox.to(str(bot.handoffs.relays[second.relay_id].contact.email))
    [alert] = [m for m in mailbox.to(COORDINATOR) if "T-ALERT-NO-CONTACT" in m.get_content()]
    assert "Samira" in alert.get_content()
    await resident.say("ok")
    assert resident.said("ne peut pas prendre ton dossier pour l'instant")  # who has it now
    next_name = bot.handoffs.relays[second.relay_id].display_name

    # Three working days later, the same question about the next relay: yes this time.
    await run_at(bot, clock, (await job_of(bot, kinds.CHECKIN_CONTACTED)).run_at)
    await resident.say("bonjour")
    assert resident.said(f"T-CONTACTED {next_name}?")
    await resident.choose("yes")
    assert resident.said(f"T-CONTACTED-YES {next_name}.")

    # J+30, then J+90: the outcome goes to the lead.
    progress = (await job_of(bot, kinds.CHECKIN_PROGRESS)).run_at
    await run_at(bot, clock, progress)
    await resident.say("salut")
    assert resident.said("T-PROGRESS?")
    await resident.say("je prepare")
    assert resident.said("T-PROGRESS-THANKS.")
    outcome = (await job_of(bot, kinds.CHECKIN_OUTCOME)).run_at
    await run_at(bot, clock, outcome + timedelta(minutes=1))
    await resident.say("coucou")
    assert resident.said("T-OUTCOME?")
    await resident.choose("created")
    assert resident.said("T-OUTCOME-THANKS.")

    [lead] = await export_leads(bot.engine, bot.cipher)
    assert lead["outcome"] == "created"
    answered = [(c["kind"], c["answer"]) for c in lead["checkins"] if c["event"] == "answered"]
    assert answered == [
        ("contacted", "no"),
        ("contacted", "yes"),
        ("progress", "creating"),
        ("outcome", "created"),
    ]

    # The coordinators' funnel counts what residents answered, named as the flow names it.
    def counted(connection: Connection) -> list[tuple[str, str]]:
        found = funnel(connection, Filters(), clock.now)
        return rows(found, {}, checkin_labels=checkin_labels(bot.dispatcher.runner.flows))

    table = dict(await bot.dispatcher.store.run(counted))
    assert table["Relance à 90 jours : Company"] == "< 5"
    assert table["Relance à 3 jours ouvrés : Not yet"] == "< 5"
