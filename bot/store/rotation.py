"""Re-encrypt every personal field with the current key (key rotation)."""

from __future__ import annotations

from sqlalchemy import Table, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.cipher import FieldCipher
from bot.store.turns import ENCRYPTED_LEAD_FIELDS, contacts, leads

ENCRYPTED: tuple[tuple[Table, tuple[str, ...]], ...] = (
    (contacts, ("user_ref", "first_name", "phone")),
    (leads, ("user_ref", *ENCRYPTED_LEAD_FIELDS)),
)


def _rotate(connection: Connection, cipher: FieldCipher) -> int:
    count = 0
    for table, columns in ENCRYPTED:
        rows = connection.execute(
            select(table.c.id, *(table.c[name] for name in columns))
        ).mappings()
        for row in rows.all():
            values = {name: cipher.rotate(row[name]) for name in columns}
            connection.execute(update(table).where(table.c.id == row["id"]).values(values))
            count += 1
    return count


async def rotate_keys(engine: AsyncEngine, cipher: FieldCipher) -> int:
    """Re-encrypt all rows with the first key of ``cipher``; returns the rows rewritten."""
    async with engine.begin() as connection:
        return await connection.run_sync(lambda sync: _rotate(sync, cipher))
