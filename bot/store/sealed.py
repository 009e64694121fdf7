"""Conversation state at rest: what the person said is sealed with the key ring."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import orjson
from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.engine import Connection

from bot.domain.cipher import FieldCipher
from bot.store.database import json_dumps
from bot.store.keychecks import add_checks
from bot.store.models import Conversation, Message

# The answers (slots: pitch, first name, phone, commune...), the words of a typed answer
# being confirmed, and the places offered to pick from. The rest is where the
# conversation stands (flow, step, status, counters), which says nothing of the person.
SEALED_FIELDS = ("slots", "pending", "picks")
SEALED = "sealed"
SEALED_ONCE = "sealed"  # key check row: rows written in clear were sealed

_conversations = cast(Table, Conversation.__table__)
_messages = cast(Table, Message.__table__)
_SET_STATE = (
    update(_conversations)
    .where(_conversations.c.id == bindparam("cid"))
    .values(state=bindparam("sealed_state"))
)
_SET_TEXT = update(_messages).where(_messages.c.id == bindparam("mid")).values(text=bindparam("t"))


def seal_state(state: Mapping[str, Any], cipher: FieldCipher) -> dict[str, Any]:
    """``state`` as stored: the person's answers in one encrypted field."""
    stored = {key: value for key, value in state.items() if key not in SEALED_FIELDS}
    inner = {key: state[key] for key in SEALED_FIELDS if key in state}
    stored[SEALED] = cipher.encrypt(json_dumps(inner))
    return stored


def open_state(stored: Mapping[str, Any], cipher: FieldCipher) -> dict[str, Any]:
    """The state as the runner knows it (inverse of :func:`seal_state`).

    A state without a sealed field was written before encryption at rest: it is read as
    it is (and sealed when saved, or by :func:`seal_existing` at start-up).
    """
    sealed = stored.get(SEALED)
    if sealed is None:
        return dict(stored)
    state = {key: value for key, value in stored.items() if key != SEALED}
    state.update(orjson.loads(cipher.decrypt(sealed) or "{}"))
    return state


def is_sealed(stored: Mapping[str, Any]) -> bool:
    """True when the stored state keeps the person's answers encrypted."""
    return SEALED in stored


def seal_existing(connection: Connection, cipher: FieldCipher) -> int:
    """Once per database: seal states and encrypt message texts stored in clear.

    They were written before encryption at rest. The first worker to start does it,
    in its transaction, before any turn of the new version writes; returns the rows.
    """
    if not add_checks(connection, {SEALED_ONCE: "1"}):
        return 0
    states = [
        {"cid": row.id, "sealed_state": seal_state(row.state, cipher)}
        for row in connection.execute(select(_conversations.c.id, _conversations.c.state))
        if not is_sealed(row.state)
    ]
    texts = [
        {"mid": row.id, "t": cipher.encrypt(row.text)}
        for row in connection.execute(
            select(_messages.c.id, _messages.c.text).where(_messages.c.text.is_not(None))
        )
    ]
    if states:
        connection.execute(_SET_STATE, states)
    if texts:
        connection.execute(_SET_TEXT, texts)
    return len(states) + len(texts)
