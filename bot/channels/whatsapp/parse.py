"""Turn a WhatsApp Cloud API webhook body into inbound messages and delivery statuses."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.domain.delivery import DeliveryStatus
from bot.domain.messages import Inbound, InboundKind

log = logging.getLogger(__name__)

CHANNEL = "whatsapp"
PAYLOAD_PREFIX = "/"  # our button payloads look like "/step:option"
# Kinds we cannot read; each gets the kind "je ne sais lire que..." reply.
MEDIA_KINDS = frozenset(
    {"image", "audio", "video", "document", "sticker", "location", "reaction", "contacts"}
)
IGNORED_KINDS = frozenset({"system", "ephemeral"})
STATUSES = frozenset({"sent", "delivered", "read", "failed"})


@dataclass(frozen=True, slots=True)
class Address:
    """Where to answer a person: the phone number when we have it, else the user id."""

    phone: str | None = None
    user_id: str | None = None

    def fields(self) -> dict[str, str]:
        """The recipient fields of a Graph API message (``to`` wins over ``recipient``)."""
        if self.phone:
            return {"to": self.phone}
        if self.user_id:
            return {"recipient": self.user_id}
        raise ValueError("an address needs a phone number or a user id")

    @classmethod
    def of(cls, user_ref: str) -> Address:
        """The address of a stored ``user_ref`` (a phone number is all digits)."""
        return cls(phone=user_ref) if user_ref.isdigit() else cls(user_id=user_ref)


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """A message from a person, and where to answer it."""

    inbound: Inbound
    address: Address


Event = InboundMessage | DeliveryStatus
"""A message from a person, or a status of one of our messages (``wamid``)."""


def _time(value: Any) -> datetime:
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return datetime.now(UTC)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _sender(message: Mapping[str, Any], contacts: list[Any]) -> Address | None:
    """Who wrote: the business-scoped user id if given, and the phone number if shown."""
    phone = _str(message.get("from"))
    user_id = _str(message.get("from_user_id"))
    for contact in map(_dict, contacts):
        same = (phone and contact.get("wa_id") == phone) or (
            user_id and contact.get("user_id") == user_id
        )
        if same or len(contacts) == 1:
            phone = phone or _str(contact.get("wa_id"))
            user_id = user_id or _str(contact.get("user_id"))
            break
    if phone is None and user_id is None:
        return None
    return Address(phone=phone, user_id=user_id)


def _content(message: Mapping[str, Any]) -> tuple[InboundKind, str, str | None, str | None]:
    """(kind, text, payload, media) of a message."""
    kind = message.get("type")
    if kind == "request_welcome":  # the person opened the chat for the first time
        return InboundKind.START, "", None, None
    if kind == "text":
        return InboundKind.TEXT, str(_dict(message.get("text")).get("body") or ""), None, None
    if kind == "interactive":
        interactive = _dict(message.get("interactive"))
        reply = _dict(interactive.get(str(interactive.get("type"))))
        payload = _str(reply.get("id"))
        if interactive.get("type") in ("button_reply", "list_reply") and payload:
            return InboundKind.BUTTON, payload, payload, None
        return InboundKind.UNSUPPORTED, "", None, "interactive"
    if kind == "button":  # a template's quick-reply button
        button = _dict(message.get("button"))
        payload = _str(button.get("payload"))
        if payload and payload.startswith(PAYLOAD_PREFIX):
            return InboundKind.BUTTON, payload, payload, None
        # A template's own payload means nothing to the flows: its words do.
        return InboundKind.TEXT, str(button.get("text") or ""), None, None
    return InboundKind.UNSUPPORTED, "", None, kind if kind in MEDIA_KINDS else "unknown"


def _message(message: Mapping[str, Any], contacts: list[Any]) -> InboundMessage | None:
    message_id = _str(message.get("id"))
    address = _sender(message, contacts)
    if message_id is None or address is None or message.get("type") in IGNORED_KINDS:
        log.info("ignored a WhatsApp message of type %s", message.get("type"))
        return None
    kind, text, payload, media = _content(message)
    user_ref = address.user_id or address.phone or ""
    inbound = Inbound(
        channel=CHANNEL,
        user_ref=user_ref,
        text=text,
        message_id=message_id,
        kind=kind,
        payload=payload,
        media=media,
        received_at=_time(message.get("timestamp")),
    )
    return InboundMessage(inbound, address)


def _status(status: Mapping[str, Any]) -> DeliveryStatus | None:
    message_id = _str(status.get("id"))
    name = status.get("status")
    if message_id is None or name not in STATUSES:
        return None
    errors = [_dict(e) for e in _list(status.get("errors"))]
    code = next((str(e["code"]) for e in errors if e.get("code") is not None), None)
    code = None if code is None else code[:20]  # Graph's codes are short ints: the column's size
    return DeliveryStatus(message_id, str(name), _time(status.get("timestamp")), code)


def parse_webhook(data: Any, phone_number_id: str) -> list[Event]:
    """Every message and status of a webhook body for our number, in the order sent.

    Changes for another business number of the same account are skipped: we would
    answer from the wrong number.
    """
    events: list[Event] = []
    if not isinstance(data, dict) or data.get("object") != "whatsapp_business_account":
        return events
    for entry in map(_dict, _list(data.get("entry"))):
        for change in map(_dict, _list(entry.get("changes"))):
            value = _dict(change.get("value"))
            if change.get("field") != "messages":
                continue
            number = _dict(value.get("metadata")).get("phone_number_id")
            if number != phone_number_id:
                log.warning("skipped a WhatsApp change for another business number")
                continue
            contacts = _list(value.get("contacts"))
            for message in map(_dict, _list(value.get("messages"))):
                parsed = _message(message, contacts)
                if parsed is not None:
                    events.append(parsed)
            for status in map(_dict, _list(value.get("statuses"))):
                report = _status(status)
                if report is not None:
                    events.append(report)
    return events
