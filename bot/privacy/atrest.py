"""A worker's start on a database: its keys checked, rows written in clear sealed once."""

from __future__ import annotations

import logging

from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.cipher import FieldCipher
from bot.privacy.crypto import KeyRingError
from bot.privacy.pseudonyms import Pseudonyms
from bot.store.keychecks import (
    ENCRYPTION_CHECK,
    PSEUDONYM_CHECK,
    add_checks,
    read_checks,
    sample_ciphertext,
)
from bot.store.sealed import seal_existing

log = logging.getLogger(__name__)

CANARY = "Tremplin: key check"
WRONG_ENCRYPTION_KEYS = (
    "the encryption keys (BOT_PRIVACY__ENCRYPTION_KEYS, or the key file generated in the "
    "runtime folder) cannot read the data already in this database. Give every worker "
    "the same keys, newest first; after adding a new key, keep the old one in the list "
    "until `bot privacy rotate-key` has run."
)
WRONG_SECRET_KEY = (
    "the pseudonym key (BOT_SECRET_KEY, or the key file generated in the runtime folder) "
    "is not the one that wrote this database: people would be strangers to the bot. "
    "Give every worker the same BOT_SECRET_KEY, and never change it."
)


class KeyCheckError(Exception):
    """The configured keys cannot serve this database: missing, or not the ones that wrote it."""


def _opens(cipher: FieldCipher, token: str, expected: str | None = None) -> bool:
    try:
        plain = cipher.decrypt(token)
    except (KeyRingError, ValueError):
        return False
    return expected is None or plain == expected


def verify_keys(connection: Connection, cipher: FieldCipher, pseudonyms: Pseudonyms) -> None:
    """Raise :class:`KeyCheckError` unless these keys wrote (or may write) the database.

    The first worker to start stores a text encrypted with its key ring and a keyed hash
    of its pseudonym key; the others must read the one and find the other. A database
    older than these checks is tried on one value encrypted before.
    """
    stored = read_checks(connection)
    if ENCRYPTION_CHECK not in stored:
        sample = sample_ciphertext(connection)
        if sample is not None and not _opens(cipher, sample):
            raise KeyCheckError(WRONG_ENCRYPTION_KEYS)
    mine = {
        ENCRYPTION_CHECK: cipher.encrypt(CANARY) or "",
        PSEUDONYM_CHECK: pseudonyms.fingerprint(),
    }
    add_checks(connection, {k: v for k, v in mine.items() if k not in stored})
    stored = read_checks(connection)  # another worker's, if it stored them first
    if not _opens(cipher, stored[ENCRYPTION_CHECK], CANARY):
        raise KeyCheckError(WRONG_ENCRYPTION_KEYS)
    if stored[PSEUDONYM_CHECK] != mine[PSEUDONYM_CHECK]:
        raise KeyCheckError(WRONG_SECRET_KEY)


async def open_at_rest(engine: AsyncEngine, cipher: FieldCipher, pseudonyms: Pseudonyms) -> None:
    """Before a worker's first turn: check its keys, then seal what older versions left clear."""

    def run(connection: Connection) -> int:
        verify_keys(connection, cipher, pseudonyms)
        return seal_existing(connection, cipher)

    async with engine.begin() as connection:
        sealed = await connection.run_sync(run)
    if sealed:
        log.warning("encrypted %d conversation states and message texts stored in clear", sealed)
