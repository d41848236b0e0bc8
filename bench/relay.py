"""Relay latency: user -> agent and agent -> user with 1, 100 and 500 chats open at once,
through one gateway process and through the bare relay (bench/bare.py: python-socketio
forwarding between the two clients, no Redis, no state), in the same run.

Each chat is a widget and an agent console that answers every user message at once
(bench/traffic.py). Load per level (the same for both servers):
- 1 chat: a message every 50 ms (20 round trips/s); its agent has 4 console sockets
  that answer in turn (an agent socket may send 60 events per 10 s);
- 100 chats: each a message every second (100 round trips/s), 50 agents;
- 500 chats: each a message every 5 s (100 round trips/s), 50 agents.
The two servers take turns (gateway, bare, bare, gateway, gateway, bare) so that the
machine's other jobs weigh on both. Target: p99 gateway / p99 bare <= 1.5.

Then a profile of relayed messages on the gateway (100 chats): py-spy, CPU per message
and Redis round trips per message (MONITOR).
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any

from redis.asyncio import Redis

from bench import common
from bench.clients import AgentConsole, Widget, gather_bounded, http_session
from bench.profile import Monitor, PySpy
from bench.traffic import Chat, Result, Traffic
from handoff.lifecycle import HandoffRequest, Lifecycle

LEVELS = [(1, 0.05, 4.0), (100, 1.0, 3.0), (500, 5.0, 4.0)]  # chats, period s, s per turn
ROUNDS = 3  # each server runs each level this many times, taking turns
AGENTS = [f"a{i:02d}" for i in range(50)]
SOLO_SOCKETS = 4
TARGET = 1.5


class Side:
    """One server under test with its agent consoles."""

    def __init__(self, name: str, base: str, pid: int, redis_url: str | None,
                 agent_names: list[str] | None = None) -> None:
        self.name, self.base, self.pid, self.redis_url = name, base, pid, redis_url
        self.agent_names = agent_names or AGENTS
        self.solo: list[AgentConsole] = []
        self.agents: list[AgentConsole] = []

    @property
    def gateway(self) -> bool:
        return self.redis_url is not None

    async def connect_agents(self, http: Any) -> None:
        password = (lambda name: name) if self.gateway else (lambda name: None)
        self.solo = [AgentConsole(http, "solo") for _ in range(SOLO_SOCKETS)]
        self.agents = [AgentConsole(http, name) for name in self.agent_names]
        for console in [*self.solo, *self.agents]:
            await console.connect(self.base, password(console.username))

    async def open_chats(self, http: Any, count: int) -> list[Chat]:
        widgets = [Widget(http) for _ in range(count)]
        opened = await gather_bounded([w.open(self.base) for w in widgets], 50)
        failed = [r for r in opened if isinstance(r, BaseException)]
        if failed:
            raise RuntimeError(f"{self.name}: {len(failed)} widgets could not open: {failed[0]!r}")
        if count == 1:
            chats = [Chat(0, widgets[0], self.solo)]
        else:
            chats = [Chat(i, w, [self.agents[i % len(self.agents)]])
                     for i, w in enumerate(widgets)]
        if self.gateway:  # queued as if the bot had handed them over, then accepted
            assert self.redis_url is not None
            redis = Redis.from_url(self.redis_url, decode_responses=True)
            try:
                lifecycle = Lifecycle(redis, capacity=100)
                for start in range(0, len(chats), 10):
                    batch = chats[start:start + 10]
                    for chat in batch:
                        await lifecycle.request(chat.chat_id, HandoffRequest(
                            "P3", "bench", "bench relay", {}), [])
                    await asyncio.gather(*(c.consoles[0].call("accept", {"chat_id": c.chat_id})
                                           for c in batch))
            finally:
                await redis.aclose()
        else:
            await asyncio.gather(*(c.consoles[0].call("accept", {"chat_id": c.chat_id})
                                   for c in chats))
            for chat in chats:  # every answering socket joins the chat's room
                for console in chat.consoles[1:]:
                    await console.call("accept", {"chat_id": chat.chat_id})
        return chats

    async def close(self) -> None:
        for console in [*self.solo, *self.agents]:
            await console.close()


async def measure(sides: list[Side], procs: dict[str, common.Proc], stack: common.Stack
                  ) -> dict[str, Any]:
    http = http_session()
    out: dict[str, Any] = {"levels": {}}
    try:
        for side in sides:
            await side.connect_agents(http)
        for chats_n, period, seconds in LEVELS:
            chats = {s.name: await s.open_chats(http, chats_n) for s in sides}
            results = {s.name: Result() for s in sides}
            cpu = dict.fromkeys(results, 0.0)
            for rnd in range(ROUNDS):
                for side in (sides if rnd % 2 == 0 else list(reversed(sides))):
                    before = procs[side.name].cpu()
                    result = await Traffic(chats[side.name]).run(seconds, period)
                    cpu[side.name] += procs[side.name].cpu() - before
                    results[side.name].add(result)
            level: dict[str, Any] = {"chats": chats_n, "period_s": period,
                                     "seconds_each": seconds * ROUNDS}
            for name, result in results.items():
                level[name] = {
                    "user_to_agent_ms": common.summary(result.user_to_agent_ms),
                    "agent_to_user_ms": common.summary(result.agent_to_user_ms),
                    "sent": result.sent, "lost": result.lost, "reordered": result.reordered,
                    "errors": result.errors[:5],
                    "cpu_ms_per_message": round(1000 * cpu[name] / max(1, result.sent), 3)}
            for direction in ("user_to_agent_ms", "agent_to_user_ms"):
                level[f"p99_ratio_{direction[:-3]}"] = common.ratio(
                    level["gateway"][direction]["p99"], level["bare"][direction]["p99"])
                level[f"p50_ratio_{direction[:-3]}"] = common.ratio(
                    level["gateway"][direction]["p50"], level["bare"][direction]["p50"])
            out["levels"][str(chats_n)] = level
            print(f"  {chats_n} chats: p99 u->a {level['gateway']['user_to_agent_ms']['p99']} "
                  f"vs {level['bare']['user_to_agent_ms']['p99']} ms, a->u "
                  f"{level['gateway']['agent_to_user_ms']['p99']} vs "
                  f"{level['bare']['agent_to_user_ms']['p99']} ms", flush=True)
            if chats_n == 100:
                out["profile"] = await profile(stack, chats["gateway"], procs["gateway"])
            for side_chats in chats.values():
                await gather_bounded([c.widget.close() for c in side_chats], 100)
    finally:
        for side in sides:
            await side.close()
        await http.close()
    return out


async def profile(stack: common.Stack, chats: list[Chat], proc: common.Proc
                  ) -> dict[str, Any]:
    """The gateway relaying (100 chats, 100 round trips/s): where its CPU goes (py-spy),
    CPU per message, and Redis commands per message (MONITOR, a shorter window)."""
    redis_port = stack.redis_target.port
    with PySpy(proc.pid, stack.tmp / "relay-pyspy.txt") as spy:
        before = proc.cpu()
        result = await Traffic(chats).run(6.0, 1.0)
        cpu = proc.cpu() - before
    redis: dict[str, Any] = {}
    for direction in ("user", "agent"):  # user -> agent messages alone, then agent -> user
        with Monitor(redis_port, stack.redis_target.password,
                     stack.tmp / f"relay-monitor-{direction}.txt", {"gateway": proc.pid}) as mon:
            monitored = await Traffic(chats, direction).run(2.0, 1.0)
        redis[f"{direction}_message"] = mon.report(monitored.sent)
    return {"messages": result.sent, "cpu_ms_per_message_while_profiled":
            round(1000 * cpu / max(1, result.sent), 3), "pyspy": spy.report(),
            "redis": redis}


def run() -> dict[str, Any]:
    machine = common.machine()
    with common.Stack("relay") as stack:
        agents = common.agents_file(stack.tmp, ["solo", *AGENTS])
        port, gateway = stack.start_gateway({"AGENT_CAPACITY": "100",
                                             "HANDOFF_AGENTS_FILE": str(agents)})
        bare_port, bare = stack.start_bare()
        watch = common.LogWatch(gateway)
        sides = [Side("gateway", f"http://127.0.0.1:{port}", gateway.proc.pid, stack.redis_url),
                 Side("bare", f"http://127.0.0.1:{bare_port}", bare.proc.pid, None)]
        procs = {"gateway": common.Proc(gateway.proc.pid), "bare": common.Proc(bare.proc.pid)}
        started = time.monotonic()
        out = asyncio.run(asyncio.wait_for(measure(sides, procs, stack), 400))
        problems, warnings, first = watch.problems()
    levels = out["levels"]
    worst = max(max(lv["p99_ratio_user_to_agent"], lv["p99_ratio_agent_to_user"])
                for lv in levels.values())
    lost = sum(lv[s]["lost"] for lv in levels.values() for s in ("gateway", "bare"))
    return common.save("relay", {
        "machine": machine, "seconds": round(time.monotonic() - started, 1), **out,
        "gateway_log": {"problems": problems, "warnings": warnings, "first": first},
        "worst_p99_ratio": worst, "target_p99_ratio": TARGET,
        "ok": worst <= TARGET and lost == 0 and problems == 0})


if __name__ == "__main__":
    sys.exit(common.main_guard(run))
