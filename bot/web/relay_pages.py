"""The page a relay opens from an e-mail to take, refuse or close a case."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Connection
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from bot.handoff.service import HandoffService
from bot.handoff.sheet import render_sheet
from bot.store import handoffs as store
from bot.store.audit import record_access
from bot.store.handoffs import HandoffRow
from bot.store.leads import load_lead

PAGE = """<!doctype html><html lang="fr"><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tremplin · dossier</title>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto">
<pre style="white-space: pre-wrap; font: inherit">{sheet}</pre>
<p><strong>{status}</strong></p>{forms}</body></html>"""
STATUS = {
    "offered": "Ce dossier t'attend.",
    "notified": "Ce dossier t'attend.",
    "accepted": "Tu as pris ce dossier.",
    "in_conversation": "Tu es en conversation avec cette personne.",
    "closed": "Dossier clôturé.",
    "declined": "Dossier refusé : il est passé à quelqu'un d'autre.",
    "expired": "Le délai est passé : le dossier est allé à quelqu'un d'autre.",
}


def _form(case_id: str, action: str, label: str) -> str:
    return (
        f'<form method="post" action="/relais/cas/{case_id}/{action}" style="display:inline">'
        f'<button style="margin:.3rem;padding:.6rem 1rem">{html.escape(label)}</button></form>'
    )


def make_relay_pages(service: Callable[[], HandoffService]) -> list[Route]:
    """Routes of the relays' case page. The case id (128 random bits) is the key."""

    async def show(request: Request) -> Response:
        handoffs = service()
        case_id = request.path_params["case_id"]

        def viewed(connection: Connection) -> tuple[HandoffRow, dict[str, Any]] | None:
            row = store.get(connection, case_id)
            lead = load_lead(connection, row.lead_id, handoffs.cipher) if row else None
            if row is None or lead is None:
                return None
            actor = f"relay:{row.relay_id}:web"
            record_access(connection, actor=actor, action="case_viewed", lead_id=row.lead_id)
            return row, lead

        found = await handoffs.turns.run(viewed)
        if found is None:
            return HTMLResponse("<p>Ce dossier n'existe pas ou a été retiré.</p>", 404)
        row, lead = found
        forms = ""
        texts = handoffs.texts.relais
        if row.status in store.WAITING:
            forms = _form(row.id, "accept", texts.accept_button) + _form(
                row.id, "decline", texts.decline_button
            )
        elif row.status in store.TALKING:
            forms = "".join(
                _form(row.id, f"close_{key}", outcome.button)
                for key, outcome in texts.outcomes.items()
            )
        sheet = html.escape(render_sheet(lead, handoffs.wording, handoff_id=row.id))
        return HTMLResponse(
            PAGE.format(sheet=sheet, status=STATUS.get(row.status, ""), forms=forms)
        )

    async def act(request: Request) -> Response:
        handoffs = service()
        case_id, action = request.path_params["case_id"], request.path_params["action"]
        row = await handoffs.turns.run(lambda c: store.get(c, case_id))
        if row is None:
            return HTMLResponse("<p>Ce dossier n'existe pas ou a été retiré.</p>", 404)
        actor = f"relay:{row.relay_id}:web"
        if action == "accept":
            await handoffs.accept(row, actor)
        elif action == "decline":
            await handoffs.decline(row, actor, reason="declined")
        elif action.removeprefix("close_") in handoffs.texts.relais.outcomes:
            await handoffs.close(row, actor, action.removeprefix("close_"))
        else:
            return HTMLResponse("<p>Action inconnue.</p>", 400)
        return RedirectResponse(f"/relais/cas/{case_id}", status_code=303)

    return [
        Route("/relais/cas/{case_id:str}", show, methods=["GET"]),
        Route("/relais/cas/{case_id:str}/{action:str}", act, methods=["POST"]),
    ]
