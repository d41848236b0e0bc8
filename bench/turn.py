"""A bot turn through the gateway's widget socket against the same Rasa over its REST
channel (the baseline), in one run, interleaved; and start-up to ready.

- Socket: `user_uttered` emitted -> the first `bot_uttered` with metadata.sender "bot"
  (the gateway acknowledges the message once stored, then runs the turn through Rasa's
  `gateway` channel and emits the replies).
- REST: POST /webhooks/rest/webhook -> the whole answer.
Each worker alternates the two (which goes first alternates too), with the same questions
in the same order, and starts a fresh chat every 15 turns (a new REST sender; a new
socket and chat). 400 turns per target at concurrency 1 and at 20 (20 workers x 20).
Targets: p50 socket / REST <= 1.05, p99 <= 1.15.

Then, socket turns alone at concurrency 1: the gateway's CPU per turn and py-spy's
profile of it; Redis MONITOR over a few turns: commands and round trips per turn by
process, and each turn's timeline (client -> gateway -> Rasa -> gateway -> client) from
the commands' timestamps.

Start-up: Redis, the action server, Rasa (the trained model) and the gateway started
together, as `make run` does, to the gateway's /readyz answering 200; the baseline is
stock `rasa run` with the same model alone, to its REST channel answering a message.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
import uuid
from typing import Any

import aiohttp

from bench import common
from bench.clients import Widget, http_session
from bench.profile import Monitor, PySpy
from scripts import stack
from scripts.stack import MODEL

QUESTIONS = ["what is the phone number in the UK", "how do I submit a web ticket",
             "how fast do you answer a P1", "is live chat available 24/7", "hello",
             "what does priority 2 mean", "how do I report abuse", "thanks"]
TURNS = 400  # per target and concurrency
FRESH_EVERY = 15
TARGET_P50, TARGET_P99 = 1.05, 1.15


class BotChat:
    """A widget whose bot replies are matched to the turn that asked (seq > the user's)."""

    def __init__(self, http: aiohttp.ClientSession, base: str) -> None:
        self.http, self.base = http, base
        self.widget: Widget | None = None
        self.replies: list[tuple[int, float, float]] = []  # (seq, perf_counter, epoch)
        self.arrived = asyncio.Event()
        self.drops = 0  # sockets the gateway closed during a turn (the turn is asked again)

    def _got(self, data: dict[str, Any], at: float) -> None:
        meta = data.get("metadata") or {}
        if meta.get("sender") == "bot":
            self.replies.append((int(meta.get("seq") or 0), at, time.time()))
        self.arrived.set()

    async def fresh(self) -> None:
        if self.widget is not None:
            await self.widget.close()
        self.widget = Widget(self.http)
        self.widget.on_message = self._got
        await self.widget.open(self.base)
        self.replies.clear()

    async def turn(self, text: str, cid: str) -> tuple[float, float, float]:
        """(ms to the first bot reply, epoch sent, epoch received). A socket the gateway
        closes meanwhile (a real widget would reconnect and resume) is counted, and the
        turn asked again on a fresh chat."""
        for _ in range(3):
            try:
                return await self._turn(text, cid)
            except ConnectionResetError:
                self.drops += 1
                await self.fresh()
        raise RuntimeError(f"the gateway kept closing the socket ({self.drops} times)")

    async def _turn(self, text: str, cid: str) -> tuple[float, float, float]:
        assert self.widget is not None
        self.replies.clear()
        self.arrived.clear()
        sent_epoch, started = time.time(), time.perf_counter()
        try:
            ack = await self.widget.say(text, cid)
        except Exception as exc:
            if self.widget.dropped.is_set():
                raise ConnectionResetError("the gateway closed the socket") from exc
            raise
        seq = int(ack["seq"])
        deadline = started + 60
        while True:
            mine = [r for r in self.replies if r[0] > seq]
            if mine:
                return (mine[0][1] - started) * 1000, sent_epoch, mine[0][2]
            if self.widget.dropped.is_set():
                raise ConnectionResetError("the gateway closed the socket")
            if time.perf_counter() > deadline:
                raise TimeoutError(f"no bot reply to {text!r}")
            self.arrived.clear()
            try:
                await asyncio.wait_for(self.arrived.wait(), deadline - time.perf_counter())
            except asyncio.TimeoutError:
                continue


async def rest_turn(http: aiohttp.ClientSession, port: int, sender: str, text: str) -> float:
    started = time.perf_counter()
    async with http.post(f"http://127.0.0.1:{port}/webhooks/rest/webhook",
                         json={"sender": sender, "message": text}) as resp:
        body = await resp.json()
    if resp.status != 200 or not body:
        raise RuntimeError(f"REST answered {resp.status}: {body!r}")
    return (time.perf_counter() - started) * 1000


async def interleaved(base: str, rasa_port: int, workers: int, turns_each: int
                      ) -> dict[str, Any]:
    rest: list[float] = []
    sock: list[float] = []
    drops: list[int] = []
    http = http_session()

    async def worker(w: int) -> None:
        chat = BotChat(http, base)
        sender = ""
        for i in range(turns_each):
            if i % FRESH_EVERY == 0:
                sender = f"bench-{uuid.uuid4().hex[:12]}"
                await chat.fresh()
            text = QUESTIONS[(w + i) % len(QUESTIONS)]
            if (w + i) % 2 == 0:
                rest.append(await rest_turn(http, rasa_port, sender, text))
                sock.append((await chat.turn(text, f"m{i}"))[0])
            else:
                sock.append((await chat.turn(text, f"m{i}"))[0])
                rest.append(await rest_turn(http, rasa_port, sender, text))
        if chat.widget is not None:
            await chat.widget.close()
        drops.append(chat.drops)

    try:
        await asyncio.gather(*(worker(w) for w in range(workers)))
    finally:
        await http.close()
    return {"rest": rest, "socket": sock, "drops": sum(drops)}


async def socket_only(base: str, turns: int) -> list[tuple[float, float, float]]:
    http = http_session()
    chat = BotChat(http, base)
    out = []
    try:
        for i in range(turns):
            if i % FRESH_EVERY == 0:
                await chat.fresh()
            out.append(await chat.turn(QUESTIONS[i % len(QUESTIONS)], f"p{i}"))
        if chat.widget is not None:
            await chat.widget.close()
    finally:
        await http.close()
    return out


async def rest_only(port: int, turns: int) -> list[tuple[float, float, float]]:
    http = http_session()
    out = []
    try:
        sender = ""
        for i in range(turns):
            if i % FRESH_EVERY == 0:
                sender = f"bench-{uuid.uuid4().hex[:12]}"
            sent = time.time()
            ms = await rest_turn(http, port, sender, QUESTIONS[i % len(QUESTIONS)])
            out.append((ms, sent, time.time()))
    finally:
        await http.close()
    return out


def rest_timeline(events: list[tuple[float, str, str]],
                  turns: list[tuple[float, float, float]]) -> dict[str, Any]:
    """The same cut for REST turns: client -> Rasa's first Redis command, Rasa, Rasa's last
    Redis command -> client."""
    parts: dict[str, list[float]] = {k: [] for k in (
        "client_to_rasa_first_redis", "rasa_and_actions", "rasa_last_redis_to_client",
        "total")}
    for _, sent, received in turns:
        rasa = [e for e in events if sent <= e[0] <= received and e[1] in ("rasa", "actions")]
        if not rasa:
            continue
        for key, a, b in (("client_to_rasa_first_redis", sent, rasa[0][0]),
                          ("rasa_and_actions", rasa[0][0], rasa[-1][0]),
                          ("rasa_last_redis_to_client", rasa[-1][0], received),
                          ("total", sent, received)):
            parts[key].append((b - a) * 1000)
    return {"turns": len(parts["total"]),
            "median_ms": {k: round(statistics.median(v), 2) if v else None
                          for k, v in parts.items()}}


def timeline(events: list[tuple[float, str, str]], turns: list[tuple[float, float, float]]
             ) -> dict[str, Any]:
    """Each monitored turn cut into segments by the Redis commands' timestamps (the same
    clock as the client's): the medians, in ms."""
    parts: dict[str, list[float]] = {k: [] for k in (
        "client_to_gateway_first_redis", "gateway_before_rasa", "gateway_to_rasa_first_redis",
        "rasa_and_actions", "rasa_last_redis_to_gateway_finish", "gateway_finish_to_client",
        "total")}
    for _, sent, received in turns:
        inside = [e for e in events if sent <= e[0] <= received]
        gw = [e for e in inside if e[1] == "gateway"]
        rasa = [e for e in inside if e[1] in ("rasa", "actions")]
        evals = [e for e in gw if e[2] == "EVALSHA"]
        if len(evals) < 2 or not rasa:
            continue
        stored, finished = evals[0][0], evals[-1][0]
        rasa_first, rasa_last = rasa[0][0], rasa[-1][0]
        for key, a, b in (("client_to_gateway_first_redis", sent, gw[0][0]),
                          ("gateway_before_rasa", gw[0][0], stored),
                          ("gateway_to_rasa_first_redis", stored, rasa_first),
                          ("rasa_and_actions", rasa_first, rasa_last),
                          ("rasa_last_redis_to_gateway_finish", rasa_last, finished),
                          ("gateway_finish_to_client", finished, received),
                          ("total", sent, received)):
            parts[key].append((b - a) * 1000)
    return {"turns": len(parts["total"]),
            "median_ms": {k: round(statistics.median(v), 2) if v else None
                          for k, v in parts.items()}}


async def profile(stack_: common.Stack, base: str, gateway: common.Proc,
                  pids: dict[str, int]) -> dict[str, Any]:
    with Monitor(stack_.redis_target.port, stack_.redis_target.password,
                 stack_.tmp / "turn-monitor.txt", pids) as mon:
        turns = await socket_only(base, 15)
    monitored = mon.report(len(turns))
    monitored["timeline"] = timeline(mon.events(), turns)
    with Monitor(stack_.redis_target.port, stack_.redis_target.password,
                 stack_.tmp / "rest-monitor.txt", pids) as rest_mon:
        rest = await rest_only(stack_.rasa_port, 15)
    monitored["rest_timeline"] = rest_timeline(rest_mon.events(), rest)
    with PySpy(gateway.pid, stack_.tmp / "turn-pyspy.txt") as spy:
        before, started = gateway.cpu(), time.perf_counter()
        timed = await socket_only(base, 120)
        cpu, wall = gateway.cpu() - before, time.perf_counter() - started
    return {"redis": monitored, "pyspy": spy.report(),
            "gateway_cpu_ms_per_turn": round(1000 * cpu / len(timed), 3),
            "socket_p50_ms_while_profiled": round(common.pct([t[0] for t in timed], 50), 2),
            "turns_per_s": round(len(timed) / wall, 1)}


def stock_rasa_ready(tmp_stack: common.Stack) -> float:
    """Baseline start-up: stock `rasa run` (REST channel, no action server, no Redis
    stores) with the same model, to its first answer."""
    port = stack.free_port()
    endpoints = tmp_stack.tmp / "endpoints-empty.yml"
    endpoints.write_text("{}\n")
    started = time.monotonic()
    svc = stack.spawn("rasa-stock", [*stack.rasa_argv(port, MODEL, endpoints)],
                      tmp_stack.tmp, stack.base_env(stack.rasa_env({})))
    try:
        stack.wait_until(lambda: stack.http_ok(f"http://127.0.0.1:{port}/webhooks/rest/"),
                         svc, "stock rasa", 240)
        return time.monotonic() - started
    finally:
        svc.stop()


def run() -> dict[str, Any]:
    machine = common.machine()
    with common.Stack("turn") as st:
        st.actions_port, st.rasa_port = stack.free_port(), stack.free_port()
        gw_port = stack.free_port()
        env = st.env()
        started = time.monotonic()  # everything at once, as supervisord starts them
        actions = stack.start_actions(st.actions_port, st.tmp, env)
        st.services.append(actions)
        rasa = stack.start_rasa(st.rasa_port, MODEL, st.tmp, env)
        st.services.append(rasa)
        gateway = stack.start_gateway(gw_port, st.tmp / "gateway", env)
        st.services.append(gateway)
        whole_log = common.LogWatch(gateway)
        stack.wait_until(lambda: stack.http_ok(f"http://127.0.0.1:{gw_port}/readyz"),
                         gateway, "gateway /readyz", 300)
        ready_s = time.monotonic() - started
        start_problems = whole_log.problems()
        watch = common.LogWatch(gateway)
        base = f"http://127.0.0.1:{gw_port}"
        gw = common.Proc(gateway.proc.pid)

        async def measure() -> dict[str, Any]:
            warm = await interleaved(base, st.rasa_port, 1, 30)  # warm-up (TF graphs, pools)
            out: dict[str, Any] = {"warm_up_sockets_closed_by_gateway": warm["drops"]}
            for workers in (1, 20):
                cpu = gw.cpu()
                results = await interleaved(base, st.rasa_port, workers, TURNS // workers)
                cpu = gw.cpu() - cpu
                rest, sock = results["rest"], results["socket"]
                out[f"c{workers}"] = {
                    "rest_ms": common.summary(rest), "socket_ms": common.summary(sock),
                    "p50_ratio": common.ratio(common.pct(sock, 50), common.pct(rest, 50)),
                    "p99_ratio": common.ratio(common.pct(sock, 99), common.pct(rest, 99)),
                    "p50_added_ms": round(common.pct(sock, 50) - common.pct(rest, 50), 2),
                    "gateway_cpu_ms_per_turn": round(1000 * cpu / len(sock), 2),
                    "sockets_closed_by_gateway": results["drops"]}
                print(f"  c={workers}: {out[f'c{workers}']}", flush=True)
            out["profile"] = await profile(st, base, gw, {
                "gateway": gateway.proc.pid, "rasa": rasa.proc.pid,
                "actions": actions.proc.pid})
            return out

        out = asyncio.run(asyncio.wait_for(measure(), 480))
        problems, warnings, first = watch.problems()
        st.stop()
        stock_s = stock_rasa_ready(st)
    ok = all(out[c]["p50_ratio"] <= TARGET_P50 and out[c]["p99_ratio"] <= TARGET_P99
             for c in ("c1", "c20"))
    common.save("startup", {"machine": machine, "stack_to_readyz_s": round(ready_s, 1),
                            "stock_rasa_to_answer_s": round(stock_s, 1),
                            "ratio": common.ratio(ready_s, stock_s)})
    return common.save("turn", {
        "machine": machine, **out, "targets": {"p50_ratio": TARGET_P50,
                                               "p99_ratio": TARGET_P99},
        "gateway_log": {"problems": problems, "warnings": warnings, "first": first,
                        "at_start_up": start_problems[0],
                        "at_start_up_first": start_problems[2]},
        "ok": ok and problems == 0})


if __name__ == "__main__":
    sys.exit(common.main_guard(run))
