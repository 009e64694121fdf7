"""The coordinators' dashboard: the funnel by territory, source, channel and period; CSV."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.engine import Connection
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.handoff.sheet import short_ref
from bot.store.audit import record_access
from bot.store.funnel import Filters, Funnel, funnel, sources
from bot.store.web import coordination_cases
from bot.web.access import Person
from bot.web.webapp import WebApp, coordinating, csv_download

SMALL = 5  # fewer people than this in a cell: shown as "< 5", so nobody can be singled out
CHANNELS = ("rest", "telegram", "whatsapp")
_DEPARTMENT = re.compile(r"^[0-9][0-9AB]$")
# Where a case stands, as the coordination's list says it (its latest attempt's status).
STATUSES = {
    "new": "Nouveau",
    "offered": "Envoyé à un relais",
    "notified": "Arrivé chez le relais",
    "accepted": "Pris par le relais",
    "in_conversation": "En conversation avec le relais",
    "closed": "Clôturé",
    "declined": "Refusé, sans relais pour l'instant",
    "expired": "Délai passé, sans relais pour l'instant",
    "unreachable": "Relais injoignable",
    "transferred": "Passé à un·e collègue",
}


def shown(count: int | None) -> str:
    """A count as the dashboard shows it: "< 5" under the threshold, "—" when unknown."""
    if count is None:
        return "—"
    return f"< {SMALL}" if count < SMALL else str(count)


def rows(
    found: Funnel,
    outcome_labels: dict[str, str],
    questions: Sequence[tuple[str, str]] = (),
    maturity_labels: Mapping[str, str] | None = None,
    checkin_labels: Mapping[tuple[str, str], str] | None = None,
) -> list[tuple[str, str]]:
    """The funnel's table: (step, shown count), in the order of a resident's path;
    ``questions`` are the intake's counted questions (``flow.step``, the question)."""
    levels = maturity_labels or {}
    known = found.started is not None
    table = [
        ("Conversations commencées", shown(found.started)),
        *(
            (f"A répondu à « {ask} »", shown(found.answered.get(key, 0) if known else None))
            for key, ask in questions
        ),
        ("Accord pour être recontacté·e (dossier créé)", shown(found.leads)),
        *(
            (f"dont signal « {levels.get(key, key)} »", shown(count))
            for key, count in sorted(found.maturity.items())
        ),
        ("Dossier arrivé chez un relais", shown(found.steps["notified"])),
        ("Pris par un relais", shown(found.steps["accepted"])),
        ("En conversation avec le relais", shown(found.steps["in_conversation"])),
        ("Clôturé", shown(found.steps["closed"])),
    ]
    table += [
        (f"Clôturé : {outcome_labels.get(key, key)}", shown(count))
        for key, count in sorted(found.outcomes.items())
    ]
    named = checkin_labels or {}
    table += [
        (label, shown(found.checkins.get(key, 0)))
        for key, label in named.items()
        if found.checkins.get(key)
    ]
    table += [
        (f"Relance {kind} : {answer}", shown(count))
        for (kind, answer), count in sorted(found.checkins.items())
        if (kind, answer) not in named
    ]
    table += [
        ("En attente d'un relais (maintenant)", shown(found.waiting)),
        ("Délai passé sans réponse (maintenant)", shown(found.late)),
        ("Refusés par un relais", shown(found.trouble["declined"])),
        ("Délai passé, passé au relais suivant", shown(found.trouble["expired"])),
        ("Relais injoignable", shown(found.trouble["unreachable"])),
    ]
    return table


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def read_filters(request: Request) -> tuple[Filters, dict[str, str]]:
    """The filters of the query string (bad values ignored), and their values for the form."""
    query = request.query_params
    department = (query.get("departement") or "").upper()
    since, until = _day(query.get("du")), _day(query.get("au"))
    channel = query.get("canal") or ""
    source = (query.get("source") or "")[:64]
    filters = Filters(
        department=department if _DEPARTMENT.match(department) else None,
        source=source or None,
        channel=channel if channel in CHANNELS else None,
        since=datetime.combine(since, time(), UTC) if since else None,
        until=datetime.combine(until, time(), UTC) + timedelta(days=1) if until else None,
    )
    values = {
        "departement": filters.department or "",
        "du": since.isoformat() if since else "",
        "au": until.isoformat() if until else "",
        "canal": filters.channel or "",
        "source": filters.source or "",
    }
    return filters, values


