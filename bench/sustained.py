"""Sustained relay: 500 messages per second for 60 s through one gateway process (250/s
from users to agents, 250/s back), and the same load through the bare relay
(bench/bare.py) as the baseline (15 s is enough for its CPU per message).

200 chats (each assigned to one of 100 agents, two chats per agent console), each user
sending a numbered message every 0.8 s and its agent answering it at once
(bench/traffic.py). Checked: 0 lost, 0 reordered within a chat, each direction. Reported:
the server's CPU time per message (its CPU time delta / messages relayed), Redis's CPU
per message, latency under that load, the gateway's memory before and after.
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any

from bench import common
from bench.clients import http_session
from bench.relay import Side
from bench.traffic import Result, Traffic

CHATS = 200
AGENTS = [f"s{i:03d}" for i in range(100)]
PERIOD_S = 0.8  # per chat: 1.25 round trips/s -> 200 x 2 x 1.25 = 500 messages/s
SECONDS = {"gateway": 60.0, "bare": 15.0}


async def measure(sides: list[Side], procs: dict[str, common.Proc], redis: Any
                  ) -> dict[str, Any]:
    http = http_session()
    out: dict[str, Any] = {}
    try:
        for side in sides:
            await side.connect_agents(http)
        for side in sides:
            chats = await side.open_chats(http, CHATS)
            await Traffic(chats).run(2.0, PERIOD_S)  # warm-up
            proc = procs[side.name]
            cpu, rss, rcpu = proc.cpu(), proc.rss(), common.redis_cpu(redis)
            result: Result = await Traffic(chats).run(SECONDS[side.name], PERIOD_S)
            cpu, rcpu = proc.cpu() - cpu, common.redis_cpu(redis) - rcpu
            sent = max(1, result.sent)
            out[side.name] = {
                "seconds": SECONDS[side.name], "messages": result.sent,
                "messages_per_s": round(result.sent / SECONDS[side.name], 1),
                "lost": result.lost, "reordered": result.reordered,
                "reordered_user_to_agent": result.reordered_user_to_agent,
                "reordered_agent_to_user": result.reordered_agent_to_user,
                "errors": result.errors[:5],
                "cpu_ms_per_message": round(1000 * cpu / sent, 3),
                "cpu_pct": round(100 * cpu / result.seconds, 1),
                "redis_cpu_ms_per_message": round(1000 * rcpu / sent, 3),
                "user_to_agent_ms": common.summary(result.user_to_agent_ms),
                "agent_to_user_ms": common.summary(result.agent_to_user_ms),
                "rss_before_mb": round(rss / 2**20, 1),
                "rss_after_mb": round(proc.rss() / 2**20, 1)}
            print(f"  {side.name}: {out[side.name]}", flush=True)
            for chat in chats:
                await chat.widget.close()
    finally:
        for side in sides:
            await side.close()
        await http.close()
    return out


def run() -> dict[str, Any]:
    machine = common.machine()
    with common.Stack("sustained") as st:
        agents = common.agents_file(st.tmp, ["solo", *AGENTS])
        port, gateway = st.start_gateway({"AGENT_CAPACITY": "10",
                                          "HANDOFF_AGENTS_FILE": str(agents)})
        bare_port, bare = st.start_bare()
        watch = common.LogWatch(gateway)
        sides = [Side("gateway", f"http://127.0.0.1:{port}", gateway.proc.pid, st.redis_url,
                      AGENTS),
                 Side("bare", f"http://127.0.0.1:{bare_port}", bare.proc.pid, None, AGENTS)]
        procs = {"gateway": common.Proc(gateway.proc.pid), "bare": common.Proc(bare.proc.pid)}
        started = time.monotonic()
        out = asyncio.run(asyncio.wait_for(measure(sides, procs, st.redis()), 300))
        problems, warnings, first = watch.problems()
    gw = out["gateway"]
    return common.save("sustained", {
        "machine": machine, "seconds": round(time.monotonic() - started, 1), **out,
        "cpu_per_message_ratio": common.ratio(gw["cpu_ms_per_message"],
                                              out["bare"]["cpu_ms_per_message"]),
        "gateway_log": {"problems": problems, "warnings": warnings, "first": first},
        "ok": gw["lost"] == 0 and gw["reordered"] == 0 and problems == 0
        and gw["messages_per_s"] >= 0.95 * 500})


if __name__ == "__main__":
    sys.exit(common.main_guard(run))
