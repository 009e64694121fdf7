"""A real SMTP server on 127.0.0.1 (aiosmtpd) catching the e-mails test bots send relays."""

from __future__ import annotations

import logging
import socket
from email import message_from_bytes, policy
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller

# The test server's own DEBUG lines print every e-mail: they are not the bot's logs.
logging.getLogger("mail.log").setLevel(logging.WARNING)


class Mailbox:
    """aiosmtpd handler keeping every message; ``port`` once the server runs."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.port = 0
        self.refuse: set[str] = set()  # addresses the server refuses (a relay unreachable)

    async def handle_RCPT(  # noqa: N802
        self, server: object, session: object, envelope: Any, address: str, options: object
    ) -> str:
        if address in self.refuse:
            return "550 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        """The messages sent to ``address``."""
        return [m for m in self.messages if m["To"] == address]


def start_mailbox() -> tuple[Mailbox, Controller]:
    """A mailbox listening on a free port of the loopback interface."""
    mailbox = Mailbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        mailbox.port = probe.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    return mailbox, controller
