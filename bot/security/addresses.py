"""Which outbound URLs the bot may call: https to public addresses only (no SSRF)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
# host, port -> the addresses it resolves to (as text); injectable, so tests run offline.
Resolver = Callable[[str, int], Awaitable[Sequence[str]]]
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class UnsafeURLError(ValueError):
    """A URL the bot refuses to call; the message says why (never with secrets)."""


def is_public(address: Address) -> bool:
    """True for a globally routable unicast address, looking inside IPv6 wrappers.

    Private, loopback, link-local (cloud metadata at 169.254.169.254), shared (CGNAT),
    reserved, documentation and multicast addresses are not public; nor is an IPv6
    address carrying one of those (IPv4-mapped, 6to4, NAT64, Teredo).
    """
    if address.is_multicast or not address.is_global:
        return False
    if isinstance(address, ipaddress.IPv6Address):
        inner: list[ipaddress.IPv4Address] = []
        for wrapped in (address.ipv4_mapped, address.sixtofour):
            if wrapped is not None:
                inner.append(wrapped)
        if address.teredo is not None:
            inner.extend(address.teredo)
        if address in _NAT64:
            inner.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        return all(is_public(v4) for v4 in inner)
    return True


def _literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def check_url(url: str, *, allow_local: bool = False) -> SplitResult:
    """``url`` split, once it is an https URL with a host that may be public.

    Checks what can be known without the network: the scheme (https; http too with
    ``allow_local``), a host, no credentials in the URL, and, when the host is an IP
    literal or a local name, that it is public. Raises :class:`UnsafeURLError`.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise UnsafeURLError("not a valid URL") from None
    schemes = ("https", "http") if allow_local else ("https",)
    if parts.scheme not in schemes:
        raise UnsafeURLError("the URL must start with https://")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsafeURLError("the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise UnsafeURLError("the URL must not carry a user name or password")
    if port == 0:
        raise UnsafeURLError("the URL has no valid port")
    if allow_local:
        return parts
    literal = _literal(host)
    if literal is not None and not is_public(literal):
        raise UnsafeURLError("the URL points to a private or local address")
    if literal is None and (host == "localhost" or host.endswith((".localhost", ".local"))):
        raise UnsafeURLError("the URL points to a local name")
    return parts


@dataclass(frozen=True, slots=True)
class Target:
    """Where to send a request: the URL to the checked address, and the name it is for."""

    url: str  # the same URL with the host replaced by the checked address
    host: str  # the name, for the Host header and TLS (SNI and certificate check)
    netloc: str  # the original host[:port], for the Host header


async def system_resolver(host: str, port: int) -> Sequence[str]:
    """Every address ``host`` resolves to, from the system's resolver."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


async def resolve_target(url: str, resolver: Resolver, *, allow_local: bool = False) -> Target:
    """Check ``url``, resolve its host now and pin the request to a checked address.

    Every address the name resolves to must be public (unless ``allow_local``):
    checking at send time, and sending to the very address checked, defeats a name
    that resolved to a public address when the relays were loaded and to an internal
    one now (DNS rebinding). Raises :class:`UnsafeURLError`.
    """
    parts = check_url(url, allow_local=allow_local)
    host = (parts.hostname or "").rstrip(".")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    literal = _literal(host)
    if literal is not None:
        addresses: list[Address] = [literal]
    else:
        try:
            found = await resolver(host, port)
        except OSError:
            raise UnsafeURLError("the host does not resolve") from None
        addresses = [a for a in (_literal(text.split("%")[0]) for text in found) if a]
    if not addresses:
        raise UnsafeURLError("the host does not resolve")
    if not allow_local and not all(is_public(address) for address in addresses):
        raise UnsafeURLError("the host resolves to a private or local address")
    chosen = addresses[0]
    shown = f"[{chosen}]" if chosen.version == 6 else str(chosen)
    netloc = shown if parts.port is None else f"{shown}:{parts.port}"
    return Target(parts._replace(netloc=netloc).geturl(), host, parts.netloc)
