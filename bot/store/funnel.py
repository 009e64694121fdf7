"""The funnel of the coordinators' dashboard, counted from what is already stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, TableValuedAlias, distinct, false, func, or_, select, true
from sqlalchemy.engine import Connection

from bot.domain.messages import TRIAL_SOURCE
from bot.store.followups import followup_events
from bot.store.handoffs import WAITING, handoff_events, handoffs
from bot.store.turns import conversations, leads

# Steps of a case after the intake, from the hand-off history (a lead counts once a step).
CASE_STEPS = ("notified", "accepted", "in_conversation", "closed")
TROUBLE = ("declined", "expired", "unreachable")


@dataclass(frozen=True, slots=True)
class Filters:
    """Which cases count: a department, a source, a channel, a period (``until`` excluded)."""

    department: str | None = None
    source: str | None = None
    channel: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    # A coordinator limited to territories: departments and cases of relays (both empty:
    # every territory).
    scope_departments: tuple[str, ...] = ()
    scope_relays: tuple[str, ...] = ()

    @property
    def scoped(self) -> bool:
        """Limited to a coordinator's territories."""
        return bool(self.scope_departments or self.scope_relays)

    @property
    def territorial(self) -> bool:
        """Filters that only leads know (conversations have no territory or source)."""
        return bool(self.department or self.source or self.scoped)


def in_scope(departments: tuple[str, ...], relays: tuple[str, ...]) -> ColumnElement[bool]:
    """Leads of ``departments`` (by postal code) or handled by ``relays``."""
    # Corsica's departments (2A, 2B) share the postal codes 20xxx.
    prefixes = {"20" if d in ("2A", "2B") else d for d in departments}
    matches: list[ColumnElement[bool]] = [
        leads.c.postal_code.like(f"{prefix}%") for prefix in sorted(prefixes)
    ]
    if relays:
        matches.append(leads.c.relay_id.in_(relays))
    return or_(*matches) if matches else false()


@dataclass(frozen=True, slots=True)
class Funnel:
    """People at each step, and cases waiting or in trouble (raw counts: suppress to show)."""

    started: int | None  # None: not known for a territory or source
    answered: dict[str, int]  # per counted question (``flow.step``); empty when not known
    leads: int
    maturity: dict[str, int]  # leads per maturity level (pépites...), when the lead has one
    steps: dict[str, int]
    outcomes: dict[str, int]
    waiting: int
    late: int
    trouble: dict[str, int]
    # Residents' answers to the follow-ups, per (follow-up, answer); one person counts once.
    checkins: dict[tuple[str, str], int] = field(default_factory=dict)


def _lead_filter(filters: Filters) -> list[ColumnElement[bool]]:
    # Coordinators' trials of the bot (``/flows/essai``) are never counted.
    where: list[ColumnElement[bool]] = [
        or_(leads.c.source.is_(None), leads.c.source != TRIAL_SOURCE)
    ]
    if filters.department:
        where.append(leads.c.postal_code.like(f"{filters.department}%"))
    if filters.scoped:
        where.append(in_scope(filters.scope_departments, filters.scope_relays))
    if filters.source:
        where.append(leads.c.source == filters.source)
    if filters.channel:
        where.append(leads.c.channel == filters.channel)
    if filters.since:
        where.append(leads.c.created_at >= filters.since)
    if filters.until:
        where.append(leads.c.created_at < filters.until)
    return where


def _asked(connection: Connection) -> TableValuedAlias:
    """The keys of ``state.asked``, one row each, beside their conversation (lateral)."""
    if connection.dialect.name == "postgresql":
        keys = func.jsonb_array_elements_text(conversations.c.state["asked"])
    else:
        keys = func.json_each(conversations.c.state, "$.asked")
    return keys.table_valued("value").alias("asked")


