"""Follow-ups asked and answered, by conversation: the lead export and the figures read them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from bot.store.models import FollowupEvent
from bot.store.turns import now

followup_events = cast(Table, FollowupEvent.__table__)

OUTCOME = "outcome"

_ASKED_SQLITE, _ASKED_PG = (
    dialect.insert(followup_events)
    .on_conflict_do_nothing(index_elements=["ref"])
    .returning(followup_events.c.id)
    for dialect in (sqlite, postgresql)
)


def record_asked(
    connection: Connection, conversation_id: str, kind: str, ref: str, at: datetime | None = None
) -> bool:
    """A follow-up was put to the person; ``False`` when ``ref`` asked it already."""
    insert_asked = _ASKED_PG if connection.dialect.name == "postgresql" else _ASKED_SQLITE
    row = connection.execute(
        insert_asked.values(
            conversation_id=conversation_id, kind=kind, answer=None, ref=ref[:160], at=at or now()
        )
    ).first()
    return row is not None


def asked_before(connection: Connection, ref: str) -> bool:
    """Was the follow-up of job ``ref`` put to the person already (a try before a crash)?"""
    found = connection.execute(
        select(followup_events.c.id).where(followup_events.c.ref == ref[:160])
    ).first()
    return found is not None


def record_answer(connection: Connection, conversation_id: str, kind: str, answer: str) -> None:
    """The person answered a follow-up's question."""
    connection.execute(
        insert(followup_events).values(
            conversation_id=conversation_id, kind=kind, answer=answer[:40], ref=None, at=now()
        )
    )


def ever_asked(connection: Connection, conversation_id: str, kind: str) -> bool:
    """Was this follow-up ever put to the person (a nudge comes once, never more)?"""
    found = connection.execute(
        select(followup_events.c.id).where(
            followup_events.c.conversation_id == conversation_id,
            followup_events.c.kind == kind,
            followup_events.c.answer.is_(None),
        )
    ).first()
    return found is not None


def forget(connection: Connection, conversation_id: str) -> None:
    """Erasure: nothing of the person's follow-ups is kept."""
    connection.execute(
        delete(followup_events).where(followup_events.c.conversation_id == conversation_id)
    )


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def for_export(
    connection: Connection, conversation_ids: Iterable[str]
) -> dict[str, dict[str, Any]]:
    """Per conversation: ``checkins`` (each asked and answered, in order) and the latest
    ``outcome`` with its date."""
    wanted = list(conversation_ids)
    found: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"checkins": [], "outcome": None, "outcome_at": None}
    )
    if not wanted:
        return found
    rows = connection.execute(
        select(followup_events)
        .where(followup_events.c.conversation_id.in_(wanted))
        .order_by(followup_events.c.id)
    )
    for row in rows:
        item = found[row.conversation_id]
        item["checkins"].append(
            {
                "kind": row.kind,
                "event": "asked" if row.answer is None else "answered",
                "answer": row.answer,
                "at": _iso(row.at),
            }
        )
        if row.kind == OUTCOME and row.answer is not None:
            item["outcome"], item["outcome_at"] = row.answer, _iso(row.at)
    return found


@dataclass(frozen=True, slots=True)
class FollowupFigures:
    """How many follow-ups were asked and answered, and what people answered."""

    asked: dict[str, int]
    answered: dict[str, int]
    answers: dict[str, dict[str, int]]


def figures(connection: Connection) -> FollowupFigures:
    """Counts per follow-up (a person answering twice counts twice)."""
    asked: dict[str, int] = {}
    answered: dict[str, int] = {}
    answers: dict[str, dict[str, int]] = defaultdict(dict)
    rows = connection.execute(
        select(followup_events.c.kind, followup_events.c.answer, func.count()).group_by(
            followup_events.c.kind, followup_events.c.answer
        )
    )
    for kind, answer, count in rows:
        if answer is None:
            asked[kind] = asked.get(kind, 0) + int(count)
        else:
            answered[kind] = answered.get(kind, 0) + int(count)
            answers[kind][answer] = int(count)
    return FollowupFigures(asked, answered, dict(answers))
