"""The periodic sweeps of a served bot: retention, and cases nobody took in time."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app.bot import Bot
from bot.app.settings import PrivacySettings
from bot.privacy.crypto import FernetCipher
from bot.store.jobs import only_one
from bot.store.retention import PurgeReport, purge, sweep

log = logging.getLogger(__name__)


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


async def scheduled_purge(bot: Bot, privacy: PrivacySettings) -> PurgeReport:
    """One retention run of a served bot, as background work on its store (one worker
    at a time: the others skip this round)."""
    moment = datetime.now(UTC)

    def run(connection: Connection) -> PurgeReport:
        if not only_one(connection, "retention"):
            return PurgeReport()
        return sweep(
            connection,
            bot.cipher,
            now=moment,
            text_days=privacy.text_retention_days,
            contact_months=privacy.contact_retention_months,
            grace_days=privacy.renewal_grace_days,
            can_ask=lambda channel: False,
        )

    report = await bot.store.run(run)
    if report.removed:
        await bot.store.scrub()
    return report


async def purge_forever(bot: Bot, privacy: PrivacySettings) -> None:
    """The scheduled retention run: once at start-up, then every ``purge_every_hours``."""
    while True:
        try:
            report = await scheduled_purge(bot, privacy)
            log.info(
                "retention: %d texts, %d abandoned conversations, %d contacts erased",
                report.texts,
                report.abandoned,
                report.erased,
            )
        except Exception:
            log.exception("the scheduled retention run failed")
        await asyncio.sleep(privacy.purge_every_hours * 3600)


async def expire_forever(bot: Bot, every: float) -> None:
    """Move on the cases nobody took in time, checked every ``every`` seconds."""
    while True:
        await asyncio.sleep(every)
        try:
            await bot.handoffs.expire_due()
        except Exception:
            log.exception("the hand-off expiry check failed")


async def follow_relays(bot: Bot, every: float) -> None:
    """Put in force the relays directory as saved by any worker, looked at every ``every``
    seconds (a count and a time: cheap)."""
    if bot.relays is None:
        return
    while True:
        await asyncio.sleep(every)
        try:
            await bot.relays.refresh()
        except Exception:
            log.exception("following the relays directory failed")
