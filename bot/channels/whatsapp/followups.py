"""Proactive WhatsApp messages: free-form inside the 24-hour window, a template outside."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Protocol

from bot.channels.whatsapp.graph import UNDELIVERABLE, WINDOW_CLOSED, GraphError
from bot.channels.whatsapp.parse import Address
from bot.channels.whatsapp.send import WhatsAppSender
from bot.domain.delivery import DeliveryStatus, Reach
from bot.domain.messages import Outbound

log = logging.getLogger(__name__)

WINDOW = timedelta(hours=24)
MAX_PENDING = 10_000


@dataclass(frozen=True, slots=True)
class Template:
    """An approved template: name, language, and the names of the values filling it."""

    name: str
    language: str
    parameters: tuple[str, ...] = ()


class ContactBook(Protocol):
    """The bot's side of follow-ups (the WhatsApp channel asks its bot)."""

    async def reach(self, user_ref: str, purpose: str) -> Reach | None:
        """The person's reach, or ``None`` when we keep no contact for them."""
        ...

    async def sent(self, user_ref: str, message_id: str, text: str | None) -> None:
        """Log a proactive message we sent (statuses will update it)."""
        ...

    async def unreachable(self, user_ref: str) -> None:
        """WhatsApp says the person cannot be reached."""
        ...


class FollowUpOutcome(StrEnum):
    """What became of a follow-up."""

    SENT = "sent"  # free-form, inside the 24-hour window
    TEMPLATE = "template"  # outside the window: the approved template went out
    NO_CONSENT = "no_consent"  # no contact kept, or no consent for this purpose
    STOPPED = "stopped"  # the person said STOP
    UNREACHABLE = "unreachable"  # WhatsApp said the person cannot be reached
    NO_TEMPLATE = "no_template"  # outside the window and no such template configured
    FAILED = "failed"  # the Graph API refused it (see ``error_code``)


@dataclass(frozen=True, slots=True)
class FollowUpResult:
    """The outcome of a follow-up and, when one went out, its WhatsApp message id."""

    outcome: FollowUpOutcome
    message_id: str | None = None
    error_code: int | None = None


@dataclass(frozen=True, slots=True)
class _Fallback:
    user_ref: str
    template: str
    values: Mapping[str, str]
    purpose: str
    lang: str = ""


class FollowUps:
    """Writes first to people who agreed to it, within WhatsApp's 24-hour rule.

    Inside the window (less ``margin``, for clocks and delays) the message goes out as
    it is; outside, the approved template named by the caller goes out instead, and
    when WhatsApp answers 131047 (window closed), right away or in a later status,
    the template is sent then. A status reaching another worker process than the one
    that sent the message is only recorded: the caller sees ``failed``/131047 on it.
    """

    def __init__(
        self,
        sender: WhatsAppSender,
        book: ContactBook,
        templates: Mapping[str, Template],
        *,
        margin: timedelta = timedelta(minutes=10),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.sender = sender
        self.book = book
        self.templates = dict(templates)
        self.margin = margin
        self.clock = clock
        self._fallbacks: OrderedDict[str, _Fallback] = OrderedDict()

    def _chosen(self, key: str, lang: str) -> Template | None:
        """The template ``key`` in the person's language (``followup_en``, approved in
        English) when one is configured, else ``key`` itself (French)."""
        own = self.templates.get(f"{key}_{lang}") if lang else None
        return own if own is not None else self.templates.get(key)

    def _values(self, template: Template, values: Mapping[str, str]) -> list[str]:
        missing = [name for name in template.parameters if not values.get(name)]
        if missing:
            raise ValueError(f"template {template.name!r} needs values for {missing}")
        return [values[name] for name in template.parameters]

    async def send(
        self,
        user_ref: str,
        message: Outbound,
        *,
        template: str,
        values: Mapping[str, str] | None = None,
        purpose: str = "followup",
    ) -> FollowUpResult:
        """Write first to ``user_ref`` (a WhatsApp user id or phone number).

        Args:
            message: what to say inside the 24-hour window.
            template: key of the configured template to use outside it.
            values: values of the template's parameters, by name (``first_name``...).
            purpose: ``followup`` (news, reminders: needs the follow-up consent, or
                the contact consent when the person was never asked about follow-ups)
                or ``contact`` (someone taking up the person's case: contact consent).
        """
        values = dict(values or {})
        chosen = self._chosen(template, message.lang)
        if chosen is not None:
            self._values(chosen, values)  # a caller's mistake shows even inside the window
        reach = await self.book.reach(user_ref, purpose)
        if reach is not None and reach.stopped:
            return FollowUpResult(FollowUpOutcome.STOPPED)
        if reach is None or not reach.consented:
            return FollowUpResult(FollowUpOutcome.NO_CONSENT)
        if reach.unreachable:
            return FollowUpResult(FollowUpOutcome.UNREACHABLE)
        address = Address.of(user_ref)
        opened = reach.last_inbound_at
        if opened is not None and self.clock() < opened + WINDOW - self.margin:
            try:
                message_id = await self.sender.send(address, message)
            except GraphError as exc:
                if exc.code != WINDOW_CLOSED:
                    return await self._failed(user_ref, exc)
            else:
                await self.book.sent(user_ref, message_id, message.text)
                fallback = _Fallback(user_ref, template, values, purpose, message.lang)
                self._remember(message_id, fallback)
                return FollowUpResult(FollowUpOutcome.SENT, message_id)
        return await self._template(user_ref, address, template, values, message.lang)

    async def _template(
        self,
        user_ref: str,
        address: Address,
        key: str,
        values: Mapping[str, str],
        lang: str = "",
    ) -> FollowUpResult:
        template = self._chosen(key, lang)
        if template is None:
            log.warning("no WhatsApp template %r configured: follow-up not sent", key)
            return FollowUpResult(FollowUpOutcome.NO_TEMPLATE)
        filled: Sequence[str] = self._values(template, values)
        try:
            message_id = await self.sender.send_template(
                address, template.name, template.language, filled
            )
        except GraphError as exc:
            return await self._failed(user_ref, exc)
        await self.book.sent(user_ref, message_id, f"[template {template.name}]")
        return FollowUpResult(FollowUpOutcome.TEMPLATE, message_id)

    async def _failed(self, user_ref: str, exc: GraphError) -> FollowUpResult:
        log.warning("WhatsApp follow-up refused: code %s", exc.code)
        if exc.code == UNDELIVERABLE:
            await self.book.unreachable(user_ref)
        return FollowUpResult(FollowUpOutcome.FAILED, error_code=exc.code)

    def _remember(self, message_id: str, fallback: _Fallback) -> None:
        self._fallbacks[message_id] = fallback
        while len(self._fallbacks) > MAX_PENDING:
            self._fallbacks.popitem(last=False)

    async def on_status(self, report: DeliveryStatus) -> None:
        """A free-form follow-up failed with 131047 (window closed): send the template."""
        if report.status in ("delivered", "read"):
            self._fallbacks.pop(report.message_id, None)
            return
        if report.status != "failed" or report.error_code != str(WINDOW_CLOSED):
            return
        fallback = self._fallbacks.pop(report.message_id, None)
        if fallback is None:
            return
        reach = await self.book.reach(fallback.user_ref, fallback.purpose)
        if reach is None or not reach.consented or reach.stopped:
            return
        address = Address.of(fallback.user_ref)
        await self._template(
            fallback.user_ref, address, fallback.template, fallback.values, fallback.lang
        )
