"""Staff work on a case page: private notes, and a relay handing the case to a colleague."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection
from starlette.responses import Response

from bot.handoff.colleagues import colleagues
from bot.handoff.service import HandoffService
from bot.handoff.sheet import short_ref
from bot.store import handoffs as store
from bot.store.audit import record_access
from bot.store.notes import MAX_NOTE, notes, record_note
from bot.web.access import Person
from bot.web.webapp import RefusedError, WebApp


def actor_of(person: Person) -> str:
    """How the audit log and the case history name a person of the web app."""
    if person.relay_id:
        return f"relay:{person.relay_id}:web"
    return f"web:{person.role}:{person.email}"


def shown_notes(handoffs: HandoffService, connection: Connection, lead_id: str) -> list[Any]:
    """The case's private notes as the page shows them."""
    return [
        {"by": n.by, "text": n.text, "at": handoffs.wording.date(n.at)}
        for n in notes(connection, handoffs.cipher, lead_id)
    ]


def choices(
    handoffs: HandoffService, lead: dict[str, Any], row: store.HandoffRow, loads: dict[str, int]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The hand-over select: colleagues covering the resident first, then the others."""
    suited, others = colleagues(
        handoffs.directory, lead, loads, holder=row.relay_id, reachable=handoffs.reach.can_reach
    )

    def label(relay: Any) -> tuple[str, str]:
        return relay.id, f"{relay.display_name} ({relay.structure}, {relay.town})"

    return [label(r) for r in suited], [label(r) for r in others]


def _text(fields: dict[str, str], name: str) -> str:
    text = fields.get(name, "").strip()
    if len(text) > MAX_NOTE:
        raise RefusedError(413, "Trop long", "Ce message est trop long.")
    return text


async def add_note(
    web: WebApp, person: Person, row: store.HandoffRow, fields: dict[str, str]
) -> None:
    """Keep a private note on the case (audited; the resident never sees it)."""
    text = _text(fields, "note")
    if not text:
        raise RefusedError(400, "Note vide", "Écris ta note avant d'appuyer sur le bouton.")
    handoffs = web.service()

    def keep(connection: Connection) -> None:
        record_note(
            connection, handoffs.cipher, lead_id=row.lead_id,
            conversation_id=row.conversation_id, writer=person.relay_id or "",
            by=person.name, text=text,
        )  # fmt: skip
        record_access(connection, actor=actor_of(person), action="note_added", lead_id=row.lead_id)

    await handoffs.turns.run(keep)


async def hand_over(
    web: WebApp, person: Person, row: store.HandoffRow, fields: dict[str, str], csrf: str
) -> Response:
    """Pass the case to the colleague chosen, with an optional word kept as a note."""
    handoffs = web.service()
    to = handoffs.relays.get(fields.get("to", ""))
    if to is None or to.id == row.relay_id or not handoffs.reach.can_reach(to):
        raise RefusedError(400, "Demande incomplète", "Choisis à qui passer le dossier.")
    message = _text(fields, "message")

    def note(connection: Connection) -> None:
        if message:
            record_note(
                connection, handoffs.cipher, lead_id=row.lead_id,
                conversation_id=row.conversation_id, writer=row.relay_id,
                by=person.name, text=f"Pour {to.display_name} : {message}",
            )  # fmt: skip

    new = await handoffs.actions.hand_over(row, actor_of(person), to, note=note)
    if new is None:
        raise RefusedError(
            409, "Déjà fait", "Ce dossier n'est plus à toi : il a changé pendant ce temps."
        )
    text = (
        f"Le dossier n° {short_ref(row.lead_id)} est transmis à {to.display_name} "
        f"({to.structure}). La personne est prévenue : c'est {to.display_name} qui va la "
        "contacter. Merci !"
    )
    return web.pages.render(
        "message.html", title="Dossier transmis", text=text, person=person,
        csrf=csrf, back="/dossiers", back_label="Mes dossiers",
    )  # fmt: skip
