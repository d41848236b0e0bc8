"""The turn lease: one turn at a time per conversation across Rasa servers, and a
server that died holding it blocks the conversation for at most 3 s, not Rasa's 60."""

from __future__ import annotations

import asyncio
import time

import pytest
import redis as redis_lib
from rasa.core.lock_store import RedisLockStore

from bot import redis_keys
from rasa_ext import turn_lease
from rasa_ext.turn_lease import LeaseTimeout, lease
from scripts.stack import RedisTarget


@pytest.fixture
def store(redis_server: RedisTarget, redis: redis_lib.Redis) -> RedisLockStore:
    return RedisLockStore(host=redis_server.host, port=redis_server.port, db=redis_server.db,
                          password=redis_server.password, key_prefix="hc")


async def test_turns_of_one_conversation_run_one_at_a_time(store: RedisLockStore) -> None:
    running, most, order = 0, 0, []

    async def turn(n: int, sender: str = "chat-1") -> None:
        nonlocal running, most
        async with lease(store, sender):
            running += 1
            most = max(most, running)
            order.append(n)
            await asyncio.sleep(0.05)
            running -= 1

    await asyncio.gather(*(turn(n) for n in range(5)))
    assert most == 1 and sorted(order) == list(range(5))
    started = time.monotonic()  # another conversation is not held up by this one
    async with lease(store, "chat-1"):
        await asyncio.wait_for(turn(9, "chat-2"), 1)
    assert time.monotonic() - started < 1


async def test_a_dead_holder_blocks_for_at_most_the_lease(store: RedisLockStore,
                                                          redis: redis_lib.Redis) -> None:
    # a server killed mid-turn: its lease is there and nobody renews it
    redis.set(redis_keys.turn_lease("chat-3"), "dead-server", px=turn_lease.LEASE_MS)
    started = time.monotonic()
    async with lease(store, "chat-3"):
        waited = time.monotonic() - started
    assert 2.0 < waited <= turn_lease.LEASE_MS / 1000 + 0.5
    assert redis.get(redis_keys.turn_lease("chat-3")) is None  # released after the turn


async def test_a_long_turn_keeps_its_lease(store: RedisLockStore) -> None:
    entered = asyncio.Event()
    second_in = 0.0

    async def long_turn() -> None:
        async with lease(store, "chat-4"):
            entered.set()
            await asyncio.sleep(turn_lease.LEASE_MS / 1000 * 1.7)  # past one lease

    async def next_turn() -> None:
        nonlocal second_in
        await entered.wait()
        started = time.monotonic()
        async with lease(store, "chat-4"):
            second_in = time.monotonic() - started

    await asyncio.gather(long_turn(), next_turn())
    assert second_in >= turn_lease.LEASE_MS / 1000 * 1.6  # waited for the whole turn


async def test_waiting_is_bounded(store: RedisLockStore, redis: redis_lib.Redis) -> None:
    redis.set(redis_keys.turn_lease("chat-5"), "someone", px=60_000)
    with pytest.raises(LeaseTimeout):
        async with lease(store, "chat-5", wait_s=0.3):
            pass
    assert redis.get(redis_keys.turn_lease("chat-5")) == "someone"  # not taken, not freed