def funnel(connection: Connection, filters: Filters, moment: datetime) -> Funnel:
    """The funnel for ``filters``, with what is waiting at ``moment``."""
    where = _lead_filter(filters)
    started: int | None = None
    answered: dict[str, int] = {}
    if not filters.territorial:
        conditions: list[ColumnElement[bool]] = [
            or_(conversations.c.source.is_(None), conversations.c.source != TRIAL_SOURCE)
        ]
        if filters.channel:
            conditions.append(conversations.c.channel == filters.channel)
        if filters.since:
            conditions.append(conversations.c.created_at >= filters.since)
        if filters.until:
            conditions.append(conversations.c.created_at < filters.until)
        started = int(
            connection.execute(
                select(func.count()).select_from(conversations).where(*conditions)
            ).scalar_one()
        )
        # The questions each person answered, kept in the clear part of their state.
        asked = _asked(connection)
        answered = dict(
            connection.execute(
                select(asked.c.value, func.count())  # a question is asked once a person
                .select_from(conversations)
                .join(asked, true())
                .where(*conditions)
                .group_by(asked.c.value)
            ).all()
        )
    total = int(
        connection.execute(select(func.count()).select_from(leads).where(*where)).scalar_one()
    )
    level = leads.c.details["maturity"].as_string()
    maturity: dict[str | None, int] = dict(
        connection.execute(
            select(level, func.count()).where(*where, level.is_not(None)).group_by(level)
        ).all()
    )
    joined = handoff_events.join(leads, leads.c.id == handoff_events.c.lead_id)
    by_status: dict[str, int] = dict(
        connection.execute(
            select(handoff_events.c.status, func.count(distinct(handoff_events.c.lead_id)))
            .select_from(joined)
            .where(*where)
            .group_by(handoff_events.c.status)
        ).all()
    )
    outcomes: dict[str | None, int] = dict(
        connection.execute(
            select(handoff_events.c.detail, func.count(distinct(handoff_events.c.lead_id)))
            .select_from(joined)
            .where(handoff_events.c.status == "closed", *where)
            .group_by(handoff_events.c.detail)
        ).all()
    )
    answered_on = followup_events.join(
        leads, leads.c.conversation_id == followup_events.c.conversation_id
    )
    checkins = connection.execute(
        select(
            followup_events.c.kind,
            followup_events.c.answer,
            func.count(distinct(followup_events.c.conversation_id)),
        )
        .select_from(answered_on)
        .where(followup_events.c.answer.is_not(None), *where)
        .group_by(followup_events.c.kind, followup_events.c.answer)
    ).all()
    open_cases = handoffs.join(leads, leads.c.id == handoffs.c.lead_id)
    waiting_where = [handoffs.c.status.in_(WAITING), *where]
    waiting = int(
        connection.execute(
            select(func.count()).select_from(open_cases).where(*waiting_where)
        ).scalar_one()
    )
    late = int(
        connection.execute(
            select(func.count())
            .select_from(open_cases)
            .where(*waiting_where, handoffs.c.due_at < moment)
        ).scalar_one()
    )
    return Funnel(
        started=started,
        answered={str(key): int(count) for key, count in answered.items()},
        leads=total,
        maturity={str(key): int(count) for key, count in maturity.items() if key},
        steps={step: int(by_status.get(step, 0)) for step in CASE_STEPS},
        outcomes={str(key): int(count) for key, count in outcomes.items() if key},
        waiting=waiting,
        late=late,
        trouble={step: int(by_status.get(step, 0)) for step in TROUBLE},
        checkins={(str(kind), str(answer)): int(n) for kind, answer, n in checkins},
    )


def sources(connection: Connection, filters: Filters | None = None) -> list[str]:
    """Every source leads came by (for the filter), within the coordinator's territories."""
    where = [leads.c.source.is_not(None), leads.c.source != TRIAL_SOURCE]
    if filters is not None and filters.scoped:
        where.append(in_scope(filters.scope_departments, filters.scope_relays))
    rows = connection.execute(
        select(leads.c.source).distinct().where(*where).order_by(leads.c.source)
    )
    return [str(row[0]) for row in rows]
