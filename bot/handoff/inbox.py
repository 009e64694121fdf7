"""What relays write to the bot: case buttons, commands, and answers for residents."""

from __future__ import annotations

import re

from sqlalchemy.engine import Connection

from bot.domain.messages import InboundKind, Outbound
from bot.domain.relays import RelayInbound
from bot.handoff.service import HandoffService
from bot.handoff.sheet import OUTCOMES, short_ref
from bot.store import handoffs as store
from bot.store.audit import record_access
from bot.store.handoffs import HandoffRow

_CASE = re.compile(r"^/case:([0-9a-f]{32}):(accept|decline|close_[a-z_]+)$")
_REF = re.compile(r"^#([0-9a-f]{6})\s+(.+)$", re.DOTALL)
OUTCOME_WORDS = {
    "rencontre": "met",
    "accompagne": "supported",
    "oriente": "referred",
    "pas_pour_nous": "not_relevant",
}
HELP = (
    "Commandes : /mescas (tes dossiers ouverts), /prendre n°, /liberer n°, "
    "/clore n° rencontre|accompagne|oriente|pas_pour_nous.\n"
    "Pour écrire à une personne : réponds au message de son dossier, "
    "ou commence par son numéro (#a1b2c3)."
)


class RelayInbox:
    """Routes one relay message; a relay only ever touches their own cases."""

    def __init__(self, service: HandoffService) -> None:
        self.service = service

    async def handle(self, message: RelayInbound) -> list[Outbound]:
        """The replies to send back to the relay's chat."""
        actor = f"relay:{message.relay_id}:{message.sender_ref}"
        if message.kind is InboundKind.BUTTON and message.payload:
            return await self._press(message, actor)
        if message.kind is not InboundKind.TEXT or not message.text.strip():
            return [Outbound("Je ne transmets que des messages écrits.")]
        words = message.text.strip().split()
        command = words[0].lower().split("@")[0]
        if command in ("/mescas", "/cases"):
            return await self._list(message.relay_id, actor)
        if command in ("/prendre", "/liberer", "/clore") and len(words) >= 2:
            row = await self._own(message.relay_id, words[1].lstrip("#"))
            if row is None:
                return [Outbound(f"Je ne trouve pas de dossier n° {words[1]} chez toi.")]
            if command == "/prendre":
                return await self.service.accept(row, actor)
            if command == "/liberer":
                return await self.service.decline(row, actor, reason="released")
            outcome = OUTCOME_WORDS.get(words[2].lower() if len(words) > 2 else "")
            if outcome is None:
                return [
                    Outbound("Précise l'issue : rencontre, accompagne, oriente ou pas_pour_nous.")
                ]
            return await self.service.close(row, actor, outcome)
        if command.startswith("/"):
            return [Outbound(HELP)]
        return await self._answer(message, actor)

    async def _press(self, message: RelayInbound, actor: str) -> list[Outbound]:
        match = _CASE.match(message.payload or "")
        if match is None:
            return [Outbound("Ce bouton n'est plus valable.")]
        handoff_id, action = match.groups()
        row = await self.service.turns.run(lambda c: store.get(c, handoff_id))
        if row is None or row.relay_id != message.relay_id:
            return [Outbound("Ce dossier n'est pas pour toi, ou n'existe plus.")]
        if action == "accept":
            return await self.service.accept(row, actor)
        if action == "decline":
            return await self.service.decline(row, actor, reason="declined")
        outcome = action.removeprefix("close_")
        if outcome not in OUTCOMES:
            return [Outbound("Ce bouton n'est plus valable.")]
        return await self.service.close(row, actor, outcome)

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
            return [Outbound(HELP)]
        return await self.service.relay_says(row, actor, text)

    async def _own(self, relay_id: str, ref: str) -> HandoffRow | None:
        rows = await self.service.turns.run(lambda c: store.open_for_relay(c, relay_id))
        return next((r for r in rows if short_ref(r.lead_id) == ref.lower()), None)

    async def _list(self, relay_id: str, actor: str) -> list[Outbound]:

        def listed(connection: Connection) -> list[HandoffRow]:
            record_access(connection, actor=actor, action="cases_listed")
            return store.open_for_relay(connection, relay_id)

        rows = await self.service.turns.run(listed)
        if not rows:
            return [Outbound("Tu n'as aucun dossier ouvert.")]
        names = {"offered": "à prendre", "notified": "à prendre", "accepted": "pris",
                 "in_conversation": "en conversation"}  # fmt: skip
        lines = [f"• n° {short_ref(r.lead_id)} : {names.get(r.status, r.status)}" for r in rows]
        return [Outbound("Tes dossiers ouverts :\n" + "\n".join(lines))]
