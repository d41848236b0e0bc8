"""Redis with a replica, watched by three sentinels (scripts/sentinel.py): the primary is
killed (SIGKILL) in the middle of live chats on two gateways, the sentinels promote the
replica, and the gateways, their Socket.IO listeners and every client carry on against
the new primary. The old primary comes back as a replica."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from bot import identity, redis_keys
from bot.redis_url import client
from scripts import sentinel, stack
from tests.chaos.clients import ChaosAgent, ChaosWidget
from tests.chaos.conftest import FULL, Gateways, gateway_env, report
from tests.chaos.ledger import check
from tests.chaos.traffic import converse, queue_chats, settle, sign_in
from tests.conftest import Stack


async def test_redis_primary_killed_the_replica_takes_over(
    rasa_stack: Stack, plain_gateways: Callable[..., Gateways], tmp_path: Path
) -> None:
    group = sentinel.start(tmp_path / "redis")
    try:
        chats = 20 if FULL else 8
        gateways = plain_gateways(gateway_env(rasa_stack, REDIS_URL=group.url,
                                              AGENT_CAPACITY="50", HANDOFF_GRACE_S="60"))
        redis = client(group.url, decode_responses=True, socket_timeout=5)
        token = identity.issue("enterprise-admin", identity.secret_from_env())
        widgets = [ChaosWidget([gateways.urls[i % 2], gateways.urls[(i + 1) % 2]], token,
                               f"s{i}") for i in range(chats)]
        for widget in widgets:
            widget.url_index = 0  # half on each gateway
            widget.start()
        await asyncio.wait_for(asyncio.gather(*[w.ready.wait() for w in widgets]), 60)
        bots, people = widgets[::2], widgets[1::2]
        await queue_chats(group.url, [w.chat_id or "" for w in people])
        agents = [ChaosAgent(gateways.urls[n:] + gateways.urls[:n], f"agent{n + 1}")
                  for n in range(2)]
        await sign_in(agents, len(people))
        stop = asyncio.Event()
        tasks = converse(stop, bots, people, agents)
        await asyncio.sleep(3)
        old = group.primary()
        killed_at = time.monotonic()
        group.kill(old)  # SIGKILL, ours, by pid
        new = old
        while new == old:
            assert time.monotonic() - killed_at < 30, "no failover in 30 s"
            await asyncio.sleep(0.1)
            new = group.primary()
        promoted = time.monotonic() - killed_at
        while not all(stack.http_ok(f"{g}/readyz") for g in gateways.urls):
            assert time.monotonic() - killed_at < 30, "gateways not ready in 30 s"
            await asyncio.sleep(0.1)
        ready = time.monotonic() - killed_at
        group.start_server(old, replica_of=new)  # the old primary, back as a replica
        await asyncio.sleep(6 if FULL else 4)
        stop.set()
        await asyncio.gather(*tasks)
        await settle(widgets, agents, redis)
        group.wait_replicated()
        ledger = check(redis, widgets, agents, bot_chats={w.chat_id or "" for w in bots})
        queue_left = redis.zcard(redis_keys.QUEUE)
        report("Redis primary SIGKILLed, Sentinel promotes the replica", chats=chats,
               **ledger.figures(), promoted_after_s=round(promoted, 2),
               gateways_ready_after_s=round(ready, 2))
        for c in [*widgets, *agents]:
            await c.close()
        redis.close()
    finally:
        group.stop()
    assert ledger.problems == []
    assert ledger.lost == ledger.duplicated == ledger.unanswered == ledger.not_shown == 0
    assert ledger.sent > chats * 3 and queue_left == 0
