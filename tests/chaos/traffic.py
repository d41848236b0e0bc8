"""Traffic for the fault-injection tests: chats queued for agents, users talking to the
bot or to an agent, agents answering, and waiting until everything sent has settled."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import redis as redis_lib

from bot import redis_keys
from bot.redis_url import async_client
from handoff.lifecycle import HandoffRequest, Lifecycle
from tests.chaos.clients import ChaosAgent, ChaosWidget

QUESTIONS = ("what is the help center", "how do I report abuse", "how do I contact sales",
             "where do I see news and tips", "what is self-service")


async def queue_chats(redis_url: str, chat_ids: list[str]) -> None:
    """As if the bot had asked for a person for each (the bot's part is tested elsewhere)."""
    client = async_client(redis_url, decode_responses=True)
    try:
        lifecycle, now = Lifecycle(client, capacity=1), time.time()
        for i, chat_id in enumerate(chat_ids):
            await lifecycle.request(chat_id, HandoffRequest("P2", "chaos", f"chat {i}", {}),
                                    [], now=now + i / 1000)
    finally:
        await client.aclose()


async def chat_with_bot(widget: ChaosWidget, stop: asyncio.Event) -> None:
    """Like a person: ask, wait for the answer (or give up after a while), ask again."""
    n = 0
    while not stop.is_set():
        cid = widget.send(QUESTIONS[n % len(QUESTIONS)])
        n += 1
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not stop.is_set():
            seq = widget.acked.get(cid)
            if seq is not None and any(b.get("metadata", {}).get("sender") in ("bot", "system")
                                       and s > seq for s, b in widget.seen.by_seq.items()):
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)


async def talk(send: Callable[[], Any], stop: asyncio.Event, every: float) -> None:
    while not stop.is_set():
        send()
        await asyncio.sleep(every)


async def settle(widgets: list[ChaosWidget], agents: list[ChaosAgent], redis: redis_lib.Redis,
                 timeout: float = 60) -> None:
    """Until every outbox is empty, every bot turn answered and deliveries have arrived."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pending = sum(len(w.outbox) for w in widgets) + sum(len(a.outbox) for a in agents)
        if not pending and not redis.zcard(redis_keys.TURN_INDEX):
            break
        for client in [*widgets, *agents]:
            await client.flush()
        await asyncio.sleep(0.2)
    await asyncio.sleep(1.5)  # the last emits


async def sign_in(agents: list[ChaosAgent], chats: int, timeout: float = 30) -> None:
    """The agents sign in and go online until they hold `chats` chats between them."""
    for agent in agents:
        await agent.login()
        agent.start()
    deadline = time.monotonic() + timeout
    while sum(len(a.chats) for a in agents) < chats:
        assert time.monotonic() < deadline, "agents did not get their chats"
        await asyncio.sleep(0.1)


def converse(stop: asyncio.Event, bots: list[ChaosWidget], people: list[ChaosWidget],
             agents: list[ChaosAgent], waiting: list[ChaosWidget] | None = None
             ) -> list[asyncio.Future[None]]:
    """Until `stop`: `bots` ask the bot, `people` write to their agent every 0.4 s,
    `waiting` write while queued every 0.7 s, agents answer all their chats every 0.6 s."""
    tasks = [asyncio.ensure_future(chat_with_bot(w, stop)) for w in bots]
    tasks += [asyncio.ensure_future(talk(lambda w=w: w.send("still waiting"), stop, 0.7))
              for w in waiting or []]
    tasks += [asyncio.ensure_future(talk(lambda w=w: w.send("and another thing"), stop, 0.4))
              for w in people]
    tasks += [asyncio.ensure_future(talk(lambda a=a: [a.send(c, "here to help")
                                                      for c in sorted(a.chats)], stop, 0.6))
              for a in agents]
    return tasks
