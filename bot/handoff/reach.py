"""How relays and the coordinator are reached: a relay's chat, e-mail and webhook."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from bot.domain.messages import Outbound
from bot.domain.ports import Sender
from bot.handoff.links import CaseLinks
from bot.handoff.notify import EmailNotifier, WebhookNotifier
from bot.handoff.reference import Relay
from bot.handoff.sheet import case_card, case_fields, render_sheet, short_ref
from bot.handoff.texts import HandoffTexts, Wording, fill
from bot.store.drainer import GiveUpError
from bot.store.handoffs import HandoffRow

CASE_PAGE = "/dossiers/"  # a case in the web app (bot/web/cases.py), after sign-in
RELAY_CHANNEL = "telegram"  # the channel of relays' chats (``telegram_chat_id``)


@dataclass(frozen=True, slots=True)
class HandoffConfig:
    """How long relays have, where relays' e-mail links point, who hears of trouble."""

    accept_within_hours: float = 16
    public_url: str | None = None
    coordinator_email: str | None = None
    coordinator_chat_id: str | None = None


class Ways(Protocol):
    """The ways out, read at each use (a reload or a test may swap one)."""

    senders: dict[str, Sender]
    email: EmailNotifier | None
    webhook: WebhookNotifier | None
    links: CaseLinks
    config: HandoffConfig
    wording: Wording


class Reach:
    """Writes to relays and the coordinator on the ways ``ways`` has; says if it worked."""

    def __init__(self, ways: Ways) -> None:
        self.ways = ways

    @property
    def messenger(self) -> Sender | None:
        """How relays' chats are written to, when their channel runs."""
        return self.ways.senders.get(RELAY_CHANNEL)

    @property
    def texts(self) -> HandoffTexts:
        return self.ways.wording.texts

    def can_reach(self, relay: Relay) -> bool:
        """Has ``relay`` a way we can use?"""
        contact, ways = relay.contact, self.ways
        return bool(
            (contact.telegram_chat_id is not None and self.messenger is not None)
            or (contact.email and ways.email is not None)
            or (contact.webhook_url and ways.webhook is not None)
        )

    async def to_chat(self, chat_id: str, message: Outbound) -> str | None:
        """Write to a relay's chat; the message's id (``reply_to`` of answers), or ``None``."""
        if self.messenger is None:
            return None
        ids = await self.messenger.deliver(chat_id, [message])
        return ids[0] if ids else None

    async def offer(
        self, relay: Relay, row: HandoffRow, lead: Mapping[str, Any]
    ) -> tuple[bool, str | None]:
        """Send the case on every way ``relay`` has: did one work, and the chat card's id."""
        ways, contact = self.ways, relay.contact
        card_ref: str | None = None
        reached = False
        if contact.telegram_chat_id is not None and self.messenger is not None:
            card = case_card(lead, ways.wording, row.id)
            card_ref = await self.to_chat(str(contact.telegram_chat_id), card)
            reached = card_ref is not None
        if contact.email and ways.email is not None:
            body = render_sheet(lead, ways.wording) + self._links(row)
            subject = fill(self.texts.relais.email_new_subject, ref=short_ref(row.lead_id))
            reached = await ways.email.send(contact.email, subject, body) or reached
        if contact.webhook_url and ways.webhook is not None:
            ref = ways.links.case_ref(row.lead_id, relay.id)  # never the page's key
            event = {"type": "case.offered", "case_ref": ref, "case": case_fields(lead)}
            reached = await ways.webhook.send(relay.id, contact.webhook_url, event) or reached
        return reached, card_ref

    def _links(self, row: HandoffRow) -> str:
        texts, ways = self.texts.relais, self.ways
        if not ways.config.public_url:
            return "\n\n" + texts.email_no_link
        link = ways.links.url(ways.config.public_url, row.id, row.relay_id)
        until = ways.wording.date(ways.links.expiry())
        return "\n\n" + fill(texts.email_link, link=link, until=until)

    async def tell(self, relay: Relay, row: HandoffRow, text: str) -> bool:
        """Write to ``relay`` about the case of ``row`` on their first way; ``True`` once it
        went out. An e-mail ends with the case's page, where they can answer."""
        ways, contact = self.ways, relay.contact
        if contact.telegram_chat_id is not None and self.messenger is not None:
            return await self.to_chat(str(contact.telegram_chat_id), Outbound(text)) is not None
        if contact.email and ways.email is not None:
            subject = fill(self.texts.relais.email_case_subject, ref=short_ref(row.lead_id))
            if ways.config.public_url:  # the web app, where the relay can answer
                page = f"{ways.config.public_url.rstrip('/')}{CASE_PAGE}{row.lead_id}"
                text += "\n\n" + fill(self.texts.relais.email_answer_on_web, link=page)
            return await ways.email.send(contact.email, subject, text)
        if contact.webhook_url and ways.webhook is not None:
            ref = ways.links.case_ref(row.lead_id, relay.id)
            event = {"type": "case.message", "case_ref": ref, "text": text}
            return await ways.webhook.send(relay.id, contact.webhook_url, event)
        return False

    async def notify(
        self, relay: Relay, message: Outbound, subject: str, event: Mapping[str, Any] | None
    ) -> list[bool]:
        """``message`` on the relay's first way (their chat, else e-mail under ``subject``),
        and ``event`` to their webhook when they have one: whether each way worked."""
        ways, contact = self.ways, relay.contact
        sent: list[bool] = []
        if contact.telegram_chat_id is not None and self.messenger is not None:
            sent.append(await self.to_chat(str(contact.telegram_chat_id), message) is not None)
        elif contact.email and ways.email is not None:
            sent.append(await ways.email.send(contact.email, subject, message.text))
        if event is not None and contact.webhook_url and ways.webhook is not None:
            sent.append(await ways.webhook.send(relay.id, contact.webhook_url, dict(event)))
        return sent

    def case_ref(self, relay: Relay, lead_id: str) -> str:
        """The opaque reference of a case for ``relay``'s system (never the case's id)."""
        return self.ways.links.case_ref(lead_id, relay.id)

    async def withdrawn(self, relay: Relay, lead_id: str) -> None:
        """Tell ``relay`` the resident erased their case (raises when no way worked)."""
        texts = self.texts.relais
        text = fill(texts.withdrawn, ref=short_ref(lead_id))
        event = {"type": "case.withdrawn", "case_ref": self.case_ref(relay, lead_id)}
        sent = await self.notify(relay, Outbound(text), texts.email_withdrawn_subject, event)
        if sent and not any(sent):
            raise RuntimeError(f"relay {relay.id} could not be reached")

    async def alert_coordinator(self, text: str) -> None:
        """Write to the coordinator's chat, else e-mail (raises when neither worked)."""
        ways, config = self.ways, self.ways.config
        chat = config.coordinator_chat_id
        if chat and self.messenger is not None and await self.to_chat(chat, Outbound(text)):
            return
        if config.coordinator_email and ways.email is not None:
            subject = self.texts.relais.alert_subject
            if await ways.email.send(config.coordinator_email, subject, text):
                return
        if not (config.coordinator_chat_id or config.coordinator_email):
            raise GiveUpError("no coordinator contact configured (BOT_HANDOFF__COORDINATOR_*)")
        raise RuntimeError("the coordinator could not be reached")
