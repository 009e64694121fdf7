"""Relays' inbox on the web: their cases, a case's sheet, answers, and the conversation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Connection
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.handoff.service import HandoffService
from bot.handoff.sheet import render_sheet, short_ref
from bot.store import handoffs as store
from bot.store.audit import record_access
from bot.store.leads import load_lead
from bot.store.web import latest_case, lead_in_scope, relay_case, relay_cases, thread
from bot.web.access import Person
from bot.web.casework import actor_of, add_note, choices, hand_over, shown_notes
from bot.web.webapp import RefusedError, WebApp, forbidden

MAX_TEXT = 2000
# Why a relay declines (kept in the case's history; the resident never sees it).
REASONS = (
    ("busy", "Je n'ai pas le temps en ce moment"),
    ("territory", "Ce n'est pas mon territoire"),
    ("expertise", "Ce n'est pas mon domaine"),
    ("other", "Une autre raison"),
)


def time_left(due: datetime, now: datetime) -> str:
    """What is left before ``due``, as people say it ("2 j 3 h", "5 h", "moins d'1 h")."""
    left = due - now
    if left < timedelta(hours=1):
        return "moins d'1 h"
    hours = int(left.total_seconds() // 3600)
    days, hours = divmod(hours, 24)
    return f"{days} j {hours} h" if days else f"{hours} h"


def _deadline(handoffs: HandoffService, row: store.HandoffRow) -> dict[str, Any]:
    if row.due_at is None or row.status not in store.WAITING:
        return {"due": None, "late": False, "left": ""}
    now = datetime.now(UTC)
    return {
        "due": handoffs.wording.date(row.due_at),
        "late": row.due_at <= now,
        "left": time_left(row.due_at, now),
    }


def make_case_pages(web: WebApp) -> list[Route]:
    """``/dossiers`` (the relay's list) and ``/dossiers/<lead id>`` (one case, its forms)."""

    async def relay(request: Request) -> Person | None:
        return await web.person(request)

    async def inbox(request: Request) -> Response:
        person = await relay(request)
        if person is None:
            return RedirectResponse("/connexion", 303)

        async def answer() -> Response:
            relay_id = person.relay_id
            if relay_id is None:
                raise forbidden()
            handoffs = web.service()
            texts = handoffs.texts.relais.page.statuses

            def listed(connection: Connection) -> list[Any]:
                actor = f"relay:{relay_id}:web"
                record_access(connection, actor=actor, action="cases_listed")
                return relay_cases(connection, handoffs.cipher, relay_id)

            found = await handoffs.turns.run(listed)
            cases = [
                {
                    "lead_id": case.handoff.lead_id,
                    "number": short_ref(case.handoff.lead_id),
                    "first_name": case.first_name or handoffs.texts.relais.someone,
                    "commune": case.commune,
                    "status": texts.get(case.handoff.status, case.handoff.status),
                    **_deadline(handoffs, case.handoff),
                }
                for case in found
            ]
            return web.pages.render(
                "inbox.html", title="Mes dossiers", person=person, csrf=web.csrf(request),
                cases=cases,
            )  # fmt: skip

        return await web.guarded(request, answer)

    async def mine(person: Person, lead_id: str) -> store.HandoffRow:
        """The attempt this person may see: a relay's own, any for the coordination."""
        if len(lead_id) > 32:
            raise forbidden()
        relay_id = person.relay_id
        row: store.HandoffRow | None = None
        scope = person.scope
        if person.coordinates and scope is not None:  # limited to their territories

            def scoped(c: Connection) -> store.HandoffRow | None:
                if not lead_in_scope(c, lead_id, scope.departments, scope.relays):
                    return None
                return latest_case(c, lead_id)

            row = await web.service().turns.run(scoped)
        elif person.coordinates:
            row = await web.service().turns.run(lambda c: latest_case(c, lead_id))
        elif relay_id is not None:
            row = await web.service().turns.run(lambda c: relay_case(c, lead_id, relay_id))
        if row is None:
            raise forbidden()  # another relay's case, or none: the same answer
        return row

    async def show(request: Request) -> Response:
        person = await relay(request)
        if person is None:
            return RedirectResponse("/connexion", 303)
        lead_id = request.path_params["lead_id"]

        async def answer() -> Response:
            row = await mine(person, lead_id)
            handoffs = web.service()
            relais = handoffs.texts.relais

            holder = person.relay_id == row.relay_id  # else the coordination, read only

            def viewed(connection: Connection) -> tuple[Any, list[Any], list[Any], Any]:
                lead = load_lead(connection, row.lead_id, handoffs.cipher)
                actor = actor_of(person)
                record_access(connection, actor=actor, action="case_viewed", lead_id=row.lead_id)
                said = thread(connection, handoffs.cipher, row.lead_id, row.relay_id)
                kept = shown_notes(handoffs, connection, row.lead_id)
                return lead, said if holder else [], kept, store.loads(connection)

            lead, messages, kept, loads = await handoffs.turns.run(viewed)
            if lead is None:
                raise RefusedError(404, "Dossier retiré", relais.page.withdrawn)
            suited, others = choices(handoffs, lead, row, loads) if holder else ([], [])
            first_name = lead.get("first_name") or relais.someone
            said = [
                {
                    "author": m.author,
                    "who": "Toi" if m.author == "relay" else first_name,
                    "text": m.text,
                    "at": handoffs.wording.date(m.at),
                }
                for m in messages
            ]
            return web.pages.render(
                "case.html",
                title=f"Dossier n° {short_ref(row.lead_id)}",
                person=person,
                csrf=web.csrf(request),
                lead_id=row.lead_id,
                number=short_ref(row.lead_id),
                case_status=relais.page.statuses.get(row.status, row.status),
                sheet=render_sheet(lead, handoffs.wording),
                holder=holder,
                back="/dossiers" if person.relay_id else "/coordination",
                waiting=holder and row.status in store.WAITING,
                talking=holder and row.status in store.TALKING,
                handing=holder and row.status in store.OPEN,
                suited=suited,
                others=others,
                notes=kept,
                accept_label=relais.accept_button,
                decline_label=relais.decline_button,
                reasons=REASONS,
                outcomes=[(key, o.button) for key, o in relais.outcomes.items()],
                thread=said,
                first_name=first_name,
                **_deadline(handoffs, row),
            )

        return await web.guarded(request, answer)

    async def act(request: Request) -> Response:
        person = await relay(request)
        lead_id = request.path_params["lead_id"]

        async def answer() -> Response:
            fields = await web.posted(request, web.session_key(request))
            if person is None:
                raise forbidden()
            row = await mine(person, lead_id)
            handoffs = web.service()
            actor = actor_of(person)
            action = fields.get("action", "")
            if action == "note":
                await add_note(web, person, row, fields)
            elif person.relay_id != row.relay_id:
                raise forbidden()  # the coordination writes notes, it does not act
            elif action == "hand_over":
                return await hand_over(web, person, row, fields, web.csrf(request))
            elif action == "accept":
                await handoffs.actions.accept(row, actor)
            elif action == "decline" and fields.get("reason") in dict(REASONS):
                await handoffs.actions.decline(row, actor, reason=f"declined: {fields['reason']}")
            elif action == "close" and fields.get("outcome") in handoffs.texts.relais.outcomes:
                await handoffs.actions.close(row, actor, fields["outcome"])
            elif action == "say" and 0 < len(fields.get("text", "").strip()) <= MAX_TEXT:
                await handoffs.actions.relay_says(row, actor, fields["text"].strip())
            else:
                raise RefusedError(400, "Demande incomplète", "Choisis une action dans la page.")
            return RedirectResponse(f"/dossiers/{row.lead_id}", 303)

        return await web.guarded(request, answer)

    return [
        Route("/dossiers", inbox, methods=["GET"]),
        Route("/dossiers/{lead_id:str}", show, methods=["GET"]),
        Route("/dossiers/{lead_id:str}", act, methods=["POST"]),
    ]
