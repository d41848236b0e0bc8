"""`make bench` (second part): a bot turn through the gateway's widget socket, against the same
turn straight to Rasa's REST channel (the baseline), in one run, on 127.0.0.1.

Run in the gateway environment (.venv-gw). Starts its own Redis, action server, Rasa and
one gateway process; stops them all at the end.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp
import socketio

from scripts import stack
from scripts.stack import MODEL, RedisTarget

QUESTIONS = ["what is the phone number in the UK", "how do I submit a web ticket",
             "how fast do you answer a P1", "is live chat available 24/7", "hello"]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def rest_worker(port: int, turns: int, out: list[float]) -> None:
    async with aiohttp.ClientSession() as http:
        sender = f"b-{uuid.uuid4().hex[:8]}"
        for i in range(turns):
            start = time.perf_counter()
            async with http.post(f"http://127.0.0.1:{port}/webhooks/rest/webhook",
                                 json={"sender": sender, "message": QUESTIONS[i % 5]}) as r:
                await r.read()
            out.append((time.perf_counter() - start) * 1000)


async def socket_worker(url: str, turns: int, out: list[float]) -> None:
    sio = socketio.AsyncClient(reconnection=False)
    got: asyncio.Queue[object] = asyncio.Queue()
    sio.on("session_confirm", lambda data: got.put_nowait(data))
    await sio.connect(url, transports=["websocket"])
    await sio.emit("session_request", {})
    chat_id = await asyncio.wait_for(got.get(), 30)
    for i in range(turns):
        start = time.perf_counter()
        await sio.call("user_uttered", {"message": QUESTIONS[i % 5], "session_id": chat_id,
                                        "client_msg_id": f"m{i}"}, timeout=60)
        out.append((time.perf_counter() - start) * 1000)
    await sio.disconnect()


async def measure(run, workers: int, turns: int) -> list[float]:  # type: ignore[no-untyped-def]
    out: list[float] = []
    await asyncio.gather(*[run(turns, out) for _ in range(workers)])
    return out


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="hc-bench-gw-"))
    ports = {k: stack.free_port() for k in ("redis", "rasa", "actions", "gateway")}
    redis = stack.start_redis(ports["redis"], tmp / "redis", tmp, aof=True)
    env = {**RedisTarget("127.0.0.1", ports["redis"]).env(),
           "ACTIONS_PORT": str(ports["actions"]), "RASA_URL": f"http://127.0.0.1:{ports['rasa']}",
           "ACTIONS_URL": f"http://127.0.0.1:{ports['actions']}", "HANDOFF_RATE_LIMIT": "100000",
           "HANDOFF_LIMIT_SCALE": "1000", "HANDOFF_MAX_CONNECTIONS_PER_ADDRESS": "100000"}
    actions = stack.start_actions(ports["actions"], tmp, env)
    rasa = stack.start_rasa(ports["rasa"], MODEL, tmp, env)
    services = [redis, actions, rasa]
    try:
        stack.wait_actions(ports["actions"], actions)
        stack.wait_rasa(ports["rasa"], rasa, timeout=240)
        gateway = stack.start_gateway(ports["gateway"], tmp, env)
        services.append(gateway)
        stack.wait_gateway(ports["gateway"], gateway)
        url = f"http://127.0.0.1:{ports['gateway']}"

        async def run_all() -> dict[str, list[float]]:
            rest = lambda t, o: rest_worker(ports["rasa"], t, o)  # noqa: E731
            sock = lambda t, o: socket_worker(url, t, o)  # noqa: E731
            await measure(rest, 1, 20)  # warm-up
            await measure(sock, 1, 20)
            return {"rest c1": await measure(rest, 1, 100),
                    "socket c1": await measure(sock, 1, 100),
                    "rest c20": await measure(rest, 20, 10),
                    "socket c20": await measure(sock, 20, 10)}

        results = asyncio.run(run_all())
    finally:
        for svc in reversed(services):
            svc.stop()
    print("bot turn: widget socket through the gateway vs Rasa REST directly (baseline)")
    print(f"{'':12} {'p50 ms':>8} {'p95 ms':>8}")
    for name, values in results.items():
        print(f"{name:12} {statistics.median(values):8.1f} {pct(values, 95):8.1f}")
    for c in ("c1", "c20"):
        ratio = pct(results[f"socket {c}"], 95) / pct(results[f"rest {c}"], 95)
        print(f"gateway overhead at {c}: p95 ratio socket / REST = {ratio:.2f}")
    print(json.dumps({k: round(pct(v, 95), 1) for k, v in results.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
