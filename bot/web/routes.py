"""Every route of the relays' and coordinators' web app, in one list for the server."""

from __future__ import annotations

from starlette.routing import Route

from bot.web.cases import make_case_pages
from bot.web.dashboard import make_dashboard
from bot.web.flowdesk import FlowDesk
from bot.web.flows_pages import make_flow_pages
from bot.web.journal import make_journal
from bot.web.relays import make_relay_directory
from bot.web.signin import make_sign_in
from bot.web.webapp import WebApp


def make_web_routes(web: WebApp, desk: FlowDesk | None = None) -> list[Route]:
    """Sign-in, the relays' inbox and cases, the coordinators' dashboard, relays directory
    and flows pages, the admins' audit log."""
    flows = make_flow_pages(web, desk) if desk is not None else []
    return [
        *make_sign_in(web),
        *make_case_pages(web),
        *make_dashboard(web),
        *make_journal(web),
        *make_relay_directory(web),
        *flows,
    ]
