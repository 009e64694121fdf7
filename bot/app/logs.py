"""Logging set-up: one redacting filter on the root handlers, noisy libraries kept quiet."""

from __future__ import annotations

import logging
import re
import sys
import traceback
from collections.abc import Iterable, Iterator
from typing import TextIO

from pydantic import SecretStr

from bot.app.settings import Settings

# Libraries that log message bodies, personal data, URLs carrying the bot token or SQL
# parameters below WARNING (PTB dumps updates and Bot API calls at DEBUG, httpx logs
# every URL at INFO, SQLAlchemy and aiosqlite every statement's parameters): their
# records below WARNING are dropped, whatever level they were set to.
QUIET = (
    "aiosqlite",
    "asyncpg",
    "hpack",
    "httpcore",
    "httpx",
    "multipart",
    "sqlalchemy",
    "telegram",
    "uvicorn.access",
)
HIDDEN = "[redacted]"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# A Bot API token ("123456:AA..."), wherever it shows (in a URL: /bot<token>/method).
_BOT_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{8,}")
_BEARER = re.compile(r"(?i)\b(bearer\s+)[^\s'\",]+")
_URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^\s:/@]+:)[^\s@/]+@")
# Fields of updates, webhooks and API calls that hold what people write or who they are,
# as reprs and JSON show them: text='...', 'first_name': '...', "from": "336...".
_PERSONAL_KEYS = (
    "text|caption|body|message|pitch|first_name|last_name|full_name|username|name|"
    "phone_number|phone|wa_id|from|recipient_id|user_ref|sender|email|vcard|address|title"
)
_PERSONAL_FIELD = re.compile(
    rf"""(?P<key>\b(?:{_PERSONAL_KEYS})['"]?\s*[:=]\s*)"""
    r"""(?P<quote>['"])(?:\\.|(?!(?P=quote)).)*(?P=quote)""",
    re.DOTALL,
)
# Phone numbers: international (+33 6 12 34 56 78, +33612345678) and French (06 12 34 56 78).
_PHONE = re.compile(r"(?<![\w+])(?:\+\d(?:[ .-]?\d){7,14}|0[1-9](?:[ .-]?\d{2}){4})(?!\w)")


class RedactingFilter(logging.Filter):
    """Removes secrets and personal data from every record, at every level.

    ``secrets`` (the configured tokens and keys) are replaced wherever they appear;
    so are Bot API tokens, bearer tokens and passwords in URLs, the values of fields
    holding what people write or who they are, and phone numbers. Records below
    WARNING from the :data:`QUIET` libraries are dropped. The message, the traceback
    and the stack are rewritten in place, so every handler after this one sees the
    redacted record too.
    """

    def __init__(self, secrets: Iterable[str] = (), *, quiet: Iterable[str] = QUIET) -> None:
        super().__init__()
        # Longest first, so a secret containing another is hidden whole.
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)
        self.quiet = tuple(quiet)

    def redact(self, text: str) -> str:
        """``text`` without secrets or personal data."""
        for secret in self.secrets:
            text = text.replace(secret, HIDDEN)
        text = _BOT_TOKEN.sub(HIDDEN, text)
        text = _BEARER.sub(rf"\g<1>{HIDDEN}", text)
        text = _URL_PASSWORD.sub(rf"\g<1>{HIDDEN}@", text)
        text = _PERSONAL_FIELD.sub(rf"\g<key>\g<quote>{HIDDEN}\g<quote>", text)
        return _PHONE.sub(HIDDEN, text)

    def _quiet(self, name: str) -> bool:
        return any(name == q or name.startswith(q + ".") for q in self.quiet)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING and self._quiet(record.name):
            return False
        try:
            message = record.getMessage()
        except Exception:  # a malformed call (wrong arguments): keep its template only
            message = str(record.msg)
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def _values(secret: SecretStr | str | None) -> Iterator[str]:
    if isinstance(secret, SecretStr):
        secret = secret.get_secret_value()
    if secret:
        yield secret


def known_secrets(settings: Settings) -> list[str]:
    """Every secret the settings hold (tokens, keys, passwords, signing secrets)."""
    telegram, whatsapp, handoff = settings.telegram, settings.whatsapp, settings.handoff
    found = [
        *_values(settings.secret_key),
        *_values(telegram.token),
        *_values(telegram.webhook_secret),
        *_values(whatsapp.access_token),
        *_values(whatsapp.app_secret),
        *_values(whatsapp.verify_token),
        *_values(handoff.smtp_password),
        *_values(handoff.link_secret),
        *settings.privacy.encryption_keys,
    ]
    for secret in handoff.webhook_secrets.values():
        found.extend(_values(secret))
    return found


def configure_logging(
    settings: Settings, *, stream: TextIO | None = None
) -> logging.Handler | None:
    """Log at ``BOT_LOG_LEVEL`` through the redacting filter.

    Like :func:`logging.basicConfig`, a handler writing to stderr is added only when
    the root logger has none (``stream``: always, to that stream). The filter goes on
    every handler of the root logger, this one and any already there; the
    :data:`QUIET` libraries are set to WARNING at least. Returns the handler added.
    """
    level = logging.getLevelName(settings.log_level.upper())
    root = logging.getLogger()
    root.setLevel(level if isinstance(level, int) else logging.INFO)
    handler: logging.Handler | None = None
    if stream is not None or not root.handlers:
        handler = logging.StreamHandler(stream or sys.stderr)
        handler.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(handler)
    redacting = RedactingFilter(known_secrets(settings))
    for each in root.handlers:
        each.filters = [f for f in each.filters if not isinstance(f, RedactingFilter)]
        each.addFilter(redacting)
    for name in QUIET:
        library = logging.getLogger(name)
        library.setLevel(max(logging.WARNING, library.level))
    return handler
