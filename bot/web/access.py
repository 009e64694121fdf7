"""Who may sign in to the web app, with which role: relays, coordinators, admins."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from enum import StrEnum

from bot.handoff.reference import Relays


class Role(StrEnum):
    """What a signed-in person may see: a relay their own cases, the others the figures."""

    RELAY = "relay"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Person:
    """Someone signed in (or about to): their address, role, and relay id for a relay."""

    email: str
    role: Role
    name: str
    relay_id: str | None = None

    @property
    def key(self) -> str:
        """What their session and sign-in links carry: the address, or ``relay:<id>`` for
        a relay without one (signed in from Telegram)."""
        return self.email or f"{RELAY_KEY}{self.relay_id}"

    @property
    def coordinates(self) -> bool:
        """May see the dashboard (coordinators and admins)."""
        return self.role in (Role.COORDINATOR, Role.ADMIN)


RELAY_KEY = "relay:"  # a relay signed in from their Telegram chat: ``relay:<id>``


def normal(email: str) -> str:
    """An address as compared: trimmed, lower case."""
    return email.strip().lower()


class Access:
    """Finds the person behind an address, each time from the sources in force.

    Relays come from the relays directory (their ``contact.email``), read through
    ``relays`` at each look-up, so an edit of ``data/relays.yml`` (hot reload) is in
    force at once: a relay removed from it cannot sign in, nor use a session still open.
    Admins and coordinators are listed in settings. An admin or coordinator who is also
    a relay signs in with the higher role.
    """

    def __init__(
        self,
        relays: Callable[[], Relays],
        *,
        coordinators: Collection[str] = (),
        admins: Collection[str] = (),
    ) -> None:
        self._relays = relays
        self._coordinators = {normal(e) for e in coordinators}
        self._admins = {normal(e) for e in admins}

    def find(self, key: str) -> Person | None:
        """The person of a session or link's ``key`` (an address or ``relay:<id>``)."""
        if key.startswith(RELAY_KEY):
            relay_id = key.removeprefix(RELAY_KEY)
            for relay in self._relays().relays:
                if relay.id == relay_id:
                    email = normal(relay.contact.email or "")
                    return Person(email, Role.RELAY, relay.display_name, relay.id)
            return None
        return self.find_email(key)

    def find_email(self, email: str) -> Person | None:
        """The person who may sign in with ``email``, or ``None``."""
        address = normal(email)
        if not address or "@" not in address:
            return None
        if address in self._admins:
            return Person(address, Role.ADMIN, address)
        if address in self._coordinators:
            return Person(address, Role.COORDINATOR, address)
        for relay in self._relays().relays:
            if relay.contact.email and normal(relay.contact.email) == address:
                return Person(address, Role.RELAY, relay.display_name, relay.id)
        return None
