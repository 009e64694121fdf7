"""What every page of the web app shares: who is signed in, forms, refusals, the limiter."""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import math
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.handoff.directory import RelayDirectory
from bot.handoff.service import HandoffService
from bot.security.tokens import BadTokenError
from bot.store.web import signed_out_at
from bot.web.access import Access, Person
from bot.web.forms import FIELD, FormGuard
from bot.web.limits import FailureLimiter
from bot.web.pages import Pages
from bot.web.sessions import Sessions, SignInLinks

log = logging.getLogger(__name__)

MAX_FORM = 8192  # a message of 2 000 characters, escaped, and a token


class RefusedError(Exception):
    """The request is answered with a French page saying why (counted per client)."""

    def __init__(self, status: int, title: str, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.title = title
        self.text = text


def forbidden() -> RefusedError:
    """A page a signed-in person may not see (another relay's case)."""
    return RefusedError(403, "Accès refusé", "Cette page n'est pas pour toi.")


def csv_download(filename: str, header: Sequence[str], rows: Iterable[Sequence[str]]) -> Response:
    """A table as a CSV file to download (for a spreadsheet)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    headers = {"content-disposition": f'attachment; filename="{filename}"'}
    return Response(out.getvalue(), 200, headers, media_type="text/csv; charset=utf-8")


def coordinating(person: Person) -> bool:
    """Coordinators and admins (a relay sees no figures, directory or flows)."""
    return person.coordinates


def cross_site() -> RefusedError:
    """A form that did not come from our own page."""
    return RefusedError(
        403,
        "Demande refusée",
        "Ce formulaire ne vient pas de Tremplin, ou il a déjà servi. Recharge la page et "
        "recommence.",
    )


@dataclass
class WebApp:
    """The pieces every route uses; ``service`` gives the running hand-off service."""

    service: Callable[[], HandoffService]
    access: Access
    sessions: Sessions
    links: SignInLinks
    forms: FormGuard
    limiter: FailureLimiter
    pages: Pages
    public_url: str | None = None
    # The relays directory (coordinators edit it), and the bot's Telegram name for invitations.
    directory: Callable[[], RelayDirectory | None] = lambda: None
    telegram_username: str | None = None
    # The intake's counted questions in order (``flow.step``, the question), for the funnel.
    questions: Callable[[], Sequence[tuple[str, str]]] = lambda: ()
    # How the funnel names each answer to a follow-up: (follow-up, answer) -> its label.
    checkins: Callable[[], Mapping[tuple[str, str], str]] = dict
    # Sign-in e-mails per address: 3 in 15 minutes, so nobody can flood a relay's mailbox.
    sends: FailureLimiter = field(default_factory=lambda: FailureLimiter(3, 900))

    @property
    def secure(self) -> bool:
        """Cookies only over https when the public address is https."""
        return bool(self.public_url and self.public_url.startswith("https://"))

    @property
    def cookie(self) -> str:
        """The session cookie's name (``__Host-``: this host only, path /, https only)."""
        return "__Host-tremplin" if self.secure else "tremplin_session"

    async def person(self, request: Request) -> Person | None:
        """Who is signed in, looked up again in the directory and settings; nobody when
        they signed out everywhere since this session was opened."""
        found = self.sessions.read_opened(request.cookies.get(self.cookie))
        if found is None:
            return None
        key, opened = found
        person = self.access.find(key)
        if person is None:
            return None
        ended = await self.service().turns.run(lambda c: signed_out_at(c, key))
        return None if ended is not None and opened <= ended else person

    def session_key(self, request: Request) -> str:
        """What this session's forms are bound to (a digest of its cookie)."""
        raw = request.cookies.get(self.cookie, "")
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()

    def csrf(self, request: Request) -> str:
        """A form token for a page of this session."""
        return self.forms.issue(self.session_key(request))

    async def posted(self, request: Request, bound_to: str) -> dict[str, str]:
        """The fields of a same-origin post carrying a valid form token, else refused.

        The origin is checked before the body is read; the body is capped.
        """
        fields = await self.posted_lists(request, bound_to, max_fields=10)
        return {name: values[0] for name, values in fields.items()}

    async def posted_lists(
        self, request: Request, bound_to: str, *, max_fields: int
    ) -> dict[str, list[str]]:
        """:meth:`posted` for a longer form, each field with all its values (checkboxes)."""
        if not self.forms.same_origin(request.headers):
            raise cross_site()
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_FORM:
                raise RefusedError(413, "Trop long", "Ce message est trop long.")
        try:
            parsed = parse_qs(body.decode("utf-8"), max_num_fields=max_fields)
        except (UnicodeDecodeError, ValueError):
            parsed = {}
        try:
            self.forms.check((parsed.get(FIELD) or [""])[0], bound_to)
        except BadTokenError:
            raise cross_site() from None
        return parsed

    async def page(
        self,
        request: Request,
        answer: Callable[[Person], Awaitable[Response]],
        allowed: Callable[[Person], bool] = lambda person: True,
    ) -> Response:
        """A page for the signed-in: others go to the sign-in page, someone ``allowed``
        refuses gets 403, and refusals are answered as :meth:`guarded` does."""
        person = await self.person(request)
        if person is None:
            return RedirectResponse("/connexion", 303)

        async def checked() -> Response:
            if not allowed(person):
                raise forbidden()
            return await answer(person)

        return await self.guarded(request, checked)

    async def guarded(
        self, request: Request, answer: Callable[[], Awaitable[Response]]
    ) -> Response:
        """Run ``answer``; a refusal becomes its page and counts; past the limit, 429."""
        address = request.client.host if request.client else "unknown"
        wait = self.limiter.wait(address)
        if wait > 0:
            minutes = max(1, math.ceil(wait / 60))
            text = f"Trop d'essais. Réessaie dans {minutes} minutes."
            headers = {"retry-after": str(math.ceil(wait))}
            return self.pages.render("message.html", 429, headers, title="Trop d'essais", text=text)
        try:
            return await answer()
        except RefusedError as refused:
            self.limiter.failed(address)
            log.info("refused a web app request (%d)", refused.status)
            person = await self.person(request)
            csrf = self.csrf(request) if person else ""
            return self.pages.render(
                "message.html",
                refused.status,
                title=refused.title,
                text=refused.text,
                person=person,
                csrf=csrf,
                back="/" if person else "/connexion",
                back_label="Retour" if person else "Me connecter",
            )
