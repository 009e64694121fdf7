"""Time as people live it: Easter, public holidays, office hours, quiet hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.handoff.calendar import (
    PARIS,
    QuietHours,
    add_working_days,
    add_working_hours,
    easter,
    is_working_day,
    next_working_time,
    public_holidays,
)


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("year", "sunday"),
    [
        (2000, date(2000, 4, 23)),
        (2019, date(2019, 4, 21)),
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2038, date(2038, 4, 25)),
    ],
)
def test_easter_by_the_anonymous_gregorian_algorithm(year: int, sunday: date) -> None:
    assert easter(year) == sunday


def test_the_eleven_public_holidays_of_2026() -> None:
    assert sorted(public_holidays(2026)) == [
        date(2026, 1, 1),
        date(2026, 4, 6),  # Easter Monday
        date(2026, 5, 1),
        date(2026, 5, 8),
        date(2026, 5, 14),  # Ascension
        date(2026, 5, 25),  # Whit Monday
        date(2026, 7, 14),
        date(2026, 8, 15),
        date(2026, 11, 1),
        date(2026, 11, 11),
        date(2026, 12, 25),
    ]


def test_deadlines_skip_public_holidays() -> None:
    # Thursday 24 December 2026, 17:00: 1 hour that day, Christmas, the weekend, then
    # Monday 28 gives the other 15 hours by Tuesday 29 at 15:00.
    assert add_working_hours(paris(2026, 12, 24, 17), 16) == paris(2026, 12, 29, 15)
    # Ascension Thursday 14 May 2026 is skipped as well.
    assert add_working_hours(paris(2026, 5, 13, 17), 2) == paris(2026, 5, 15, 10)


def test_working_days_skip_weekends_and_holidays() -> None:
    assert add_working_days(paris(2026, 12, 2, 11, 30), 3) == paris(2026, 12, 7, 11, 30)
    assert add_working_days(paris(2026, 12, 23, 10), 3) == paris(2026, 12, 29, 10)
    assert not is_working_day(date(2026, 12, 25))


def test_relays_hear_in_office_hours() -> None:
    assert next_working_time(paris(2026, 12, 5, 12)) == paris(2026, 12, 7, 9)  # Saturday
    assert next_working_time(paris(2026, 12, 7, 18)) == paris(2026, 12, 8, 9)
    assert next_working_time(paris(2026, 12, 7, 10)) == paris(2026, 12, 7, 10)


@pytest.mark.parametrize(
    ("moment", "allowed"),
    [
        (paris(2026, 12, 2, 8, 59), paris(2026, 12, 2, 9)),  # too early
        (paris(2026, 12, 2, 10, 15), paris(2026, 12, 2, 10, 15)),  # fine
        (paris(2026, 12, 2, 20), paris(2026, 12, 3, 9)),  # too late
        (paris(2026, 12, 5, 21), paris(2026, 12, 7, 9)),  # Saturday night: not Sunday
        (paris(2026, 12, 5, 15), paris(2026, 12, 5, 15)),  # Saturday afternoon: fine
        (paris(2026, 4, 5, 12), paris(2026, 4, 7, 9)),  # Easter Sunday, then Easter Monday
        (paris(2026, 12, 24, 20, 30), paris(2026, 12, 26, 9)),  # Christmas Eve, late
    ],
)
def test_quiet_hours_no_message_at_night_on_sundays_or_holidays(
    moment: datetime, allowed: datetime
) -> None:
    assert QuietHours().next_allowed(moment) == allowed


def test_quiet_hours_follow_summer_time() -> None:
    # 29 March 2026: clocks go forward; 8:30 in Paris is 6:30 UTC.
    early = datetime(2026, 3, 30, 6, 30, tzinfo=UTC)
    assert QuietHours().next_allowed(early) == datetime(2026, 3, 30, 7, tzinfo=UTC)


@given(st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2030, 12, 31)))
def test_the_next_allowed_moment_is_allowed_and_never_earlier(naive: datetime) -> None:
    moment = naive.replace(tzinfo=UTC)
    hours = QuietHours(time(9), time(20))
    allowed = hours.next_allowed(moment)
    assert allowed >= moment
    assert hours.allows(allowed)
    assert (allowed - moment).days <= 3  # a Sunday and a holiday at most in a row
