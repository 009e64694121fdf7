"""Check-ins on a fake clock: at the right time, only with consent, never at night, on a
Sunday or a public holiday, cancelled by STOP and erasure, once across restarts and workers."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection

from bot.app.bot import Bot
from bot.app.build import start_bot
from bot.app.settings import Settings
from bot.cli import main
from bot.domain import jobs as kinds
from bot.domain.understanding import NLU
from bot.handoff.calendar import add_working_days
from bot.store import jobs as queue
from bot.store.followups import followup_events
from bot.store.leads import export_leads
from bot.store.turns import consents
from tests.channels.intake import answer_up_to_consent
from tests.followup.helpers import (
    PARIS,
    START,
    Clock,
    Resident,
    hold,
    job_of,
    jobs,
    paris,
    run_at,
)
from tests.handoff.test_lifecycle import intake


async def test_check_ins_are_planned_when_the_case_reaches_its_relay(bot: Bot) -> None:
    clock = hold(bot, Clock())
    await intake(Resident(bot, clock))
    contacted = await job_of(bot, kinds.CHECKIN_CONTACTED)
    progress = await job_of(bot, kinds.CHECKIN_PROGRESS)
    outcome = await job_of(bot, kinds.CHECKIN_OUTCOME)
    # Tuesday 10h: 3 working days later is Friday 10h; 30 and 90 days, same hour.
    assert paris(contacted.run_at) == datetime(2030, 1, 11, 10, 0, tzinfo=PARIS)
    assert paris(progress.run_at) == datetime(2030, 2, 7, 10, 0, tzinfo=PARIS)
    assert paris(outcome.run_at) == datetime(2030, 4, 8, 10, 0, tzinfo=PARIS)
    assert not [j for j in await jobs(bot, queue.DONE) if j.kind.startswith("checkin.")]


async def test_the_question_comes_at_its_time_and_waits_for_a_rest_resident(bot: Bot) -> None:
    clock = hold(bot, Clock())
    chat = Resident(bot, clock)
    await intake(chat)
    due = (await job_of(bot, kinds.CHECKIN_CONTACTED)).run_at
    await run_at(bot, clock, due - timedelta(minutes=1))
    await chat.say("coucou")
    assert not chat.said("T-CONTACTED")
    await run_at(bot, clock, due)
    assert (await job_of(bot, kinds.CHECKIN_CONTACTED, queue.DONE)).attempts == 1
    await chat.say("bonjour")  # REST: kept until the resident writes
    assert chat.said("T-CONTACTED Samira?")
    await chat.say("oui il m'a appele")
    assert chat.said("T-CONTACTED-YES Samira.")
    [lead] = await export_leads(bot.engine, bot.cipher)
    answers = [c for c in lead["checkins"] if c["event"] == "answered"]
    assert [(c["kind"], c["answer"]) for c in answers] == [("contacted", "yes")]


async def test_no_check_in_without_the_contact_consent(bot: Bot) -> None:
    clock = hold(bot, Clock())
    chat = Resident(bot, clock)
    await chat.say("salut")
    await answer_up_to_consent(chat)
    await chat.choose("no")  # nothing kept: no lead, no contact, nothing planned
    assert [j for j in await jobs(bot, None) if j.kind.startswith("checkin.")] == []


async def test_a_follow_up_consent_withdrawn_after_planning_is_never_asked(bot: Bot) -> None:
    clock = hold(bot, Clock())
    chat = Resident(bot, clock)
    await intake(chat)

    def withdraw(connection: Connection) -> None:  # the consent is checked when sending
        given = connection.execute(select(consents).where(consents.c.purpose == "contact")).one()
        values = {k: v for k, v in given._mapping.items() if k != "id"}
        values.update(purpose="followup", kind="withdrawal", granted=False)
        connection.execute(insert(consents).values(**values))

    await bot.store.run(withdraw)
    await run_at(bot, clock, START + timedelta(days=100))
    await chat.say("bonjour")
    assert not chat.said("T-CONTACTED") and not chat.said("T-OUTCOME")
    [lead] = await export_leads(bot.engine, bot.cipher)
    assert lead["checkins"] == []


async def test_stop_cancels_every_check_in(bot: Bot) -> None:
    clock = hold(bot, Clock())
    chat = Resident(bot, clock)
    await intake(chat)
    assert len([j for j in await jobs(bot) if j.kind.startswith("checkin.")]) == 3
    await chat.say("stop")
    assert chat.said("T-STOP.")
    assert [j for j in await jobs(bot) if j.kind.startswith("checkin.")] == []
    cancelled = {j.kind for j in await jobs(bot, queue.CANCELLED)}
    assert set(kinds.CHECKINS) - {kinds.CHECKIN_NUDGE} <= cancelled
    await run_at(bot, clock, START + timedelta(days=100))
    [lead] = await export_leads(bot.engine, bot.cipher)
    assert lead["checkins"] == []


async def test_erasure_cancels_every_check_in_and_forgets_the_answers(bot: Bot) -> None:
    clock = hold(bot, Clock())
    chat = Resident(bot, clock)
    await intake(chat)
    await run_at(bot, clock, (await job_of(bot, kinds.CHECKIN_CONTACTED)).run_at)
    await chat.say("bonjour")
    await chat.say("oui il m'a appele")
    await chat.say("supprimer mes données")
    await chat.press("T-Erase")
    assert chat.said("T-ERASED.")
    assert [j for j in await jobs(bot) if j.kind.startswith("checkin.")] == []
    await run_at(bot, clock, START + timedelta(days=100))
    assert await export_leads(bot.engine, bot.cipher) == []

    def events(connection: Connection) -> int:
        return int(connection.execute(select(func.count()).select_from(followup_events)).scalar())

    assert await bot.store.run(events) == 0


async def test_quiet_hours_sundays_and_public_holidays_wait_for_the_next_allowed_hour(
    bot: Bot,
) -> None:
    # 1 May 2030 (a Wednesday) is a public holiday: a case notified on Monday 29 April
    # at 19h30 is checked three working days later (Tue 30, Thu 2, Fri 3), at 19h30.
    clock = hold(bot, Clock(datetime(2030, 4, 29, 19, 30, tzinfo=PARIS)))
    chat = Resident(bot, clock)
    await intake(chat)
    contacted = await job_of(bot, kinds.CHECKIN_CONTACTED)
    expected = add_working_days(clock.now, 3)
    assert paris(contacted.run_at) == paris(expected)
    assert paris(expected) == datetime(2030, 5, 3, 19, 30, tzinfo=PARIS)
    # A try that comes at night (a worker was down all day) waits for 9h, uncounted.
    night = datetime(2030, 5, 3, 21, 15, tzinfo=PARIS)
    await run_at(bot, clock, night)
    waiting = await job_of(bot, kinds.CHECKIN_CONTACTED)
    assert paris(waiting.run_at) == datetime(2030, 5, 4, 9, 0, tzinfo=PARIS)  # Saturday 9h
    assert waiting.attempts == 0
    # Nobody ran it on Saturday; on Sunday nothing goes either: Monday 9h.
    await run_at(bot, clock, datetime(2030, 5, 5, 10, 0, tzinfo=PARIS))
    waiting = await job_of(bot, kinds.CHECKIN_CONTACTED)
    assert paris(waiting.run_at) == datetime(2030, 5, 6, 9, 0, tzinfo=PARIS)
    await chat.say("bonjour")
    assert not chat.said("T-CONTACTED")
    await run_at(bot, clock, datetime(2030, 5, 6, 9, 0, tzinfo=PARIS))
    assert (await job_of(bot, kinds.CHECKIN_CONTACTED, queue.DONE)).attempts == 1
    await chat.say("bonjour")
    assert chat.said("T-CONTACTED Samira?")


async def test_a_sunday_night_try_waits_for_monday_morning(bot: Bot) -> None:
    clock = hold(bot, Clock())
    chat = Resident(bot, clock)
    await intake(chat)
    sunday = datetime(2030, 1, 13, 12, 0, tzinfo=PARIS)
    await run_at(bot, clock, sunday)
    waiting = await job_of(bot, kinds.CHECKIN_CONTACTED)
    assert paris(waiting.run_at) == datetime(2030, 1, 14, 9, 0, tzinfo=PARIS)
    await chat.say("bonjour")
    assert not chat.said("T-CONTACTED")


async def test_a_restart_between_planning_and_sending_loses_nothing_and_asks_once(
    settings: Settings, nlu: NLU | None
) -> None:
    first = await start_bot(settings, nlu=nlu, migrate=False)
    clock = hold(first, Clock())
    await intake(Resident(first, clock, user="web-nadia"))
    due = (await job_of(first, kinds.CHECKIN_CONTACTED)).run_at
    await first.close()  # planned, not sent: the worker goes

    second = await start_bot(settings, nlu=nlu, migrate=False)
    try:
        hold(second, clock)
        await run_at(second, clock, due)
        await run_at(second, clock, due + timedelta(hours=1))  # nothing runs twice
        chat = Resident(second, clock, user="web-nadia")
        await chat.say("bonjour")
        assert chat.said("T-CONTACTED Samira?")
        assert chat.transcript.count("bot: T-CONTACTED Samira?") == 1
        [lead] = await export_leads(second.engine, second.cipher)
        asked = [c for c in lead["checkins"] if c["event"] == "asked"]
        assert [c["kind"] for c in asked] == ["contacted"]
    finally:
        await second.close()


async def test_a_worker_dying_after_asking_does_not_ask_twice(bot: Bot) -> None:
    clock = hold(bot, Clock())
    chat = Resident(bot, clock)
    await intake(chat)
    due = (await job_of(bot, kinds.CHECKIN_CONTACTED)).run_at
    await run_at(bot, clock, due - timedelta(minutes=1))  # the relay's reminders went
    clock.now = due
    [claimed] = await bot.store.run(
        lambda c: queue.claim(c, due, limit=1, lease_seconds=60)
    )  # a worker took it...
    assert claimed.kind == kinds.CHECKIN_CONTACTED
    handler = bot.drainer.handlers[claimed.kind]
    await handler.run(claimed)  # ...asked, and died before marking the job done
    await run_at(bot, clock, due + timedelta(minutes=5))  # its lease runs out: tried again
    await chat.say("bonjour")
    assert chat.said("T-CONTACTED Samira?")
    [lead] = await export_leads(bot.engine, bot.cipher)
    assert [c["kind"] for c in lead["checkins"] if c["event"] == "asked"] == ["contacted"]


async def test_two_workers_ask_once(settings: Settings, nlu: NLU | None) -> None:
    one = await start_bot(settings, nlu=nlu, migrate=False)
    two = await start_bot(settings, nlu=nlu, migrate=False)
    try:
        clock = Clock()
        hold(one, clock)
        hold(two, clock)
        chats = [Resident(one, clock, user=f"web-{i}") for i in range(3)]
        for chat in chats:
            await intake(chat)
        clock.now = clock.now + timedelta(days=4)
        await asyncio.gather(one.drainer.settle(), two.drainer.settle())
        done = [j for j in await jobs(one, queue.DONE) if j.kind == kinds.CHECKIN_CONTACTED]
        assert len(done) == 3 and all(j.attempts == 1 for j in done)
        for chat in chats:
            await chat.say("bonjour")
            assert chat.said("T-CONTACTED Samira?")
        leads = await export_leads(one.engine, one.cipher)
        for lead in leads:
            assert [c["kind"] for c in lead["checkins"]] == ["contacted"]
    finally:
        await one.close()
        await two.close()


async def test_bot_followups_counts_the_questions_and_the_answers(
    bot: Bot,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    clock = hold(bot, Clock())
    chat = Resident(bot, clock)
    await intake(chat)
    await run_at(bot, clock, (await job_of(bot, kinds.CHECKIN_CONTACTED)).run_at)
    await chat.say("bonjour")
    await chat.say("pas encore")
    monkeypatch.setenv("BOT_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("BOT_SECRET_KEY", str(settings.secret_key))
    monkeypatch.setenv("BOT_RUNTIME_DIR", str(settings.runtime_dir))
    keys = json.dumps(settings.privacy.encryption_keys)
    monkeypatch.setenv("BOT_PRIVACY__ENCRYPTION_KEYS", keys)
    assert await asyncio.to_thread(main, ["followups"]) == 0
    out = capsys.readouterr().out
    assert "contactée ? (J+3) : 1 posée(s), 1 réponse(s) (no 1)" in out
    assert "résultat (J+90) : 0 posée(s), 0 réponse(s)" in out
