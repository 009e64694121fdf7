"""What the hand-off tells the rest of the bot about a case, inside the case's transaction."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.engine import Connection

from bot.store.handoffs import HandoffRow


class CaseHooks(Protocol):
    """Called in the transaction that changed an attempt (follow-ups plan around it)."""

    def offered(self, connection: Connection, row: HandoffRow) -> None:
        """A new attempt waits for its relay (``row.due_at``: until when)."""
        ...

    def notified(self, connection: Connection, row: HandoffRow) -> None:
        """The case reached its relay."""
        ...

    def changed(self, connection: Connection, row: HandoffRow) -> None:
        """The attempt moved to ``row.status`` (accepted, declined, closed...)."""
        ...


class NoHooks:
    """Nothing else to do."""

    def offered(self, connection: Connection, row: HandoffRow) -> None:
        """Nothing."""

    def notified(self, connection: Connection, row: HandoffRow) -> None:
        """Nothing."""

    def changed(self, connection: Connection, row: HandoffRow) -> None:
        """Nothing."""
