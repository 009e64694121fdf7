"""Time as people live it (Europe/Paris): public holidays, office hours, quiet hours."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
SUNDAY = 6


def easter(year: int) -> date:
    """Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (b - (b + 8) // 25 + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday) // 451
    month, day = divmod(h + weekday - 7 * m + 114, 31)
    return date(year, month, day + 1)


@functools.cache
def public_holidays(year: int) -> frozenset[date]:
    """The 11 public holidays of metropolitan France (Alsace-Moselle's two more and
    overseas days are not counted)."""
    sunday = easter(year)
    fixed = ((1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25))
    moving = (1, 39, 50)  # Easter Monday, Ascension, Whit Monday
    return frozenset(
        [date(year, m, d) for m, d in fixed] + [sunday + timedelta(days=n) for n in moving]
    )


def is_public_holiday(day: date) -> bool:
    """True on a French public holiday."""
    return day in public_holidays(day.year)


def is_working_day(day: date) -> bool:
    """Monday to Friday, public holidays excepted."""
    return day.weekday() < 5 and not is_public_holiday(day)


def _at(day: date, clock: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone)


def add_working_hours(
    start: datetime,
    hours: float,
    *,
    opens: time = time(9),
    closes: time = time(18),
    zone: ZoneInfo = PARIS,
) -> datetime:
    """The moment ``hours`` of office time after ``start`` (weekends, public holidays and
    nights skipped)."""
    left = timedelta(hours=hours)
    moment = start.astimezone(zone)
    while True:
        day = moment.date()
        day_open, day_close = _at(day, opens, zone), _at(day, closes, zone)
        if not is_working_day(day) or moment >= day_close:
            moment = _at(day + timedelta(days=1), time(0), zone)
            continue
        moment = max(moment, day_open)
        available = day_close - moment
        if left <= available:
            return moment + left
        left -= available
        moment = day_close


def add_working_days(start: datetime, days: int, *, zone: ZoneInfo = PARIS) -> datetime:
    """The same time of day, ``days`` working days after ``start``."""
    local = start.astimezone(zone)
    day = local.date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        counted += is_working_day(day)
    return _at(day, local.time(), zone).astimezone(start.tzinfo)


def next_working_time(
    moment: datetime,
    *,
    opens: time = time(9),
    closes: time = time(18),
    zone: ZoneInfo = PARIS,
) -> datetime:
    """``moment`` if it falls in office hours, else the next opening."""
    return add_working_hours(moment, 0, opens=opens, closes=closes, zone=zone)


@dataclass(frozen=True, slots=True)
class QuietHours:
    """When the bot may write first to a resident: from ``start`` to ``end`` (Paris
    time), never on Sundays nor public holidays."""

    start: time = time(9)
    end: time = time(20)
    zone: ZoneInfo = PARIS

    def allows(self, moment: datetime) -> bool:
        """True when a message may go out at ``moment``."""
        local = moment.astimezone(self.zone)
        day = local.date()
        return self._open_day(day) and self.start <= local.time() < self.end

    def next_allowed(self, moment: datetime) -> datetime:
        """``moment`` when it is allowed, else the first allowed moment after it."""
        if self.allows(moment):
            return moment
        local = moment.astimezone(self.zone)
        day = local.date()
        if local.time() >= self.end or not self._open_day(day):
            day += timedelta(days=1)
        while not self._open_day(day):
            day += timedelta(days=1)
        return _at(day, self.start, self.zone).astimezone(moment.tzinfo)

    @staticmethod
    def _open_day(day: date) -> bool:
        return day.weekday() != SUNDAY and not is_public_holiday(day)
