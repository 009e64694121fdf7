"""Database tables (SQLAlchemy 2 typed models); Alembic migrations follow these."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.store.utctime import UtcDateTime

Json = JSON().with_variant(JSONB(), "postgresql")
AutoId = BigInteger().with_variant(Integer(), "sqlite")


OPEN_HANDOFF = "status IN ('offered', 'notified', 'accepted', 'in_conversation')"


class Base(DeclarativeBase):
    """Declarative base holding the metadata Alembic compares against."""


class Conversation(Base):
    """One person on one channel, keyed by a pseudonym (keyed hash of the channel id)."""

    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    flow: Mapped[str | None] = mapped_column(String(40))
    step: Mapped[str | None] = mapped_column(String(40))
    flow_version: Mapped[str | None] = mapped_column(String(40))
    state: Mapped[dict[str, Any]] = mapped_column(Json)
    turns: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Message(Base):
    """Message log; text is kept only for people who agreed to keep their contact."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint(
            "channel", "direction", "channel_message_id", name="uq_messages_channel_id"
        ),
        Index("ix_messages_conversation", "conversation_id"),
    )

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(20))
    direction: Mapped[str] = mapped_column(String(3))
    channel_message_id: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Delivery of an outbound message, as last reported by the channel.
    status: Mapped[str | None] = mapped_column(String(20))
    status_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    error_code: Mapped[str | None] = mapped_column(String(20))


class DeliveryEvent(Base):
    """A delivery status reported by a channel (sent, delivered, read, failed), kept once."""

    __tablename__ = "delivery_events"
    __table_args__ = (
        UniqueConstraint("channel", "channel_message_id", "status", name="uq_delivery_events"),
    )

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(20))
    channel_message_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    error_code: Mapped[str | None] = mapped_column(String(20))
    reported_at: Mapped[datetime] = mapped_column(UtcDateTime)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Contact(Base):
    """How to reach a person who agreed to it (personal fields encrypted at rest).

    Looked up by ``conversation_id``, the keyed hash of the channel user id.
    """

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(20))
    user_ref: Mapped[str] = mapped_column(Text)
    first_name: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Last message from the person (WhatsApp's 24-hour window starts there).
    last_inbound_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Set when the channel says we can no longer write (Telegram bot blocked...).
    unreachable_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Set by STOP: no proactive message on any channel from then on.
    stopped_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Retention: when we asked once whether to keep the contact.
    renewal_asked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Consent(Base):
    """Proof of one consent answer (or withdrawal), per purpose."""

    __tablename__ = "consents"
    __table_args__ = (Index("ix_consents_subject", "subject"),)

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    subject: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(20))
    purpose: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(12), server_default="answer")  # or "withdrawal"
    granted: Mapped[bool]
    notice_version: Mapped[str] = mapped_column(String(120))
    notice_hash: Mapped[str] = mapped_column(String(64))
    relay_id: Mapped[str | None] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(8), server_default="fr")  # of the text shown
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Lead(Base):
    """A qualified case, written only after consent to keep the contact."""

    __tablename__ = "leads"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(20))
    user_ref: Mapped[str] = mapped_column(Text)  # encrypted
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    stage: Mapped[str | None] = mapped_column(String(20))
    sector: Mapped[str | None] = mapped_column(String(40))
    postal_code: Mapped[str | None] = mapped_column(String(5))
    commune: Mapped[str | None] = mapped_column(String(80))
    needs: Mapped[list[str]] = mapped_column(Json)
    pitch: Mapped[str | None] = mapped_column(Text)  # encrypted
    first_name: Mapped[str | None] = mapped_column(Text)  # encrypted
    contact_pref: Mapped[str | None] = mapped_column(String(20))
    relay_id: Mapped[str | None] = mapped_column(String(64))
    relay_name: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(20))
    schemes: Mapped[list[str]] = mapped_column(Json)
    source: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(Json)


