"""Neutral inbound and outbound message values that channels translate to and from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

# The source of the conversations coordinators have with the bot to try their edits
# (``/flows/essai``): left out of the dashboard's figures, never offered to a relay.
TRIAL_SOURCE = "essai"


class InboundKind(StrEnum):
    """What a resident sent, as far as the bot is concerned."""

    TEXT = "text"
    BUTTON = "button"
    START = "start"
    CONTACT = "contact"
    UNSUPPORTED = "unsupported"


@dataclass(frozen=True, slots=True)
class Inbound:
    """One message from a person, stripped of its transport.

    ``message_id`` is the channel's own id, unique per channel, used to drop
    redeliveries. ``payload`` is set when the channel knows a button was pressed;
    channels that cannot tell (REST) send the payload as ``text``.
    """

    channel: str
    user_ref: str
    text: str = ""
    message_id: str | None = None
    kind: InboundKind = InboundKind.TEXT
    payload: str | None = None
    source: str | None = None
    media: str | None = None
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True, slots=True)
class Button:
    """A choice offered to the person: a stable payload and a French title.

    ``asks_phone`` marks a button that asks the person to share their own phone number:
    channels with a native share button (Telegram) render it so and send back an
    :class:`Inbound` of kind ``CONTACT``; others show a plain button.
    """

    payload: str
    title: str
    asks_phone: bool = False


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with a message (e.g. the JSON copy of a person's data)."""

    filename: str
    media_type: str
    content: bytes


@dataclass(frozen=True, slots=True)
class ChannelTexts:
    """The few words channels add when they render a message (coordinators' wording)."""

    edited: str  # Telegram: an edited message is not read
    list_button: str  # WhatsApp: the button opening a list of choices
    numbered_hint: str  # WhatsApp: under choices written with numbers
    numbered_hint_multiple: str
    bye: str  # the terminal, when one leaves it


@dataclass(frozen=True, slots=True)
class Outbound:
    """One message from the bot; channels render buttons as well as they can.

    ``numbered``: the text already lists the choices as "1. ...": a channel that would
    number them itself shows the text as it is.
    """

    text: str
    buttons: tuple[Button, ...] = ()
    multiple: bool = False
    attachment: Attachment | None = None
    numbered: bool = False  # the text already lists the choices with their numbers
    lang: str = ""  # the person's language: the words a channel adds follow it
