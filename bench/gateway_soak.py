"""Live chats under load: user messages to agents through one gateway process.

Many users each chat with an agent at once (the bot is not involved: the chats are
assigned, so every user message goes widget socket -> gateway -> Redis stream -> agent
socket). Measured in one run on 127.0.0.1, each figure against its own baseline:
- delivery latency (user emits -> agent receives) with 100 chats talking at once vs
  one chat alone;
- the gateway's resident memory after a soak of several thousand messages vs after a
  warm-up of the same chats (growth would mean per-message leaks);
- messages lost or delivered twice (must be 0).

Run in the gateway environment (.venv-gw); starts its own Redis and gateway process and
stops them at the end. Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import psutil
import socketio
from redis.asyncio import Redis

from bench.gateway import pct
from handoff.lifecycle import HandoffRequest, Lifecycle
from scripts import stack
from scripts.stack import RedisTarget

CHATS = 100  # users talking to agents at once
ROUNDS = 20  # messages per user per phase
SOAK_PHASES = 4  # after the warm-up, each phase CHATS x ROUNDS more messages
WAIT_S = 60.0


class Agent:
    """One agent socket that takes every chat and timestamps what it receives."""

    def __init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.received: dict[str, float] = {}  # "chat_id|text" -> arrival (perf_counter)
        self.duplicates = 0
        self.assigned: set[str] = set()
        self.sio.on("chat_message", self._message, namespace="/agent")
        self.sio.on("assigned", self._assigned, namespace="/agent")

    async def _assigned(self, data: dict[str, Any]) -> None:
        self.assigned.add(data["chat_id"])

    async def _message(self, data: dict[str, Any]) -> None:
        message = data.get("message", {})
        if message.get("sender") != "user":
            return
        key = f"{data['chat_id']}|{message['text']}"
        if key in self.received:
            self.duplicates += 1
        self.received.setdefault(key, time.perf_counter())

    async def connect(self, base: str) -> None:
        async with aiohttp.ClientSession() as http, http.post(
                f"{base}/agent/login", json={"username": "agent1", "password": "agent1"}) as r:
            token = (await r.json())["token"]
        await self.sio.connect(base, namespaces=["/agent"], auth={"token": token},
                               transports=["websocket"], wait_timeout=10)


class User:
    def __init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.chat_id = ""
        self.sent: dict[str, float] = {}
        self._confirmed: asyncio.Future[str] | None = None

    async def open(self, base: str) -> None:
        self._confirmed = asyncio.get_running_loop().create_future()
        self.sio.on("session_confirm", self._confirm)
        await self.sio.connect(base, transports=["websocket"], wait_timeout=10)
        await self.sio.emit("session_request", {})
        self.chat_id = await asyncio.wait_for(self._confirmed, WAIT_S)

    async def _confirm(self, chat_id: str) -> None:
        if self._confirmed is not None and not self._confirmed.done():
            self._confirmed.set_result(chat_id)

    async def talk(self, phase: str, rounds: int) -> None:
        for n in range(rounds):
            text = f"{phase} message {n}"
            self.sent[f"{self.chat_id}|{text}"] = time.perf_counter()
            ack = await self.sio.call("user_uttered", {
                "message": text, "session_id": self.chat_id,
                "client_msg_id": f"{phase}-{n}"}, timeout=WAIT_S)
            if not ack or not ack.get("ok"):
                raise RuntimeError(f"message refused: {ack}")


async def queue_and_assign(redis_url: str, agent: Agent, users: list[User]) -> None:
    redis = Redis.from_url(redis_url, decode_responses=True)
    try:
        lifecycle, now = Lifecycle(redis, capacity=3), time.time()
        for i, user in enumerate(users):  # as if the bot had asked for a person
            await lifecycle.request(user.chat_id, HandoffRequest("P3", "bench", "bench", {}),
                                    [], now=now + i / 1000)
    finally:
        await redis.aclose()
    # going online assigns the waiting chats to the agent (auto-assignment)
    answer = await agent.sio.call("presence", {"status": "online"}, namespace="/agent",
                                  timeout=WAIT_S)
    if not answer.get("ok"):
        raise RuntimeError(f"presence refused: {answer}")
    deadline = time.monotonic() + WAIT_S
    while len(agent.assigned) < len(users):
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {len(agent.assigned)} of {len(users)} chats assigned")
        await asyncio.sleep(0.05)


async def phase(agent: Agent, users: list[User], name: str, rounds: int) -> list[float]:
    """Every user sends `rounds` messages at once; latencies in ms once all arrived."""
    await asyncio.gather(*(u.talk(name, rounds) for u in users))
    wanted = [key for u in users for key in u.sent if f"|{name} " in key]
    deadline = time.monotonic() + WAIT_S
    while any(key not in agent.received for key in wanted):
        if time.monotonic() > deadline:
            lost = sum(key not in agent.received for key in wanted)
            raise RuntimeError(f"{lost} of {len(wanted)} messages never reached the agent")
        await asyncio.sleep(0.02)
    sent = {key: at for u in users for key, at in u.sent.items()}
    return [(agent.received[key] - sent[key]) * 1000 for key in wanted]


async def run(base: str, redis_url: str, gateway_pid: int) -> dict[str, Any]:
    process = psutil.Process(gateway_pid)
    agent = Agent()
    await agent.connect(base)
    users = [User() for _ in range(CHATS)]
    try:
        for user in users:
            await user.open(base)
        await queue_and_assign(redis_url, agent, users)
        alone = await phase(agent, users[:1], "alone", ROUNDS * 5)
        await phase(agent, users, "warmup", ROUNDS)
        rss_warm = process.memory_info().rss
        loaded: list[float] = []
        started = time.perf_counter()
        for n in range(SOAK_PHASES):
            loaded += await phase(agent, users, f"soak{n}", ROUNDS)
        seconds = time.perf_counter() - started
        rss_after = process.memory_info().rss
        sent = sum(len(u.sent) for u in users)
        return {"alone": alone, "loaded": loaded, "rss_warm": rss_warm, "seconds": seconds,
                "rss_after": rss_after, "sent": sent, "received": len(agent.received),
                "duplicates": agent.duplicates}
    finally:
        for user in users:
            await user.sio.disconnect()
        await agent.sio.disconnect()


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="hc-bench-soak-"))
    ports = {k: stack.free_port() for k in ("redis", "gateway")}
    redis = stack.start_redis(ports["redis"], tmp / "redis", tmp, aof=True)
    target = RedisTarget("127.0.0.1", ports["redis"])
    env = {**target.env(), "HANDOFF_RATE_LIMIT": "100000", "AGENT_CAPACITY": str(CHATS),
           "HANDOFF_LIMIT_SCALE": "1000", "HANDOFF_MAX_CONNECTIONS_PER_ADDRESS": "100000"}
    services = [redis]
    try:
        gateway = stack.start_gateway(ports["gateway"], tmp, env)
        services.append(gateway)
        base = f"http://127.0.0.1:{ports['gateway']}"
        stack.wait_until(lambda: stack.http_ok(base + "/healthz"), gateway, "gateway", 60)
        result = asyncio.run(asyncio.wait_for(run(base, target.url, gateway.proc.pid), 600))
    finally:
        for svc in reversed(services):
            svc.stop()
    alone, loaded = result["alone"], result["loaded"]
    growth = result["rss_after"] / result["rss_warm"]
    lost = result["sent"] - result["received"]
    print(f"live chat: user -> agent through the gateway, {CHATS} chats at once vs one alone")
    print(f"{'':14} {'messages':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for name, values in (("1 chat", alone), (f"{CHATS} chats", loaded)):
        print(f"{name:14} {len(values):8d} {statistics.median(values):8.1f} "
              f"{pct(values, 95):8.1f} {pct(values, 99):8.1f}")
    print(f"p95 ratio {CHATS} chats / 1 chat = {pct(loaded, 95) / pct(alone, 95):.2f}; "
          f"{len(loaded) / result['seconds']:.0f} messages/s delivered with {CHATS} chats "
          f"(bench clients and gateway share the machine)")
    print(f"gateway memory: {result['rss_warm'] / 2**20:.1f} MiB after warm-up, "
          f"{result['rss_after'] / 2**20:.1f} MiB after {len(loaded)} more messages "
          f"(ratio {growth:.2f})")
    print(f"sent {result['sent']}, lost {lost}, delivered twice {result['duplicates']}")
    print(json.dumps({"p95_alone_ms": round(pct(alone, 95), 1),
                      "p95_loaded_ms": round(pct(loaded, 95), 1),
                      "rss_growth": round(growth, 3), "lost": lost,
                      "duplicates": result["duplicates"]}))
    return 0 if lost == 0 and result["duplicates"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
