"""A timestamp column that always reads and writes aware UTC datetimes, on every database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # we only ever store UTC
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """``TIMESTAMP WITH TIME ZONE`` whose values are aware UTC datetimes both ways.

    SQLite keeps no time zone and hands back naive datetimes; PostgreSQL hands back
    aware ones. Values are converted to UTC on the way in (a naive one is taken as
    UTC) and come back aware, so no caller repairs them.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return _utc(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return _utc(value)
