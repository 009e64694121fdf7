"""Assemble the bot from settings: flows, reference data, store, NLU, dispatcher, web app."""

from __future__ import annotations

import asyncio
import gc
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from bot.app.settings import PrivacySettings, Settings
from bot.app.whatsapp import make_whatsapp
from bot.channels.rest import make_rest_routes
from bot.domain.messages import Inbound, Outbound
from bot.domain.understanding import NLU
from bot.engine.actions import make_actions, make_faq_values
from bot.engine.dispatcher import Deliver, Dispatcher
from bot.engine.loader import FlowSet, load_flows
from bot.engine.runner import Runner
from bot.flowtools.check import load_checked
from bot.flowtools.reload import FlowWatcher
from bot.geo.search import PlaceFinder
from bot.handoff.inbox import RelayInbox
from bot.handoff.matching import RelayLoads
from bot.handoff.notify import EmailNotifier, SmtpSettings, WebhookNotifier
from bot.handoff.reference import load_catalogue, load_relays
from bot.handoff.service import HandoffConfig, HandoffService
from bot.nlu.embedded import make_embedded_nlu
from bot.nlu.trainingdata import Example, NLUData
from bot.nlu.keywords import KeywordNLU
from bot.nlu.rasa import RasaNLU
from bot.privacy.crypto import FernetCipher
from bot.privacy.pseudonyms import Pseudonyms
from bot.store.database import make_engine, upgrade
from bot.store.retention import PurgeReport, purge
from bot.store.turnstore import TurnStore, make_turn_store
from bot.web.relay_pages import make_relay_pages
from bot.web.server import make_web_app

log = logging.getLogger(__name__)


def secret_key(settings: Settings) -> bytes:
    """The pseudonym key from settings, else one generated once under the runtime folder."""
    if settings.secret_key:
        return settings.secret_key.encode("utf-8")
    path: Path = settings.runtime_dir / "secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), encoding="utf-8")
        path.chmod(0o600)
        log.warning("generated a pseudonym key in %s; set BOT_SECRET_KEY in production", path)
    return path.read_text(encoding="utf-8").strip().encode("utf-8")


def make_cipher(settings: Settings) -> FernetCipher:
    """The key ring encrypting contact fields; a key is generated once when none is set."""
    keys = settings.privacy.encryption_keys
    if not keys:
        path: Path = settings.runtime_dir / "encryption.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(FernetCipher.new_key(), encoding="utf-8")
            path.chmod(0o600)
            log.warning("generated an encryption key in %s; set BOT_PRIVACY__ENCRYPTION_KEYS", path)
        keys = [path.read_text(encoding="utf-8").strip()]
    return FernetCipher(keys)


def make_runner(settings: Settings, loads: RelayLoads | None = None) -> Runner:
    """The flow runner with its reference data (raises on invalid files)."""
    flows = load_checked(settings.flows_dir)  # the schema, then the check's errors
    finder = make_place_finder(settings.data_dir)
    catalogue = load_catalogue(settings.data_dir / "schemes.yml")
    relays = load_relays(settings.data_dir / "relays.yml")
    constants = {
        "responsable": settings.privacy.controller,
        "contact_donnees": settings.privacy.contact,
    }
    hours = settings.handoff.accept_within_hours
    actions = make_actions(catalogue, relays, loads, accept_within_hours=hours)
    return Runner(flows, finder, actions, constants, make_faq_values(catalogue))


def make_place_finder(data_dir: Path) -> PlaceFinder:
    """Communes from ``postal_codes.csv``, with the nicknames of ``place_aliases.yml``."""
    return PlaceFinder.from_files(data_dir / "postal_codes.csv", data_dir / "place_aliases.yml")


async def run_purge(
    engine: AsyncEngine,
    cipher: FernetCipher,
    privacy: PrivacySettings,
    *,
    dry_run: bool = False,
    can_ask: Callable[[str], bool] = lambda channel: False,
) -> PurgeReport:
    """Apply the configured retention periods."""
    return await purge(
        engine,
        cipher,
        text_days=privacy.text_retention_days,
        contact_months=privacy.contact_retention_months,
        grace_days=privacy.renewal_grace_days,
        can_ask=can_ask,
        dry_run=dry_run,
    )


