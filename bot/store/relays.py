"""The relays directory as stored: one JSON row per relay, its version, invitation links."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from bot.store.models import RelayEntry, RelayInvite
from bot.store.turns import now

relays = cast(Table, RelayEntry.__table__)
relay_invites = cast(Table, RelayInvite.__table__)

_SEED_SQLITE, _SEED_PG = (
    dialect.insert(relays).on_conflict_do_nothing(index_elements=["id"])
    for dialect in (sqlite, postgresql)
)


@dataclass(frozen=True, slots=True)
class StoredRelay:
    """A relay's row: its data (the ``Relay`` model as JSON), when and by whom last saved."""

    id: str
    data: dict[str, Any]
    updated_at: datetime
    updated_by: str


def stored_relays(connection: Connection) -> list[StoredRelay]:
    """Every relay of the directory, in the order they were first listed."""
    rows = connection.execute(select(relays).order_by(relays.c.position, relays.c.id))
    return [StoredRelay(r.id, dict(r.data), r.updated_at, r.updated_by) for r in rows]


def directory_version(connection: Connection) -> tuple[int, str]:
    """A cheap fingerprint of the directory: it changes whenever a relay is saved."""
    count, latest = connection.execute(
        select(func.count(), func.max(relays.c.updated_at)).select_from(relays)
    ).one()
    return int(count), latest.isoformat() if latest is not None else ""


def seed_relays(connection: Connection, rows: list[tuple[str, dict[str, Any]]], by: str) -> int:
    """Copy ``rows`` in when the directory is empty; returns how many were added.

    Two workers starting together both may find it empty: the second one's inserts
    meet the first one's rows and do nothing.
    """
    if connection.execute(select(func.count()).select_from(relays)).scalar():
        return 0
    statement = _SEED_PG if connection.dialect.name == "postgresql" else _SEED_SQLITE
    stamp = now()
    added = 0
    for position, (relay_id, data) in enumerate(rows):
        values = {"id": relay_id, "position": position, "data": data}
        result = connection.execute(statement, {**values, "updated_at": stamp, "updated_by": by})
        added += result.rowcount or 0
    return added


def put_relay(connection: Connection, relay_id: str, data: dict[str, Any], by: str) -> None:
    """Replace one relay, or add it at the end of the list."""
    values = {"data": data, "updated_at": now(), "updated_by": by[:120]}
    changed = connection.execute(update(relays).where(relays.c.id == relay_id).values(**values))
    if not changed.rowcount:
        last = connection.execute(select(func.max(relays.c.position))).scalar()
        position = -1 if last is None else int(last)
        connection.execute(relays.insert().values(id=relay_id, position=position + 1, **values))


def _digest(token: str) -> str:
    # Only a digest is kept: whoever reads the database cannot use an invitation.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def add_invite(connection: Connection, token: str, relay_id: str, expires_at: datetime) -> None:
    """Keep an invitation link's token (its digest) for ``relay_id`` until ``expires_at``."""
    stamp = now()
    connection.execute(delete(relay_invites).where(relay_invites.c.expires_at < stamp))
    connection.execute(
        relay_invites.insert().values(
            digest=_digest(token), relay_id=relay_id, expires_at=expires_at, used_at=None
        )
    )


def use_invite(connection: Connection, token: str) -> str | None:
    """The relay of an unused, unexpired invitation, marked used; else ``None``.

    One conditional update: two workers cannot both accept it.
    """
    stamp = now()
    found = connection.execute(
        update(relay_invites)
        .where(
            relay_invites.c.digest == _digest(token),
            relay_invites.c.used_at.is_(None),
            relay_invites.c.expires_at > stamp,
        )
        .values(used_at=stamp)
        .returning(relay_invites.c.relay_id)
    ).first()
    return str(found.relay_id) if found is not None else None
