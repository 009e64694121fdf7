"""Assemble the bot from settings: flows, reference data, store, NLU, dispatcher, web app."""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import logging
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import make_url
from starlette.applications import Starlette

from bot.app.bot import Bot
from bot.app.channels import make_channels
from bot.app.flowdesk import make_flow_desk
from bot.app.followups import make_followups
from bot.app.keys import link_secret, make_cipher, secret_key
from bot.app.settings import Settings
from bot.app.sweeps import expire_forever, follow_relays, purge_forever
from bot.app.telegram import RelayChats
from bot.app.understanding import make_nlu
from bot.app.web import checkin_labels, funnel_questions, make_web, relay_web_link
from bot.app.wording import RunnerWording
from bot.channels.rest import RestChannel
from bot.domain.messages import TRIAL_SOURCE
from bot.domain.ports import Sender
from bot.domain.understanding import NLU
from bot.engine.actions import make_actions, make_faq_values, make_localise
from bot.engine.dispatcher import Dispatcher
from bot.engine.runner import Runner
from bot.flowtools.check import load_checked
from bot.flowtools.reload import DataWatcher, FlowWatcher
from bot.geo.search import PlaceFinder
from bot.handoff.carrier import Carrier
from bot.handoff.datafiles import WATCHED, Reference, load_reference
from bot.handoff.directory import RelayDirectory
from bot.handoff.inbox import RelayInbox
from bot.handoff.links import CaseLinks
from bot.handoff.matching import RelayLoads
from bot.handoff.notify import EmailNotifier, SmtpSettings, WebhookNotifier
from bot.handoff.reach import HandoffConfig
from bot.handoff.reference import ReferenceDataError, Relays
from bot.handoff.service import HandoffService
from bot.privacy.atrest import open_at_rest
from bot.privacy.crypto import FernetCipher
from bot.privacy.pseudonyms import Pseudonyms
from bot.security.tokens import derive_key
from bot.store.database import make_engine, upgrade
from bot.store.drainer import Drainer
from bot.store.turnstore import TurnStore, make_turn_store
from bot.web.forms import FormGuard
from bot.web.limits import FailureLimiter
from bot.web.relay_pages import make_relay_pages
from bot.web.routes import make_web_routes
from bot.web.server import make_web_app

log = logging.getLogger(__name__)


class DeploymentError(ValueError):
    """The settings cannot serve the deployment they describe (several workers on SQLite)."""


def make_runner(
    settings: Settings, loads: RelayLoads | None = None, reference: Reference | None = None
) -> Runner:
    """The flow runner with its reference data (raises on invalid files)."""
    flows = load_checked(settings.flows_dir)  # the schema, then the check's errors
    finder = make_place_finder(settings.data_dir)
    reference = reference or load_data(settings)
    constants = {
        "responsable": settings.privacy.controller,
        "contact_donnees": settings.privacy.contact,
    }
    hours = settings.handoff.accept_within_hours
    actions = make_actions(reference, loads, accept_within_hours=hours)
    faq_values = make_faq_values(reference.catalogue)
    localise = make_localise(reference, loads, accept_within_hours=hours)
    return Runner(
        flows, finder, actions, constants, faq_values, reference.labels(), localise=localise
    )


def use_reference(bot: Bot, settings: Settings, reference: Reference) -> None:
    """Another version of ``data/`` (hot reload): the next turns and cases read it."""
    hours = settings.handoff.accept_within_hours
    actions = make_actions(reference, bot.handoffs.loads, accept_within_hours=hours)
    runner = bot.dispatcher.runner.with_reference(
        actions,
        make_faq_values(reference.catalogue),
        reference.labels(),
        make_localise(reference, bot.handoffs.loads, accept_within_hours=hours),
    )
    bot.dispatcher.runner = runner  # one assignment: a turn runs on one version
    bot.handoffs.use_relays(reference.relays)
    bot.reference = reference


def use_relays(
    bot: Bot, settings: Settings, relays: Relays, chats: RelayChats | None = None
) -> None:
    """Another version of the relays directory (saved here or by another worker)."""
    if bot.reference is None:  # set by start_bot before any save can happen
        raise RuntimeError("the bot has no reference data yet")
    use_reference(bot, settings, dataclasses.replace(bot.reference, relays=relays))
    if chats is not None:
        chats.use(relays)


def make_data_watcher(
    settings: Settings,
    bot: Bot,
    tell: Callable[[str], None] | None = None,
) -> DataWatcher[Reference]:
    """Watch ``data/schemes.yml`` and ``maturity.yml``: edits go live. The relays are
    the directory's (the database's): ``relays.yml`` only seeds it."""
    return DataWatcher(
        settings.data_dir,
        WATCHED,
        lambda: load_data(settings, bot.handoffs.directory),
        lambda reference: use_reference(bot, settings, reference),
        errors=(ReferenceDataError,),
        tell=tell,
    )


