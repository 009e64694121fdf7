"""When follow-ups come (``followups:`` of a flow): delays, and the hours the bot may
write first."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Annotated

from pydantic import Field, model_validator

from bot.engine.schemabase import Id, _Model
from bot.handoff.calendar import PARIS, QuietHours, add_working_days


class Delay(_Model):
    """When a follow-up comes, and the step it starts at."""

    step: Id = Field(description="The step of this flow the bot starts at.")
    days: Annotated[int, Field(ge=1, le=366)] | None = Field(
        default=None, description="Days after the event (then moved out of quiet hours)."
    )
    working_days: Annotated[int, Field(ge=1, le=60)] | None = Field(
        default=None, description="Working days after the event (Monday to Friday, no holiday)."
    )

    @model_validator(mode="after")
    def _one_delay(self) -> Delay:
        if (self.days is None) == (self.working_days is None):
            raise ValueError("il faut « days » ou « working_days » (un seul des deux)")
        return self


class Hours(_Model):
    """When the bot may write first (Paris time); never on Sundays nor public holidays."""

    start: Annotated[int, Field(ge=0, le=23)] = 9
    end: Annotated[int, Field(ge=1, le=24)] = 20

    @model_validator(mode="after")
    def _ordered(self) -> Hours:
        if self.end <= self.start:
            raise ValueError("« end » doit venir après « start »")
        return self


class Followups(_Model):
    """The questions the bot asks first, after the event that makes them useful; a
    follow-up left out (or null) is never asked."""

    contacted: Delay | None = Field(
        default=None, description="After the case reached a relay: were you contacted?"
    )
    progress: Delay | None = Field(
        default=None, description="After the case reached a relay: where is the project?"
    )
    outcome: Delay | None = Field(
        default=None, description="After the case reached a relay: what became of it?"
    )
    nudge: Delay | None = Field(
        default=None, description="An intake left after the contact consent: once."
    )
    hours: Hours = Field(default_factory=Hours)

    @property
    def quiet(self) -> QuietHours:
        """When the bot may write first."""
        end = time(self.hours.end) if self.hours.end < 24 else time.max
        return QuietHours(time(self.hours.start), end)

    def due(self, delay: Delay, start: datetime) -> datetime:
        """When a follow-up delayed by ``delay`` after ``start`` may go out."""
        if delay.working_days is not None:
            moment = add_working_days(start, delay.working_days)
        else:
            # Calendar days in Paris: the same hour on the clock, summer time or not.
            moment = start.astimezone(PARIS) + timedelta(days=delay.days or 0)
        return self.quiet.next_allowed(moment)

    def delays(self) -> dict[str, Delay]:
        """The follow-ups in use, by name."""
        found = {
            "contacted": self.contacted,
            "progress": self.progress,
            "outcome": self.outcome,
            "nudge": self.nudge,
        }
        return {name: delay for name, delay in found.items() if delay is not None}
