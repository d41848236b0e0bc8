"""Transcript, switchboard and queue on a real Redis."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import redis as redis_lib
from redis.asyncio import Redis

from handoff.errors import ChatNotFound, IllegalTransition
from handoff.queue import Queue
from handoff.scripts import Scripts
from handoff.switchboard import STATES, TRANSITIONS, Switchboard
from handoff.transcript import Transcript
from scripts.stack import RedisTarget


@pytest.fixture
async def aredis(redis_server: RedisTarget, redis: redis_lib.Redis) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_server.url, decode_responses=True)
    yield client
    await client.aclose()


async def test_transcript_numbers_messages_and_ignores_retries(aredis: Redis) -> None:
    log = Transcript(aredis, Scripts.register(aredis))
    first, new1 = await log.append("c1", "user", "hello", client_msg_id="m-1")
    second, _ = await log.append("c1", "bot", "hi!", extra={"quick_replies": []})
    retry, new3 = await log.append("c1", "user", "hello", client_msg_id="m-1")
    assert (first.seq, second.seq) == (1, 2)
    assert new1 and not new3 and retry.seq == 1
    assert [m.text for m in await log.after("c1", 0)] == ["hello", "hi!"]
    assert [m.seq for m in await log.after("c1", 1)] == [2]
    assert await log.after("c1", 2) == []
    assert await log.last_seq("c1") == 2


async def test_concurrent_retries_store_one_message(aredis: Redis) -> None:
    log = Transcript(aredis, Scripts.register(aredis))
    results = await asyncio.gather(*[log.append("c2", "user", "x", client_msg_id="same")
                                     for _ in range(20)])
    assert sum(new for _, new in results) == 1
    assert len(await log.after("c2", 0)) == 1


ALL_EVENTS = sorted({event for _, event in TRANSITIONS})


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("event", ALL_EVENTS)
async def test_every_transition(aredis: Redis, state: str, event: str) -> None:
    board = Switchboard(aredis, Scripts.register(aredis))
    await board.open("c", user_id="u")
    await aredis.hset("hc:chat:c", "state", state)
    if (state, event) in TRANSITIONS:
        chat = await board.apply("c", event, assignee="agent1")
        assert chat.state == TRANSITIONS[(state, event)]
        assert chat.assignee == "agent1"
    else:
        with pytest.raises(IllegalTransition):
            await board.apply("c", event, assignee="agent1")
        chat = await board.get("c")
        assert chat.state == state and chat.assignee == ""  # nothing changed


async def test_only_one_of_two_racing_transitions_wins(aredis: Redis) -> None:
    board = Switchboard(aredis, Scripts.register(aredis))
    await board.open("race")
    await aredis.hset("hc:chat:race", "state", "queued")
    results = await asyncio.gather(board.apply("race", "assign", assignee="a1"),
                                   board.apply("race", "assign", assignee="a2"),
                                   return_exceptions=True)
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert sum(isinstance(r, IllegalTransition) for r in results) == 1


async def test_unknown_chat(aredis: Redis) -> None:
    board = Switchboard(aredis, Scripts.register(aredis))
    with pytest.raises(ChatNotFound):
        await board.get("nope")


async def test_queue_orders_by_priority_then_time(aredis: Redis) -> None:
    queue = Queue(aredis)
    await queue.add("p3-early", "P3", now=1000)
    await queue.add("p1-late", "P1", now=2000)
    await queue.add("p3-late", "P3", now=3000)
    await queue.add("p2", "P2", now=500)
    assert [await queue.position(c) for c in ("p1-late", "p2", "p3-early", "p3-late")] == \
        [1, 2, 3, 4]
    await queue.add("p3-requeued", "P3", front=True)
    assert await queue.position("p3-requeued") == 3
    assert await queue.by_priority() == {"P1": 1, "P2": 1, "P3": 3, "P4": 0}
    assert await queue.remove("p1-late") and await queue.position("p2") == 1
    assert await queue.position("nope") is None
