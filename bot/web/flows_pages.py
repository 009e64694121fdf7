"""Coordinators' flows pages: the check, each graph, the history, and trying the bot."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from importlib.resources import files
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.web.access import Person
from bot.web.flowdesk import FlowDesk
from bot.web.trial import make_trial_pages
from bot.web.webapp import RefusedError, WebApp, coordinating

MERMAID_VERSION = "11.17.2"  # bot/web/static/mermaid.min.js (see bot/web/static/README.md)
STATIC = ("mermaid.min.js", "graph.js")
# Mermaid writes its SVG with a <style> element and style attributes, which a hash cannot
# allow (they depend on the drawing): only this page allows inline styles; scripts come
# from our own origin only (no inline script, no eval).
GRAPH_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
LONG_CACHE = "public, max-age=31536000, immutable"  # URLs carry the file's digest
PARIS = ZoneInfo("Europe/Paris")


def when(moment: datetime | None) -> str:
    """A moment as coordinators read it: Paris time, "01/12/2026 à 09:05"."""
    return moment.astimezone(PARIS).strftime("%d/%m/%Y à %H:%M") if moment else "—"


@dataclass
class StaticFiles:
    """The vendored browser files, read once, each with a digest for its URL."""

    loaded: dict[str, tuple[bytes, str]] = field(default_factory=dict)

    def get(self, name: str) -> tuple[bytes, str]:
        """The content of ``name`` and its short digest."""
        if name not in self.loaded:
            content = (files("bot.web") / "static" / name).read_bytes()
            self.loaded[name] = (content, hashlib.sha256(content).hexdigest()[:12])
        return self.loaded[name]

    def url(self, name: str) -> str:
        """Where a page loads ``name`` from (the digest makes a new version a new URL)."""
        return f"/static/{name}?v={self.get(name)[1]}"


Page = Callable[[Person], Awaitable[Response]]


def make_flow_pages(web: WebApp, desk: FlowDesk) -> list[Route]:
    """``/flows`` (check and list), ``/flows/graphe/<id>``, ``/flows/versions[/<commit>]``,
    ``/flows/essai`` (try the bot) and ``/static/<file>`` (the vendored Mermaid)."""
    static = StaticFiles()

    async def page(request: Request, answer: Page) -> Response:
        return await web.page(request, answer, coordinating)

    async def overview(request: Request) -> Response:
        async def answer(person: Person) -> Response:
            checked = await asyncio.to_thread(desk.check)
            return web.pages.render(
                "flows.html", title="Scripts", person=person, csrf=web.csrf(request),
                checked=checked,
            )  # fmt: skip

        return await page(request, answer)

    async def graph(request: Request) -> Response:
        flow_id = request.path_params["flow_id"]

        async def answer(person: Person) -> Response:
            drawing = await asyncio.to_thread(desk.drawing, flow_id[:40])
            if drawing is None:
                raise RefusedError(
                    404,
                    "Script introuvable",
                    "Ce script n'existe pas (ou plus), ou les scripts ont une erreur qui "
                    "empêche de les lire : regarde la page Scripts.",
                )
            scripts = await asyncio.to_thread(lambda: [static.url(n) for n in STATIC])
            return web.pages.render(
                "flow_graph.html",
                headers={"content-security-policy": GRAPH_POLICY},
                title=f"Schéma : {drawing.flow.title}",
                person=person,
                csrf=web.csrf(request),
                drawing=drawing,
                scripts=scripts,
                mermaid_version=MERMAID_VERSION,
            )

        return await page(request, answer)

    async def versions(request: Request) -> Response:
        async def answer(person: Person) -> Response:
            history = await asyncio.to_thread(desk.history)
            checked = await asyncio.to_thread(desk.check)
            return web.pages.render(
                "flow_versions.html", title="Versions des scripts", person=person,
                csrf=web.csrf(request), history=history, flows=checked.flows, when=when,
            )  # fmt: skip

        return await page(request, answer)

    async def commit(request: Request) -> Response:
        wanted = request.path_params["commit"]

        async def answer(person: Person) -> Response:
            patch = await asyncio.to_thread(desk.diff, wanted)
            if patch is None:
                raise RefusedError(
                    404, "Version introuvable", "Cette version n'existe pas dans l'historique."
                )
            return web.pages.render(
                "flow_commit.html", title=f"Version {wanted[:10]}", person=person,
                csrf=web.csrf(request), commit=wanted, patch=patch,
            )  # fmt: skip

        return await page(request, answer)

    async def serve_static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC:
            return JSONResponse({"error": "not found"}, status_code=404)
        content, _digest = await asyncio.to_thread(static.get, name)
        return Response(
            content,
            headers={"cache-control": LONG_CACHE},
            media_type="text/javascript; charset=utf-8",
        )

    return [
        Route("/flows", overview, methods=["GET"]),
        Route("/flows/graphe/{flow_id:str}", graph, methods=["GET"]),
        Route("/flows/versions", versions, methods=["GET"]),
        Route("/flows/versions/{commit:str}", commit, methods=["GET"]),
        *make_trial_pages(web, desk.talk, page),
        Route("/static/{name:str}", serve_static, methods=["GET"]),
    ]
