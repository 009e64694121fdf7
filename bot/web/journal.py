"""The admins' view of the audit log (``/audit``): who did what, on which case; CSV."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.engine import Connection
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.handoff.sheet import short_ref
from bot.store.audit import AuditFilters, audit_actions, find_entries, record_access
from bot.web.access import Person, Role
from bot.web.webapp import WebApp, csv_download

PER_PAGE = 50
MAX_EXPORT = 50_000
# What each action means, as admins read it; an action not listed shows as stored.
ACTIONS = {
    "signed_in": "Connexion",
    "signed_out": "Déconnexion",
    "signed_out_everywhere": "Déconnexion de partout",
    "cases_listed": "Liste des dossiers consultée",
    "cases_exported": "Liste des dossiers téléchargée",
    "case_viewed": "Dossier consulté",
    "case_sent": "Dossier envoyé à un relais",
    "case_accepted": "Dossier pris",
    "case_declined": "Dossier refusé",
    "case_closed": "Dossier clôturé",
    "case_handed_over": "Dossier passé à un·e collègue",
    "message_sent": "Message envoyé à la personne",
    "note_added": "Note ajoutée",
    "funnel_viewed": "Tableau de bord consulté",
    "funnel_exported": "Tableau de bord exporté (CSV)",
    "audit_exported": "Journal exporté (CSV)",
    "export_leads": "Export des dossiers (ligne de commande)",
    "explain_lead": "Explication des dispositifs (ligne de commande)",
}


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def read_filters(request: Request) -> tuple[AuditFilters, dict[str, str], int]:
    """The query string's filters (bad values ignored), their form values, and the page."""
    query = request.query_params
    since, until = _day(query.get("du")), _day(query.get("au"))
    filters = AuditFilters(
        action=(query.get("action") or "")[:40] or None,
        who=(query.get("qui") or "").strip()[:120] or None,
        since=datetime.combine(since, time(), UTC) if since else None,
        until=datetime.combine(until, time(), UTC) + timedelta(days=1) if until else None,
    )
    values = {
        "action": filters.action or "",
        "qui": filters.who or "",
        "du": since.isoformat() if since else "",
        "au": until.isoformat() if until else "",
    }
    page = query.get("page", "1")
    number = int(page) if page.isdigit() and 0 < len(page) < 6 else 1
    return filters, values, max(number, 1)


def _shown(entry: dict[str, Any]) -> dict[str, str]:
    at: datetime = entry["at"]
    lead_id = entry.get("lead_id")
    return {
        "at": at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "actor": str(entry["actor"]),
        "action": ACTIONS.get(str(entry["action"]), str(entry["action"])),
        "case": short_ref(lead_id) if lead_id else "",
        "detail": str(entry.get("detail") or ""),
    }


def _admin(person: Person) -> bool:
    return person.role is Role.ADMIN


def make_journal(web: WebApp) -> list[Route]:
    """``/audit`` (the log, filtered, a page at a time) and ``/audit.csv`` (its export)."""

    async def show(request: Request) -> Response:
        async def answer(person: Person) -> Response:
            filters, values, page = read_filters(request)

            def look(connection: Connection) -> tuple[list[dict[str, Any]], list[str]]:
                found = find_entries(
                    connection, filters, offset=(page - 1) * PER_PAGE, limit=PER_PAGE + 1
                )
                return found, audit_actions(connection)

            found, known = await web.service().turns.run(look)
            kept = {k: v for k, v in values.items() if v}
            return web.pages.render(
                "audit.html",
                title="Journal des accès",
                person=person,
                csrf=web.csrf(request),
                entries=[_shown(e) for e in found[:PER_PAGE]],
                values=values,
                actions=[(a, ACTIONS.get(a, a)) for a in known],
                page=page,
                newer=urlencode({**kept, "page": page - 1}) if page > 1 else None,
                older=urlencode({**kept, "page": page + 1}) if len(found) > PER_PAGE else None,
                query=urlencode(kept),
            )

        return await web.page(request, answer, _admin)

    async def export(request: Request) -> Response:
        async def answer(person: Person) -> Response:
            filters, values, _page = read_filters(request)
            actor = f"web:{person.role}:{person.email}"
            asked = urlencode({k: v for k, v in values.items() if v})

            def take(connection: Connection) -> list[dict[str, Any]]:
                found = find_entries(connection, filters, limit=MAX_EXPORT)
                record_access(connection, actor=actor, action="audit_exported", detail=asked[:400])
                return found

            found = await web.service().turns.run(take)
            header = ["quand", "qui", "action", "dossier", "detail"]
            rows = (
                [shown["at"], shown["actor"], entry["action"], shown["case"], shown["detail"]]
                for entry in found
                for shown in [_shown(entry)]
            )
            return csv_download("journal.csv", header, rows)

        return await web.page(request, answer, _admin)

    return [
        Route("/audit", show, methods=["GET"]),
        Route("/audit.csv", export, methods=["GET"]),
    ]