def scoped(filters: Filters, person: Person | None) -> Filters:
    """``filters`` limited to the coordinator's territories (none for a national one)."""
    if person is None or person.scope is None:
        return filters
    scope = person.scope
    return dataclasses.replace(
        filters, scope_departments=scope.departments, scope_relays=scope.relays
    )


def territories(person: Person) -> str:
    """What a limited coordinator sees, in words ("" for every territory)."""
    if person.scope is None:
        return ""
    shown = [f"département {d}" for d in person.scope.departments]
    shown += [f"relais {r}" for r in person.scope.relays]
    return ", ".join(shown)


def make_dashboard(web: WebApp) -> list[Route]:
    """``/coordination`` (the funnel), ``/coordination/entonnoir.csv`` (its export) and
    ``/coordination/dossiers`` (the latest cases), each within the coordinator's territories."""

    async def counted(request: Request, action: str) -> tuple[list[tuple[str, str]], list[str]]:
        handoffs = web.service()
        person = await web.person(request)
        filters = scoped(read_filters(request)[0], person)
        actor = f"web:{person.role}:{person.email}" if person else "web"
        labels = {key: o.button for key, o in handoffs.texts.relais.outcomes.items()}

        def count(connection: Connection) -> tuple[Funnel, list[str]]:
            record_access(connection, actor=actor, action=action)
            return funnel(connection, filters, datetime.now(UTC)), sources(connection, filters)

        found, known = await handoffs.turns.run(count)
        levels = {key: handoffs.wording.label("maturity", key) for key in found.maturity}
        return rows(found, labels, web.questions(), levels, web.checkins()), known

    async def show(request: Request) -> Response:
        async def answer(person: Person) -> Response:
            table, known = await counted(request, "funnel_viewed")
            _filters, values = read_filters(request)
            return web.pages.render(
                "dashboard.html",
                title="Tableau de bord",
                person=person,
                csrf=web.csrf(request),
                table=table,
                values=values,
                channels=CHANNELS,
                sources=known,
                query=request.url.query,
                small=SMALL,
                territories=territories(person),
            )

        return await web.page(request, answer, coordinating)

    async def export(request: Request) -> Response:
        async def answer(person: Person) -> Response:
            table, _known = await counted(request, "funnel_exported")
            return csv_download("entonnoir.csv", ["etape", "personnes"], table)

        return await web.page(request, answer, coordinating)

    async def listed_cases(person: Person, action: str) -> list[dict[str, str]]:
        """The latest cases within ``person``'s territories (the look is audited)."""
        handoffs = web.service()
        scope = person.scope
        actor = f"web:{person.role}:{person.email}"

        def listed(connection: Connection) -> list[Any]:
            record_access(connection, actor=actor, action=action)
            if scope is None:
                return coordination_cases(connection)
            return coordination_cases(connection, scope.departments, scope.relays)

        return [
            {
                "lead_id": case.lead_id,
                "number": short_ref(case.lead_id),
                "place": " ".join(p for p in (case.postal_code, case.commune) if p),
                "status": STATUSES.get(case.status, case.status),
                "relay": case.relay_name or "",
                "since": handoffs.wording.date(case.created_at),
            }
            for case in await handoffs.turns.run(listed)
        ]

    async def cases(request: Request) -> Response:
        async def answer(person: Person) -> Response:
            shown = await listed_cases(person, "cases_listed")
            return web.pages.render(
                "coordination_cases.html", title="Les dossiers", person=person,
                csrf=web.csrf(request), cases=shown, territories=territories(person),
            )  # fmt: skip

        return await web.page(request, answer, coordinating)

    async def cases_export(request: Request) -> Response:
        async def answer(person: Person) -> Response:
            shown = await listed_cases(person, "cases_exported")
            header = ["dossier", "commune", "ou_il_en_est", "relais", "depuis"]
            fields = ("number", "place", "status", "relay", "since")
            return csv_download("dossiers.csv", header, ([c[f] for f in fields] for c in shown))

        return await web.page(request, answer, coordinating)

    return [
        Route("/coordination", show, methods=["GET"]),
        Route("/coordination/entonnoir.csv", export, methods=["GET"]),
        Route("/coordination/dossiers", cases, methods=["GET"]),
        Route("/coordination/dossiers.csv", cases_export, methods=["GET"]),
    ]
