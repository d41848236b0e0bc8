"""Many idle widget connections, each with its chat open (`session_request` done):
- 5,000 on one gateway process, against 5,000 on the bare relay (bench/bare.py) as the
  baseline: no errors; resident memory per connection = the server's RSS growth from
  before to after them / 5,000 (target <= 32 KiB); the server's CPU while they idle;
- 20,000 across several gateway processes of this machine (sharing one Redis), each
  process with its own client processes: no errors, memory per connection.

Before measuring, each server takes and drops a few hundred connections (its code paths
and pools warmed), so the growth is the connections' own. Clients: bench/swarm.py, one
process per 5,000 widgets, each opening at most 50 at a time.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from bench import common
from bench.swarm import Swarm

ONE = 5000
TOTAL = 20000
PROCESSES = 4
PER_SWARM = 5000
TARGET_KIB = 32
CONCURRENCY = 50  # widgets opening at once per client process
SETTLE_S = 2.0
IDLE_S = 5.0


class Held:
    """Widgets opened on some servers and kept open, with the servers' figures."""

    def __init__(self, urls: list[str], per_url: int, procs: list[common.Proc], log_dir: Any,
                 name: str) -> None:
        warm = [Swarm(url, 200, 0, log_dir / f"{name}-warm{i}.log", 50)
                for i, url in enumerate(urls)]
        for swarm in warm:
            swarm.opened(120)
        for swarm in warm:
            swarm.close()
        time.sleep(SETTLE_S)
        self.procs = procs
        self.rss0 = [p.rss() for p in procs]
        started = time.monotonic()
        self.swarms = [Swarm(url, PER_SWARM, 0, log_dir / f"{name}-{i}-{j}.log", CONCURRENCY)
                       for i, url in enumerate(urls) for j in range(per_url // PER_SWARM)]
        self.reports: list[dict[str, Any]] = []
        try:
            self.reports = [s.opened(600) for s in self.swarms]
        except BaseException:
            self.close()
            raise
        self.open_s = time.monotonic() - started
        print(f"  {name}: {sum(r['opened'] for r in self.reports)} open in {self.open_s:.1f} s",
              flush=True)

    def figures(self) -> dict[str, Any]:
        time.sleep(SETTLE_S)
        rss1 = [p.rss() for p in self.procs]
        cpu0 = [p.cpu() for p in self.procs]
        time.sleep(IDLE_S)
        cpu_idle = sum(p.cpu() - c for p, c in zip(self.procs, cpu0, strict=True)) / IDLE_S
        opened = sum(r["opened"] for r in self.reports)
        growth = sum(rss1) - sum(self.rss0)
        return {
            "connections": opened, "failed": sum(r["failed"] for r in self.reports),
            "error_events": sum(r["error_events"] for r in self.reports),
            "failures": [f for r in self.reports for f in r["failures"]][:5],
            "seconds_to_open": round(self.open_s, 1),
            "open_ms": common.summary([t[2] * 1000 for r in self.reports
                                       for t in r["timings"]]),
            "rss_before_mb": round(sum(self.rss0) / 2**20, 1),
            "rss_after_mb": round(sum(rss1) / 2**20, 1),
            "kib_per_connection": round(growth / max(1, opened) / 1024, 1),
            "idle_cpu_pct": round(100 * cpu_idle, 1)}

    def close(self) -> int:
        """Close every widget; how many were still connected (none dropped meanwhile)."""
        still = 0
        for swarm in self.swarms:
            try:
                still += int(swarm.close().get("connected_before_close", 0))
            except Exception:
                swarm.stop()
        return still


def run() -> dict[str, Any]:
    machine = common.machine()
    with common.Stack("idle") as st:
        port, gateway = st.start_gateway()
        bare_port, bare = st.start_bare()
        watch = common.LogWatch(gateway)
        first = Held([f"http://127.0.0.1:{port}"], ONE, [common.Proc(gateway.proc.pid)],
                     st.tmp, "gateway")
        try:
            one = first.figures()
            problems_one = watch.problems()
            held = Held([f"http://127.0.0.1:{bare_port}"], ONE, [common.Proc(bare.proc.pid)],
                        st.tmp, "bare")
            base = held.figures()
            base["still_connected_at_close"] = held.close()
            # the first gateway keeps its 5,000; the others take 5,000 each
            more = [st.start_gateway(name=f"gateway{i + 1}") for i in range(PROCESSES - 1)]
            watch_all = common.LogWatch(gateway, *[svc for _, svc in more])
            others = Held([f"http://127.0.0.1:{p}" for p, _ in more], ONE,
                          [common.Proc(svc.proc.pid) for _, svc in more], st.tmp, "more")
            try:
                added = others.figures()
                one_now = first.figures()
            finally:
                still_more = others.close()
        finally:
            still_first = first.close()
        problems_many = watch_all.problems()
    one["still_connected_at_close"] = still_first
    one["gateway_log"] = {"problems": problems_one[0], "first": problems_one[2]}
    connections = one["connections"] + added["connections"]
    many = {
        "processes": PROCESSES, "connections": connections,
        "failed": one["failed"] + added["failed"],
        "error_events": one["error_events"] + added["error_events"],
        "still_connected_at_close": still_first + still_more,
        "seconds_to_open_the_last_15000": added["seconds_to_open"],
        "open_ms_last_15000": added["open_ms"],
        "rss_total_mb": round(one_now["rss_after_mb"] + added["rss_after_mb"], 1),
        "kib_per_connection_added_processes": added["kib_per_connection"],
        "idle_cpu_pct_all": round(one_now["idle_cpu_pct"] + added["idle_cpu_pct"], 1),
        "gateway_log": {"problems": problems_many[0], "first": problems_many[2]}}
    ok = (one["connections"] == ONE and one["failed"] == 0 and problems_one[0] == 0
          and one["kib_per_connection"] <= TARGET_KIB and connections == TOTAL
          and many["failed"] == 0 and problems_many[0] == 0
          and many["still_connected_at_close"] == TOTAL)
    return common.save("idle", {
        "machine": machine, "one_process": {"gateway": one, "bare": base,
                                            "kib_ratio": common.ratio(
                                                one["kib_per_connection"],
                                                base["kib_per_connection"])},
        "several_processes": many, "target_kib": TARGET_KIB, "ok": ok})


if __name__ == "__main__":
    sys.exit(common.main_guard(run))
