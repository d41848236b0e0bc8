"""Redis restarted, crashed and emptied during traffic; a gateway whose Socket.IO
listener went deaf.

Redis keeps an append-only file. With `appendfsync everysec` (the default here) a
restart (SIGTERM: Redis writes everything and exits) loses nothing, and a crash
(SIGKILL, power loss) may lose the writes of the last second; `appendfsync always`
closes that window at the cost of an fsync per write (docs/reliability.md)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import aiohttp
import redis as redis_lib
from aiohttp.test_utils import TestServer

from bot import identity, redis_keys
from handoff import keys
from handoff.app import create_app
from handoff.settings import Settings
from tests.chaos.clients import ChaosAgent, ChaosWidget
from tests.chaos.conftest import FULL, Gateways, RestartableRedis, gateway_env, report
from tests.chaos.ledger import check
from tests.chaos.traffic import QUESTIONS, chat_with_bot, queue_chats, settle, talk
from tests.conftest import Stack


async def traffic_through(outage: Callable[[], object], rasa_stack: Stack, gateways: Gateways,
                          redis: redis_lib.Redis, label: str) -> dict[str, object]:
    """Chats with an agent and with the bot, `outage()` in the middle; the figures."""
    chats = 12 if FULL else 6
    token = identity.issue("business-admin", identity.secret_from_env())
    widgets = [ChaosWidget(gateways.urls, token, f"{label}{i}") for i in range(chats)]
    for widget in widgets:
        widget.start()
    await asyncio.wait_for(asyncio.gather(*[w.ready.wait() for w in widgets]), 30)
    with_agent, bots = widgets[: chats // 2], widgets[chats // 2:]
    await queue_chats(rasa_stack.redis.url, [w.chat_id or "" for w in with_agent])
    agent = ChaosAgent(gateways.urls, "agent1")
    await agent.login()
    agent.start()
    await agent.wait_for_chats(len(with_agent), 20)
    stop = asyncio.Event()
    tasks = [asyncio.ensure_future(chat_with_bot(w, stop)) for w in bots]
    tasks += [asyncio.ensure_future(talk(lambda w=w: w.send("hello?"), stop, 0.4))
              for w in with_agent]
    tasks.append(asyncio.ensure_future(talk(lambda: [agent.send(c, "on it") for c in
                                                     sorted(agent.chats)], stop, 0.7)))
    await asyncio.sleep(3)
    started = time.monotonic()
    outage()
    back = time.monotonic() - started
    await asyncio.sleep(4)
    stop.set()
    await asyncio.gather(*tasks)
    await settle(widgets, [agent], redis, timeout=90)
    ledger = check(redis, widgets, [agent], bot_chats={w.chat_id or "" for w in bots})
    for client in [*widgets, agent]:
        await client.close()
    assert ledger.problems == [], ledger.problems[:10]
    return {"chats": chats, **ledger.figures(), "redis_away_s": round(back, 2)}


async def test_redis_restarted_during_traffic(
    rasa_stack: Stack, plain_gateways: Callable[..., Gateways], redis: redis_lib.Redis,
    restartable_redis: RestartableRedis
) -> None:
    gateways = plain_gateways(gateway_env(rasa_stack, AGENT_CAPACITY="20"),
                              count=1)

    def restart() -> None:
        restartable_redis.stop()  # SIGTERM: the AOF is complete
        time.sleep(1)
        restartable_redis.start()

    figures = await traffic_through(restart, rasa_stack, gateways, redis, "r")
    report("Redis restarted during traffic (appendfsync everysec)", **figures)
    assert figures["lost"] == figures["duplicated"] == figures["unanswered"] == 0


async def test_redis_crashed_during_traffic_with_fsync_always(
    rasa_stack: Stack, plain_gateways: Callable[..., Gateways], redis: redis_lib.Redis,
    restartable_redis: RestartableRedis
) -> None:
    gateways = plain_gateways(gateway_env(rasa_stack, AGENT_CAPACITY="20"),
                              count=1)
    restartable_redis.set_fsync("always")

    def crash() -> None:
        restartable_redis.stop(kill=True)  # SIGKILL: no chance to write anything more
        time.sleep(1)
        restartable_redis.start()

    try:
        figures = await traffic_through(crash, rasa_stack, gateways, redis, "k")
    finally:
        restartable_redis.set_fsync("everysec")
    report("Redis crashed (SIGKILL) during traffic (appendfsync always)", **figures)
    assert figures["lost"] == figures["duplicated"] == figures["unanswered"] == 0


async def test_redis_data_lost_and_back(
    rasa_stack: Stack, plain_gateways: Callable[..., Gateways], redis: redis_lib.Redis
) -> None:
    """FLUSHALL in the middle of chats: what was stored is gone with the data, but every
    client gets back to a working chat, accounts are loaded again by themselves (a paid
    admin is still entitled), agents can take chats, and nothing sent afterwards is
    lost."""
    gateways = plain_gateways(gateway_env(rasa_stack), count=1)
    token = identity.issue("business-admin", identity.secret_from_env())
    widgets = [ChaosWidget(gateways.urls, token, f"f{i}") for i in range(4)]
    for widget in widgets:
        widget.start()
    await asyncio.wait_for(asyncio.gather(*[w.ready.wait() for w in widgets]), 30)
    for n, widget in enumerate(widgets):
        widget.send(QUESTIONS[n % len(QUESTIONS)])
    await settle(widgets, [], redis)
    redis.flushall()
    flushed_at = time.monotonic()
    before = {w.label: len(w.sent) for w in widgets}
    for n, widget in enumerate(widgets):
        widget.send(QUESTIONS[(n + 1) % len(QUESTIONS)])
    await asyncio.wait_for(asyncio.gather(*[
        w.wait(lambda w=w: len(w.ready_at) >= 2, 20, "rejoined") for w in widgets]), 30)
    rejoined = max(w.ready_at[-1] for w in widgets) - flushed_at
    await settle(widgets, [], redis)
    for widget in widgets:  # the accounts were loaded again: still a Business admin
        chat = redis.hgetall(redis_keys.chat(widget.chat_id or ""))
        assert (chat["plan"], chat["role"]) == ("business", "admin")
        widget.sent = widget.sent[before[widget.label]:]
    await queue_chats(rasa_stack.redis.url, [widgets[0].chat_id or ""])
    agent = ChaosAgent(gateways.urls, "agent1")
    await agent.login()
    agent.start()
    await agent.wait_for_chats(1, 15)
    ledger = check(redis, widgets, [agent], bot_chats={w.chat_id or "" for w in widgets[1:]})
    report("Redis data lost (FLUSHALL) and back", **ledger.figures(),
           rejoined_s=round(rejoined, 2), accounts_reloaded=True)
    for client in [*widgets, agent]:
        await client.close()
    assert ledger.lost == ledger.duplicated == ledger.unanswered == ledger.not_shown == 0


async def test_a_deaf_socketio_listener_is_found_and_restored(
    rasa_stack: Stack, plain_gateways: Callable[..., Gateways], redis: redis_lib.Redis
) -> None:
    """python-socketio's Redis listener stops in one gateway (here: its task is
    cancelled); the agent on the other gateway keeps writing. Within seconds the deaf
    process notices (its pings to itself go unheard), says it is not ready, restarts the
    listener and makes its clients catch up: the customer misses nothing."""
    env = gateway_env(rasa_stack)
    other = plain_gateways(env, count=1)
    server = TestServer(create_app(Settings.from_env(env)), host="127.0.0.1",
                        shutdown_timeout=10)
    await server.start_server()
    deaf_url = f"http://127.0.0.1:{server.port}"
    try:
        token = identity.issue("pro-owner", identity.secret_from_env())
        widget = ChaosWidget([deaf_url], token, "d")
        widget.start()
        await asyncio.wait_for(widget.ready.wait(), 30)
        await queue_chats(rasa_stack.redis.url, [widget.chat_id or ""])
        agent = ChaosAgent(other.urls, "agent2")
        await agent.login()
        agent.start()
        await agent.wait_for_chats(1, 15)
        manager = server.app[keys.MANAGER]
        manager.thread.cancel()  # the listener dies without a word
        went_deaf = time.monotonic()
        not_ready_seen, restored_at = False, 0.0
        async with aiohttp.ClientSession() as http:  # (this loop also runs that gateway)
            for n in range(60):
                if n % 5 == 0:
                    agent.send(widget.chat_id or "", f"reply {n // 5}")
                async with http.get(f"{deaf_url}/readyz") as resp:
                    checks = (await resp.json())["checks"]
                    not_ready_seen |= resp.status == 503 and not checks["socketio_listener"]
                if not restored_at and manager.restarts >= 1 and manager.hearing:
                    restored_at = time.monotonic()
                await asyncio.sleep(0.1)
        await widget.wait(lambda: manager.restarts >= 1 and manager.hearing, 10, "restored")
        restored = (restored_at or time.monotonic()) - went_deaf
        # the deaf process's clients were made to reconnect and catch up
        await widget.wait(lambda: len(widget.ready_at) >= 2, 10, "rejoined")
        await settle([widget], [agent], redis)
        ledger = check(redis, [widget], [agent])
        report("Socket.IO Redis listener went deaf in one gateway", **ledger.figures(),
               restored_after_s=round(restored, 2), not_ready_while_deaf=not_ready_seen)
        for client in (widget, agent):
            await client.close()
        assert not_ready_seen and restored <= 10
        assert ledger.lost == ledger.duplicated == ledger.not_shown == 0
    finally:
        await server.close()
