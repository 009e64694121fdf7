"""Build the web app of relays and coordinators from settings: sign-in, pages, directory."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta

from bot.app.keys import link_secret
from bot.app.settings import Settings
from bot.engine.loader import FlowSet
from bot.engine.schema import ChoiceStep, InputStep
from bot.handoff.directory import RelayDirectory
from bot.handoff.service import HandoffService
from bot.security.tokens import derive_key
from bot.web.access import RELAY_KEY, Access
from bot.web.forms import FormGuard
from bot.web.limits import FailureLimiter
from bot.web.pages import Pages
from bot.web.sessions import Sessions, SignInLinks
from bot.web.webapp import WebApp


def relay_web_link(settings: Settings) -> Callable[[str], tuple[str, int] | None]:
    """A relay's one-time link to the web app, sent to their Telegram chat on ``/web``."""
    minutes = settings.web.sign_in_minutes
    links = SignInLinks(link_secret(settings), valid_for=timedelta(minutes=minutes))
    public_url = settings.handoff.public_url

    def link(relay_id: str) -> tuple[str, int] | None:
        if not public_url:
            return None
        return links.url(public_url, f"{RELAY_KEY}{relay_id}"), round(minutes)

    return link


def make_web(
    settings: Settings,
    service: Callable[[], HandoffService],
    limiter: FailureLimiter,
    directory: Callable[[], RelayDirectory | None] = lambda: None,
    questions: Callable[[], Sequence[tuple[str, str]]] = lambda: (),
    checkins: Callable[[], Mapping[tuple[str, str], str]] = dict,
) -> WebApp:
    """The web app of relays and coordinators: sign-in by e-mail, inbox, dashboard."""
    master = link_secret(settings)
    web = settings.web
    public_url = settings.handoff.public_url
    return WebApp(
        service=service,
        access=Access(
            lambda: service().directory, coordinators=web.coordinators, admins=web.admins
        ),
        sessions=Sessions(master, lasts=timedelta(hours=web.session_hours)),
        links=SignInLinks(master, valid_for=timedelta(minutes=web.sign_in_minutes)),
        forms=FormGuard(derive_key(master, "web-forms"), public_url=public_url),
        limiter=limiter,
        pages=Pages(),
        public_url=public_url,
        directory=directory,
        telegram_username=settings.telegram.username,
        questions=questions,
        checkins=checkins,
    )


def funnel_questions(flows: FlowSet) -> tuple[tuple[str, str], ...]:
    """The counted questions of the start flow (« Question N sur M »), in the file's
    order: (``flow.step``, the question's first line), as the funnel shows them."""
    flow_id = flows.glob.settings.start_flow
    item = flows.flows.get(flow_id)
    if item is None or not item.flow.progress:
        return ()
    return tuple(
        (f"{flow_id}.{step_id}", step.ask.strip().splitlines()[0][:90])
        for step_id, step in item.flow.steps.items()
        if isinstance(step, ChoiceStep | InputStep) and step.progress
    )


def checkin_labels(flows: FlowSet) -> dict[tuple[str, str], str]:
    """How the funnel names each answer to a follow-up, in the flow's order:
    (``contacted``, ``yes``) -> « Relance à 3 jours ouvrés : Oui »."""
    found = flows.followups
    if found is None:
        return {}
    holder, settings = found
    steps = flows.flows[holder].flow.steps
    labels: dict[tuple[str, str], str] = {}
    for name, delay in settings.delays().items():
        step = steps.get(delay.step)
        if not isinstance(step, ChoiceStep):
            continue  # the nudge asks nothing to count
        when = f"{delay.working_days} jours ouvrés" if delay.working_days else f"{delay.days} jours"
        for option in step.options:
            labels[(name, option.id)] = f"Relance à {when} : {option.label}"
    return labels
