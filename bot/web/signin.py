"""Signing in without a password: a one-time link by e-mail, then a session cookie."""

from __future__ import annotations

import logging

from sqlalchemy.engine import Connection
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.security.tokens import BadTokenError, ExpiredTokenError
from bot.store.audit import record_access
from bot.store.web import sign_out_everywhere, use_sign_in
from bot.web.access import Person
from bot.web.sessions import SIGN_IN_PATH
from bot.web.webapp import RefusedError, WebApp

log = logging.getLogger(__name__)

SIGN_IN_FORM = "sign-in"  # what the sign-in page's form is bound to (no session yet)
SUBJECT = "Tremplin : ton lien pour te connecter"
BODY = """Bonjour,

Voici ton lien pour te connecter à Tremplin :
{link}

Il marche une seule fois, pendant {minutes} minutes. Si tu n'as rien demandé, ignore
cet e-mail : personne ne peut se connecter sans ce lien.

L'équipe Tremplin"""


def home_of(person: Person) -> str:
    """Where a person lands once signed in."""
    return "/dossiers" if person.relay_id else "/coordination"


def _stale() -> RefusedError:
    return RefusedError(
        410,
        "Lien plus valable",
        "Ce lien a déjà servi, ou il est trop vieux. Demande un nouveau lien : ça prend une "
        "minute.",
    )


def make_sign_in(web: WebApp) -> list[Route]:
    """``/``, ``/connexion`` (ask for a link), ``/connexion/lien/<token>``, ``/deconnexion``."""
    minutes = round(web.links.valid_for.total_seconds() / 60)

    async def home(request: Request) -> Response:
        person = await web.person(request)
        return RedirectResponse(home_of(person) if person else "/connexion", 303)

    async def ask(request: Request) -> Response:
        person = await web.person(request)
        if person is not None:
            return RedirectResponse(home_of(person), 303)
        form = web.forms.issue(SIGN_IN_FORM)
        return web.pages.render("sign_in.html", title="Me connecter", form=form, minutes=minutes)

    async def send(request: Request) -> Response:
        async def answer() -> Response:
            fields = await web.posted(request, SIGN_IN_FORM)
            person = web.access.find_email(fields.get("email", ""))
            # The same answer whether the address is known or not: nobody learns who is.
            if person is not None and web.sends.wait(person.email) == 0:
                web.sends.failed(person.email)  # counted as a "failure": the limiter's word
                base = web.public_url or str(request.base_url)
                link = web.links.url(base, person.email)
                email = web.service().email
                body = BODY.format(link=link, minutes=minutes)
                if email is None or not await email.send(person.email, SUBJECT, body):
                    log.warning("a sign-in e-mail could not be sent (SMTP settings?)")
            text = (
                "Si cette adresse est connue de Tremplin, un lien vient de partir. Regarde tes "
                f"e-mails (et les indésirables). Il marche {minutes} minutes."
            )
            return web.pages.render("message.html", title="Regarde tes e-mails", text=text)

        return await web.guarded(request, answer)

    def read(token: str) -> Person:
        try:
            link = web.links.read(token)
        except ExpiredTokenError:
            raise _stale() from None
        except BadTokenError:
            raise RefusedError(
                404, "Lien cassé", "Ce lien ne marche pas. Copie-le en entier."
            ) from None
        person = web.access.find(link.key)
        if person is None:
            raise RefusedError(403, "Accès refusé", "Cette adresse n'a plus accès à Tremplin.")
        return person

    async def confirm(request: Request) -> Response:
        token = request.path_params["token"]

        async def answer() -> Response:
            # A GET never signs in: mail scanners open links before people do.
            person = read(token)
            return web.pages.render(
                "sign_in_confirm.html",
                title="Me connecter",
                email=person.email or person.name,
                form=web.forms.issue(token),
                action=SIGN_IN_PATH + token,
            )

        return await web.guarded(request, answer)

    async def enter(request: Request) -> Response:
        token = request.path_params["token"]

        async def answer() -> Response:
            await web.posted(request, token)
            person = read(token)
            link = web.links.read(token)
            actor = f"web:{person.role}:{person.relay_id or person.email}"

            def used(connection: Connection) -> bool:
                if not use_sign_in(connection, link.token_id, link.expires_at):
                    return False
                record_access(connection, actor=actor, action="signed_in")
                return True

            if not await web.service().turns.run(used):
                raise _stale()
            response = RedirectResponse(home_of(person), 303)
            response.set_cookie(
                web.cookie,
                web.sessions.open(person.key),
                max_age=int(web.sessions.lasts.total_seconds()),
                path="/",
                secure=web.secure,
                httponly=True,
                samesite="lax",
            )
            return response

        return await web.guarded(request, answer)

    async def leave(request: Request) -> Response:
        async def answer() -> Response:
            fields = await web.posted(request, web.session_key(request))
            person = await web.person(request)
            if person is not None:
                actor = f"web:{person.role}:{person.relay_id or person.email}"
                everywhere = fields.get("partout") == "1"
                key, lasts = person.key, web.sessions.lasts

                def out(connection: Connection) -> None:
                    if everywhere:  # every device: sessions opened until now end
                        sign_out_everywhere(connection, key, lasts)
                    action = "signed_out_everywhere" if everywhere else "signed_out"
                    record_access(connection, actor=actor, action=action)

                await web.service().turns.run(out)
            response = RedirectResponse("/connexion", 303)
            response.delete_cookie(web.cookie, path="/", secure=web.secure, httponly=True)
            return response

        return await web.guarded(request, answer)

    return [
        Route("/", home, methods=["GET"]),
        Route("/connexion", ask, methods=["GET"]),
        Route("/connexion", send, methods=["POST"]),
        Route(SIGN_IN_PATH + "{token:str}", confirm, methods=["GET"]),
        Route(SIGN_IN_PATH + "{token:str}", enter, methods=["POST"]),
        Route("/deconnexion", leave, methods=["POST"]),
    ]
