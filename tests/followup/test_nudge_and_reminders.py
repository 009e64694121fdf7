"""The nudge of an intake left (once, with the contact consent), relays' reminders before a
case moves on, Monday's digest, and « j'ai besoin d'aide » reaching the coordinator."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from bot.app.bot import Bot
from bot.domain import jobs as kinds
from bot.domain.messages import Outbound
from bot.handoff.notify import WebhookNotifier
from bot.store import jobs as queue
from bot.store.leads import export_leads
from tests.channels.intake import answer_up_to_consent
from tests.followup.helpers import PARIS, Clock, Resident, hold, job_of, jobs, paris, run_at
from tests.handoff.fakes import RecordingMessenger, act, give_chat, relay_says
from tests.handoff.test_lifecycle import button, intake
from tests.handoff.test_notify import FakeDns, only_case_id, webhook_relay
from tests.mailbox import Mailbox

VAULX = "100"
COORDINATOR = "coordination@example.org"


class Pushes:
    """A resident's channel that can write first (Telegram): what it was asked to push."""

    def __init__(self) -> None:
        self.pushed: list[tuple[str, str, str]] = []

    async def deliver(self, address: str, replies: Sequence[Outbound]) -> Sequence[str | None]:
        return ["x" for _ in replies]

    async def push(
        self,
        user_ref: str,
        outbound: Outbound,
        *,
        purpose: str = "contact",
        values: Mapping[str, str] | None = None,
    ) -> bool:
        self.pushed.append((user_ref, purpose, outbound.text))
        return True

    def texts(self) -> list[str]:
        return [text for _, _, text in self.pushed]


@pytest.fixture
def pushes(bot: Bot) -> Pushes:
    fake = Pushes()
    assert bot.followups is not None
    bot.followups.checkins.senders = {"telegram": fake}
    return fake


@pytest.fixture
def messenger(bot: Bot) -> RecordingMessenger:
    fake = RecordingMessenger()
    bot.handoffs.senders["telegram"] = fake
    give_chat(bot, "citeslab_vaulx", VAULX)
    return fake


async def test_an_intake_left_after_the_contact_consent_is_nudged_once_two_days_later(
    bot: Bot, pushes: Pushes
) -> None:
    clock = hold(bot, Clock())
    chat = Resident(bot, clock, user="tg-1", channel="telegram")
    await chat.say("salut")
    await answer_up_to_consent(chat)
    await chat.choose("yes")  # contact kept; then the person leaves
    nudge = await job_of(bot, kinds.CHECKIN_NUDGE)
    assert paris(nudge.run_at) == datetime(2030, 1, 10, 10, 0, tzinfo=PARIS)
    await run_at(bot, clock, nudge.run_at - timedelta(minutes=1))
    assert pushes.pushed == []
    await run_at(bot, clock, nudge.run_at)
    assert any("T-NUDGE." in text for text in pushes.texts())
    assert {purpose for _, purpose, _ in pushes.pushed} == {"followup"}
    await run_at(bot, clock, nudge.run_at + timedelta(days=10))
    assert sum("T-NUDGE." in text for text in pushes.texts()) == 1  # never more
    assert [j.kind for j in await jobs(bot) if j.kind.startswith("checkin.")] == []


async def test_no_nudge_without_the_contact_consent_nor_after_the_intake_ends(
    bot: Bot, pushes: Pushes
) -> None:
    clock = hold(bot, Clock())
    left = Resident(bot, clock, user="tg-2", channel="telegram")
    await left.say("salut")
    await answer_up_to_consent(left)
    await left.choose("no")
    finished = Resident(bot, clock, user="tg-3", channel="telegram")
    await intake(finished)
    await run_at(bot, clock, clock.now + timedelta(days=3))
    assert not any("T-NUDGE." in text for text in pushes.texts())
    nudges = [j for j in await jobs(bot, None) if j.kind == kinds.CHECKIN_NUDGE]
    assert [j.status for j in nudges] == [queue.CANCELLED]  # the finished intake's


async def test_a_relay_is_reminded_halfway_then_taking_the_case_stops_the_last_reminder(
    bot: Bot, messenger: RecordingMessenger
) -> None:
    clock = hold(bot, Clock())
    await intake(Resident(bot, clock))
    [card] = messenger.to(VAULX)
    half, last = sorted(
        (j for j in await jobs(bot) if j.kind == kinds.RELAY_REMINDER), key=lambda j: j.run_at
    )
    assert half.key.endswith(":half") and last.key.endswith(":last")
    await run_at(bot, clock, half.run_at)
    reminder = messenger.to(VAULX)[-1]
    assert reminder.text.startswith("T-REMIND-HALF")
    assert [b.payload for b in reminder.buttons] == [b.payload for b in card.buttons]
    await act(bot, relay_says("citeslab_vaulx", VAULX, payload=button(card, "accept")))
    assert (await job_of(bot, kinds.RELAY_REMINDER, queue.CANCELLED)).key.endswith(":last")
    await run_at(bot, clock, last.run_at)
    assert not any(m.text.startswith("T-REMIND-LAST") for m in messenger.to(VAULX))


