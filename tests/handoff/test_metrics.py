"""/metrics as an operator reads it: the machine's figures from any gateway process when
the processes share a metrics directory, latency histograms that count what happened,
dead processes leaving the live figures, and the gauges read from Redis."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import redis as redis_lib
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families
from redis.asyncio import Redis

from bot import identity
from handoff.settings import Settings, SettingsError
from scripts import stack
from scripts.stack import ROOT, RedisTarget, Service
from tests.conftest import Stack
from tests.handoff.conftest import AgentClient, WidgetClient, make_settings, queued_chat

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def parse(text: str) -> Samples:
    """Every sample of a Prometheus text exposition, by name and labels."""
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, tuple(sorted(labels.items()))))


async def scrape(base: str) -> Samples:
    async with aiohttp.ClientSession() as http, http.get(f"{base}/metrics") as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"].startswith("text/plain")
        return parse(await resp.text())


async def until(base: str, check: Callable[[Samples], bool], what: str,
                timeout: float = 15) -> Samples:
    """Scrape until `check` holds (bounded)."""
    deadline = time.monotonic() + timeout
    while True:
        samples = await scrape(base)
        if check(samples):
            return samples
        assert time.monotonic() < deadline, f"{what}; /metrics said {samples}"
        await asyncio.sleep(0.2)


def connections(samples: Samples) -> dict[str, float]:
    """hc_socket_connections per process (pid label)."""
    return {dict(labels)["pid"]: n for (name, labels), n in samples.items()
            if name == "hc_socket_connections"}


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Callable[..., Any]]:
    """Gateway processes (`python -m handoff`) of one machine, sharing a metrics
    directory; stopped by pid at the end."""
    started: list[Service] = []

    async def start(redis_server: RedisTarget, metrics_dir: Path) -> tuple[str, Service]:
        port = stack.free_port()
        svc = stack.start_gateway(port, tmp_path / f"log{len(started)}", {
            **redis_server.env(), "RASA_URL": "http://127.0.0.1:9",  # nobody: turns fail
            "ACTIONS_URL": "http://127.0.0.1:9",
            "HELP_CENTER_SECRET": os.environ["HELP_CENTER_SECRET"],
            "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)})
        started.append(svc)
        base = f"http://127.0.0.1:{port}"
        await asyncio.to_thread(stack.wait_until, lambda: stack.http_ok(f"{base}/healthz"),
                                svc, "gateway", 60)
        return base, svc

    yield start
    for svc in started:
        svc.stop()


async def failed_turn(client: WidgetClient, base: str) -> None:
    """A user message whose bot turn fails (Rasa is not there)."""
    await client.connect(base)
    await client.sio.emit("session_request", {})
    chat_id = await client.wait_for("session_confirm")
    await client.sio.emit("user_uttered", {"message": "hello?", "session_id": chat_id})
    notice = await client.wait_for("bot_uttered")
    assert "can't answer right now" in notice["text"]


async def test_processes_sharing_a_directory_show_the_machines_figures(
    redis_server: RedisTarget, redis: redis_lib.Redis, tmp_path: Path,
    processes: Callable[..., Any], widget: Callable[[], WidgetClient]
) -> None:
    metrics_dir = tmp_path / "metrics"
    (a, proc_a), (b, proc_b) = [await processes(redis_server, metrics_dir) for _ in range(2)]
    pid_a, pid_b = str(proc_a.proc.pid), str(proc_b.proc.pid)
    on_a, on_b = widget(), widget()
    await failed_turn(on_a, a)
    await failed_turn(on_b, b)
    # a counter of each process: either process shows their sum
    for base in (a, b):
        samples = await until(base, lambda s: value(s, "hc_bot_turn_failures_total") == 2,
                              "both failed turns counted")
        # the connection gauge: one sample per live process, each its own count
        assert connections(samples) == {pid_a: 1, pid_b: 1}
        assert value(samples, "hc_chats", state="queued") == 0  # shared, read once

    os.kill(proc_b.proc.pid, signal.SIGKILL)  # ours, by pid
    proc_b.proc.wait(10)
    samples = await scrape(a)
    assert connections(samples) == {pid_a: 1}  # the dead process's connections are gone
    assert value(samples, "hc_bot_turn_failures_total") == 2  # what it counted stays

    # a process that comes later on the same machine shows the same history
    c, proc_c = await processes(redis_server, metrics_dir)
    samples = await scrape(c)
    assert value(samples, "hc_bot_turn_failures_total") == 2
    assert connections(samples) == {pid_a: 1, str(proc_c.proc.pid): 0}


async def test_relay_and_queue_figures_of_one_process(
    redis_server: RedisTarget, start_gateway: Callable[..., Any],
    agent_client: Callable[[], AgentClient], widget: Callable[[], WidgetClient],
    aredis: Redis
) -> None:
    """Alone (no shared directory): the process's own registry, and the Redis gauges."""
    settings = make_settings(redis_server)
    base = await start_gateway(settings)
    now = time.time()
    await queued_chat(aredis, "chat-late-p1", "P1", now - 2 * 3600)  # target: 1 hour
    await queued_chat(aredis, "chat-early-p3", "P3", now - 600)  # target: 24 hours
    samples = await scrape(base)
    assert value(samples, "hc_queue_length", priority="P1") == 1
    assert value(samples, "hc_queue_length", priority="P3") == 1
    assert value(samples, "hc_chats", state="queued") == 2
    assert value(samples, "hc_target_response_breaches") == 1
    assert value(samples, "hc_relay_seconds_count", direction="user_to_agent") == 0
    assert value(samples, "hc_target_response_missed_total", priority="P1") == 0
    assert value(samples, "hc_socket_connections") == 0  # alone: no pid label

    alice = agent_client()
    await alice.login(base, "agent1")
    for chat_id in ("chat-late-p1", "chat-early-p3"):
        assert (await alice.call("accept", {"chat_id": chat_id}))["ok"]
    samples = await scrape(base)
    assert value(samples, "hc_target_response_missed_total", priority="P1") == 1
    assert value(samples, "hc_target_response_missed_total", priority="P3") == 0
    assert value(samples, "hc_queue_wait_seconds_count") == 2
    assert 2 * 3600 + 600 <= (value(samples, "hc_queue_wait_seconds_sum") or 0) < 2 * 3600 + 700
    assert value(samples, "hc_queue_wait_seconds_bucket", le="3600.0") == 1
    assert value(samples, "hc_chats", state="agent") == 2
    assert value(samples, "hc_target_response_breaches") == 0
    assert value(samples, "hc_agents", presence="offline") == 2  # connected, never online

    user = widget()  # the P1 chat's user, back on the page
    await user.connect(base)
    await user.sio.emit("session_request", {"session_id": "chat-late-p1", "customData": {
        "token": identity.issue("pro-owner", settings.help_center_secret)}})
    assert await user.wait_for("session_confirm") == "chat-late-p1"
    assert value(await scrape(base), "hc_socket_connections") == 1
    await user.sio.emit("user_uttered", {"message": "still there?",
                                         "session_id": "chat-late-p1"})
    await alice.wait_for("chat_message", lambda d: d["message"]["text"] == "still there?")
    assert (await alice.call("agent_message", {"chat_id": "chat-late-p1",
                                               "text": "yes, here"}))["ok"]
    await user.wait_for("bot_uttered", lambda d: d["text"] == "yes, here")
    samples = await scrape(base)
    for direction in ("user_to_agent", "agent_to_user"):
        assert value(samples, "hc_relay_seconds_count", direction=direction) == 1
        took = value(samples, "hc_relay_seconds_sum", direction=direction)
        assert took is not None and 0 < took < 5


