"""Private notes on a case: written by relays and coordinators, never sent to the resident.

They are rows of ``case_messages`` with the author ``note`` (no table of their own, so no
migration): encrypted like the thread, erased with the case and by the retention sweep,
and kept out of the thread by its author filter.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Connection

from bot.domain.cipher import FieldCipher
from bot.store.web import case_messages, record_message

NOTE = "note"  # the author of a note's row; the thread's are "relay" and "resident"
MAX_NOTE = 2000


@dataclass(frozen=True, slots=True)
class Note:
    """One private note, in clear: who wrote it (as shown), what, when."""

    by: str
    text: str
    at: datetime


def record_note(
    connection: Connection,
    cipher: FieldCipher,
    *,
    lead_id: str,
    conversation_id: str,
    writer: str,
    by: str,
    text: str,
) -> None:
    """Keep a note on ``lead_id``; ``writer`` is the relay id (or "" for the coordination),
    ``by`` the name shown; both the name and the text are encrypted."""
    record_message(
        connection,
        cipher,
        key=f"note:{uuid.uuid4().hex}",
        lead_id=lead_id,
        conversation_id=conversation_id,
        relay_id=writer,
        author=NOTE,
        text=json.dumps({"by": by, "text": text[:MAX_NOTE]}, ensure_ascii=False),
    )


def notes(connection: Connection, cipher: FieldCipher, lead_id: str) -> list[Note]:
    """The notes on ``lead_id``, oldest first, whoever holds the case now."""
    rows = connection.execute(
        select(case_messages.c.text, case_messages.c.at)
        .where(case_messages.c.lead_id == lead_id, case_messages.c.author == NOTE)
        .order_by(case_messages.c.id)
    )
    found = []
    for row in rows:
        kept = json.loads(cipher.decrypt(row.text) or "{}")
        found.append(Note(str(kept.get("by", "")), str(kept.get("text", "")), row.at))
    return found