def load_data(settings: Settings, relays: Relays | None = None) -> Reference:
    """The reference data of ``data/`` under these settings (raises on invalid files);
    ``relays``: the directory in force, instead of the seed file ``relays.yml``."""
    local = settings.handoff.webhook_allow_local
    return load_reference(settings.data_dir, allow_local_webhooks=local, relays=relays)


def make_place_finder(data_dir: Path) -> PlaceFinder:
    """Communes from ``postal_codes.csv``, with the nicknames of ``place_aliases.yml``."""
    return PlaceFinder.from_files(data_dir / "postal_codes.csv", data_dir / "place_aliases.yml")


async def start_bot(
    settings: Settings,
    *,
    nlu: NLU | None = None,
    migrate: bool = True,
    senders: Mapping[str, Sender] | None = None,
    chats: RelayChats | None = None,
) -> Bot:
    """Build a ready bot; the database schema is brought up to date first.

    ``senders`` are the channels that can write first, by name (the hand-off pushes
    relays' answers to residents, and writes to relays' chats, through them). The
    relays are the directory's (seeded from ``data/relays.yml`` on a fresh database);
    ``chats`` (Telegram's relay chats) follow it.
    """
    loads = RelayLoads()
    reference = load_data(settings)
    engine = make_engine(settings.database_url)
    try:
        if migrate:
            await upgrade(engine)
        cipher = make_cipher(settings)
        pseudonyms = Pseudonyms(secret_key(settings))
        await open_at_rest(engine, cipher, pseudonyms)
        turns = make_turn_store(engine, cipher)
        directory = RelayDirectory(
            turns,
            lambda relays: None,  # until the bot exists, below
            allow_local_webhooks=settings.handoff.webhook_allow_local,
            invite_valid_for=timedelta(days=settings.handoff.link_valid_days),
        )
        reference = dataclasses.replace(reference, relays=await directory.open(reference.relays))
        runner = make_runner(settings, loads, reference)
    except BaseException:
        await engine.dispose()
        raise
    if chats is not None:
        chats.use(reference.relays)
    if nlu is None:  # the embedded backend may train: off the event loop
        nlu = await asyncio.to_thread(make_nlu, settings)
    queued = asyncio.Event()  # set when a transaction queued jobs: the drainer looks now
    dispatcher = Dispatcher(runner, turns, nlu, pseudonyms, queued.set)
    http = httpx.AsyncClient(timeout=15)
    handoffs = make_handoffs(
        settings, turns, cipher, loads, dispatcher, http, senders or {}, reference, queued.set
    )
    followups = make_followups(settings, turns, dispatcher, handoffs, senders or {}, queued.set)
    drainer = Drainer(
        turns,
        {**handoffs.handlers(), **Carrier(handoffs).handlers(), **followups.handlers()},
        poll=settings.handoff.jobs_poll_seconds,
        lease_seconds=settings.handoff.jobs_lease_seconds,
        wake=queued,
    )
    followups.clock = lambda: drainer.clock()  # follow-ups live on the drainer's time
    await handoffs.refresh_loads()
    await followups.start()
    if not (settings.handoff.coordinator_email or settings.handoff.coordinator_chat_id):
        log.warning(
            "no coordinator contact (BOT_HANDOFF__COORDINATOR_EMAIL or _CHAT_ID): alerts "
            "about unreachable relays and stuck cases wait in `bot jobs list --status dead`"
        )
    inbox = RelayInbox(handoffs, web_link=relay_web_link(settings))
    bot = Bot(
        engine,
        dispatcher,
        cipher,
        handoffs,
        inbox,
        http,
        drainer,
        followups=followups,
        reference=reference,
        relays=directory,
    )
    directory.apply = lambda relays: use_relays(bot, settings, relays, chats)
    return bot


def make_handoffs(
    settings: Settings,
    turns: TurnStore,
    cipher: FernetCipher,
    loads: RelayLoads,
    dispatcher: Dispatcher,
    http: httpx.AsyncClient,
    senders: Mapping[str, Sender],
    reference: Reference,
    on_queued: Callable[[], None],
) -> HandoffService:
    """The hand-off service: relays reached by Telegram, e-mail or webhooks."""
    config = settings.handoff
    email = None
    if config.smtp_host:
        password = config.smtp_password.get_secret_value() if config.smtp_password else None
        email = EmailNotifier(
            SmtpSettings(
                config.smtp_host,
                config.smtp_port,
                config.smtp_sender,
                config.smtp_username,
                password,
                config.smtp_starttls,
            )
        )
    signing = {k: v.get_secret_value() for k, v in config.webhook_secrets.items()}
    # One try per job run: the outbox tries again later, with back-off.
    local = config.webhook_allow_local
    webhook = WebhookNotifier(http, signing, attempts=1, allow_local=local) if signing else None
    links = CaseLinks(link_secret(settings), valid_for=timedelta(days=config.link_valid_days))
    return HandoffService(
        turns=turns,
        cipher=cipher,
        relays=reference.relays,
        loads=loads,
        wording=RunnerWording(dispatcher),
        senders=senders,
        email=email,
        webhook=webhook,
        config=HandoffConfig(
            config.accept_within_hours,
            config.public_url,
            config.coordinator_email,
            config.coordinator_chat_id,
        ),
        on_queued=on_queued,
        links=links,
    )


