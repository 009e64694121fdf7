"""The values starting workers check their keys against (table ``key_checks``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from bot.store.models import Contact, KeyCheck, Lead

key_checks = cast(Table, KeyCheck.__table__)
ENCRYPTION_CHECK = "encryption"  # a known text encrypted with the key ring
PSEUDONYM_CHECK = "pseudonyms"  # a keyed hash of a known text
_ENCRYPTED_SAMPLES = (
    cast(Table, Contact.__table__).c.user_ref,
    cast(Table, Lead.__table__).c.user_ref,
)


def read_checks(connection: Connection) -> dict[str, str]:
    """Every stored check value, by name."""
    rows = connection.execute(select(key_checks.c.name, key_checks.c.value))
    return {name: value for name, value in rows}


def add_checks(connection: Connection, values: Mapping[str, str]) -> set[str]:
    """Store the values not stored yet; returns the names this call stored.

    On PostgreSQL a second worker inserting the same name waits for the first one's
    transaction, then stores nothing: it must read and check the winner's value.
    """
    if not values:
        return set()
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(key_checks)
        .values([{"name": name, "value": value} for name, value in values.items()])
        .on_conflict_do_nothing(index_elements=["name"])
        .returning(key_checks.c.name)
    )
    return set(connection.execute(statement).scalars())


def sample_ciphertext(connection: Connection) -> str | None:
    """One value encrypted with the key ring, if any (for databases older than the checks)."""
    for column in _ENCRYPTED_SAMPLES:
        value = connection.execute(select(column).where(column.is_not(None)).limit(1)).scalar()
        if value is not None:
            return str(value)
    return None
