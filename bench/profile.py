"""Where a gateway process spends its time, seen from outside while it works:

- `PySpy`: py-spy (PyPI, in .venv-gw) attached to the gateway's pid (it pauses the
  process for each sample: without that its stacks are sometimes torn); the collapsed
  stacks are summed per function (own time, and time including callees for the gateway's
  functions) and per library of the innermost frame (Socket.IO/Engine.IO, aiohttp,
  redis-py, JSON, socket writes, asyncio, the gateway's own modules); idle samples apart;
- `Monitor`: `redis-cli MONITOR` while the gateway works, each command attributed to the
  process whose connection sent it (by the client port), so Redis round trips per bot turn
  or per relayed message are counted, with the commands scripts run inside Redis apart.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import psutil

from scripts.stack import GATEWAY_BIN

AREAS = [  # the library of a sample's innermost frame (where the CPU was)
    ("gateway code (handoff/)", re.compile(r"/handoff/")),
    ("domain code (bot/)", re.compile(r"/bot/")),
    ("redis-py client", re.compile(r"/site-packages/redis/")),
    ("python-socketio / engine.io", re.compile(r"/site-packages/(socketio|engineio)/")),
    ("aiohttp (HTTP, WebSocket frames)", re.compile(r"/site-packages/(aiohttp|multidict|yarl)/")),
    ("JSON encode/decode", re.compile(r"/json/")),
    ("PyJWT / crypto", re.compile(r"/site-packages/(jwt|cryptography)/")),
    ("logging", re.compile(r"/logging/")),
    ("socket send/recv (asyncio transports)", re.compile(r"/asyncio/selector_events\.py")),
    ("asyncio scheduling (tasks, futures)", re.compile(r"/asyncio/")),
]
IDLE = re.compile(r"^(select|poll|_run_once) \(selectors\.py|^EpollSelector\.select|^select ")


class PySpy:
    """`with PySpy(pid, out) as spy: ...` then `spy.report()`."""

    def __init__(self, pid: int, out: Path, rate: int = 250) -> None:
        self.pid, self.out, self.rate = pid, out, rate
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> PySpy:
        self.proc = subprocess.Popen(
            [str(GATEWAY_BIN / "py-spy"), "record", "--pid", str(self.pid), "--rate",
             str(self.rate), "--format", "raw", "--full-filenames",
             "--output", str(self.out)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(0.5)  # attached
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(2)  # SIGINT: py-spy writes what it has and exits
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def report(self, top: int = 15) -> dict[str, Any]:
        return summarise_stacks(self.out, top)


FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")


def summarise_stacks(path: Path, top: int = 15) -> dict[str, Any]:
    """Collapsed stacks ("frame;frame;... count") summed per function and per library.
    Samples waiting in epoll (the loop idle) are counted apart; shares are of the rest."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    areas: Counter[str] = Counter()
    callers: Counter[str] = Counter()
    total = idle = 0
    if not path.exists():
        return {"samples": 0}
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count_s = line.rpartition(" ")
        if not stack or not count_s.isdigit():
            continue
        count = int(count_s)
        frames = [_frame(f) for f in stack.split(";")]
        if not frames:
            continue
        if IDLE.match(frames[-1][0]):
            idle += count
            continue
        total += count
        own[frames[-1][0]] += count
        for name in {name for name, _ in frames}:
            inclusive[name] += count
        areas[_area(frames[-1][1])] += count
        callers[next((_area(f) for _, f in reversed(frames)
                      if "/asyncio/" not in f and _area(f) != OTHER), OTHER)] += count

    def share(items: list[tuple[str, int]]) -> list[tuple[str, float]]:
        return [(name, round(100 * n / max(1, total), 1)) for name, n in items]

    ours = [(n, c) for n, c in inclusive.most_common()
            if ("handoff/" in n or "bot/" in n) and "__main__" not in n]
    return {"busy_samples": total, "idle_samples": idle, "areas_pct": share(areas.most_common()),
            "areas_asyncio_charged_to_caller_pct": share(callers.most_common()),
            "own_pct": share(own.most_common(top)), "inclusive_pct": share(ours[:top])}


def _frame(raw: str) -> tuple[str, str]:
    match = FRAME.match(raw.strip())
    if not match:
        return raw.strip(), ""
    file = match["file"]
    short = re.sub(r"^.*/site-packages/", "", file)
    short = re.sub(r"^.*/(handoff|bot)/", r"\1/", short)
    short = re.sub(r"^.*/lib/python3\.\d+/", "", short)
    return f"{match['func']} ({short})", file


