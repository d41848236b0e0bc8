"""Queue operations with 10, 1,000, 10,000 and 100,000 chats waiting, against a real Redis,
through the gateway's own code (`handoff.desk.Desk` over `handoff.lifecycle.Lifecycle`,
as the gateway builds them; only the Socket.IO server is a stub that encodes each event
and counts it instead of sending it).

At each size, 100 times, interleaved (the queue stays at its size: one chat joins, one is
taken):
- enqueue: a chat asks for a person (`Desk.request_person`: the atomic `request`,
  auto-assignment and the chat's status; the queue's broadcast is started in the
  background and awaited untimed before the next operation);
- claim: an agent takes the next chat (`Desk.take_next`: the atomic `claim`, the
  `assigned` view, statuses; the broadcast as above);
- position: one waiting user's `handoff_status` (`Desk.status_of`: its rank, the
  estimated wait);
- broadcast: every waiting user's position and the agents' queue
  (`Desk.broadcast_queue_now`, which the gateway runs in the background after queue
  changes, at most every 0.2 s; here after each one);
- snapshot: the agents' queue view (`Desk.queue_snapshot`).
Redis round trips and commands per operation are counted in this process (every write to
a Redis connection is one round trip; a pipeline is one). Target: latency at 100,000 at
most 1.3 x latency at 10.

The baseline for each figure is the same operation at 10 waiting, in the same run.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.connection import AbstractConnection

from bench import common
from bot import policy as support_policy
from bot import redis_keys
from bot.accounts import RedisAccountDirectory, read_yaml
from handoff.fanout import Fanout
from handoff.lifecycle import HandoffRequest, Lifecycle
from handoff.metrics import Metrics
from handoff.transcript import Transcript

SIZES = [10, 1_000, 10_000, 100_000]
REPEAT = 100
TARGET = 1.3
OPS = ["enqueue", "claim", "position", "broadcast", "snapshot"]


def gateway(module: str) -> Any:
    """A gateway module imported when the part runs. bench/ runs in the gateway's
    environment, but `make types` checks it with the Rasa environment's mypy, whose older
    redis types would flag the strictly typed handoff.agents (which the gateway
    environment's mypy checks): the desk and presence, which import it, come this way."""
    return importlib.import_module(f"handoff.{module}")


class Counting:
    """Round trips (writes to a connection) and commands sent, counted in this process."""

    trips = 0
    commands = 0

    @classmethod
    def install(cls) -> None:
        send, pack = AbstractConnection.send_packed_command, AbstractConnection.pack_command

        async def send_packed_command(self: Any, command: Any, check_health: bool = True
                                      ) -> None:
            cls.trips += 1
            await send(self, command, check_health)

        def pack_command(self: Any, *args: Any) -> Any:
            cls.commands += 1
            return pack(self, *args)

        AbstractConnection.send_packed_command = send_packed_command
        AbstractConnection.pack_command = pack_command


class StubManager:
    """Stands in for the Socket.IO manager's batch (`WatchedRedisManager.emit_many`): one
    message encoded for all the emits, each emit still counted."""

    def __init__(self, server: StubServer) -> None:
        self.server = server

    async def emit_many(self, items: list[tuple[str, Any, str, str]]) -> None:
        json.dumps(items)
        for event, *_ in items:
            self.server.emits[event] += 1


class StubServer:
    """Stands in for the Socket.IO server: encodes each event as it would be sent."""

    def __init__(self) -> None:
        self.emits: Counter[str] = Counter()
        self.manager = StubManager(self)

    async def emit(self, event: str, data: Any = None, **_: Any) -> None:
        json.dumps(data)
        self.emits[event] += 1


def handoff(note: str) -> HandoffRequest:
    return HandoffRequest("P3", "bench", f"bench queue {note}", {})


class Recorder:
    """Takes the place of the lifecycle script: records each call's keys and arguments,
    exactly as `Lifecycle` makes them, to be run later in pipelines."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[Any], list[Any]]] = []

    async def __call__(self, keys: Any = None, args: Any = None, client: Any = None) -> str:
        self.calls.append((list(keys or []), list(args or [])))
        return json.dumps({"ok": True})


async def fill(redis: Redis, lifecycle: Lifecycle, start: int, end: int) -> None:
    """Chats `start`..`end` opened and queued by the gateway's own scripts and arguments
    (`Lifecycle.open`, `Lifecycle.request`), sent 1,000 calls per pipeline."""
    recorder = Recorder()
    recording = Lifecycle(redis, capacity=lifecycle.capacity, ttl_s=lifecycle.ttl_s)
    recording.script = recorder
    for i in range(start, end):
        chat_id = f"{i:032x}"
        await recording.open(chat_id, user_id="", plan="", role="", language="en", create=True)
        await recording.request(chat_id, handoff("fill"), [], now=1_800_000_000 + i / 1000)
    for base in range(0, len(recorder.calls), 1000):
        async with redis.pipeline(transaction=False) as pipe:
            for keys, args in recorder.calls[base:base + 1000]:
                await lifecycle.script(keys=keys, args=args, client=pipe)
            replies = await pipe.execute()
        failed = [r for r in replies if '"err"' in str(r)]
        if failed:
            raise RuntimeError(f"filling the queue failed: {failed[0]}")


async def measure(redis_url: str) -> dict[str, Any]:
    Counting.install()
    redis = Redis.from_pool(BlockingConnectionPool.from_url(  # as the gateway's
        redis_url, decode_responses=True, max_connections=64, timeout=10))
    policy = support_policy.cached()
    lifecycle = Lifecycle(redis, capacity=10**9)
    presence = gateway("presence").Presence(redis, 3)
    server = StubServer()
    desk = gateway("desk").Desk(
        lifecycle, Transcript(redis), Fanout(server), presence,
        RedisAccountDirectory(redis, seed=read_yaml(policy)), policy,
        gateway("agents").load_agents(),
        gateway("desk").DeskConfig(3, 60.0, broadcast_every_s=0.0), Metrics())
    await presence.set_status("agent1", "away")  # an agent exists; none online
    out: dict[str, Any] = {}
    filled, fresh = 0, 10**9
    try:
        for size in SIZES:
            started = time.monotonic()
            await fill(redis, lifecycle, filled, size)
            filled = size
            fill_s = time.monotonic() - started
            samples: dict[str, list[float]] = {op: [] for op in OPS}
            trips: Counter[str] = Counter()
            commands: Counter[str] = Counter()
            emits: Counter[str] = Counter()

            async def timed(op: str, call: Callable[[], Awaitable[Any]],
                            samples: dict[str, list[float]] = samples,
                            trips: Counter[str] = trips, commands: Counter[str] = commands,
                            emits: Counter[str] = emits) -> Any:
                t0, c0, e0 = Counting.trips, Counting.commands, sum(server.emits.values())
                started = time.perf_counter()
                result = await call()
                samples[op].append((time.perf_counter() - started) * 1000)
                trips[op] += Counting.trips - t0
                commands[op] += Counting.commands - c0
                emits[op] += sum(server.emits.values()) - e0
                return result

            for _ in range(REPEAT):
                fresh += 1
                chat_id = f"{fresh:032x}"
                opened = await lifecycle.open(chat_id, user_id="", plan="", role="",
                                              language="en", create=True)
                assert opened.chat is not None
                await timed("enqueue", partial(desk.request_person, opened.chat,
                                               handoff("new"), []))
                await desk.queue_sent()
                waiting = await lifecycle.queued(1)  # someone in the queue, anywhere
                rank = random.randrange(await lifecycle.queue_length())
                member = await redis.zrange(redis_keys.QUEUE, rank, rank)
                chat = await lifecycle.get((member or waiting)[0])
                await timed("position", partial(desk.status_of, chat))
                await timed("snapshot", desk.queue_snapshot)
                await timed("broadcast", desk.broadcast_queue_now)
                taken = await timed("claim", lambda: desk.take_next("agent1"))
                if taken is None:
                    raise RuntimeError("take_next found the queue empty")
                await desk.queue_sent()
            length = await lifecycle.queue_length()
            out[str(size)] = {
                "waiting": length, "fill_s": round(fill_s, 1),
                **{op: {**common.summary(samples[op]),
                        "round_trips": round(trips[op] / REPEAT, 2),
                        "commands": round(commands[op] / REPEAT, 2),
                        "events_emitted": round(emits[op] / REPEAT, 2)} for op in OPS}}
            print(f"  {size} waiting: " + ", ".join(
                f"{op} p50 {out[str(size)][op]['p50']} ms" for op in OPS), flush=True)
    finally:
        await redis.aclose()
    return out


def run() -> dict[str, Any]:
    machine = common.machine()
    with common.Stack("queue", aof=False) as st:
        started = time.monotonic()
        sizes = asyncio.run(asyncio.wait_for(measure(st.redis_url), 400))
        memory = st.redis().info("memory")["used_memory"]
    small, large = sizes[str(SIZES[0])], sizes[str(SIZES[-1])]
    ratios = {op: {"p50": common.ratio(large[op]["p50"], small[op]["p50"]),
                   "p99": common.ratio(large[op]["p99"], small[op]["p99"])} for op in OPS}
    return common.save("queue", {
        "machine": machine, "seconds": round(time.monotonic() - started, 1),
        "sizes": sizes, "ratio_100000_vs_10": ratios, "target_ratio": TARGET,
        "redis_used_memory_mb": round(memory / 2**20, 1),
        "ok": all(r["p50"] <= TARGET for r in ratios.values())})


if __name__ == "__main__":
    sys.exit(common.main_guard(run))
