"""Assemble the bot from settings: flows, reference data, store, NLU, dispatcher, web app."""

from __future__ import annotations

import gc
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from bot.app.settings import Settings
from bot.channels.rest import make_rest_routes
from bot.domain.messages import Inbound, Outbound
from bot.domain.understanding import NLU
from bot.engine.actions import make_actions
from bot.engine.dispatcher import Deliver, Dispatcher
from bot.engine.loader import load_flows
from bot.engine.runner import Runner
from bot.geo.postal import PostalIndex
from bot.handoff.reference import load_catalogue, load_relays
from bot.nlu.keywords import KeywordNLU
from bot.privacy.crypto import FernetCipher
from bot.privacy.pseudonyms import Pseudonyms
from bot.store.database import make_engine, upgrade
from bot.store.turnstore import make_turn_store
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


def make_runner(settings: Settings) -> Runner:
    """The flow runner with its reference data (raises on invalid files)."""
    flows = load_flows(settings.flows_dir)
    places = PostalIndex.from_csv(settings.data_dir / "postal_codes.csv")
    catalogue = load_catalogue(settings.data_dir / "schemes.yml")
    relays = load_relays(settings.data_dir / "relays.yml")
    constants = {
        "responsable": settings.privacy.controller,
        "contact_donnees": settings.privacy.contact,
    }
    return Runner(flows, places, make_actions(catalogue, relays), constants)


def make_nlu(settings: Settings) -> NLU:
    """The configured NLU backend."""
    return KeywordNLU()


@dataclass
class Bot:
    """A running bot: its dispatcher and what must be closed at the end."""

    engine: AsyncEngine
    dispatcher: Dispatcher
    cipher: FernetCipher

    async def handle(self, inbound: Inbound, deliver: Deliver | None = None) -> list[Outbound]:
        """One turn (the channels' ``on_inbound``); ``deliver`` sends replies in order."""
        return list(await self.dispatcher.handle(inbound, deliver))

    async def close(self) -> None:
        """Finish pending turns, then release connections."""
        await self.dispatcher.store.close()
        await self.engine.dispose()


async def start_bot(settings: Settings, *, nlu: NLU | None = None, migrate: bool = True) -> Bot:
    """Build a ready bot; the database schema is brought up to date first."""
    runner = make_runner(settings)
    engine = make_engine(settings.database_url)
    if migrate:
        await upgrade(engine)
    cipher = make_cipher(settings)
    dispatcher = Dispatcher(
        runner,
        make_turn_store(engine, cipher),
        nlu or make_nlu(settings),
        Pseudonyms(secret_key(settings)),
    )
    return Bot(engine, dispatcher, cipher)


def make_app(settings: Settings, *, nlu: NLU | None = None) -> Starlette:
    """The ASGI app serving the REST channel and ``/health``."""
    holder: dict[str, Bot] = {}

    async def on_inbound(inbound: Inbound) -> list[Outbound]:
        return await holder["bot"].handle(inbound)

    async def startup() -> None:
        holder["bot"] = await start_bot(settings, nlu=nlu)
        # Long-lived objects (flows, postal codes, compiled statements) never die: keep
        # them out of the collector's way, so its pauses stay short under load.
        gc.collect()
        gc.freeze()

    async def shutdown() -> None:
        if "bot" in holder:
            await holder.pop("bot").close()

    return make_web_app(make_rest_routes(on_inbound), on_startup=startup, on_shutdown=shutdown)