async def test_a_bot_turn_shows_in_the_turn_latency_histogram(
    rasa_stack: Stack, start_gateway: Callable[..., Any], widget: Callable[[], WidgetClient]
) -> None:
    base = await start_gateway(make_settings(
        rasa_stack.redis, rasa_url=f"http://127.0.0.1:{rasa_stack.rasa_port}",
        actions_url=f"http://127.0.0.1:{rasa_stack.actions_port}"))
    assert value(await scrape(base), "hc_bot_turn_seconds_count") == 0
    client = widget()
    await client.connect(base)
    await client.sio.emit("session_request", {})
    chat_id = await client.wait_for("session_confirm")
    await client.sio.emit("user_uttered", {"message": "how do I report abuse",
                                           "session_id": chat_id})
    await client.wait_for("bot_uttered", lambda d: d["metadata"]["sender"] == "bot")
    samples = await until(base, lambda s: value(s, "hc_bot_turn_seconds_count") == 1,
                          "the answered turn counted")
    took = value(samples, "hc_bot_turn_seconds_sum")
    assert took is not None and 0 < took < 30
    assert value(samples, "hc_bot_turn_failures_total") == 0


def test_the_supervisors_listener_takes_an_exited_process_out_of_the_live_figures(
    tmp_path: Path
) -> None:
    """supervisord tells the listener a process exited: its live gauge goes at once,
    even if its pid were still in use (here a process that is still running)."""
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
           "PYTHONPATH": str(ROOT)}
    holder = subprocess.Popen(
        [sys.executable, "-c", "from handoff.metrics import Metrics; import time; "
         "Metrics().connected(); print('up', flush=True); time.sleep(60)"],
        env=env, stdout=subprocess.PIPE, text=True)
    listener = subprocess.Popen(
        [sys.executable, "-m", "scripts.restart_listener", str(tmp_path / "restarts.json"),
         str(metrics_dir)], cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "up\n"

        def live() -> dict[str, float]:
            return {s.labels["pid"]: s.value
                    for family in MultiProcessCollector(None, str(metrics_dir)).collect()
                    if family.name == "hc_socket_connections" for s in family.samples}

        assert live() == {str(holder.pid): 1}
        assert listener.stdin is not None and listener.stdout is not None
        assert listener.stdout.readline() == "READY\n"
        payload = (f"processname:gateway groupname:gateway from_state:RUNNING expected:0 "
                   f"pid:{holder.pid}")
        listener.stdin.write(f"ver:3.0 server:supervisor serial:1 pool:restarts "
                             f"poolserial:1 eventname:PROCESS_STATE_EXITED "
                             f"len:{len(payload)}\n{payload}")
        listener.stdin.flush()
        assert listener.stdout.readline() == "RESULT 2\n"
        assert holder.poll() is None  # still running: only the listener's word counted
        assert live() == {}
        assert (tmp_path / "restarts.json").read_text() == '{"gateway": 1}'
    finally:
        for proc in (holder, listener):  # ours, by pid
            proc.kill()
            proc.wait(10)
            for stream in (proc.stdin, proc.stdout):
                if stream is not None:
                    stream.close()


def test_an_empty_metrics_directory_setting_is_refused(redis_server: RedisTarget) -> None:
    with pytest.raises(SettingsError, match="PROMETHEUS_MULTIPROC_DIR"):
        Settings.from_env({"REDIS_URL": redis_server.url, "PROMETHEUS_MULTIPROC_DIR": "",
                           "HELP_CENTER_SECRET": os.environ["HELP_CENTER_SECRET"]})
