"""The queries of one turn, run synchronously inside a transaction that holds its lock."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from bot.domain.cipher import FieldCipher, PlainText
from bot.store.models import Consent, Contact, Conversation, Lead, Message, Suppression
from bot.store.sealed import open_state, seal_state

conversations = cast(Table, Conversation.__table__)
messages = cast(Table, Message.__table__)
contacts = cast(Table, Contact.__table__)
consents = cast(Table, Consent.__table__)
leads = cast(Table, Lead.__table__)
suppressions = cast(Table, Suppression.__table__)


# The statements of every turn, built once: building and keying a statement costs more
# than running it on SQLite.
_LOAD = select(conversations.c.state, conversations.c.turns).where(
    conversations.c.id == bindparam("cid")
)
_INSERT_MESSAGE = insert(messages)
_CLAIM_SQLITE, _CLAIM_PG = (
    dialect.insert(messages)
    .on_conflict_do_nothing(index_elements=["channel", "direction", "channel_message_id"])
    .returning(messages.c.id)
    for dialect in (sqlite, postgresql)
)
_CONVERSATION_FIELDS = ("state", "turns", "status", "flow", "step", "flow_version", "source")
_UPDATE_CONVERSATION = (
    update(conversations)
    .where(conversations.c.id == bindparam("cid"))
    .values({name: bindparam(name) for name in (*_CONVERSATION_FIELDS, "updated_at")})
)
_INSERT_CONVERSATION = insert(conversations).values(
    {
        "id": bindparam("cid"),
        **{
            name: bindparam(name)
            for name in (*_CONVERSATION_FIELDS, "channel", "created_at", "updated_at")
        },
    }
)

_INSERT_CONSENT = insert(consents)
_LATEST_CONSENT = (
    select(consents.c.granted)
    .where(consents.c.subject == bindparam("subject"), consents.c.purpose == bindparam("purpose"))
    .order_by(consents.c.id.desc())
    .limit(1)
)
_UPDATE_CONTACT = (
    update(contacts)
    .where(contacts.c.conversation_id == bindparam("cid"))
    .values(
        last_seen_at=bindparam("stamp"),
        first_name=bindparam("first_name"),
        phone=bindparam("phone"),
    )
)
_INSERT_CONTACT = insert(contacts).values(
    conversation_id=bindparam("cid"),
    channel=bindparam("channel"),
    user_ref=bindparam("user_ref"),
    first_name=bindparam("first_name"),
    phone=bindparam("phone"),
    created_at=bindparam("stamp"),
    last_seen_at=bindparam("stamp"),
)
_LATEST_INBOUND = (
    select(messages.c.id, messages.c.channel_message_id)
    .where(messages.c.conversation_id == bindparam("cid"), messages.c.direction == "in")
    .order_by(messages.c.id.desc())
    .limit(1)
)
_SENT_AFTER = select(messages.c.id).where(
    messages.c.conversation_id == bindparam("cid"),
    messages.c.direction == "out",
    messages.c.id > bindparam("after"),
    messages.c.channel_message_id.is_not(None),
)
_SET_STATE = (
    update(conversations)
    .where(conversations.c.id == bindparam("cid"))
    .values(state=bindparam("state"), updated_at=bindparam("at"))
)
_TOUCH_CONTACT = (
    update(contacts)
    .where(contacts.c.conversation_id == bindparam("cid"))
    .values(last_inbound_at=bindparam("at"), unreachable_at=None)
)
_LAST_OUTBOUND = (
    select(messages.c.id)
    .where(
        messages.c.conversation_id == bindparam("cid"),
        messages.c.direction == "out",
        # A proactive message logged meanwhile (with its id) is not one of the turn's.
        messages.c.channel_message_id.is_(None),
    )
    .order_by(messages.c.id.desc())
    .limit(bindparam("n"))
)
_SET_OUTBOUND_ID = (
    update(messages)
    .where(messages.c.id == bindparam("rid"))
    .values(channel_message_id=bindparam("mid"))
)
_FIND_LEAD = select(leads.c.id).where(leads.c.conversation_id == bindparam("cid"))
_INSERT_LEAD = insert(leads)


ENCRYPTED_LEAD_FIELDS = ("first_name", "pitch")
HANDOFF_OWNED = ("status", "relay_id", "relay_name")


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

    def __init__(
        self,
        connection: Connection,
        conversation_id: str,
        channel: str,
        cipher: FieldCipher | None = None,
    ) -> None:
        self.connection = connection
        self.conversation_id = conversation_id
        self.channel = channel
        self.cipher: FieldCipher = cipher or PlainText()
        self._dialect = connection.dialect.name

    def load(self) -> StoredConversation | None:
        """The stored conversation, or ``None`` for a newcomer."""
        row = self.connection.execute(_LOAD, {"cid": self.conversation_id}).first()
        if row is None:
            return None
        state = open_state(row.state, self.cipher)
        keeps = (state.get("slots") or {}).get("consent_contact") == "yes"
        return StoredConversation(state, row.turns, keeps)

    def claim_inbound(self, message_id: str | None, text_kept: str | None) -> bool:
        """Log an inbound message (its text encrypted); ``False`` when its id was seen before."""
        values = {
            "conversation_id": self.conversation_id,
            "channel": self.channel,
            "direction": "in",
            "channel_message_id": message_id,
            "text": self.cipher.encrypt(text_kept),
            "created_at": now(),
        }
        if message_id is None:
            self.connection.execute(_INSERT_MESSAGE, values)
            return True
        claim = _CLAIM_PG if self._dialect == "postgresql" else _CLAIM_SQLITE
        return self.connection.execute(claim, values).first() is not None

    def unanswered(self, message_id: str) -> bool:
        """Is ``message_id`` (seen before) the person's latest message, with no reply of
        it known to have reached them? (Replies get a channel id once the channel took
        them; REST replies never do: a client sending the same id again did not get them.)
        """
        cid = self.conversation_id
        latest = self.connection.execute(_LATEST_INBOUND, {"cid": cid}).first()
        if latest is None or latest.channel_message_id != message_id:
            return False
        sent = self.connection.execute(_SENT_AFTER, {"cid": cid, "after": latest.id})
        return sent.first() is None

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
        """Insert or update the conversation row (the person's answers encrypted)."""
        values = {
            "cid": self.conversation_id,
            "state": seal_state(state, self.cipher),
            "turns": turns,
            "status": status,
            "flow": flow,
            "step": step,
            "flow_version": flow_version,
            "source": source,
            "updated_at": now(),
        }
        if exists:
            self.connection.execute(_UPDATE_CONVERSATION, values)
        else:
            values["channel"] = self.channel
            values["created_at"] = values["updated_at"]
            self.connection.execute(_INSERT_CONVERSATION, values)

    def set_state_field(self, key: str, value: Any) -> bool:
        """Change one field of the stored conversation state (e.g. ``bridge``)."""
        stored = self.load()
        if stored is None:
            return False
        state = seal_state({**stored.state, key: value}, self.cipher)
        self.connection.execute(
            _SET_STATE, {"cid": self.conversation_id, "state": state, "at": now()}
        )
        return True

    def touch_contact(self, at: datetime) -> None:
        """Remember when the person last wrote (if we keep their contact)."""
        self.connection.execute(_TOUCH_CONTACT, {"cid": self.conversation_id, "at": at})

    def log_outbound(self, texts: Sequence[str | None], *, linked: bool = True) -> None:
        """Log the bot's replies (text, encrypted, only when the person agreed to keep it)."""
        if not texts:
            return
        stamp = now()
        self.connection.execute(
            _INSERT_MESSAGE,
            [
                {
                    "conversation_id": self.conversation_id if linked else None,
                    "channel": self.channel,
                    "direction": "out",
                    "channel_message_id": None,
                    "text": self.cipher.encrypt(body),
                    "created_at": stamp,
                }
                for body in texts
            ],
        )

    def set_outbound_ids(self, message_ids: Sequence[str | None]) -> None:
        """Give the last ``len(message_ids)`` logged replies their channel message ids."""
        rows = self.connection.execute(
            _LAST_OUTBOUND, {"cid": self.conversation_id, "n": len(message_ids)}
        ).scalars()
        for row_id, message_id in zip(reversed(list(rows)), message_ids, strict=False):
            if message_id is not None:
                self.connection.execute(_SET_OUTBOUND_ID, {"rid": row_id, "mid": message_id})

    def record_consent(
        self,
        *,
        purpose: str,
        granted: bool,
        notice_version: str,
        notice_hash: str,
        relay_id: str | None,
        kind: str = "answer",
        lang: str = "fr",
    ) -> None:
        """Keep proof of a consent answer, or of its withdrawal (``kind="withdrawal"``)."""
        self.connection.execute(
            _INSERT_CONSENT,
            {
                "subject": self.conversation_id,
                "channel": self.channel,
                "purpose": purpose,
                "kind": kind,
                "granted": granted,
                "notice_version": notice_version,
                "notice_hash": notice_hash,
                "relay_id": relay_id,
                "lang": lang,
                "created_at": now(),
            },
        )

    def _require_consent(self, purpose: str) -> None:
        latest = self.connection.execute(
            _LATEST_CONSENT, {"subject": self.conversation_id, "purpose": purpose}
        ).scalar()
        if not latest:
            raise ConsentMissingError(purpose)

    def save_contact(self, user_ref: str, first_name: str | None, phone: str | None = None) -> None:
        """Keep how to reach the person (encrypted); refuses without a recorded consent."""
        self._require_consent("contact")
        values = {
            "cid": self.conversation_id,
            "channel": self.channel,
            "user_ref": self.cipher.encrypt(user_ref),
            "first_name": self.cipher.encrypt(first_name),
            "phone": self.cipher.encrypt(phone),
            "stamp": now(),
        }
        if self.connection.execute(_UPDATE_CONTACT, values).rowcount == 0:
            self.connection.execute(_INSERT_CONTACT, values)

    def upsert_lead(self, user_ref: str, fields: Mapping[str, Any]) -> str:
        """Write (or refresh) this conversation's lead; refuses without contact consent."""
        self._require_consent("contact")
        stamp = now()
        fields = {
            **fields,
            **{name: self.cipher.encrypt(fields.get(name)) for name in ENCRYPTED_LEAD_FIELDS},
        }
        existing = self.connection.execute(_FIND_LEAD, {"cid": self.conversation_id}).scalar()
        if existing is not None:
            # A correction: the hand-off owns the case's status and relay from now on.
            kept = {k: v for k, v in fields.items() if k not in HANDOFF_OWNED}
            self.connection.execute(
                update(leads).where(leads.c.id == bindparam("lid")),
                {"lid": existing, "updated_at": stamp, **kept},
            )
            return str(existing)
        lead_id = uuid.uuid4().hex
        self.connection.execute(
            _INSERT_LEAD,
            {
                "id": lead_id,
                "conversation_id": self.conversation_id,
                "channel": self.channel,
                "user_ref": self.cipher.encrypt(user_ref),
                "created_at": stamp,
                "updated_at": stamp,
                **fields,
            },
        )
        return lead_id

    def forget(self) -> None:
        """Drop the conversation and unlink its log: nothing about the person remains."""
        self.connection.execute(
            delete(conversations).where(conversations.c.id == self.conversation_id)
        )
        self.unlink_messages()

    def unlink_messages(self) -> None:
        """Cut the log from the person: texts go, hashed ids stay to drop redeliveries."""
        self.connection.execute(
            update(messages)
            .where(messages.c.conversation_id == self.conversation_id)
            .values(conversation_id=None, text=None)
        )
