"""2,000 widgets opening their chats within seconds (an outage brings everyone to the help
center at once), on one gateway process and on the bare relay (bench/bare.py) as the
baseline, in the same run.

Two client processes (bench/swarm.py) start 1,000 widgets each, evenly over 10 s: connect
(WebSocket), `session_request`, wait for `session_confirm`. Every one must be confirmed,
and the gateway's log must show no error (pool exhaustion, failed publish, traceback).
Reported: time to `session_confirm` from the widget's start (p50, p99), when the last
was confirmed, the server's CPU per chat opened, py-spy's profile of the gateway during
the burst, Redis round trips per chat opened (MONITOR). Then a harsher burst: all 2,000
started at once.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from bench import common
from bench.profile import Monitor, PySpy
from bench.swarm import Swarm

WIDGETS = 2000
CLIENTS = 2
SPREAD_S = 10.0  # 2,000 session_requests within 10 s


def burst(url: str, proc: common.Proc, log_dir: Any, name: str, spread: float,
          spy: bool = False) -> dict[str, Any]:
    profiler = PySpy(proc.pid, log_dir / f"{name}-pyspy.txt") if spy else None
    if profiler:
        profiler.__enter__()
    cpu = proc.cpu()
    rss = proc.rss()
    swarms = [Swarm(url, WIDGETS // CLIENTS, spread, log_dir / f"{name}-swarm{i}.log")
              for i in range(CLIENTS)]
    try:
        reports = [s.opened(180) for s in swarms]
        cpu = proc.cpu() - cpu
        rss_after = proc.rss()
    finally:
        if profiler:
            profiler.__exit__()
        for swarm in swarms:
            try:
                swarm.close()
            except Exception:
                swarm.stop()
    timings = [t for r in reports for t in r["timings"]]
    total_ms = [t[2] * 1000 for t in timings]
    confirm_ms = [t[1] * 1000 for t in timings]
    last_s = max((t[3] for t in timings), default=float("nan"))
    return {"confirmed": len(timings), "failed": sum(r["failed"] for r in reports),
            "error_events": sum(r["error_events"] for r in reports),
            "failures": [f for r in reports for f in r["failures"]][:5],
            "start_to_confirm_ms": common.summary(total_ms),
            "request_to_confirm_ms": common.summary(confirm_ms),
            "last_confirmed_after_s": round(last_s, 2), "server_cpu_s": round(cpu, 2),
            "server_cpu_ms_per_open": round(1000 * cpu / max(1, len(timings)), 2),
            "server_rss_growth_mb": round((rss_after - rss) / 2**20, 1),
            **({"pyspy": profiler.report()} if profiler else {})}


def redis_per_open(st: common.Stack, url: str, pid: int) -> dict[str, Any]:
    """Redis commands and round trips of one chat opened, and of one closed (MONITOR over
    200 of each)."""
    swarm = Swarm(url, 200, 2.0, st.tmp / "monitor-swarm.log")
    try:
        with Monitor(st.redis_target.port, st.redis_target.password,
                     st.tmp / "open-monitor.txt", {"gateway": pid}) as mon:
            opened = swarm.opened(60)["opened"]
        with Monitor(st.redis_target.port, st.redis_target.password,
                     st.tmp / "close-monitor.txt", {"gateway": pid}) as closing:
            swarm.close()
            time.sleep(1)
    finally:
        swarm.stop()
    return {"open": mon.report(opened), "close": closing.report(opened)}


def run() -> dict[str, Any]:
    machine = common.machine()
    with common.Stack("burst") as st:
        port, gateway = st.start_gateway()
        bare_port, bare = st.start_bare()
        watch = common.LogWatch(gateway)
        servers = {"gateway": (port, common.Proc(gateway.proc.pid)),
                   "bare": (bare_port, common.Proc(bare.proc.pid))}
        results = {name: burst(f"http://127.0.0.1:{p}", proc, st.tmp, name, SPREAD_S,
                               spy=name == "gateway")
                   for name, (p, proc) in servers.items()}
        time.sleep(1)
        problems, warnings, first = watch.problems()
        # harsher: all 2,000 at once (as fast as the clients can start them)
        at_once = {name: burst(f"http://127.0.0.1:{p}", proc, st.tmp, f"{name}-at-once", 0)
                   for name, (p, proc) in servers.items()}
        time.sleep(1)
        at_once_problems = watch.problems()
        results["gateway"]["redis_per_open"] = redis_per_open(st, f"http://127.0.0.1:{port}",
                                                              gateway.proc.pid)
    gw, base = results["gateway"], results["bare"]
    ok = gw["confirmed"] == WIDGETS and problems == 0 and gw["error_events"] == 0
    return common.save("burst", {
        "machine": machine, "widgets": WIDGETS, "spread_s": SPREAD_S, **results,
        "p99_ratio": common.ratio(gw["start_to_confirm_ms"]["p99"],
                                  base["start_to_confirm_ms"]["p99"]),
        "p50_ratio": common.ratio(gw["start_to_confirm_ms"]["p50"],
                                  base["start_to_confirm_ms"]["p50"]),
        "gateway_log": {"problems": problems, "warnings": warnings, "first": first},
        "at_once": {**at_once, "p99_ratio": common.ratio(
            at_once["gateway"]["start_to_confirm_ms"]["p99"],
            at_once["bare"]["start_to_confirm_ms"]["p99"]),
            "gateway_log_problems": at_once_problems[0] - problems,
            "first": at_once_problems[2][:3]},
        "ok": ok})


if __name__ == "__main__":
    sys.exit(common.main_guard(run))
