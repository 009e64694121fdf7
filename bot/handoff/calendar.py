"""Deadlines counted in working hours (Monday to Friday, office hours, Europe/Paris)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def add_working_hours(
    start: datetime,
    hours: float,
    *,
    opens: time = time(9),
    closes: time = time(18),
    zone: ZoneInfo = PARIS,
) -> datetime:
    """The moment ``hours`` of office time after ``start`` (weekends and nights skipped).

    Public holidays are not known here: a coordinator can extend a case by hand.
    """
    left = timedelta(hours=hours)
    moment = start.astimezone(zone)
    while True:
        day_open = moment.replace(hour=opens.hour, minute=opens.minute, second=0, microsecond=0)
        day_close = moment.replace(hour=closes.hour, minute=closes.minute, second=0, microsecond=0)
        if moment.weekday() >= 5 or moment >= day_close:
            moment = (moment + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
            continue
        moment = max(moment, day_open)
        available = day_close - moment
        if left <= available:
            return moment + left
        left -= available
        moment = day_close
