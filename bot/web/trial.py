"""« Essayer le bot »: a coordinator talks to the bot through the REST channel, as a test."""

from __future__ import annotations

import logging
import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.web.access import Person
from bot.web.flowdesk import Talk
from bot.web.webapp import RefusedError, WebApp

log = logging.getLogger(__name__)

PATH = "/flows/essai"
COOKIE = "tremplin_essai"  # this browser's test conversation (not a secret: a name)
PREFIX = "essai-"  # every test conversation's REST sender starts so: clearly a test
MAX_TEXT = 2000
KEEP_TRIALS = 500  # transcripts kept in memory (per process)
KEEP_LINES = 120  # lines of one transcript
FIRST_WORDS = "Bonjour"  # what « Commencer » sends, as a resident would

Page = Callable[[Person], Awaitable[Response]]
Guard = Callable[[Request, Page], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class Said:
    """One line of a test conversation."""

    who: str  # "me" or "bot"
    text: str
    buttons: tuple[tuple[str, str], ...] = ()  # (title, payload)


@dataclass
class Transcripts:
    """What each test conversation said, for its page (in this process's memory only:
    the conversation itself lives in the database like any other)."""

    kept: OrderedDict[str, list[Said]] = field(default_factory=OrderedDict)

    def of(self, trial: str) -> list[Said]:
        """The lines of ``trial`` (empty when new, or kept by another worker)."""
        return list(self.kept.get(trial, []))

    def add(self, trial: str, lines: list[Said]) -> None:
        """Append ``lines``; the oldest transcripts and lines are forgotten first."""
        kept = self.kept.pop(trial, [])
        self.kept[trial] = (kept + lines)[-KEEP_LINES:]
        while len(self.kept) > KEEP_TRIALS:
            self.kept.popitem(last=False)

    def drop(self, trial: str) -> None:
        """Forget ``trial``'s lines."""
        self.kept.pop(trial, None)


def read_replies(replies: list[dict[str, Any]]) -> list[Said]:
    """The REST channel's answer (Rasa's shape) as lines of the transcript."""
    lines = []
    for reply in replies:
        buttons = tuple(
            (str(b.get("title", "")), str(b.get("payload", ""))) for b in reply.get("buttons", [])
        )
        lines.append(Said("bot", str(reply.get("text", "")), buttons))
    return lines


def make_trial_pages(web: WebApp, talk: Talk, page: Guard) -> list[Route]:
    """``GET /flows/essai`` (the chat) and ``POST /flows/essai`` (a message, a button, reset)."""
    transcripts = Transcripts()

    def trial_of(request: Request) -> str | None:
        value = request.cookies.get(COOKIE, "")
        return value if value.isascii() and 8 <= len(value) <= 40 else None

    async def show(request: Request) -> Response:
        async def answer(person: Person) -> Response:
            trial = trial_of(request)
            lines = transcripts.of(trial) if trial else []
            buttons = lines[-1].buttons if lines and lines[-1].who == "bot" else ()
            return web.pages.render(
                "flow_trial.html", title="Essayer le bot", person=person,
                csrf=web.csrf(request), lines=lines, buttons=buttons,
                sender=f"{PREFIX}{trial}" if trial else "", first_words=FIRST_WORDS,
            )  # fmt: skip

        return await page(request, answer)

    async def act(request: Request) -> Response:
        async def answer(_person: Person) -> Response:
            fields = await web.posted(request, web.session_key(request))
            trial = trial_of(request)
            response = RedirectResponse(PATH, 303)
            if fields.get("action") == "reset" or trial is None:
                if trial is not None:
                    transcripts.drop(trial)
                trial = secrets.token_urlsafe(12)
                response.set_cookie(
                    COOKIE, trial, path=PATH, secure=web.secure, httponly=True, samesite="strict"
                )
                if fields.get("action") == "reset":
                    return response
            text = fields.get("message", "").strip()
            if not text or len(text) > MAX_TEXT:
                raise RefusedError(400, "Message vide", "Écris un message, ou choisis un bouton.")
            replies = await talk(f"{PREFIX}{trial}", text)
            shown = fields.get("shown") or text  # a button: its title, as a resident sees it
            transcripts.add(trial, [Said("me", shown[:MAX_TEXT]), *read_replies(replies)])
            return response

        return await page(request, answer)

    return [Route(PATH, show, methods=["GET"]), Route(PATH, act, methods=["POST"])]
