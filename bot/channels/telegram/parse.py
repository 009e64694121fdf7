"""Turn a Telegram update into what the bot acts on: a resident's or a relay's message."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from telegram import CallbackQuery, Chat, ChatMember, Message, Update
from telegram.constants import MessageAttachmentType

from bot.domain.messages import Inbound, InboundKind
from bot.domain.relays import RelayInbound

CHANNEL = "telegram"
START = "/start"
# What Telegram allows in a deep link's payload (t.me/<bot>?start=<payload>).
_DEEP_LINK = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True, slots=True)
class FromResident:
    """A resident's message, and the private chat to answer in."""

    inbound: Inbound
    chat_id: str


@dataclass(frozen=True, slots=True)
class FromRelay:
    """A message or a press from a known relay chat."""

    inbound: RelayInbound


@dataclass(frozen=True, slots=True)
class Edited:
    """A resident edited an earlier message: never a new answer (see the channel)."""

    chat_id: str


@dataclass(frozen=True, slots=True)
class Blocked:
    """A resident blocked the bot (``my_chat_member`` says ``kicked``)."""

    user_ref: str


@dataclass(frozen=True, slots=True)
class Ignored:
    """Nothing to do (a group we do not serve, a bot, a service message...)."""

    reason: str


Parsed = FromResident | FromRelay | Edited | Blocked | Ignored


def _attachment_kind(message: Message) -> str | None:
    """The kind of file or object sent ("voice", "photo", "sticker"...), if any."""
    for kind in MessageAttachmentType:
        if getattr(message, kind.value, None):
            return str(kind.value)
    return None


def _command(text: str) -> tuple[str, str]:
    """``("/start", "payload")`` for ``"/start@bot payload"``; ``("", text)`` otherwise."""
    if not text.startswith("/"):
        return "", text
    head, _, rest = text.partition(" ")
    return head.split("@", 1)[0].lower(), rest.strip()


def _deep_link(payload: str) -> str | None:
    return payload if _DEEP_LINK.match(payload) else None


def parse_message(message: Message, chat_id: str, user_ref: str) -> Inbound | None:
    """A resident's message as an :class:`Inbound` (``None`` for a service message)."""
    message_id = f"{chat_id}:{message.message_id}"
    if message.text is not None:
        command, rest = _command(message.text)
        if command == START:
            return Inbound(
                CHANNEL, user_ref, "", message_id, kind=InboundKind.START, source=_deep_link(rest)
            )
        text = f"{command} {rest}".strip() if command else message.text
        return Inbound(CHANNEL, user_ref, text, message_id)
    contact = message.contact
    if contact is not None and contact.user_id is not None and str(contact.user_id) == user_ref:
        # Only the sender's own card is trusted as their number; anyone can forward others'.
        phone = contact.phone_number.strip()
        phone = phone if phone.startswith("+") else f"+{phone}"
        return Inbound(CHANNEL, user_ref, phone, message_id, kind=InboundKind.CONTACT)
    media = _attachment_kind(message)
    if media is None:
        return None
    return Inbound(CHANNEL, user_ref, "", message_id, kind=InboundKind.UNSUPPORTED, media=media)


def _relay_message(message: Message, chat_id: str, relay_id: str, sender: str) -> RelayInbound:
    answered = message.reply_to_message
    media = None if message.text is not None else _attachment_kind(message) or "other"
    return RelayInbound(
        CHANNEL,
        relay_id,
        chat_id,
        sender,
        text=message.text or "",
        kind=InboundKind.TEXT if media is None else InboundKind.UNSUPPORTED,
        message_id=f"{chat_id}:{message.message_id}",
        reply_to=f"{chat_id}:{answered.message_id}" if answered is not None else None,
        media=media,
    )


def _parse_press(
    query: CallbackQuery, relay_chats: Mapping[str, str], decode: Callable[[str], str]
) -> Parsed:
    user = query.from_user
    if user.is_bot or query.data is None:
        return Ignored("a press without data, or from a bot")
    payload = decode(query.data)
    message = query.message
    chat_id = str(message.chat.id) if message is not None else str(user.id)
    relay_id = relay_chats.get(chat_id)
    if relay_id is not None:
        relay = RelayInbound(
            CHANNEL,
            relay_id,
            chat_id,
            str(user.id),
            text=payload,
            kind=InboundKind.BUTTON,
            payload=payload,
            message_id=f"cb:{query.id}",
            reply_to=f"{chat_id}:{message.message_id}" if message is not None else None,
        )
        return FromRelay(relay)
    if message is not None and message.chat.type != Chat.PRIVATE:
        return Ignored("a press in a chat we do not serve")
    inbound = Inbound(
        CHANNEL,
        str(user.id),
        payload,
        f"cb:{query.id}",
        kind=InboundKind.BUTTON,
        payload=payload,
    )
    return FromResident(inbound, str(user.id))


def check_ids(update: Update) -> None:
    """Raise ``TypeError`` unless the update's ids are integers, as Telegram sends them.

    PTB builds updates without checking types, and uses these ids as keys after our
    handler ran: an update sent with a list for a user id would fail there, once the
    webhook had answered.
    """
    ids: list[object] = [update.update_id]
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    ids += [user.id] if user is not None else []
    ids += [chat.id] if chat is not None else []
    ids += [message.message_id] if message is not None else []
    if any(type(value) is not int for value in ids):
        raise TypeError("an id is not an integer")


def parse_update(
    update: Update,
    relay_chats: Mapping[str, str],
    decode: Callable[[str], str] = str,
) -> Parsed:
    """What ``update`` means for the bot.

    ``relay_chats`` maps relay chat ids to relay ids: everything from those chats goes
    to the relays' side. Residents are served in private chats only. ``decode`` turns
    callback data back into a payload. Message ids are ``<chat>:<message>`` (Telegram
    numbers messages per chat) and ``cb:<query id>`` for presses, so a redelivered
    update keeps its id. Raises (``TypeError``, ``AttributeError``...) on an update
    Telegram would never send (see :func:`check_ids`).
    """
    check_ids(update)
    if update.callback_query is not None:
        return _parse_press(update.callback_query, relay_chats, decode)
    member = update.my_chat_member
    if member is not None:
        kicked = member.new_chat_member.status == ChatMember.BANNED
        if member.chat.type == Chat.PRIVATE and kicked:
            return Blocked(str(member.from_user.id))
        return Ignored("a membership change")
    edited = update.edited_message
    if edited is not None:
        if edited.chat.type == Chat.PRIVATE and str(edited.chat.id) not in relay_chats:
            return Edited(str(edited.chat.id))
        return Ignored("an edit outside a resident's chat")
    message = update.message
    if message is None:
        return Ignored("an update kind we do not serve")
    user = message.from_user
    if user is None or user.is_bot:
        return Ignored("a message without a human sender")
    chat_id = str(message.chat.id)
    relay_id = relay_chats.get(chat_id)
    if relay_id is not None:
        return FromRelay(_relay_message(message, chat_id, relay_id, str(user.id)))
    if message.chat.type != Chat.PRIVATE:
        return Ignored("a group or channel we do not serve")
    inbound = parse_message(message, chat_id, str(user.id))
    if inbound is None:
        return Ignored("a service message")
    return FromResident(inbound, chat_id)
