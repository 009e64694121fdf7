"""What the web app keeps: used sign-in links, and the thread of each case."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from bot.domain.cipher import FieldCipher
from bot.store.funnel import in_scope
from bot.store.handoffs import OPEN, HandoffRow, as_row, handoffs
from bot.store.models import CaseMessage, UsedSignIn
from bot.store.turns import leads, now

used_sign_ins = cast(Table, UsedSignIn.__table__)
case_messages = cast(Table, CaseMessage.__table__)

_USE_SQLITE, _USE_PG = (
    dialect.insert(used_sign_ins)
    .on_conflict_do_nothing(index_elements=["token_id"])
    .returning(used_sign_ins.c.token_id)
    for dialect in (sqlite, postgresql)
)
_SAY_SQLITE, _SAY_PG = (
    dialect.insert(case_messages).on_conflict_do_nothing(index_elements=["key"])
    for dialect in (sqlite, postgresql)
)


def use_sign_in(connection: Connection, token_id: str, expires_at: datetime) -> bool:
    """Mark a sign-in link used; ``False`` when it already was (by any worker)."""
    statement = _USE_PG if connection.dialect.name == "postgresql" else _USE_SQLITE
    stamp = now()
    # Links past their expiry are refused by their signature: their rows can go.
    connection.execute(delete(used_sign_ins).where(used_sign_ins.c.expires_at < stamp))
    found = connection.execute(
        statement, {"token_id": token_id, "used_at": stamp, "expires_at": expires_at}
    ).first()
    return found is not None


THREAD = ("relay", "resident")  # the authors of the thread; notes are "note"


def _signed_out(key: str) -> str:
    # A row of web_sign_ins per person signed out everywhere (no table of its own, so no
    # migration); sign-in links' ids never hold a colon.
    return "out:" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:28]


def sign_out_everywhere(connection: Connection, key: str, lasts: timedelta) -> None:
    """End every session of ``key`` opened until now. The row can go once the last of
    those sessions has expired (``lasts`` from now), with the used links."""
    stamp = now()
    token_id = _signed_out(key)
    connection.execute(delete(used_sign_ins).where(used_sign_ins.c.token_id == token_id))
    connection.execute(
        used_sign_ins.insert().values(token_id=token_id, used_at=stamp, expires_at=stamp + lasts)
    )


def signed_out_at(connection: Connection, key: str) -> datetime | None:
    """When ``key`` last signed out everywhere (sessions opened until then are over)."""
    found = connection.execute(
        select(used_sign_ins.c.used_at).where(used_sign_ins.c.token_id == _signed_out(key))
    ).scalar()
    return found if isinstance(found, datetime) else None


@dataclass(frozen=True, slots=True)
class ThreadMessage:
    """One message of a case's thread, in clear."""

    author: str  # "relay" or "resident"
    text: str
    at: datetime


def record_message(
    connection: Connection,
    cipher: FieldCipher,
    *,
    key: str,
    lead_id: str,
    conversation_id: str,
    relay_id: str,
    author: str,
    text: str,
) -> None:
    """Keep one message of the thread (once per ``key``), encrypted."""
    statement = _SAY_PG if connection.dialect.name == "postgresql" else _SAY_SQLITE
    connection.execute(
        statement,
        {
            "key": key[:80],
            "lead_id": lead_id,
            "conversation_id": conversation_id,
            "relay_id": relay_id,
            "author": author,
            "text": cipher.encrypt(text) or "",
            "at": now(),
        },
    )


def thread(
    connection: Connection, cipher: FieldCipher, lead_id: str, relay_id: str
) -> list[ThreadMessage]:
    """The messages between the resident of ``lead_id`` and ``relay_id``, oldest first."""
    rows = connection.execute(
        select(case_messages.c.author, case_messages.c.text, case_messages.c.at)
        .where(
            case_messages.c.lead_id == lead_id,
            case_messages.c.relay_id == relay_id,
            case_messages.c.author.in_(THREAD),  # never the staff's private notes
        )
        .order_by(case_messages.c.id)
    )
    return [ThreadMessage(row.author, cipher.decrypt(row.text) or "", row.at) for row in rows]


def forget_thread(connection: Connection, conversation_id: str) -> None:
    """Erase a resident's threads (with their case)."""
    connection.execute(
        delete(case_messages).where(case_messages.c.conversation_id == conversation_id)
    )


@dataclass(frozen=True, slots=True)
class RelayCase:
    """A case in a relay's list: the attempt, and what the list shows of the lead."""

    handoff: HandoffRow
    first_name: str | None
    commune: str | None
    created_at: datetime


SHOWN = (*OPEN, "closed")  # a case declined or expired went to someone else


def relay_cases(connection: Connection, cipher: FieldCipher, relay_id: str) -> list[RelayCase]:
    """The relay's cases (open and closed), newest first."""
    rows = connection.execute(
        select(handoffs, leads.c.first_name, leads.c.commune, leads.c.created_at.label("since"))
        .join(leads, leads.c.id == handoffs.c.lead_id)
        .where(handoffs.c.relay_id == relay_id, handoffs.c.status.in_(SHOWN))
        .order_by(handoffs.c.created_at.desc())
    )
    return [
        RelayCase(as_row(row), cipher.decrypt(row.first_name), row.commune, row.since)
        for row in rows
    ]


def relay_case(connection: Connection, lead_id: str, relay_id: str) -> HandoffRow | None:
    """The relay's latest attempt on ``lead_id`` they may see, or ``None``."""
    row = connection.execute(
        select(handoffs)
        .where(
            handoffs.c.lead_id == lead_id,
            handoffs.c.relay_id == relay_id,
            handoffs.c.status.in_(SHOWN),
        )
        .order_by(handoffs.c.created_at.desc())
        .limit(1)
    ).first()
    return as_row(row) if row else None


def latest_case(connection: Connection, lead_id: str) -> HandoffRow | None:
    """The latest attempt on ``lead_id``, whatever its status (the coordination's view)."""
    row = connection.execute(
        select(handoffs)
        .where(handoffs.c.lead_id == lead_id)
        .order_by(handoffs.c.created_at.desc(), handoffs.c.attempt.desc())
        .limit(1)
    ).first()
    return as_row(row) if row else None


def lead_in_scope(
    connection: Connection, lead_id: str, departments: tuple[str, ...], relays: tuple[str, ...]
) -> bool:
    """Is ``lead_id`` in a coordinator's territories?"""
    found = connection.execute(
        select(leads.c.id).where(leads.c.id == lead_id, in_scope(departments, relays))
    ).first()
    return found is not None


@dataclass(frozen=True, slots=True)
class CoordinatedCase:
    """A case in the coordination's list: no name, where and how it stands."""

    lead_id: str
    commune: str | None
    postal_code: str | None
    status: str
    relay_name: str | None
    created_at: datetime


def coordination_cases(
    connection: Connection,
    departments: tuple[str, ...] = (),
    relays: tuple[str, ...] = (),
    *,
    limit: int = 200,
) -> list[CoordinatedCase]:
    """The latest cases, newest first, in the territories given (none given: all)."""
    query = select(
        leads.c.id, leads.c.commune, leads.c.postal_code, leads.c.status, leads.c.relay_name,
        leads.c.created_at,
    )  # fmt: skip
    if departments or relays:
        query = query.where(in_scope(departments, relays))
    rows = connection.execute(query.order_by(leads.c.created_at.desc()).limit(limit))
    return [CoordinatedCase(*row) for row in rows]
