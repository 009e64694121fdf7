"""Outbound URLs: https to public addresses only, checked again (and pinned) at send time."""

from __future__ import annotations

import pytest

from bot.security.addresses import UnsafeURLError, check_url, resolve_target


@pytest.mark.parametrize(
    "url",
    [
        "http://relay.example.org/hook",
        "ftp://relay.example.org/hook",
        "relay.example.org/hook",
        "https:///hook",
        "https://user:secret@relay.example.org/hook",
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://192.168.1.10:8443/hook",
        "https://172.16.0.1/hook",
        "https://100.64.0.1/hook",  # carrier-grade NAT
        "https://169.254.169.254/latest/meta-data",  # cloud metadata
        "https://0.0.0.0/hook",
        "https://[::1]/hook",
        "https://[fd00::1]/hook",
        "https://[fe80::1]/hook",
        "https://[::ffff:10.0.0.1]/hook",  # IPv4-mapped
        "https://[2002:a00:1::1]/hook",  # 6to4 around 10.0.0.1
        "https://[64:ff9b::7f00:1]/hook",  # NAT64 around 127.0.0.1
        "https://224.0.0.1/hook",
        "https://localhost/hook",
        "https://relais.localhost/hook",
        "https://relay.example.org:99999/hook",
    ],
)
def test_unsafe_urls_are_refused(url: str) -> None:
    with pytest.raises(UnsafeURLError):
        check_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://relay.example.org/hook",
        "https://relay.example.org:8443/hook?source=tremplin",
        "https://93.184.215.14/hook",
        "https://[2606:4700::1111]/hook",
    ],
)
def test_public_https_urls_pass(url: str) -> None:
    check_url(url)


def test_local_addresses_pass_only_when_allowed() -> None:
    with pytest.raises(UnsafeURLError):
        check_url("http://127.0.0.1:8080/hook")
    check_url("http://127.0.0.1:8080/hook", allow_local=True)


async def test_the_request_is_pinned_to_the_address_checked() -> None:
    async def dns(host: str, port: int) -> list[str]:
        assert (host, port) == ("relay.example.org", 8443)
        return ["2606:4700::1111", "93.184.215.14"]

    target = await resolve_target("https://relay.example.org:8443/hook?x=1", dns)
    assert target.url == "https://[2606:4700::1111]:8443/hook?x=1"
    assert (target.host, target.netloc) == ("relay.example.org", "relay.example.org:8443")


@pytest.mark.parametrize("answer", [["93.184.215.14", "10.0.0.7"], ["127.0.0.1"], []])
async def test_a_name_resolving_to_any_local_address_is_refused(answer: list[str]) -> None:
    async def dns(host: str, port: int) -> list[str]:
        return answer

    with pytest.raises(UnsafeURLError):
        await resolve_target("https://relay.example.org/hook", dns)


async def test_a_name_that_does_not_resolve_is_refused() -> None:
    async def dns(host: str, port: int) -> list[str]:
        raise OSError("no such host")

    with pytest.raises(UnsafeURLError, match="does not resolve"):
        await resolve_target("https://relay.example.org/hook", dns)
