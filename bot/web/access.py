"""Who may sign in to the web app, with which role: relays, coordinators, admins."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.handoff.reference import Relays


class Role(StrEnum):
    """What a signed-in person may see: a relay their own cases, the others the figures."""

    RELAY = "relay"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


_DEPARTMENT = re.compile(r"^(?:[0-9][0-9AB]|9[78][0-9])$")


@dataclass(frozen=True, slots=True)
class Scope:
    """The territories a coordinator is limited to: departments, and cases of some relays."""

    departments: tuple[str, ...] = ()
    relays: tuple[str, ...] = ()

    @classmethod
    def of(cls, items: Sequence[str]) -> Scope | None:
        """A scope from a settings list (``"69"`` a department, else a relay id); ``None``
        (every territory) for an empty list."""
        cleaned = [item.strip() for item in items if item.strip()]
        if not cleaned:
            return None
        departments = tuple(i.upper() for i in cleaned if _DEPARTMENT.match(i.upper()))
        relays = tuple(i for i in cleaned if not _DEPARTMENT.match(i.upper()))
        return cls(departments, relays)


@dataclass(frozen=True, slots=True)
class Person:
    """Someone signed in (or about to): their address, role, and relay id for a relay;
    for a coordinator limited to some territories, their ``scope`` (``None``: all)."""

    email: str
    role: Role
    name: str
    relay_id: str | None = None
    scope: Scope | None = None

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
        coordinators: Collection[str] | Mapping[str, Sequence[str]] = (),
        admins: Collection[str] = (),
    ) -> None:
        self._relays = relays
        # A list: every coordinator sees every territory; a mapping: each their own.
        scopes = (
            coordinators if isinstance(coordinators, Mapping) else dict.fromkeys(coordinators, ())
        )
        self._coordinators = {normal(e): Scope.of(list(s)) for e, s in scopes.items()}
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
            return Person(address, Role.COORDINATOR, address, scope=self._coordinators[address])
        for relay in self._relays().relays:
            if relay.contact.email and normal(relay.contact.email) == address:
                return Person(address, Role.RELAY, relay.display_name, relay.id)
        return None
