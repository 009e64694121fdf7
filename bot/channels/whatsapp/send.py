"""Send a turn's replies (or one proactive message) to a person on WhatsApp."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from bot.channels.whatsapp.graph import GraphClient, GraphError
from bot.channels.whatsapp.parse import Address
from bot.channels.whatsapp.render import render_outbound, render_template
from bot.domain.messages import ChannelTexts, Outbound

log = logging.getLogger(__name__)


class WhatsAppSender:
    """Renders outbound messages and posts them in order through the Graph client."""

    def __init__(self, graph: GraphClient) -> None:
        self.graph = graph
        self.texts: Callable[[str], ChannelTexts] | None = None  # the bot's, once started

    async def send(self, address: Address, reply: Outbound) -> str:
        """Send one reply (maybe several WhatsApp messages); returns the id of its main
        part (the interactive one, or the last text), which statuses will refer to."""
        recipient = address.fields()
        main = ""
        if self.texts is None:
            raise RuntimeError("the WhatsApp channel has not started: no texts to render with")
        for message in render_outbound(reply, self.texts(reply.lang)):
            main = await self.graph.send(recipient, message)
        if reply.attachment is not None:
            file = reply.attachment
            media_id = await self.graph.upload(file.filename, file.media_type, file.content)
            document = {"id": media_id, "filename": file.filename}
            await self.graph.send(recipient, {"type": "document", "document": document})
        return main

    async def send_template(
        self, address: Address, name: str, language: str, values: Sequence[str]
    ) -> str:
        """Send an approved template; returns its message id."""
        return await self.graph.send(address.fields(), render_template(name, language, values))

    async def deliver(
        self, address: Address, replies: Sequence[Outbound]
    ) -> tuple[list[str | None], GraphError | None]:
        """Send a turn's replies in order; stops at the first refusal (the rest would
        arrive out of order or fail the same way). Returns each reply's id and the error."""
        sent: list[str | None] = []
        for reply in replies:
            try:
                sent.append(await self.send(address, reply) or None)
            except GraphError as exc:
                log.warning("WhatsApp reply not sent: code %s", exc.code)
                return sent + [None] * (len(replies) - len(sent)), exc
        return sent, None
