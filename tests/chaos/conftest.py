"""Fault-injection fixtures (run in .venv-gw): a Redis that can be restarted or crashed on
the same port with its AOF, gateways under the real supervisor, and the figures each
scenario reports (var/chaos/results.jsonl; `make chaos` renders them into
docs/reliability.md).

CHAOS_SCALE=full (make chaos) runs every scenario at the issue's scale (50 live chats);
the default is the fast subset that `make test` runs.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from scripts import stack, supervise
from scripts.stack import ROOT, RedisTarget, Service
from tests.conftest import Stack

FULL = os.environ.get("CHAOS_SCALE") == "full"
RESULTS = ROOT / "var" / "chaos" / "results.jsonl"


@dataclass
class RestartableRedis:
    """A Redis server with an append-only file (fsync every second, or `always`), which
    a test may restart gracefully, crash (SIGKILL) or empty, always on the same port."""

    port: int
    data: Path
    logs: Path
    fsync: str = "everysec"
    service: Service | None = None
    password: str = field(default_factory=lambda: secrets.token_hex(16))

    @property
    def target(self) -> RedisTarget:
        return RedisTarget("127.0.0.1", self.port, password=self.password)

    def start(self) -> None:
        argv = stack.redis_argv(self.port, self.data, password=self.password)
        argv[argv.index("--appendfsync") + 1] = self.fsync
        self.service = stack.spawn("redis", argv, self.logs, stack.base_env())
        stack.wait_until(lambda: stack.port_open(self.port), self.service, "redis", 15)

    def stop(self, kill: bool = False) -> None:
        """SIGTERM: Redis writes its AOF and exits cleanly; SIGKILL: a crash."""
        assert self.service is not None
        os.kill(self.service.proc.pid, signal.SIGKILL if kill else signal.SIGTERM)
        self.service.proc.wait(15)
        self.service.stop()  # closes its log

    def set_fsync(self, fsync: str) -> None:
        import redis as redis_lib
        self.fsync = fsync
        client = redis_lib.Redis(port=self.port, password=self.password)
        client.config_set("appendfsync", fsync)
        client.close()


@pytest.fixture(scope="session")
def restartable_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RestartableRedis]:
    base = tmp_path_factory.mktemp("chaos-redis")
    server = RestartableRedis(stack.free_port(), base / "data", base / "log")
    server.start()
    try:
        yield server
    finally:
        if server.service is not None:
            server.service.stop()


@pytest.fixture(scope="session")
def redis_server(restartable_redis: RestartableRedis) -> RedisTarget:
    """Every chaos test (and the Rasa stack) uses the restartable Redis."""
    return restartable_redis.target


@dataclass
class Gateways:
    urls: list[str]
    supervisor: supervise.Supervisor | None = None
    names: list[str] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)

    def pid(self, index: int) -> int:
        if self.supervisor is not None:
            return self.supervisor.pid(self.names[index])
        return self.services[index].proc.pid


def gateway_env(rasa_stack: Stack, **extra: str) -> dict[str, str]:
    """A gateway's environment against the test stack (`extra` overrides)."""
    return {**rasa_stack.redis.env(), "RASA_URL": f"http://127.0.0.1:{rasa_stack.rasa_port}",
            "ACTIONS_URL": f"http://127.0.0.1:{rasa_stack.actions_port}",
            "HELP_CENTER_SECRET": os.environ["HELP_CENTER_SECRET"],
            "HANDOFF_RATE_LIMIT": "1000", "HANDOFF_LIMIT_SCALE": "100",
            "HANDOFF_MAX_CONNECTIONS_PER_ADDRESS": "10000",
            "RASA_TIMEOUT_S": "5", **extra}


@pytest.fixture
def supervised_gateways(tmp_path: Path) -> Iterator[Callable[..., Gateways]]:
    """`supervised_gateways(env, count)`: gateways run by supervisord, as `make run` does
    (one metrics directory for all of them, as on one machine)."""
    started: list[supervise.Supervisor] = []

    def start(env: dict[str, str], count: int = 1) -> Gateways:
        ports = [stack.free_port() for _ in range(count)]
        names = [f"gateway{i}" for i in range(count)]
        metrics = tmp_path / "metrics"
        programs = [supervise.Program(name, stack.GATEWAY_ARGV,
                                      {**env, "HANDOFF_PORT": str(port),
                                       "HC_RESTARTS_FILE": str(tmp_path / "run" /
                                                               "restarts.json"),
                                       "PROMETHEUS_MULTIPROC_DIR": str(metrics)},
                                      startsecs=1)
                    for name, port in zip(names, ports, strict=True)]
        sup = supervise.Supervisor(supervise.write_config(tmp_path / "run", tmp_path / "log",
                                                          programs, metrics_dir=metrics))
        started.append(sup)
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        for url in urls:
            stack.wait_until(lambda url=url: stack.http_ok(f"{url}/healthz"), None,
                             f"gateway {url}", 60)
        return Gateways(urls, sup, names)

    yield start
    for sup in started:
        sup.stop()


@pytest.fixture
def plain_gateways(tmp_path: Path) -> Iterator[Callable[..., Gateways]]:
    """`plain_gateways(env, count)`: gateway processes nobody restarts (one metrics
    directory for all of them, as on one machine)."""
    services: list[Service] = []

    def start(env: dict[str, str], count: int = 2) -> Gateways:
        gateways = Gateways([])
        for i in range(count):
            port = stack.free_port()
            svc = stack.start_gateway(port, tmp_path / f"log{i}", {
                "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"), **env})
            services.append(svc)
            gateways.services.append(svc)
            gateways.urls.append(f"http://127.0.0.1:{port}")
        for url, svc in zip(gateways.urls, gateways.services, strict=True):
            stack.wait_until(lambda url=url: stack.http_ok(f"{url}/healthz"), svc,
                             f"gateway {url}", 60)
        return gateways

    yield start
    for svc in services:
        svc.stop()


def report(scenario: str, **figures: Any) -> None:
    """One scenario's figures, for docs/reliability.md (`make chaos` renders them)."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    line = {"scenario": scenario, "scale": "full" if FULL else "fast",
            "at": time.strftime("%Y-%m-%d %H:%M:%S"), **figures}
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(f"\n{scenario}: {figures}")
