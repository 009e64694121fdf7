"""Nothing lost, nothing doubled: a case survives a crash, an unreachable relay is honest
news for the resident and an alert for the coordinator, and one case never has two relays."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from bot.app.bot import Bot
from bot.app.build import start_bot
from bot.app.settings import Settings
from bot.domain.messages import Inbound, Outbound
from bot.domain.understanding import NLU
from bot.store import handoffs as store
from bot.store import jobs as queue
from bot.store.handoffs import HandoffRow
from bot.store.leads import export_leads
from tests.channels.intake import PITCH
from tests.chat import Chat
from tests.handoff.test_lifecycle import intake
from tests.mailbox import Mailbox

COORDINATOR = "coordination@example.org"


class Later:
    """A clock for the drainer and the hand-off, moved forward by hand."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC) + timedelta(seconds=1)

    def __call__(self) -> datetime:
        return self.now


async def attempts(bot: Bot) -> list[HandoffRow]:
    [lead] = await export_leads(bot.engine, bot.cipher)
    return await bot.store.run(lambda c: store.for_lead(c, lead["lead_id"]))


def email_of(bot: Bot, relay_id: str) -> str:
    return str(bot.handoffs.relays[relay_id].contact.email)


async def wait_out_retries(bot: Bot, clock: Later) -> None:
    """Let a day pass, an hour at a time, running the jobs that come due."""
    bot.drainer.clock = clock
    for _ in range(24):
        clock.now += timedelta(hours=1)
        await bot.drainer.settle()


async def test_a_case_queued_just_before_a_crash_reaches_its_relay_after_the_restart(
    settings: Settings, nlu: NLU | None, mailbox: Mailbox
) -> None:
    first = await start_bot(settings, nlu=nlu, migrate=False)

    async def without_jobs(inbound: Inbound) -> list[Outbound]:  # the worker dies first
        return await first.handle(inbound)

    resident = Chat(without_jobs, user="web-nadia")
    await intake(resident)
    assert mailbox.messages == []  # told "je transmets", nothing sent yet
    await first.close()  # the worker goes; its queued jobs stay in the database

    second = await start_bot(settings, nlu=nlu, migrate=False)
    try:
        await second.drainer.settle()
        [mail] = mailbox.to(email_of(second, "citeslab_vaulx"))
        assert PITCH in mail.get_content()
        await Chat(second.handle, user="web-nadia").say("alors ?")
        [row] = await attempts(second)
        assert row.status == "notified"
    finally:
        await second.close()


async def test_the_resident_hears_it_arrived_only_once_a_relay_was_reached(
    bot: Bot, mailbox: Mailbox
) -> None:
    resident = Chat(bot.handle)
    await intake(resident)
    await resident.say("ok merci")
    assert resident.said("T-ARRIVED Samira")
    assert mailbox.to(email_of(bot, "citeslab_vaulx"))


async def test_an_unreachable_relay_is_tried_again_then_the_case_moves_on_and_someone_hears(
    bot: Bot, mailbox: Mailbox
) -> None:
    samira = email_of(bot, "citeslab_vaulx")
    mailbox.refuse.add(samira)
    bot.handoffs.config = type(bot.handoffs.config)(coordinator_email=COORDINATOR)
    resident = Chat(bot.handle)
    await intake(resident)
    [row] = await attempts(bot)
    assert row.status == "offered"  # not reached yet: tried again later
    await wait_out_retries(bot, Later())

    first, second = await attempts(bot)
    assert first.status == "unreachable" and second.status == "notified"
    assert mailbox.to(email_of(bot, second.relay_id))  # the next relay has the case
    [alert] = mailbox.to(COORDINATOR)
    assert "T-ALERT-UNREACHABLE Samira" in alert.get_content()
    await resident.say("du nouveau ?")
    assert resident.said("Samira ne peut pas prendre ton dossier")
    assert not resident.said("T-ARRIVED Samira")  # never told it reached her
    [lead] = await export_leads(bot.engine, bot.cipher)
    assert resident.said(f"T-ARRIVED {lead['relay_name'].split(',')[0]}")


async def test_when_nobody_can_be_reached_the_resident_is_told_and_the_coordinator_alerted(
    bot: Bot, mailbox: Mailbox
) -> None:
    mailbox.refuse.update(str(r.contact.email) for r in bot.handoffs.relays.values())
    bot.handoffs.config = type(bot.handoffs.config)(coordinator_email=COORDINATOR)
    resident = Chat(bot.handle)
    await intake(resident)
    await wait_out_retries(bot, Later())
    assert all(row.status == "unreachable" for row in await attempts(bot))
    await resident.say("qui va m'appeler ?")
    assert resident.said("T-NOT-REACHED")
    assert resident.said("T-FAQ-NEXT-STUCK.")
    assert not resident.said("T-ARRIVED")
    alerts = [m.get_content() for m in mailbox.to(COORDINATOR)]
    assert any("T-ALERT-NO-RELAY" in text for text in alerts)
    dead = await bot.store.run(lambda c: queue.listing(c, queue.DEAD))
    assert {job.kind for job in dead} == {"case.notify"}  # each attempt, with its reason


@pytest.mark.parametrize("first", ["accept", "expire"])
async def test_acceptance_racing_expiry_gives_the_case_to_one_relay(bot: Bot, first: str) -> None:
    await intake(Chat(bot.handle))
    [row] = await attempts(bot)
    bot.handoffs.clock = lambda: datetime.now(UTC) + timedelta(days=10)  # past its deadline
    accept = bot.handoffs.actions.accept(row, "relay:citeslab_vaulx")
    expire = bot.handoffs.expire_due()
    racing = (accept, expire) if first == "accept" else (expire, accept)
    await asyncio.gather(*racing)
    await bot.drainer.settle()
    rows = await attempts(bot)
    assert sum(r.status in store.OPEN for r in rows) == 1
    statuses = [r.status for r in rows]
    assert statuses in (["accepted"], ["expired", "notified"])


async def test_two_sweeps_at_once_move_a_case_on_once(bot: Bot) -> None:
    await intake(Chat(bot.handle))
    bot.handoffs.clock = lambda: datetime.now(UTC) + timedelta(days=10)
    counts = await asyncio.gather(bot.handoffs.expire_due(), bot.handoffs.expire_due())
    await bot.drainer.settle()
    assert sorted(counts) == [0, 1]
    assert [r.status for r in await attempts(bot)] == ["expired", "notified"]


async def test_the_database_refuses_a_second_open_attempt_for_one_case(bot: Bot) -> None:
    await intake(Chat(bot.handle))
    [row] = await attempts(bot)

    def offer_again(connection: object) -> None:
        store.create(
            connection,  # type: ignore[arg-type]
            lead_id=row.lead_id,
            conversation_id=row.conversation_id,
            channel=row.channel,
            relay_id="bge_lyon",
            attempt=2,
            due_at=None,
        )

    with pytest.raises(IntegrityError):
        await bot.store.run(offer_again)