async def purge_forever(bot: Bot, privacy: PrivacySettings) -> None:
    """The scheduled retention run: once at start-up, then every ``purge_every_hours``."""
    while True:
        try:
            report = await run_purge(bot.engine, bot.cipher, privacy)
            log.info(
                "retention: %d texts, %d abandoned conversations, %d contacts erased",
                report.texts,
                report.abandoned,
                report.erased,
            )
        except Exception:
            log.exception("the scheduled retention run failed")
        await asyncio.sleep(privacy.purge_every_hours * 3600)


def faq_training(flows: FlowSet) -> NLUData:
    """The questions of ``flows/faq.yml`` as NLU examples (intent ``faq_<id>``)."""
    return NLUData(
        tuple(Example(text, entry.intent_name) for entry in flows.faq.faq for text in entry.examples)
    )


def make_nlu(settings: Settings) -> NLU:
    """The configured NLU backend (the embedded one trains here, or loads from its cache)."""
    config = settings.nlu
    if config.backend == "keywords":
        return KeywordNLU()
    cache_dir = config.cache_dir or settings.runtime_dir / "nlu"
    embedded = make_embedded_nlu(
        settings.nlu_dir,
        cache_dir,
        threshold=config.threshold,
        extra=faq_training(load_flows(settings.flows_dir)),
    )
    if config.backend == "rasa":
        return RasaNLU(
            config.rasa_url,
            timeout=config.rasa_timeout,
            threshold=config.threshold,
            fallback=embedded,
            normalize=embedded.extractor.canonical,
        )
    return embedded


@dataclass
class Bot:
    """A running bot: its dispatcher and what must be closed at the end."""

    engine: AsyncEngine
    dispatcher: Dispatcher
    cipher: FernetCipher
    handoffs: HandoffService
    relay_inbox: RelayInbox
    http: httpx.AsyncClient

    async def handle(self, inbound: Inbound, deliver: Deliver | None = None) -> list[Outbound]:
        """One turn (the channels' ``on_inbound``); ``deliver`` sends replies in order."""
        return list(await self.dispatcher.handle(inbound, deliver))

    async def close(self) -> None:
        """Finish pending turns and hand-off events, then release connections."""
        await self.dispatcher.drain()
        await self.dispatcher.store.close()
        await self.http.aclose()
        await self.engine.dispose()
        aclose = getattr(self.dispatcher.nlu, "aclose", None)  # the rasa backend's client
        if aclose is not None:
            await aclose()


async def start_bot(settings: Settings, *, nlu: NLU | None = None, migrate: bool = True) -> Bot:
    """Build a ready bot; the database schema is brought up to date first."""
    loads = RelayLoads()
    runner = make_runner(settings, loads)
    engine = make_engine(settings.database_url)
    if migrate:
        await upgrade(engine)
    cipher = make_cipher(settings)
    turns = make_turn_store(engine, cipher)
    if nlu is None:  # the embedded backend may train: off the event loop
        nlu = await asyncio.to_thread(make_nlu, settings)
    dispatcher = Dispatcher(
        runner,
        turns,
        nlu,
        Pseudonyms(secret_key(settings)),
    )
    http = httpx.AsyncClient(timeout=15)
    handoffs = make_handoffs(settings, engine, turns, cipher, loads, dispatcher, http)
    dispatcher.case_events = handoffs
    await handoffs.refresh_loads()
    return Bot(engine, dispatcher, cipher, handoffs, RelayInbox(handoffs), http)


def make_handoffs(
    settings: Settings,
    engine: AsyncEngine,
    turns: TurnStore,
    cipher: FernetCipher,
    loads: RelayLoads,
    dispatcher: Dispatcher,
    http: httpx.AsyncClient,
) -> HandoffService:
    """The hand-off service: relays reached by Telegram (wired later), e-mail, webhooks."""
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
    return HandoffService(
        engine=engine,
        turns=turns,
        cipher=cipher,
        relays=load_relays(settings.data_dir / "relays.yml"),
        loads=loads,
        label=lambda slot, value: dispatcher.runner.render.label(slot, value),
        email=email,
        webhook=WebhookNotifier(http, signing) if signing else None,
        config=HandoffConfig(config.accept_within_hours, config.public_url),
    )


