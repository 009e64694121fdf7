"""The relays directory for coordinators: the list, add and edit a relay, invite one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.handoff.calendar import PARIS
from bot.handoff.directory import RelayDirectory
from bot.handoff.reference import Relay
from bot.store import handoffs as cases
from bot.web.access import Person
from bot.web.relayform import FIELDS, NEEDS, STAGES, read_form, values_of
from bot.web.webapp import RefusedError, WebApp, coordinating

INVITE_SUBJECT = "Tremplin : ton invitation"
INVITE_BODY = """Bonjour {name},

Tu es invité·e à recevoir des dossiers de Tremplin comme relais de {structure}.
Voici ton lien pour te connecter à ton espace :
{link}

Il marche une seule fois, pendant {minutes} minutes. Ensuite, tu peux demander un
nouveau lien quand tu veux sur {home}/connexion, avec cette adresse e-mail.

L'équipe Tremplin"""


def channels(relay: Relay) -> str:
    """How the relay gets their cases, as the list says it."""
    ways = []
    if relay.contact.telegram_chat_id is not None:
        ways.append("Telegram")
    if relay.contact.email:
        ways.append("e-mail et web")
    if relay.contact.webhook_url:
        ways.append("webhook")
    return ", ".join(ways) or "aucun : à inviter"


def territory(relay: Relay) -> str:
    """Where the relay works, in a few words."""
    cov = relay.coverage
    parts = []
    if cov.departments:
        parts.append("départements " + ", ".join(cov.departments))
    if cov.postal_codes:
        parts.append(f"{len(cov.postal_codes)} code(s) postal(aux)")
    if cov.insee:
        parts.append(f"{len(cov.insee)} commune(s)")
    if cov.national:
        parts.append("national (relais de secours)")
    return " ; ".join(parts) or "aucun"


def availability(relay: Relay, open_cases: int, today: Any) -> str:
    """Available, away until a day, or full."""
    if relay.absent(today) and relay.absent_until is not None:
        return f"Absent·e jusqu'au {relay.absent_until.strftime('%d/%m/%Y')} inclus"
    if open_cases >= relay.capacity:
        return "Complet"
    return "Disponible"


def make_relay_directory(web: WebApp) -> list[Route]:
    """``/relais``, ``/relais/nouveau``, ``/relais/<id>`` and ``/relais/<id>/inviter``."""

    def directory() -> RelayDirectory:
        found = web.directory()
        if found is None:
            raise RefusedError(503, "Annuaire indisponible", "Réessaie dans un instant.")
        return found

    async def listing(request: Request) -> Response:
        async def answer(person: Person) -> Response:
            loads = await web.service().turns.run(cases.loads)
            today = datetime.now(PARIS).date()
            rows = [
                {
                    "id": relay.id,
                    "structure": relay.structure,
                    "name": relay.display_name,
                    "territory": territory(relay),
                    "open": loads.get(relay.id, 0),
                    "capacity": relay.capacity,
                    "channels": channels(relay),
                    "availability": availability(relay, loads.get(relay.id, 0), today),
                }
                for relay in directory().current.relays
            ]
            return web.pages.render(
                "relays.html",
                title="Annuaire des relais",
                person=person,
                csrf=web.csrf(request),
                relays=rows,
                saved=request.query_params.get("enregistre", "")[:64],
            )

        return await web.page(request, answer, coordinating)

    def form_page(
        request: Request,
        person: Person,
        relay: Relay | None,
        values: dict[str, Any],
        errors: dict[str, str],
        status: int = 200,
    ) -> Response:
        title = f"Relais : {relay.display_name}" if relay else "Ajouter un relais"
        return web.pages.render(
            "relay_form.html",
            status,
            title=title,
            person=person,
            csrf=web.csrf(request),
            relay=relay,
            values=values,
            errors=errors,
            stages=STAGES,
            needs=NEEDS,
            action=f"/relais/{relay.id}" if relay else "/relais/nouveau",
            invited=request.query_params.get("invite") == "1",
        )

    def known(relay_id: str) -> Relay:
        relay = directory().find(relay_id) if len(relay_id) <= 64 else None
        if relay is None:
            raise RefusedError(404, "Relais inconnu", "Ce relais n'est pas dans l'annuaire.")
        return relay

    async def show(request: Request) -> Response:
        async def answer(person: Person) -> Response:
            relay_id = request.path_params.get("relay_id")
            relay = known(relay_id) if relay_id else None
            return form_page(request, person, relay, values_of(relay), {})

        return await web.page(request, answer, coordinating)

    async def save(request: Request) -> Response:
        async def answer(person: Person) -> Response:
            fields = await web.posted_lists(request, web.session_key(request), max_fields=FIELDS)
            relay_id = request.path_params.get("relay_id")
            before = known(relay_id) if relay_id else None
            relay, errors, values = read_form(fields, before)
            if relay is not None:
                actor = f"web:{person.role}:{person.email}"
                saved = await directory().save(relay, actor, new=before is None)
                errors = {p.field or "id": p.french for p in saved.problems}
                if saved.ok:
                    return RedirectResponse(f"/relais?enregistre={relay.id}", 303)
            return form_page(request, person, before, values, errors, 400)

        return await web.page(request, answer, coordinating)

    async def invite(request: Request) -> Response:
        async def answer(person: Person) -> Response:
            await web.posted(request, web.session_key(request))
            relay = known(request.path_params["relay_id"])
            actor = f"web:{person.role}:{person.email}"
            telegram = None
            if web.telegram_username:
                token = await directory().invite(relay.id, actor)
                telegram = f"https://t.me/{web.telegram_username}?start={token}"
            emailed = await send_sign_in(relay)
            return web.pages.render(
                "relay_invite.html",
                title=f"Inviter {relay.display_name}",
                person=person,
                csrf=web.csrf(request),
                relay=relay,
                telegram=telegram,
                emailed=emailed,
                days=round(directory().invite_valid_for.total_seconds() / 86400),
            )

        return await web.page(request, answer, coordinating)

    async def send_sign_in(relay: Relay) -> bool:
        email = web.service().email
        address = relay.contact.email
        if not address or email is None or not web.public_url:
            return False
        body = INVITE_BODY.format(
            name=relay.display_name,
            structure=relay.structure,
            link=web.links.url(web.public_url, address),
            minutes=round(web.links.valid_for.total_seconds() / 60),
            home=web.public_url.rstrip("/"),
        )
        return await email.send(address, INVITE_SUBJECT, body)

    return [
        Route("/relais", listing, methods=["GET"]),
        Route("/relais/nouveau", show, methods=["GET"]),
        Route("/relais/nouveau", save, methods=["POST"]),
        Route("/relais/{relay_id:str}", show, methods=["GET"]),
        Route("/relais/{relay_id:str}", save, methods=["POST"]),
        Route("/relais/{relay_id:str}/inviter", invite, methods=["POST"]),
    ]
