"""A mail server on 127.0.0.1 for benchmarks: relays are reached by e-mail, as in real use."""

from __future__ import annotations

import socket
from typing import Any

from aiosmtpd.controller import Controller


class Sink:
    """Accepts every e-mail and forgets it."""

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:  # noqa: N802
        return "250 OK"


def start_smtp(handler: object | None = None) -> tuple[Controller, int]:
    """A running SMTP server (``handler`` sees each message) and its port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(handler or Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    return controller, port
