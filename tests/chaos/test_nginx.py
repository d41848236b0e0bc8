"""The reference deployment's front: Debian's nginx with deploy/nginx/help-center.conf in
front of two gateway processes. Widgets (half of them starting on long-polling, as
browsers do, which only works if nginx keeps a session on one process) and agents'
consoles connect only to nginx, each from its own local address; one gateway is killed
(SIGKILL) in the middle of their chats, and every client goes on through nginx on the
other with nothing lost, doubled or unanswered."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import time
from collections.abc import Callable
from pathlib import Path

import aiohttp
import redis as redis_lib

from bot import identity
from scripts import nginx, stack
from tests.chaos.clients import ChaosAgent, ChaosWidget
from tests.chaos.conftest import FULL, Gateways, gateway_env, report
from tests.chaos.ledger import check
from tests.chaos.traffic import converse, queue_chats, settle, sign_in
from tests.conftest import Stack


async def connections(gateways: Gateways, index: int) -> int:
    """A gateway process's open widget connections, from its /metrics: the processes
    share a metrics directory, so each shows every live process's, by pid."""
    pid = gateways.pid(index)
    async with aiohttp.ClientSession() as http, \
            http.get(f"{gateways.urls[index]}/metrics") as resp:
        found = re.search(rf'^hc_socket_connections{{pid="{pid}"}} (\d+)(\.0)?$',
                          await resp.text(), re.M)
    assert found is not None, f"no connection count of process {pid}"
    return int(found.group(1))


async def test_nginx_in_front_of_two_gateways_one_killed(
    rasa_stack: Stack, plain_gateways: Callable[..., Gateways], redis: redis_lib.Redis,
    tmp_path: Path,
) -> None:
    chats = 40 if FULL else 12
    gateways = plain_gateways(gateway_env(rasa_stack, AGENT_CAPACITY="50",
                                          HANDOFF_GRACE_S="60",
                                          HANDOFF_TRUSTED_PROXIES="127.0.0.1"), count=2)
    ports = [int(url.rsplit(":", 1)[1]) for url in gateways.urls]
    listen = stack.free_port()
    front = nginx.start(tmp_path / "nginx", listen, ports)
    try:
        url = f"http://127.0.0.1:{listen}"
        token = identity.issue("business-admin", identity.secret_from_env())
        widgets = [ChaosWidget([url], token, f"n{i}") for i in range(chats)]
        for i, widget in enumerate(widgets):
            widget.source = f"127.0.{1 + i // 200}.{10 + i % 200}"  # a client each
            if i % 2:
                widget.transports = ["polling", "websocket"]
            widget.start()
        await asyncio.wait_for(asyncio.gather(*[w.ready.wait() for w in widgets]), 60)
        bots, people = widgets[::2], widgets[1::2]
        await queue_chats(rasa_stack.redis.url, [w.chat_id or "" for w in people])
        agents = [ChaosAgent([url], name) for name in ("agent1", "agent2")]
        for n, agent in enumerate(agents):
            agent.source = f"127.0.9.{n + 1}"
            agent.transports = ["polling", "websocket"]
        await sign_in(agents, len(people))
        # nginx spread the clients over both processes
        before = [await connections(gateways, i) for i in range(len(gateways.urls))]
        assert min(before) > 0 and sum(before) == chats, before

        stop = asyncio.Event()
        tasks = converse(stop, bots, people, agents)
        await asyncio.sleep(6 if FULL else 3)
        victim = before.index(max(before))
        killed_at = time.monotonic()
        os.kill(gateways.pid(victim), signal.SIGKILL)  # ours, by pid; nobody restarts it
        await asyncio.sleep(1)
        await asyncio.wait_for(asyncio.gather(*[c.ready.wait() for c in [*widgets, *agents]]),
                               30)
        moved = max(max(c.ready_at) for c in [*widgets, *agents]) - killed_at
        await asyncio.sleep(6 if FULL else 3)
        stop.set()
        await asyncio.gather(*tasks)
        await settle(widgets, agents, redis)
        survivor = await connections(gateways, 1 - victim)
        async with aiohttp.ClientSession() as http, \
                http.get(f"{gateways.urls[1 - victim]}/metrics") as resp:
            # the killed process's connections left the machine's figures
            dead_counted = f'hc_socket_connections{{pid="{gateways.pid(victim)}"}}' in \
                await resp.text()
        ledger = check(redis, widgets, agents, bot_chats={w.chat_id or "" for w in bots})
        report("nginx in front of two gateways, one SIGKILLed", chats=chats,
               **ledger.figures(), clients_per_gateway_before=before,
               all_moved_s=round(moved, 2))
        for client in [*widgets, *agents]:
            await client.close()
    finally:
        front.stop()
    assert ledger.problems == []
    assert ledger.lost == ledger.duplicated == ledger.unanswered == ledger.not_shown == 0
    assert ledger.sent > chats * 3
    assert survivor == chats  # every widget went on on the other process
    assert not dead_counted
    assert moved <= 10, f"clients went on {moved:.1f} s after the kill"
