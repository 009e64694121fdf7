"""What relays write to the bot: case buttons, commands, and answers for residents."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy.engine import Connection

from bot.domain.messages import InboundKind, Outbound
from bot.domain.relays import RelayInbound
from bot.handoff.colleagues import colleagues
from bot.handoff.service import HandoffService
from bot.handoff.sheet import short_ref
from bot.handoff.texts import fill
from bot.store import handoffs as store
from bot.store.audit import record_access
from bot.store.handoffs import HandoffRow
from bot.store.leads import load_lead
from bot.store.notes import MAX_NOTE, record_note

_CASE = re.compile(r"^/case:([0-9a-f]{32}):(accept|decline|close_[a-z_]+)$")
_REF = re.compile(r"^#([0-9a-f]{6})\s+(.+)$", re.DOTALL)


class RelayInbox:
    """Routes one relay message; a relay only ever touches their own cases."""

    def __init__(
        self,
        service: HandoffService,
        *,
        web_link: Callable[[str], tuple[str, int] | None] | None = None,
    ) -> None:
        self.service = service
        # A relay's one-time sign-in link to the web app and its minutes (``/web``).
        self.web_link = web_link

    async def handle(self, message: RelayInbound) -> list[Outbound]:
        """The replies to send back to the relay's chat."""
        actor = f"relay:{message.relay_id}:{message.sender_ref}"
        texts = self.service.texts.relais
        if message.kind is InboundKind.BUTTON and message.payload:
            return await self._press(message, actor)
        if message.kind is not InboundKind.TEXT or not message.text.strip():
            return [Outbound(texts.text_only)]
        words = message.text.strip().split()
        command = words[0].lower().split("@")[0]
        if command in ("/mescas", "/cases"):
            return await self._list(message.relay_id, actor)
        if command in ("/web", "/connexion"):
            link = self.web_link(message.relay_id) if self.web_link else None
            if link is None:
                return [Outbound(texts.web_closed)]
            return [Outbound(fill(texts.web_link, link=link[0], minutes=link[1]))]
        if command in ("/passer", "/transmettre") and len(words) >= 2:
            row = await self._own(message.relay_id, words[1].lstrip("#"))
            if row is None:
                return [Outbound(fill(texts.no_such_case, ref=words[1]))]
            parts = message.text.strip().split(maxsplit=3)
            to = parts[2] if len(parts) > 2 else ""
            return await self._hand(row, actor, to, parts[3].strip() if len(parts) > 3 else "")
        if command in ("/prendre", "/liberer", "/clore") and len(words) >= 2:
            row = await self._own(message.relay_id, words[1].lstrip("#"))
            if row is None:
                return [Outbound(fill(texts.no_such_case, ref=words[1]))]
            if command == "/prendre":
                return await self.service.actions.accept(row, actor)
            if command == "/liberer":
                return await self.service.actions.decline(row, actor, reason="released")
            outcome = texts.outcome_words.get(words[2].lower() if len(words) > 2 else "")
            if outcome is None:
                return [Outbound(texts.which_outcome)]
            return await self.service.actions.close(row, actor, outcome)
        if command.startswith("/"):
            return [Outbound(texts.help)]
        return await self._answer(message, actor)

    async def _press(self, message: RelayInbound, actor: str) -> list[Outbound]:
        texts = self.service.texts.relais
        match = _CASE.match(message.payload or "")
        if match is None:
            return [Outbound(texts.stale_button)]
        handoff_id, action = match.groups()
        row = await self.service.turns.run(lambda c: store.get(c, handoff_id))
        if row is None or row.relay_id != message.relay_id:
            return [Outbound(texts.not_yours)]
        if action == "accept":
            return await self.service.actions.accept(row, actor)
        if action == "decline":
            return await self.service.actions.decline(row, actor, reason="declined")
        outcome = action.removeprefix("close_")
        if outcome not in texts.outcomes:
            return [Outbound(texts.stale_button)]
        return await self.service.actions.close(row, actor, outcome)

    async def _answer(self, message: RelayInbound, actor: str) -> list[Outbound]:
        text = message.text.strip()
        row: HandoffRow | None = None
        tagged = _REF.match(text)
        if tagged:
            row = await self._own(message.relay_id, tagged.group(1))
            text = tagged.group(2).strip()
        elif message.reply_to:
            card = message.reply_to
            row = await self.service.turns.run(lambda c: store.by_card(c, message.relay_id, card))
        if row is None and not tagged:
            cases = await self.service.turns.run(
                lambda c: store.open_for_relay(c, message.relay_id)
            )
            talking = [r for r in cases if r.status in store.TALKING]
            if len(talking) == 1:
                row = talking[0]
        if row is None:
            return [Outbound(self.service.texts.relais.help)]
        return await self.service.actions.relay_says(row, actor, text)

    async def _hand(self, row: HandoffRow, actor: str, to_id: str, word: str) -> list[Outbound]:
        """``/passer n° <relay id> [a word]``: the case goes to that colleague; without a
        valid one, the colleagues to choose from (those covering the resident first)."""
        service, texts = self.service, self.service.texts.relais
        ref = short_ref(row.lead_id)
        to = service.relays.get(to_id)
        if to is None or to.id == row.relay_id or not service.reach.can_reach(to):
            lead = await service.turns.run(lambda c: load_lead(c, row.lead_id, service.cipher))
            loads = await service.turns.run(store.loads)
            suited, others = colleagues(
                service.directory, lead or {}, loads, holder=row.relay_id,
                reachable=service.reach.can_reach,
            )  # fmt: skip
            names = ", ".join(f"{r.id} ({r.display_name}, {r.structure})" for r in suited + others)
            return [Outbound(fill(texts.which_colleague, ref=ref, colleagues=names[:800]))]
        holder = service.relays.get(row.relay_id)
        by = holder.display_name if holder else row.relay_id

        def note(connection: Connection) -> None:
            if word:
                record_note(
                    connection, service.cipher, lead_id=row.lead_id,
                    conversation_id=row.conversation_id, writer=row.relay_id, by=by,
                    text=f"Pour {to.display_name} : {word[:MAX_NOTE]}",
                )  # fmt: skip

        if await service.actions.hand_over(row, actor, to, note=note) is None:
            return [Outbound(texts.not_open)]
        return [Outbound(fill(texts.handed, ref=ref, relay_name=to.display_name))]

    async def _own(self, relay_id: str, ref: str) -> HandoffRow | None:
        rows = await self.service.turns.run(lambda c: store.open_for_relay(c, relay_id))
        return next((r for r in rows if short_ref(r.lead_id) == ref.lower()), None)

    async def _list(self, relay_id: str, actor: str) -> list[Outbound]:

        def listed(connection: Connection) -> list[HandoffRow]:
            record_access(connection, actor=actor, action="cases_listed")
            return store.open_for_relay(connection, relay_id)

        rows = await self.service.turns.run(listed)
        texts = self.service.texts.relais
        if not rows:
            return [Outbound(texts.no_open_cases)]
        lines = [
            fill(
                texts.open_case,
                ref=short_ref(r.lead_id),
                status=texts.statuses.get(r.status, r.status),
            )
            for r in rows
        ]
        return [Outbound("\n".join([texts.open_cases, *lines]))]