OTHER = "other (stdlib, C calls)"


def _area(file: str) -> str:
    for name, pattern in AREAS:
        if pattern.search(file):
            return name
    return OTHER


# -- Redis MONITOR ---------------------------------------------------------------------------
MONITOR_LINE = re.compile(r'^(?P<ts>\d+\.\d+) \[\d+ (?P<client>[^\]]+)\] "(?P<cmd>[^"]+)"')
PIPELINE_GAP_S = 0.00003  # commands of one connection this close together came in one write


class Monitor:
    """`with Monitor(redis_port, password, out, {name: pid}) as mon: ...`, then
    `mon.report(units)`: Redis commands and round trips per unit of work, per process."""

    def __init__(self, port: int, password: str | None, out: Path, pids: dict[str, int]
                 ) -> None:
        self.port, self.password, self.out, self.pids = port, password, out, pids
        self.proc: subprocess.Popen[bytes] | None = None
        self.ports: dict[int, str] = {}

    def _map_ports(self) -> None:
        for name, pid in self.pids.items():
            procs = [psutil.Process(pid)]
            procs += procs[0].children(recursive=True)
            for proc in procs:
                try:
                    conns = proc.net_connections(kind="tcp")
                except psutil.Error:
                    continue
                for conn in conns:
                    if conn.raddr and conn.raddr.port == self.port:
                        self.ports[conn.laddr.port] = name

    def __enter__(self) -> Monitor:
        self._map_ports()
        argv = ["redis-cli", "-p", str(self.port), "--no-auth-warning"]
        if self.password:
            argv += ["-a", self.password]
        self.log = open(self.out, "wb")
        self.proc = subprocess.Popen([*argv, "MONITOR"], stdout=self.log,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(0.3)
        return self

    def __exit__(self, *exc: object) -> None:
        self._map_ports()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()

    def events(self) -> list[tuple[float, str, str]]:
        """Every command seen: (epoch seconds, process name or "lua", COMMAND)."""
        out = []
        for raw in self.out.read_text(errors="replace").splitlines():
            match = MONITOR_LINE.match(raw)
            if not match:
                continue
            client = match["client"]
            try:
                name = "lua" if client == "lua" else self.ports.get(
                    int(client.rsplit(":", 1)[1]), "other")
            except (IndexError, ValueError):
                continue
            out.append((float(match["ts"]), name, match["cmd"].upper()))
        return out

    def report(self, units: int) -> dict[str, Any]:
        """Per process: commands sent, round trips (a MULTI..EXEC or a pipeline counts
        once), commands run inside scripts; each per unit of work, with the command mix."""
        per: dict[str, Counter[str]] = defaultdict(Counter)
        trips: Counter[str] = Counter()
        last: dict[str, tuple[float, bool]] = {}  # client -> (ts, inside MULTI)
        in_lua: Counter[str] = Counter()
        for raw in self.out.read_text(errors="replace").splitlines():
            match = MONITOR_LINE.match(raw)
            if not match:
                continue
            ts, client, cmd = float(match["ts"]), match["client"], match["cmd"].upper()
            if client == "lua":
                in_lua[cmd] += 1
                continue
            try:
                port = int(client.rsplit(":", 1)[1])
            except (IndexError, ValueError):
                continue
            name = self.ports.get(port, "other")
            per[name][cmd] += 1
            prev = last.get(client)
            inside = prev[1] if prev else False
            if cmd == "MULTI":
                trips[name] += 1
                last[client] = (ts, True)
                continue
            if inside:
                last[client] = (ts, cmd not in ("EXEC", "DISCARD"))
                continue
            if prev is None or ts - prev[0] > PIPELINE_GAP_S:
                trips[name] += 1
            last[client] = (ts, False)
        units = max(1, units)
        return {
            "units": units,
            "per_process": {
                name: {"commands_per_unit": round(sum(c.values()) / units, 2),
                       "round_trips_per_unit": round(trips[name] / units, 2),
                       "mix_per_unit": {k: round(v / units, 2) for k, v in c.most_common(12)}}
                for name, c in per.items()},
            "inside_scripts_per_unit": {k: round(v / units, 2)
                                        for k, v in in_lua.most_common(15)},
        }
