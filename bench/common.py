"""What every part of `make bench` shares: the processes under test, percentiles, the
machine's state, Redis counters, and the results file.

Every process is started here (through `scripts.stack`, as `make run` starts them),
tracked by pid and stopped by pid; every wait is bounded. Each part writes its figures
into `bench/results/<part>.json` and merges them into `bench/results/latest.json`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from scripts import stack
from scripts.stack import GATEWAY_BIN, ROOT, RedisTarget, Service

RESULTS = ROOT / "bench" / "results"
LATEST = RESULTS / "latest.json"

# The gateway's abuse limits, raised for load tests (docs/protocol.md, Limits).
LOAD_ENV = {"HANDOFF_LIMIT_SCALE": "1000", "HANDOFF_MAX_CONNECTIONS_PER_ADDRESS": "100000",
            "HANDOFF_RATE_LIMIT": "100000"}


def setup() -> None:
    """At the start of every part: a secret of this run for every process we start, and
    as many file descriptors as the hard limit allows (thousands of sockets)."""
    os.environ["HELP_CENTER_SECRET"] = secrets.token_hex(32)
    raise_nofile()


def raise_nofile() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = 1 << 20
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank on the sorted values); nan when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


def summary(values: list[float]) -> dict[str, float]:
    return {"n": len(values), "p50": round(pct(values, 50), 3), "p90": round(pct(values, 90), 3),
            "p99": round(pct(values, 99), 3), "max": round(max(values), 3) if values else 0.0}


def ratio(ours: float, base: float) -> float:
    return round(ours / base, 3) if base else float("nan")


def machine() -> dict[str, Any]:
    """What else is going on (the load average before a part: the machine is shared), and
    which code was measured (the commit, and gateway files changed in the work tree)."""
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                                  timeout=10, check=False).stdout
        except OSError:
            return ""
    return {"cores": os.cpu_count(), "load_avg": [round(x, 2) for x in os.getloadavg()],
            "at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
            "commit": git("rev-parse", "--short", "HEAD").strip(),
            "uncommitted": [line[3:] for line in git("status", "--porcelain", "--", "handoff",
                                                     "bot", "rasa_ext").splitlines()]}


def save(part: str, data: dict[str, Any]) -> dict[str, Any]:
    """Write one part's figures and merge them into latest.json."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    data = {"part": part, **data}
    (RESULTS / f"{part}.json").write_text(json.dumps(data, indent=1) + "\n")
    latest: dict[str, Any] = {}
    with contextlib.suppress(FileNotFoundError, ValueError):
        latest = json.loads(LATEST.read_text())
    latest.setdefault("parts", {})[part] = data
    latest["updated"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    LATEST.write_text(json.dumps(latest, indent=1) + "\n")
    return data


# -- processes -------------------------------------------------------------------------------
@dataclass
class Proc:
    """A process measured from outside: CPU seconds and resident memory, by pid."""

    pid: int
    ps: psutil.Process = field(init=False)

    def __post_init__(self) -> None:
        self.ps = psutil.Process(self.pid)

    def cpu(self) -> float:
        t = self.ps.cpu_times()
        return float(t.user + t.system)

    def rss(self) -> int:
        return int(self.ps.memory_info().rss)


class Stack:
    """Redis (with a password, as `make run` has it) and, on demand, the action server,
    Rasa, gateway processes and bare relays; everything stopped by pid on exit."""

    def __init__(self, name: str, aof: bool = True) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix=f"hc-bench-{name}-"))
        self.services: list[Service] = []
        self.redis_target = RedisTarget("127.0.0.1", stack.free_port(),
                                        password=secrets.token_hex(16))
        self.aof = aof
        self.rasa_port = self.actions_port = 0
        self.gateways: list[tuple[int, Service]] = []

    def __enter__(self) -> Stack:
        try:
            self.services.append(stack.start_redis(
                self.redis_target.port, self.tmp / "redis", self.tmp, aof=self.aof,
                password=self.redis_target.password))
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        for svc in reversed(self.services):
            with contextlib.suppress(Exception):
                svc.stop()
        self.services.clear()

    @property
    def redis_url(self) -> str:
        return self.redis_target.url

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {**self.redis_target.env(), **LOAD_ENV}
        if self.rasa_port:
            env["RASA_URL"] = f"http://127.0.0.1:{self.rasa_port}"
        if self.actions_port:
            env["ACTIONS_URL"] = f"http://127.0.0.1:{self.actions_port}"
            env["ACTIONS_PORT"] = str(self.actions_port)
        env.update(extra or {})
        return env

    def start_bot(self, wait: bool = True) -> tuple[Service, Service]:
        """The action server and Rasa (the trained model), as `make run` starts them."""
        self.actions_port, self.rasa_port = stack.free_port(), stack.free_port()
        env = self.env()
        actions = stack.start_actions(self.actions_port, self.tmp, env)
        self.services.append(actions)
        rasa = stack.start_rasa(self.rasa_port, stack.MODEL, self.tmp, env)
        self.services.append(rasa)
        if wait:
            stack.wait_actions(self.actions_port, actions, timeout=120)
            stack.wait_rasa(self.rasa_port, rasa, timeout=240)
        return actions, rasa

    def start_gateway(self, extra: dict[str, str] | None = None, ready: str = "/healthz",
                      name: str = "") -> tuple[int, Service]:
        port = stack.free_port()
        log_dir = self.tmp / (name or f"gateway{len(self.gateways)}")
        svc = stack.start_gateway(port, log_dir, self.env(extra))
        self.services.append(svc)
        stack.wait_until(lambda: stack.http_ok(f"http://127.0.0.1:{port}{ready}"), svc,
                         "gateway", 90)
        self.gateways.append((port, svc))
        return port, svc

    def start_bare(self, name: str = "bare") -> tuple[int, Service]:
        """The baseline: a bare python-socketio relay (bench/bare.py), no Redis, no state."""
        port = stack.free_port()
        svc = stack.spawn(name, [str(GATEWAY_BIN / "python"), "-m", "bench.bare",
                                 "--port", str(port)], self.tmp, stack.base_env())
        self.services.append(svc)
        stack.wait_until(lambda: stack.http_ok(f"http://127.0.0.1:{port}/healthz"), svc,
                         "bare relay", 30)
        return port, svc

    def redis(self) -> Any:
        """A synchronous client, for counters (INFO) and checks."""
        import redis
        return redis.Redis(host="127.0.0.1", port=self.redis_target.port,
                           password=self.redis_target.password, decode_responses=True)


