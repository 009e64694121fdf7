"""Re-encrypt every personal field with the current key (key rotation)."""

from __future__ import annotations

from sqlalchemy import Table, bindparam, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.cipher import FieldCipher
from bot.store.keychecks import ENCRYPTION_CHECK, key_checks
from bot.store.outbox import outbox
from bot.store.sealed import SEALED, seal_state
from bot.store.turns import ENCRYPTED_LEAD_FIELDS, contacts, conversations, leads, messages
from bot.store.web import case_messages

ENCRYPTED: tuple[tuple[Table, tuple[str, ...]], ...] = (
    (contacts, ("user_ref", "first_name", "phone")),
    (leads, ("user_ref", *ENCRYPTED_LEAD_FIELDS)),
    (messages, ("text",)),
    (outbox, ("text",)),
    (case_messages, ("text",)),
)
_SET_STATE = (
    update(conversations).where(conversations.c.id == bindparam("cid")).values(state=bindparam("s"))
)


def _rotate_states(connection: Connection, cipher: FieldCipher) -> int:
    """Conversations: the sealed answers re-encrypted (a state still in clear is sealed)."""
    rows = connection.execute(select(conversations.c.id, conversations.c.state)).all()
    changed = [
        {
            "cid": row.id,
            "s": (
                {**row.state, SEALED: cipher.rotate(row.state[SEALED])}
                if SEALED in row.state
                else seal_state(row.state, cipher)
            ),
        }
        for row in rows
    ]
    if changed:
        connection.execute(_SET_STATE, changed)
    return len(changed)


def _rotate(connection: Connection, cipher: FieldCipher) -> int:
    count = 0
    for table, columns in ENCRYPTED:
        rows = connection.execute(
            select(table.c.id, *(table.c[name] for name in columns)).where(
                or_(*(table.c[name].is_not(None) for name in columns))
            )
        ).mappings()
        for row in rows.all():
            values = {name: cipher.rotate(row[name]) for name in columns}
            connection.execute(update(table).where(table.c.id == row["id"]).values(values))
            count += 1
    count += _rotate_states(connection, cipher)
    # The value workers check their keys against: readable with the new key alone.
    check = key_checks.c.name == ENCRYPTION_CHECK
    value = connection.execute(select(key_checks.c.value).where(check)).scalar()
    if value is not None:
        connection.execute(update(key_checks).where(check).values(value=cipher.rotate(value)))
    return count


async def rotate_keys(engine: AsyncEngine, cipher: FieldCipher) -> int:
    """Re-encrypt all rows with the first key of ``cipher``; returns the rows rewritten."""
    async with engine.begin() as connection:
        return await connection.run_sync(lambda sync: _rotate(sync, cipher))
