"""The relays directory in force: kept in the database, edited on the web, followed by
every worker."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pydantic import ValidationError
from sqlalchemy.engine import Connection

from bot.handoff.reference import Problem, ReferenceDataError, Relay, Relays, check_relays
from bot.store import relays as store
from bot.store.audit import record_access
from bot.store.turnstore import TurnStore

log = logging.getLogger(__name__)

INVITE_PREFIX = "relais-"  # a Telegram deep link's payload: ``relais-<random>``
SEEDED_BY = "seed:data/relays.yml"


def as_relays(found: Sequence[Relay]) -> Relays:
    """A list of relays as one version of the directory."""
    return Relays(version=1, demo=any(r.demo for r in found), relays=list(found))


def read_stored(rows: Sequence[store.StoredRelay]) -> list[Relay]:
    """The stored rows as relays (raises ``ReferenceDataError`` naming the bad one)."""
    found = []
    for row in rows:
        try:
            found.append(Relay.model_validate(row.data))
        except ValidationError as exc:
            raise ReferenceDataError(f"relays table: {row.id}: {exc}") from None
    return found


DUPLICATE = Problem(
    "duplicate relay ids", "Cet identifiant est déjà pris par un autre relais.", "id"
)
UNKNOWN = Problem("unknown relay", "Ce relais n'existe pas (ou plus) dans l'annuaire.", "id")


def _refused(problem: Problem) -> Saved:
    return Saved((problem,))


@dataclass(frozen=True, slots=True)
class Saved:
    """The outcome of a save: the problems that refused it (none: it is in force)."""

    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        """Saved and in force."""
        return not self.problems


class RelayDirectory:
    """Reads, saves and follows the relays table; ``apply`` puts a version in force.

    The worker that saves applies at once; the others see the directory's version change
    at their next :meth:`refresh` (polled every few seconds) and apply the same way.
    """

    def __init__(
        self,
        turns: TurnStore,
        apply: Callable[[Relays], None],
        *,
        allow_local_webhooks: bool = False,
        invite_valid_for: timedelta = timedelta(days=7),
    ) -> None:
        self.turns = turns
        self.apply = apply
        self.allow_local = allow_local_webhooks
        self.invite_valid_for = invite_valid_for
        self.current: Relays = as_relays([])
        self._version: tuple[int, str] | None = None

    def _load(self, connection: Connection) -> tuple[tuple[int, str], Relays]:
        version = store.directory_version(connection)
        found = read_stored(store.stored_relays(connection))
        problems = check_relays(found, allow_local_webhooks=self.allow_local)
        if problems:
            raise ReferenceDataError("; ".join(f"relays table: {p.english}" for p in problems))
        return version, as_relays(found)

    async def open(self, seed: Relays) -> Relays:
        """Copy ``seed`` in when the table is empty (a fresh install), then read it."""
        rows = [(r.id, r.model_dump(mode="json")) for r in seed.relays]

        def seeded(connection: Connection) -> tuple[tuple[int, str], Relays]:
            if store.seed_relays(connection, rows, SEEDED_BY):
                log.info("relays directory seeded from data/relays.yml")
            return self._load(connection)

        self._version, self.current = await self.turns.run(seeded)
        return self.current

    def _use(self, version: tuple[int, str], relays: Relays) -> None:
        self._version, self.current = version, relays
        self.apply(relays)

    async def refresh(self) -> bool:
        """Put the stored directory in force if it changed since we last read it."""
        version = await self.turns.run(store.directory_version)
        if version == self._version:
            return False
        try:
            version, relays = await self.turns.run(self._load)
        except ReferenceDataError:
            log.exception("the stored relays directory is invalid: the previous one stays")
            self._version = version  # said once, not at every poll
            return False
        self._use(version, relays)
        return True

    def find(self, relay_id: str) -> Relay | None:
        """The relay ``relay_id`` of the version in force."""
        return next((r for r in self.current.relays if r.id == relay_id), None)

    async def save(self, relay: Relay, by: str, *, new: bool) -> Saved:
        """Add ``relay`` (``new``) or replace the relay of its id, if the directory still
        follows the rules after it; in force at once on this worker."""
        return await self.save_many([relay], by, new=new)

    async def save_many(self, changed: Sequence[Relay], by: str, *, new: bool | None) -> Saved:
        """Save relays, all or none: ``new`` ones only, known ones only, or either
        (``None``: ``bot relays import``, which merges a file into the directory)."""

        def write(connection: Connection) -> tuple[Saved, tuple[int, str] | None, Relays]:
            found = read_stored(store.stored_relays(connection))
            known = {r.id for r in found}
            ids = {r.id for r in changed}
            if new is True and ids & known:
                return _refused(DUPLICATE), None, self.current
            if new is False and ids - known:
                return _refused(UNKNOWN), None, self.current
            problems = check_relays(
                [*(r for r in found if r.id not in ids), *changed],
                allow_local_webhooks=self.allow_local,
            )
            if problems:
                return Saved(tuple(problems)), None, self.current
            for relay in changed:
                store.put_relay(connection, relay.id, relay.model_dump(mode="json"), by)
                action = "relay_edited" if relay.id in known else "relay_added"
                record_access(connection, actor=by, action=action, detail=relay.id)
            version, relays = self._load(connection)
            return Saved(), version, relays

        saved, version, relays = await self.turns.run(write)
        if version is not None:
            self._use(version, relays)
        return saved

    async def invite(self, relay_id: str, by: str) -> str:
        """A new invitation token for ``relay_id`` (the payload of a Telegram link)."""
        token = INVITE_PREFIX + secrets.token_urlsafe(24)
        expires = datetime.now(UTC) + self.invite_valid_for

        def keep(connection: Connection) -> None:
            store.add_invite(connection, token, relay_id, expires)
            record_access(connection, actor=by, action="relay_invited", detail=relay_id)

        await self.turns.run(keep)
        return token

    async def accept_invite(self, token: str, chat_id: str) -> Relay | None:
        """Record ``chat_id`` as the Telegram chat of the invited relay; ``None`` when the
        invitation is unknown, expired or used already (it works once)."""

        def take(connection: Connection) -> Relay | None:
            relay_id = store.use_invite(connection, token)
            if relay_id is None:
                return None
            found = read_stored(store.stored_relays(connection))
            relay = next((r for r in found if r.id == relay_id), None)
            if relay is None:
                return None  # removed since the invitation
            contact = relay.contact.model_copy(update={"telegram_chat_id": chat_id})
            relay = relay.model_copy(update={"contact": contact})
            actor = f"relay:{relay_id}:telegram"
            store.put_relay(connection, relay.id, relay.model_dump(mode="json"), actor)
            record_access(connection, actor=actor, action="relay_chat_added", detail=relay_id)
            return relay

        relay = await self.turns.run(take)
        if relay is not None:
            await self.refresh()
        return relay
