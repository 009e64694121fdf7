"""Look for a person's data in every column of every table."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.models import Base


async def find_everywhere(engine: AsyncEngine, *needles: str) -> list[tuple[str, str, Any]]:
    """(table, column, value) of every cell whose text contains one of ``needles``."""
    hits: list[tuple[str, str, Any]] = []
    async with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for row in (await connection.execute(select(table))).mappings():
                for column, value in row.items():
                    text = str(value)
                    if any(n in text for n in needles):
                        hits.append((table.name, column, value))
    return hits


async def count_rows(engine: AsyncEngine, table_name: str) -> int:
    """Rows in ``table_name``."""
    table = Base.metadata.tables[table_name]
    async with engine.connect() as connection:
        return len((await connection.execute(select(table))).all())
