"""A turn at a time per conversation, redeliveries dropped, failures leave nothing behind."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from typing import TypeVar

import pytest

from bot.app.bot import Bot
from bot.app.build import start_bot
from bot.app.settings import Settings
from bot.domain.messages import Inbound, Outbound
from bot.domain.understanding import Understanding
from bot.store.turns import TurnTx
from bot.store.turnstore import TurnStore, Work
from tests.chat import Chat
from tests.dbscan import count_rows

T = TypeVar("T")


class RecordingNLU:
    """Understands nothing, but records the order of texts and overlapping turns."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.active: dict[str, int] = defaultdict(int)
        self.max_active = 0

    async def parse(self, text: str) -> Understanding:
        self.seen.append(text)
        self.active["turn"] += 1
        self.max_active = max(self.max_active, self.active["turn"])
        await asyncio.sleep(0.005)  # give other turns every chance to interleave
        self.active["turn"] -= 1
        return Understanding()


@pytest.fixture
def nlu() -> RecordingNLU:
    return RecordingNLU()


async def test_the_same_message_id_twice_is_processed_once(bot: Bot) -> None:
    chat = Chat(bot.handle)
    first = await chat.say("salut", message_id="wamid.1")
    # REST gives no receipt: the same id again means the reply did not arrive. The
    # question is asked again; the message is not processed again.
    again = await chat.say("salut", message_id="wamid.1")
    assert again == [first[-1]]
    await chat.choose("adult")
    assert await chat.say("salut", message_id="wamid.1") == []  # no longer the latest
    assert await count_rows(bot.engine, "conversations") == 1
    assert await count_rows(bot.engine, "messages") == 2 + 2 + 1  # in, out x2, in, out


async def test_a_redelivery_whose_reply_reached_the_person_gets_nothing(bot: Bot) -> None:
    sent: list[str] = []

    async def deliver(replies: Sequence[Outbound]) -> Sequence[str | None]:
        sent.extend(r.text for r in replies)
        return [f"tg:{len(sent)}:{n}" for n, _ in enumerate(replies)]

    inbound = Inbound("telegram", "42", "salut", message_id="42:1")
    assert await bot.handle(inbound, deliver)
    delivered = list(sent)
    assert await bot.handle(inbound, deliver) == []
    assert sent == delivered  # nothing sent twice


async def test_ten_messages_at_once_are_processed_in_order_one_at_a_time(
    bot: Bot, nlu: RecordingNLU
) -> None:
    texts = [f"message numéro {i}" for i in range(10)]
    replies = await asyncio.gather(
        *(
            bot.handle(Inbound("rest", "same-person", t, message_id=f"x{i}"))
            for i, t in enumerate(texts)
        )
    )
    assert all(replies)
    assert nlu.seen == texts
    assert nlu.max_active == 1


async def test_two_workers_sharing_the_database_never_interleave_a_conversation(
    settings: Settings, nlu: RecordingNLU
) -> None:
    workers = [await start_bot(settings, nlu=nlu, migrate=False) for _ in range(2)]
    try:
        replies = await asyncio.gather(
            *(
                workers[i % 2].handle(Inbound("rest", "shared", f"texte {i}", message_id=f"s{i}"))
                for i in range(12)
            )
        )
        assert all(replies)
        async with workers[0].engine.connect() as connection:
            from sqlalchemy import text

            turns = (await connection.execute(text("SELECT turns FROM conversations"))).scalar()
        assert turns == 12  # no turn overwrote another's state
    finally:
        for worker in workers:
            await worker.close()


class BrokenTx(TurnTx):
    def save(self, *args: object, **kwargs: object) -> None:
        raise RuntimeError("disk unplugged")


class BrokenStore:
    """Wraps the real store; every turn fails just before saving the conversation."""

    def __init__(self, inner: TurnStore) -> None:
        self.inner = inner

    async def transact(self, conversation_id: str, channel: str, work: Work[T]) -> T:
        def broken(tx: TurnTx) -> T:
            return work(BrokenTx(tx.connection, conversation_id, channel))

        return await self.inner.transact(conversation_id, channel, broken)

    async def close(self) -> None:
        await self.inner.close()


async def test_a_crash_mid_turn_gets_a_kind_reply_and_writes_nothing(bot: Bot) -> None:
    healthy = bot.dispatcher.store
    bot.dispatcher.store = BrokenStore(healthy)
    chat = Chat(bot.handle)
    await chat.say("salut", message_id="crash-1")
    assert chat.text == "T-BROKEN."
    for table in ("messages", "conversations"):
        assert await count_rows(bot.engine, table) == 0
    # The channel redelivers the same message once the fault is gone: it is processed.
    bot.dispatcher.store = healthy
    await chat.say("salut", message_id="crash-1")
    assert chat.said("T-WELCOME.") and chat.said("Q1/7. T-AGE?") and chat.asks == "age"


async def test_ids_of_sent_replies_are_attached_to_the_logged_replies(bot: Bot) -> None:
    sent: list[str] = []

    async def deliver(replies: object) -> list[str]:
        sent.extend(["out-1", "out-2"])
        return ["out-1", "out-2"]

    await bot.handle(Inbound("rest", "ids", "salut", message_id="in-1"), deliver)
    assert sent == ["out-1", "out-2"]
    hashed = {bot.dispatcher.pseudonyms.message("rest", i) for i in sent}
    async with bot.engine.connect() as connection:
        from sqlalchemy import text

        rows = await connection.execute(
            text("SELECT channel_message_id FROM messages WHERE direction = 'out' ORDER BY id")
        )
        assert {r[0] for r in rows} == hashed
