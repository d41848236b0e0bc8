"""Speed of the assistant itself (Rasa with our tracker store), each figure beside a
baseline from the same run. Not part of `make bench` (it takes about 5 minutes: a full
training run and two Rasa stacks); run it in the Rasa environment:
`.venv/bin/python -m bench.rasa_store [--skip-train]`.

Measured on this machine, through Rasa's REST channel on 127.0.0.1:
- training time (a full `rasa train --force`) and ready-to-answer time after start;
- a bot turn's latency, p50/p95, at concurrency 1 and 20;
- long chats: turns 190-200 of one 200-turn conversation against turns 1-10.

The baseline is the same model served by Rasa with its stock `RedisTrackerStore` (plain
Rasa 3.6 + Redis); ours uses `rasa_ext.tracker_store.WindowedRedisTrackerStore`. Ratios
are ours / baseline, or figure / target where the issue sets a target.

`--skip-train` leaves out the training run (about 2 minutes).
"""

from __future__ import annotations

import http.client
import json
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

from scripts import stack
from scripts.stack import MODEL, ROOT, VENV_BIN, RedisTarget, base_env

QUESTIONS = [
    "what is the phone number in the UK",
    "how do I submit a web ticket",
    "how fast do you answer a P1",
    "is live chat available 24/7",
    "what does priority 2 mean",
    "how do I report abuse",
    "hello",
    "thanks",
]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class Client:
    """One keep-alive HTTP connection to Rasa's REST webhook."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def turn(self, sender: str, text: str) -> float:
        body = json.dumps({"sender": sender, "message": text})
        start = time.perf_counter()
        self.conn.request("POST", "/webhooks/rest/webhook", body,
                          {"Content-Type": "application/json"})
        resp = self.conn.getresponse()
        data = resp.read()
        elapsed = time.perf_counter() - start
        if resp.status != 200 or not json.loads(data):
            raise RuntimeError(f"bad reply {resp.status}: {data[:200]!r}")
        return elapsed * 1000


def concurrency_run(port: int, workers: int, turns_each: int) -> list[float]:
    def worker(w: int) -> list[float]:
        client, out = Client(port), []
        sender = f"bench-{uuid.uuid4().hex[:8]}"
        for i in range(turns_each):
            if i % 10 == 0:  # a fresh short conversation every 10 turns
                sender = f"bench-{uuid.uuid4().hex[:8]}"
            out.append(client.turn(sender, QUESTIONS[(w + i) % len(QUESTIONS)]))
        return out

    with ThreadPoolExecutor(workers) as pool:
        return [ms for chunk in pool.map(worker, range(workers)) for ms in chunk]


def long_chat(port: int, turns: int = 200) -> list[float]:
    client, sender = Client(port), f"long-{uuid.uuid4().hex[:8]}"
    return [client.turn(sender, QUESTIONS[i % len(QUESTIONS)]) for i in range(turns)]


def stock_endpoints(tmp: Path) -> Path:
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    store = endpoints["tracker_store"]
    endpoints["tracker_store"] = {k: store[k] for k in ("url", "port", "db", "key_prefix",
                                                       "record_exp")}
    endpoints["tracker_store"]["type"] = "redis"
    path = tmp / "endpoints-stock.yml"
    path.write_text(yaml.safe_dump(endpoints))
    return path


def measure(name: str, endpoints: Path, tmp: Path) -> dict[str, float]:
    redis_port, rasa_port, actions_port = stack.free_port(), stack.free_port(), stack.free_port()
    logs = tmp / name
    redis = stack.start_redis(redis_port, logs / "redis", logs, aof=True)
    env = {**RedisTarget("127.0.0.1", redis_port).env(), "ACTIONS_PORT": str(actions_port)}
    actions = stack.start_actions(actions_port, logs, env)
    started = time.monotonic()
    rasa = stack.start_rasa(rasa_port, MODEL, logs, env, endpoints=endpoints)
    try:
        stack.wait_actions(actions_port, actions)
        stack.wait_rasa(rasa_port, rasa, timeout=240)
        ready = time.monotonic() - started
        long_chat(rasa_port, 20)  # warm-up: first inferences build TF graphs
        c1 = concurrency_run(rasa_port, 1, 200)
        c20 = concurrency_run(rasa_port, 20, 20)
        long = long_chat(rasa_port, 200)
    finally:
        for svc in (rasa, actions, redis):
            svc.stop()
    return {
        "ready_s": ready,
        "c1_p50": pct(c1, 50), "c1_p95": pct(c1, 95),
        "c20_p50": pct(c20, 50), "c20_p95": pct(c20, 95),
        "long_first10_median": statistics.median(long[:10]),
        "long_last10_median": statistics.median(long[190:]),
        "long_p99": pct(long, 99),
        "long_last10_p95": pct(long[190:], 95),
    }


def train_seconds(tmp: Path) -> float:
    start = time.monotonic()
    subprocess.run([str(VENV_BIN / "rasa"), "train", "--force", "--out", str(tmp / "models"),
                    "--config", "config.yml", "--domain", "domain.yml",
                    "--data", "data/nlu", "data/rules", "data/stories"],
                   cwd=ROOT, env=base_env(), check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.monotonic() - start


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="hc-bench-"))
    print("benchmark: Rasa REST on 127.0.0.1, 2 cores; baseline = stock RedisTrackerStore")
    if "--skip-train" not in sys.argv:
        secs = train_seconds(tmp)
        print(f"training (rasa train --force): {secs:.0f} s  = {secs / 180:.2f} x the 180 s target")
    ours = measure("windowed", ROOT / "endpoints.yml", tmp)
    stock = measure("stock", stock_endpoints(tmp), tmp)
    rows = [
        ("ready after start (s)", "ready_s", 60),
        ("turn p50, concurrency 1 (ms)", "c1_p50", None),
        ("turn p95, concurrency 1 (ms)", "c1_p95", 100),
        ("turn p50, concurrency 20 (ms)", "c20_p50", None),
        ("turn p95, concurrency 20 (ms)", "c20_p95", 300),
        ("200-turn chat: turns 1-10 median (ms)", "long_first10_median", None),
        ("200-turn chat: turns 190-200 median (ms)", "long_last10_median", None),
        ("200-turn chat: turns 190-200 p95 (ms)", "long_last10_p95", None),
        ("200-turn chat: p99 over all turns (ms)", "long_p99", None),
    ]
    print(f"\n{'figure':44} {'ours':>9} {'stock':>9} {'ours/stock':>11} {'target':>8}")
    for label, key, target in rows:
        tgt = f"{target}" if target else ""
        print(f"{label:44} {ours[key]:9.1f} {stock[key]:9.1f} {ours[key] / stock[key]:11.2f} "
              f"{tgt:>8}")
    for name, result in (("ours", ours), ("stock", stock)):
        growth = result["long_last10_median"] / result["long_first10_median"]
        print(f"long-chat growth, turns 190-200 / turns 1-10 ({name}): {growth:.2f}x"
              + ("   (target <= 1.3x)" if name == "ours" else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