def make_app(
    settings: Settings,
    *,
    nlu: NLU | None = None,
    whatsapp_transport: httpx.AsyncBaseTransport | None = None,
    migrate: bool = True,
) -> Starlette:
    """The ASGI app serving every enabled channel, the relays' pages, and ``/health``.

    ``app.state.channels`` are the channels by name (``app.state.whatsapp`` and
    ``app.state.telegram`` too, or ``None``); ``app.state.bot()`` is the running
    :class:`Bot` (``None`` before start-up). ``whatsapp_transport`` replaces the
    Graph API in tests.
    """
    if settings.workers > 1 and make_url(settings.database_url).get_backend_name() == "sqlite":
        raise DeploymentError(
            f"BOT_WORKERS={settings.workers}: several workers share a PostgreSQL database "
            "(BOT_DATABASE_URL=postgresql+asyncpg://...); SQLite serves one process"
        )
    chats = RelayChats(load_data(settings).relays)
    channels = make_channels(settings, whatsapp_transport=whatsapp_transport, relay_chats=chats)
    running: dict[str, Bot] = {}
    tasks: list[asyncio.Task[None]] = []

    async def startup() -> None:
        senders = {c.name: c.sender for c in channels if c.sender is not None}
        bot = running["bot"] = await start_bot(
            settings, nlu=nlu, migrate=migrate, senders=senders, chats=chats
        )
        for channel in channels:
            await channel.start(bot)
        tasks.append(asyncio.create_task(purge_forever(bot, settings.privacy)))
        every = settings.handoff.check_every_seconds
        tasks.append(asyncio.create_task(expire_forever(bot, every)))
        # Relays saved by another worker go live here within a few seconds.
        tasks.append(asyncio.create_task(follow_relays(bot, settings.handoff.relays_poll_seconds)))
        bot.run_jobs()
        if settings.flows_reload_seconds > 0:  # coordinators' edits go live without a restart
            watcher = FlowWatcher(settings.flows_dir, bot.dispatcher)
            app.state.flow_watcher = watcher
            tasks.append(asyncio.create_task(watcher.run(settings.flows_reload_seconds)))
            data = make_data_watcher(settings, bot)
            app.state.data_watcher = data
            tasks.append(asyncio.create_task(data.run(settings.flows_reload_seconds)))
        # Long-lived objects (flows, postal codes, compiled statements) never die: keep
        # them out of the collector's way, so its pauses stay short under load.
        gc.collect()
        gc.freeze()

    async def shutdown() -> None:
        for channel in reversed(channels):
            await channel.stop()
        for task in tasks:
            task.cancel()
        # Let them stop before the engine goes: a query cut off later would hit a dead loop.
        await asyncio.gather(*tasks, return_exceptions=True)
        if "bot" in running:
            await running.pop("bot").close()

    routes = [route for channel in channels for route in channel.routes]
    limiter = FailureLimiter(settings.web.max_failures, settings.web.failure_window_seconds)
    routes += make_relay_pages(
        lambda: running["bot"].handoffs,
        forms=FormGuard(
            derive_key(link_secret(settings), "relay-forms"), public_url=settings.handoff.public_url
        ),
        limiter=limiter,
    )
    rest = next(c for c in channels if isinstance(c, RestChannel))

    async def talk(sender: str, message: str) -> list[dict[str, Any]]:
        return await rest.exchange(sender, message, source=TRIAL_SOURCE)

    desk = make_flow_desk(settings.flows_dir, talk)
    web = make_web(
        settings,
        lambda: running["bot"].handoffs,
        limiter,
        directory=lambda: running["bot"].relays if "bot" in running else None,
        questions=lambda: (
            funnel_questions(running["bot"].dispatcher.runner.flows) if "bot" in running else ()
        ),
        checkins=lambda: (
            checkin_labels(running["bot"].dispatcher.runner.flows) if "bot" in running else {}
        ),
    )
    routes += make_web_routes(web, desk)
    app = make_web_app(routes, on_startup=startup, on_shutdown=shutdown)
    app.state.channels = {channel.name: channel for channel in channels}
    app.state.whatsapp = app.state.channels.get("whatsapp")
    app.state.telegram = app.state.channels.get("telegram")
    app.state.flow_watcher = None  # the FlowWatcher once started (hot reload)
    app.state.data_watcher = None  # the DataWatcher of data/ once started
    app.state.bot = lambda: running.get("bot")  # the running Bot (None before start-up)
    return app