async def test_a_webhook_relay_is_reminded_under_the_case_reference_of_its_offer(
    bot: Bot,
) -> None:
    received: list[dict[str, Any]] = []

    def relay_system(request: httpx.Request) -> httpx.Response:
        received.append(json.loads(request.read()))
        return httpx.Response(200)

    client = httpx.AsyncClient(transport=httpx.MockTransport(relay_system))
    dns = FakeDns({"relay.example.org": ["93.184.215.14"]})
    secrets = {"citeslab_vaulx": "s3cret"}
    bot.handoffs.webhook = WebhookNotifier(client, secrets, first_wait=0, resolver=dns)
    webhook_relay(bot, "https://relay.example.org/hook")
    clock = hold(bot, Clock())
    await intake(Resident(bot, clock))
    half = min(
        (j for j in await jobs(bot) if j.kind == kinds.RELAY_REMINDER), key=lambda j: j.run_at
    )
    await run_at(bot, clock, half.run_at)
    await client.aclose()
    offered, reminder = received[0], received[-1]
    assert offered["type"] == "case.offered" and reminder["type"] == "case.reminder"
    assert reminder["case_ref"] == offered["case_ref"]  # the relay's system knows the case
    case_id = await only_case_id(bot)
    assert case_id not in json.dumps(reminder)  # never the case's own id
    assert reminder["due_at"]


async def test_each_monday_a_relay_gets_its_open_cases(
    bot: Bot, messenger: RecordingMessenger
) -> None:
    clock = hold(bot, Clock())
    await intake(Resident(bot, clock))
    monday = datetime(2030, 1, 14, 9, 0, tzinfo=PARIS)
    digest = await job_of(bot, kinds.RELAY_DIGEST)
    assert paris(digest.run_at) == monday
    await run_at(bot, clock, monday)
    [sent] = [m for m in messenger.to(VAULX) if m.text.startswith("T-DIGEST")]
    assert sent.text.startswith("T-DIGEST 1:") and "T-DIGEST-FOOTER." in sent.text
    assert paris((await job_of(bot, kinds.RELAY_DIGEST)).run_at) == monday + timedelta(days=7)


async def test_asking_for_help_at_j30_alerts_the_coordinator(bot: Bot, mailbox: Mailbox) -> None:
    clock = hold(bot, Clock())
    bot.handoffs.config = type(bot.handoffs.config)(coordinator_email=COORDINATOR)
    chat = Resident(bot, clock)
    await intake(chat)
    await run_at(bot, clock, (await job_of(bot, kinds.CHECKIN_PROGRESS)).run_at)
    await chat.say("salut")
    assert chat.said("T-PROGRESS?")
    await chat.say("j'ai besoin d'aide")
    assert chat.said("T-PROGRESS-HELP.")
    [alert] = [m for m in mailbox.to(COORDINATOR) if "T-ALERT-HELP" in m.get_content()]
    assert "Samira" in alert.get_content()


async def test_a_case_closed_by_its_relay_is_not_checked_nor_reminded(
    bot: Bot, messenger: RecordingMessenger
) -> None:
    clock = hold(bot, Clock())
    chat = Resident(bot, clock)
    await intake(chat)
    [card] = messenger.to(VAULX)
    await act(bot, relay_says("citeslab_vaulx", VAULX, payload=button(card, "accept")))
    [lead] = await export_leads(bot.engine, bot.cipher)
    ref = lead["lead_id"][:6]
    closed = await act(bot, relay_says("citeslab_vaulx", VAULX, f"/clore {ref} rencontre"))
    assert "clôturé" in closed[0].text
    cancelled = {j.kind for j in await jobs(bot, queue.CANCELLED)}
    assert {kinds.CHECKIN_CONTACTED, kinds.RELAY_REMINDER} <= cancelled
    pending = {j.kind for j in await jobs(bot)}
    assert {kinds.CHECKIN_PROGRESS, kinds.CHECKIN_OUTCOME} <= pending  # still worth asking
    assert kinds.CHECKIN_CONTACTED not in pending and kinds.RELAY_REMINDER not in pending