async def expire_forever(bot: Bot, every: float) -> None:
    """Move on the cases nobody took in time, checked every ``every`` seconds."""
    while True:
        await asyncio.sleep(every)
        try:
            await bot.handoffs.expire_due()
        except Exception:
            log.exception("the hand-off expiry check failed")


def make_app(
    settings: Settings,
    *,
    nlu: NLU | None = None,
    whatsapp_transport: httpx.AsyncBaseTransport | None = None,
    migrate: bool = True,
) -> Starlette:
    """The ASGI app serving the REST channel, WhatsApp when configured, and ``/health``.

    ``app.state.whatsapp`` is the :class:`WhatsApp` channel (or ``None``): its
    ``followups`` send proactive messages. ``whatsapp_transport`` replaces the Graph
    API in tests. ``app.state.telegram`` is the Telegram channel when
    ``BOT_TELEGRAM__TOKEN`` is set (``send_to_chat`` writes to relays), else ``None``.
    """
    holder: dict[str, Bot] = {}
    whatsapp = make_whatsapp(settings.whatsapp, transport=whatsapp_transport)
    telegram = None
    if settings.telegram.token is not None:
        from bot.app.telegram import make_telegram  # loads python-telegram-bot (an extra)

        telegram = make_telegram(
            settings,
            lambda: holder["bot"],
            on_relay=lambda message: holder["bot"].relay_inbox.handle(message),
        )

    async def on_inbound(inbound: Inbound) -> list[Outbound]:
        return await holder["bot"].handle(inbound)

    tasks: list[asyncio.Task[None]] = []

    async def startup() -> None:
        holder["bot"] = await start_bot(settings, nlu=nlu, migrate=migrate)
        if whatsapp is not None:
            whatsapp.start(holder["bot"])
            holder["bot"].handoffs.pushers["whatsapp"] = whatsapp.push
        if telegram is not None:
            # Relays read their cards on Telegram; residents there get relays' answers.
            holder["bot"].handoffs.messenger = telegram.channel
            holder["bot"].handoffs.pushers["telegram"] = telegram.channel.push
            await telegram.start()
        tasks.append(asyncio.create_task(purge_forever(holder["bot"], settings.privacy)))
        every = settings.handoff.check_every_seconds
        tasks.append(asyncio.create_task(expire_forever(holder["bot"], every)))
        if settings.flows_reload_seconds > 0:  # coordinators' edits go live without a restart
            watcher = FlowWatcher(settings.flows_dir, holder["bot"].dispatcher)
            app.state.flow_watcher = watcher
            tasks.append(asyncio.create_task(watcher.run(settings.flows_reload_seconds)))
        # Long-lived objects (flows, postal codes, compiled statements) never die: keep
        # them out of the collector's way, so its pauses stay short under load.
        gc.collect()
        gc.freeze()

    async def shutdown() -> None:
        if telegram is not None:
            await telegram.stop()
        if whatsapp is not None:
            await whatsapp.stop()
        for task in tasks:
            task.cancel()
        # Let them stop before the engine goes: a query cut off later would hit a dead loop.
        await asyncio.gather(*tasks, return_exceptions=True)
        if "bot" in holder:
            await holder.pop("bot").close()

    routes = [*make_rest_routes(on_inbound), *(whatsapp.routes if whatsapp else [])]
    routes += make_relay_pages(lambda: holder["bot"].handoffs)
    routes += telegram.routes if telegram else []
    app = make_web_app(routes, on_startup=startup, on_shutdown=shutdown)
    app.state.whatsapp = whatsapp
    app.state.flow_watcher = None  # the FlowWatcher once started (hot reload)
    app.state.telegram = telegram.channel if telegram else None
    app.state.bot = lambda: holder.get("bot")  # the running Bot (None before start-up)
    return app
