"""The page a relay opens from an e-mail link to take, refuse or close a case."""

from __future__ import annotations

import html
import logging
import math
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from sqlalchemy.engine import Connection
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from bot.handoff.links import LINK_PATH, CaseAccess, ExpiredLinkError
from bot.handoff.service import HandoffService
from bot.handoff.sheet import render_sheet
from bot.handoff.texts import PageTexts, fill
from bot.security.tokens import BadTokenError
from bot.store import handoffs as store
from bot.store.audit import record_access
from bot.store.handoffs import HandoffRow
from bot.store.leads import load_lead
from bot.web.forms import FIELD, FormGuard
from bot.web.headers import page_policy
from bot.web.limits import FailureLimiter

log = logging.getLogger(__name__)

STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}"
    "pre{white-space:pre-wrap;font:inherit}button{margin:.3rem;padding:.6rem 1rem}"
)
POLICY = page_policy(STYLE)
PAGE = """<!doctype html><html lang="fr"><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{title}</title><style>{style}</style>
<body><main>{content}</main></body></html>"""
MAX_FORM = 4096  # an action and a token: a few hundred bytes
# The sheet is shown while the case is the relay's (and once they closed it), not after it
# went to someone else (declined, expired).
SHOWN = (*store.OPEN, "closed")


class RefusedError(Exception):
    """The request is answered with a page saying why (a failure, counted per client)."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.text = text


def _page(title: str, content: str, status: int = 200, **headers: str) -> HTMLResponse:
    body = PAGE.format(title=html.escape(title), style=STYLE, content=content)
    return HTMLResponse(body, status, headers={"content-security-policy": POLICY, **headers})


def _form(token: str, csrf: str, buttons: list[tuple[str, str]]) -> str:
    pressed = "".join(
        f'<button name="action" value="{html.escape(action)}">{html.escape(label)}</button>'
        for action, label in buttons
    )
    return (
        f'<form method="post" action="{LINK_PATH}{html.escape(token)}">'
        f'<input type="hidden" name="{FIELD}" value="{html.escape(csrf)}">{pressed}</form>'
    )


async def _read_form(request: Request, refusal: str) -> dict[str, str]:
    """The posted fields (first value of each); none when the body is not UTF-8.

    A body over :data:`MAX_FORM` is refused with ``refusal`` (413), unread past it.
    """
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM:
            raise RefusedError(413, refusal)
    try:
        fields = parse_qs(body.decode("utf-8"), max_num_fields=10)
    except (UnicodeDecodeError, ValueError):
        return {}
    return {name: values[0] for name, values in fields.items()}


def make_relay_pages(
    service: Callable[[], HandoffService],
    *,
    forms: FormGuard,
    limiter: FailureLimiter,
) -> list[Route]:
    """Routes of the relays' case page, opened by a signed link (``/relais/cas/<token>``).

    The link's signature is the key: the case id alone opens nothing. Every failure (a
    broken, expired or foreign link, a refused form) counts against the client's
    address in ``limiter``; past its limit, the client gets 429 for a while.
    """

    def client(request: Request) -> str:
        return request.client.host if request.client else "unknown"

    def texts() -> PageTexts:
        return service().texts.relais.page

    def opened(token: str) -> CaseAccess:
        page = texts()
        try:
            return service().links.read(token)
        except ExpiredLinkError:
            days = round(service().links.valid_for.total_seconds() / 86400)
            raise RefusedError(410, fill(page.expired, days=days)) from None
        except BadTokenError:
            raise RefusedError(404, page.not_found) from None

    async def guarded(request: Request, answer: Callable[[], Awaitable[Response]]) -> Response:
        address = client(request)
        wait = limiter.wait(address)
        if wait > 0:
            minutes = max(1, math.ceil(wait / 60))
            text = fill(texts().too_many, minutes=minutes)
            return _page(texts().title, f"<p>{html.escape(text)}</p>", 429, **_retry(wait))
        try:
            return await answer()
        except RefusedError as refused:
            limiter.failed(address)
            log.info("refused a relay page request (%d)", refused.status)
            return _page(texts().title, f"<p>{html.escape(refused.text)}</p>", refused.status)

    async def show(request: Request) -> Response:
        token = request.path_params["token"]

        async def answer() -> Response:
            access = opened(token)
            handoffs = service()

            def viewed(connection: Connection) -> tuple[HandoffRow, dict[str, Any] | None] | None:
                row = store.get(connection, access.handoff_id)
                if row is None or row.relay_id != access.relay_id:
                    return None
                if row.status not in SHOWN:  # the case went to someone else: its status only
                    return row, None
                lead = load_lead(connection, row.lead_id, handoffs.cipher)
                if lead is None:
                    return None
                actor = f"relay:{row.relay_id}:web"
                record_access(connection, actor=actor, action="case_viewed", lead_id=row.lead_id)
                return row, lead

            found = await handoffs.turns.run(viewed)
            if found is None:
                raise RefusedError(404, texts().withdrawn)
            row, lead = found
            return _page(texts().title, _content(handoffs, row, lead, token, forms.issue(token)))

        return await guarded(request, answer)

    async def act(request: Request) -> Response:
        token = request.path_params["token"]

        async def answer() -> Response:
            if not forms.same_origin(request.headers):
                raise RefusedError(403, texts().refused)
            fields = await _read_form(request, texts().refused)
            access = opened(token)
            try:
                forms.check(fields.get(FIELD, ""), token)
            except BadTokenError:
                raise RefusedError(403, texts().refused) from None
            handoffs = service()
            row = await handoffs.turns.run(lambda c: store.get(c, access.handoff_id))
            if row is None or row.relay_id != access.relay_id:
                raise RefusedError(404, texts().withdrawn)
            actor = f"relay:{row.relay_id}:web"
            action = fields.get("action", "")
            if action == "accept":
                await handoffs.actions.accept(row, actor)
            elif action == "decline":
                await handoffs.actions.decline(row, actor, reason="declined")
            elif action.removeprefix("close_") in handoffs.texts.relais.outcomes:
                await handoffs.actions.close(row, actor, action.removeprefix("close_"))
            else:
                raise RefusedError(400, texts().refused)
            return RedirectResponse(f"{LINK_PATH}{token}", status_code=303)

        return await guarded(request, answer)

    return [
        Route(LINK_PATH + "{token:str}", show, methods=["GET"]),
        Route(LINK_PATH + "{token:str}", act, methods=["POST"]),
    ]


def _retry(wait: float) -> dict[str, str]:
    return {"retry-after": str(math.ceil(wait))}


def _content(
    handoffs: HandoffService, row: HandoffRow, lead: dict[str, Any] | None, token: str, csrf: str
) -> str:
    relais = handoffs.texts.relais
    buttons: list[tuple[str, str]] = []
    if row.status in store.WAITING:
        buttons = [("accept", relais.accept_button), ("decline", relais.decline_button)]
    elif row.status in store.TALKING:
        buttons = [(f"close_{key}", outcome.button) for key, outcome in relais.outcomes.items()]
    status = html.escape(relais.page.statuses.get(row.status, ""))
    if lead is None:
        return f"<p><strong>{status}</strong></p>"
    sheet = html.escape(render_sheet(lead, handoffs.wording))
    form = _form(token, csrf, buttons) if buttons else ""
    return f"<pre>{sheet}</pre><p><strong>{status}</strong></p>{form}"
