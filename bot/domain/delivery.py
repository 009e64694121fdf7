"""Neutral values about reaching people: delivery statuses and whether we may write first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class DeliveryStatus:
    """A channel's report on one of our messages (sent, delivered, read, failed)."""

    message_id: str
    status: str
    reported_at: datetime
    error_code: str | None = None


@dataclass(frozen=True, slots=True)
class Reach:
    """What decides whether and how we may write first to a person."""

    consented: bool
    last_inbound_at: datetime | None = None
    stopped: bool = False
    unreachable: bool = False