# -- Redis counters --------------------------------------------------------------------------
def commandstats(client: Any) -> dict[str, int]:
    """{command: calls so far} from INFO commandstats."""
    info = client.info("commandstats")
    return {k.removeprefix("cmdstat_"): int(v["calls"]) for k, v in info.items()}


def stats_delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {k: after[k] - before.get(k, 0) for k in after if after[k] - before.get(k, 0)}


def redis_cpu(client: Any) -> float:
    info = client.info("cpu")
    return float(info["used_cpu_sys"]) + float(info["used_cpu_user"])


# -- gateway logs ----------------------------------------------------------------------------
PROBLEM = re.compile(r"\b(ERROR|CRITICAL|Traceback|MaxConnectionsError|Too many connections|"
                     r"cannot publish|Cannot publish)\b")


class LogWatch:
    """Problems (errors, tracebacks, pool exhaustion, failed publishes) that a log got
    after `mark()`, with the first few lines."""

    def __init__(self, *services: Service) -> None:
        self.paths = [s.log_path for s in services]
        self.offsets: dict[Path, int] = {}
        self.mark()

    def mark(self) -> None:
        self.offsets = {p: p.stat().st_size if p.exists() else 0 for p in self.paths}

    def problems(self) -> tuple[int, int, list[str]]:
        """(problem lines, warning lines, first problem lines)."""
        count = warnings = 0
        first: list[str] = []
        for path in self.paths:
            with open(path, "rb") as log:
                log.seek(self.offsets.get(path, 0))
                for raw in log:
                    line = raw.decode(errors="replace").rstrip()
                    if " WARNING " in line:
                        warnings += 1
                    if PROBLEM.search(line):
                        count += 1
                        if len(first) < 5:
                            first.append(line[:300])
        return count, warnings, first


def agents_file(directory: Path, usernames: list[str]) -> Path:
    """A directory of bench agents (password = username), hashed with few PBKDF2 rounds so
    that signing in a hundred of them takes no time; HANDOFF_AGENTS_FILE points at it."""
    import importlib  # (not followed by the Rasa environment's mypy: see bench/queue.py)

    hash_password = importlib.import_module("handoff.agents").hash_password
    lines = ["agents:"]
    for name in usernames:
        lines += [f"  - username: {name}", f"    name: Bench {name}",
                  f"    password: \"{hash_password(name, iterations=1000)}\""]
    path = directory / "agents.yml"
    path.write_text("\n".join(lines) + "\n")
    return path


def run_parts(argv: list[str]) -> int:
    """Run `python -m bench.<part>` for each part, each in its own process (a part's
    sockets and memory never weigh on the next); returns the number that failed."""
    failed = 0
    for part in argv:
        started = time.monotonic()
        print(f"\n=== bench.{part} ===", flush=True)
        code = subprocess.call([str(GATEWAY_BIN / "python"), "-m", f"bench.{part}"], cwd=ROOT,
                               env=stack.base_env())
        print(f"=== bench.{part}: exit {code}, {time.monotonic() - started:.0f} s ===",
              flush=True)
        failed += code != 0
    return failed


@contextlib.contextmanager
def timed(label: str) -> Iterator[None]:
    started = time.monotonic()
    yield
    print(f"  {label}: {time.monotonic() - started:.1f} s", flush=True)


def main_guard(fn: Any) -> int:
    """Run a part's `run()` and print its figures. A part that ran exits 0 whether or not
    its targets are met (the report says which); one that could not run exits non-zero."""
    setup()
    result = fn()
    print(json.dumps(result, indent=1)[:3000])
    print(f"{result.get('part')}: targets {'met' if result.get('ok') else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(0)