class Suppression(Base):
    """What is left after an erasure: a keyed hash, so we never write first again."""

    __tablename__ = "suppressions"

    subject: Mapped[str] = mapped_column(String(64), primary_key=True)
    erased_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AuditEntry(Base):
    """Who looked at or exported personal data, when, and what for."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_lead", "lead_id"),)

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(40))
    lead_id: Mapped[str | None] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(String(400))


class Handoff(Base):
    """One attempt to hand a case to one relay, and where it stands."""

    __tablename__ = "handoffs"
    __table_args__ = (
        Index("ix_handoffs_lead", "lead_id"),
        # One case, one relay at a time: at most one open attempt per lead.
        Index(
            "uq_handoffs_open_lead",
            "lead_id",
            unique=True,
            sqlite_where=text(OPEN_HANDOFF),
            postgresql_where=text(OPEN_HANDOFF),
        ),
        Index("ix_handoffs_relay_status", "relay_id", "status"),
        Index("ix_handoffs_conversation", "conversation_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    lead_id: Mapped[str] = mapped_column(String(32))
    conversation_id: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(20))
    relay_id: Mapped[str] = mapped_column(String(64))
    attempt: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str | None] = mapped_column(String(20))
    card_ref: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class HandoffEvent(Base):
    """The status history of hand-offs (shown in the lead export)."""

    __tablename__ = "handoff_events"
    __table_args__ = (Index("ix_handoff_events_lead", "lead_id"),)

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    handoff_id: Mapped[str] = mapped_column(String(32))
    lead_id: Mapped[str] = mapped_column(String(32))
    relay_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(120))
    detail: Mapped[str | None] = mapped_column(String(200))


class OutboxMessage(Base):
    """A message for a resident on a channel that cannot write first (REST): sent next turn."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_conversation", "conversation_id"),)

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)  # encrypted
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class JobRecord(Base):
    """Work that must happen because of a turn or a sweep (the transactional outbox).

    Written in the transaction that made it necessary, run later by a drainer; ``key``
    makes it idempotent (the same work queued twice runs once). Texts in ``payload``
    are encrypted by whoever queues them.
    """

    __tablename__ = "jobs"
    __table_args__ = (
        UniqueConstraint("key", name="uq_jobs_key"),
        Index("ix_jobs_due", "status", "run_at"),
        Index("ix_jobs_subject", "subject"),
    )

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(160))
    subject: Mapped[str | None] = mapped_column(String(64))  # the person it concerns
    payload: Mapped[dict[str, Any]] = mapped_column(Json)
    status: Mapped[str] = mapped_column(String(12))  # pending, done, dead, cancelled
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    run_at: Mapped[datetime] = mapped_column(UtcDateTime)
    locked_by: Mapped[str | None] = mapped_column(String(32))
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(String(400))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class KeyCheck(Base):
    """What a starting worker checks its keys against, written by the first one to start.

    ``encryption``: a known text encrypted with the key ring; ``pseudonyms``: a keyed
    hash of a known text; ``sealed``: rows written in clear before encryption at rest
    were sealed once.
    """

    __tablename__ = "key_checks"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class FollowupEvent(Base):
    """A follow-up asked (no ``answer``) or answered, by the person's conversation: the
    lead export and the coordinators' figures read them. ``ref`` (the job that asked)
    makes asking idempotent."""

    __tablename__ = "followup_events"
    __table_args__ = (
        UniqueConstraint("ref", name="uq_followup_events_ref"),
        Index("ix_followup_events_conversation", "conversation_id"),
    )

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))  # contacted, progress, outcome, nudge
    answer: Mapped[str | None] = mapped_column(String(40))  # None: asked
    ref: Mapped[str | None] = mapped_column(String(160))
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class UsedSignIn(Base):
    """A sign-in link already used: each works once, whichever worker sees it first."""

    __tablename__ = "web_sign_ins"

    token_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    used_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)  # purged after this


class CaseMessage(Base):
    """The thread between a resident and their relay, for the relay's web page.

    Only what crossed the bridge (never the intake); texts are encrypted; erased with
    the case.
    """

    __tablename__ = "case_messages"
    __table_args__ = (
        UniqueConstraint("key", name="uq_case_messages_key"),
        Index("ix_case_messages_lead", "lead_id"),
        Index("ix_case_messages_conversation", "conversation_id"),
    )

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(80))  # the same message recorded once
    lead_id: Mapped[str] = mapped_column(String(32))
    conversation_id: Mapped[str] = mapped_column(String(64))
    relay_id: Mapped[str] = mapped_column(String(64))
    author: Mapped[str] = mapped_column(String(10))  # "relay" or "resident"
    text: Mapped[str] = mapped_column(Text)  # encrypted
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class RelayEntry(Base):
    """One relay of the directory (the ``Relay`` model as JSON), edited on the web."""

    __tablename__ = "relays"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)  # the order of the list: ties go first
    data: Mapped[dict[str, Any]] = mapped_column(Json)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str] = mapped_column(String(120))


class RelayInvite(Base):
    """An invitation link sent to a relay (its token's digest): works once, until expiry."""

    __tablename__ = "relay_invites"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    relay_id: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
