"""The queries of one turn, run synchronously inside a transaction that holds its lock."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from bot.store.models import Consent, Contact, Conversation, Lead, Message, Suppression

conversations = cast(Table, Conversation.__table__)
messages = cast(Table, Message.__table__)
contacts = cast(Table, Contact.__table__)
consents = cast(Table, Consent.__table__)
leads = cast(Table, Lead.__table__)
suppressions = cast(Table, Suppression.__table__)


class ConsentMissingError(Exception):
    """A lead or a contact was about to be written without the matching consent."""


@dataclass(frozen=True, slots=True)
class StoredConversation:
    """A conversation row as the dispatcher needs it."""

    state: dict[str, Any]
    turns: int
    keeps_text: bool


def now() -> datetime:
    """Current time in UTC."""
    return datetime.now(UTC)


class TurnTx:
    """Queries for one conversation inside an open transaction."""

    def __init__(self, connection: Connection, conversation_id: str, channel: str) -> None:
        self.connection = connection
        self.conversation_id = conversation_id
        self.channel = channel
        self._dialect = connection.dialect.name

    def load(self) -> StoredConversation | None:
        """The stored conversation, or ``None`` for a newcomer."""
        row = (
            self.connection.execute(
                select(conversations.c.state, conversations.c.turns).where(
                    conversations.c.id == self.conversation_id
                )
            )
        ).first()
        if row is None:
            return None
        state = dict(row.state)
        keeps = (state.get("slots") or {}).get("consent_contact") == "yes"
        return StoredConversation(state, row.turns, keeps)

    def claim_inbound(self, message_id: str | None, text_kept: str | None) -> bool:
        """Log an inbound message; ``False`` when this channel message id was seen before."""
        values = {
            "conversation_id": self.conversation_id,
            "channel": self.channel,
            "direction": "in",
            "channel_message_id": message_id,
            "text": text_kept,
            "created_at": now(),
        }
        if message_id is None:
            self.connection.execute(insert(messages).values(values))
            return True
        dialect = postgresql if self._dialect == "postgresql" else sqlite
        statement = (
            dialect.insert(messages)
            .values(values)
            .on_conflict_do_nothing(index_elements=["channel", "direction", "channel_message_id"])
            .returning(messages.c.id)
        )
        return (self.connection.execute(statement)).first() is not None

    def save(
        self,
        state: Mapping[str, Any],
        *,
        exists: bool,
        turns: int,
        status: str,
        flow: str | None,
        step: str | None,
        flow_version: str | None,
        source: str | None,
    ) -> None:
        """Insert or update the conversation row."""
        stamp = now()
        values = {
            "state": dict(state),
            "turns": turns,
            "status": status,
            "flow": flow,
            "step": step,
            "flow_version": flow_version,
            "source": source,
            "updated_at": stamp,
        }
        if exists:
            self.connection.execute(
                update(conversations)
                .where(conversations.c.id == self.conversation_id)
                .values(values)
            )
        else:
            self.connection.execute(
                insert(conversations).values(
                    id=self.conversation_id, channel=self.channel, created_at=stamp, **values
                )
            )

    def log_outbound(self, texts: Sequence[str | None], *, linked: bool = True) -> None:
        """Log the bot's replies (text only when the person agreed to keep it)."""
        if not texts:
            return
        stamp = now()
        self.connection.execute(
            insert(messages),
            [
                {
                    "conversation_id": self.conversation_id if linked else None,
                    "channel": self.channel,
                    "direction": "out",
                    "channel_message_id": None,
                    "text": body,
                    "created_at": stamp,
                }
                for body in texts
            ],
        )

    def record_consent(
        self,
        *,
        purpose: str,
        granted: bool,
        notice_version: str,
        notice_hash: str,
        relay_id: str | None,
    ) -> None:
        """Keep proof of a consent answer."""
        self.connection.execute(
            insert(consents).values(
                subject=self.conversation_id,
                channel=self.channel,
                purpose=purpose,
                granted=granted,
                notice_version=notice_version,
                notice_hash=notice_hash,
                relay_id=relay_id,
                created_at=now(),
            )
        )

    def _consented(self, purpose: str) -> bool:
        latest = (
            self.connection.execute(
                select(consents.c.granted)
                .where(consents.c.subject == self.conversation_id, consents.c.purpose == purpose)
                .order_by(consents.c.id.desc())
                .limit(1)
            )
        ).scalar()
        return bool(latest)

    def save_contact(self, user_ref: str, first_name: str | None) -> None:
        """Keep how to reach the person; refuses without a recorded consent."""
        if not self._consented("contact"):
            raise ConsentMissingError("contact")
        stamp = now()
        updated = self.connection.execute(
            update(contacts)
            .where(contacts.c.conversation_id == self.conversation_id)
            .values(last_seen_at=stamp, first_name=first_name)
        )
        if updated.rowcount == 0:
            self.connection.execute(
                insert(contacts).values(
                    conversation_id=self.conversation_id,
                    channel=self.channel,
                    user_ref=user_ref,
                    first_name=first_name,
                    created_at=stamp,
                    last_seen_at=stamp,
                )
            )

    def upsert_lead(self, user_ref: str, fields: Mapping[str, Any]) -> str:
        """Write (or refresh) this conversation's lead; refuses without contact consent."""
        if not self._consented("contact"):
            raise ConsentMissingError("contact")
        stamp = now()
        existing = (
            self.connection.execute(
                select(leads.c.id).where(leads.c.conversation_id == self.conversation_id)
            )
        ).scalar()
        if existing is not None:
            self.connection.execute(
                update(leads).where(leads.c.id == existing).values(updated_at=stamp, **fields)
            )
            return str(existing)
        lead_id = uuid.uuid4().hex
        self.connection.execute(
            insert(leads).values(
                id=lead_id,
                conversation_id=self.conversation_id,
                channel=self.channel,
                user_ref=user_ref,
                created_at=stamp,
                updated_at=stamp,
                **fields,
            )
        )
        return lead_id

    def forget(self) -> None:
        """Drop the conversation and unlink its log: nothing about the person remains."""
        self.connection.execute(
            delete(conversations).where(conversations.c.id == self.conversation_id)
        )
        self._unlink_messages()

    def _unlink_messages(self) -> None:
        # Hashed channel message ids stay (unlinked, without text) to drop redeliveries.
        self.connection.execute(
            update(messages)
            .where(messages.c.conversation_id == self.conversation_id)
            .values(conversation_id=None, text=None)
        )

    def erase_all(self) -> None:
        """Erase everything personal; keep only a hashed suppression record."""
        subject = self.conversation_id
        for table, column in (
            (leads, leads.c.conversation_id),
            (contacts, contacts.c.conversation_id),
            (consents, consents.c.subject),
            (conversations, conversations.c.id),
        ):
            self.connection.execute(delete(table).where(column == subject))
        self._unlink_messages()
        exists = (
            self.connection.execute(
                select(func.count())
                .select_from(suppressions)
                .where(suppressions.c.subject == subject)
            )
        ).scalar()
        if not exists:
            self.connection.execute(insert(suppressions).values(subject=subject, erased_at=now()))
