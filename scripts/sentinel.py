"""A Redis primary, a replica and three sentinels on loopback, from the same Debian
redis-server binary: the replicated Redis of the reference deployment (docs/deploy.md),
small enough for a test, run from the reference files deploy/redis/redis.conf and
deploy/redis/sentinel.conf. Everything has one password (data servers and sentinels),
the primary and the replica keep an append-only file, and the sentinels fail over after
the primary has not answered for `down_after_ms`.

REDIS_URL for it: `SentinelGroup.url` (redis+sentinel://, see bot/redis_url.py).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import string
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scripts import stack
from scripts.stack import ROOT, Service

SERVICE = "help-center"  # the name deploy/redis/sentinel.conf monitors
REDIS_CONF = ROOT / "deploy" / "redis" / "redis.conf"
SENTINEL_CONF = ROOT / "deploy" / "redis" / "sentinel.conf"


@dataclass
class SentinelGroup:
    root: Path
    password: str
    data_ports: list[int]  # [first primary, first replica]
    sentinel_ports: list[int]
    down_after_ms: int = 1000
    servers: dict[int, Service] = field(default_factory=dict)  # port -> process
    sentinels: list[Service] = field(default_factory=list)

    @property
    def url(self) -> str:
        hosts = ",".join(f"127.0.0.1:{port}" for port in self.sentinel_ports)
        return f"redis+sentinel://:{self.password}@{hosts}/0/{SERVICE}"

    def start_server(self, port: int, replica_of: int | None) -> None:
        data = self.root / f"data-{port}"
        data.mkdir(parents=True, exist_ok=True)
        conf = self.root / f"redis-{port}.conf"  # Sentinel has servers rewrite their file
        if not conf.exists():
            conf.write_text(REDIS_CONF.read_text())
        argv = [stack.redis_binary(), str(conf), "--port", str(port), "--dir", str(data),
                "--requirepass", self.password, "--masterauth", self.password]
        if replica_of is not None:
            argv += ["--replicaof", "127.0.0.1", str(replica_of)]
        service = stack.spawn(f"redis-{port}", argv, self.root / "logs", stack.base_env())
        stack.wait_until(lambda: stack.port_open(port), service, f"redis {port}", 15)
        self.servers[port] = service

    def start_sentinel(self, port: int) -> None:
        conf = self.root / f"sentinel-{port}.conf"  # sentinels rewrite their own file
        conf.write_text(string.Template(SENTINEL_CONF.read_text()).substitute(
            port=port, bind="127.0.0.1", dir=self.root, password=self.password,
            primary_host="127.0.0.1", primary_port=self.data_ports[0],
            down_after_ms=self.down_after_ms))
        service = stack.spawn(f"sentinel-{port}", [stack.redis_binary(), str(conf),
                                                   "--sentinel"], self.root / "logs",
                              stack.base_env())
        stack.wait_until(lambda: stack.port_open(port), service, f"sentinel {port}", 15)
        self.sentinels.append(service)

    def _ask(self, port: int) -> Any:
        import redis

        return redis.Redis(port=port, password=self.password, socket_timeout=1)

    def primary(self) -> int:
        """The port the sentinels name as the primary now."""
        import redis

        for port in self.sentinel_ports:
            with contextlib.closing(self._ask(port)) as client:
                try:
                    _, primary = client.sentinel_get_master_addr_by_name(SERVICE)
                    return int(primary)
                except (redis.RedisError, TypeError):
                    continue
        raise RuntimeError("no sentinel names a primary")

    def wait_replicated(self, timeout: float = 20) -> None:
        """Until the replica is in sync and every sentinel knows it."""
        import redis

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with contextlib.closing(self._ask(self.primary())) as primary:
                    info = primary.info("replication")
                known = True
                for port in self.sentinel_ports:
                    with contextlib.closing(self._ask(port)) as asked:
                        known = known and bool(asked.sentinel_slaves(SERVICE))
                if info.get("connected_slaves", 0) >= 1 and \
                        info.get("slave0", {}).get("state") == "online" and known:
                    return
            except (redis.RedisError, RuntimeError):
                pass
            time.sleep(0.2)
        raise TimeoutError("the replica did not catch up")

    def kill(self, port: int) -> None:
        """SIGKILL the data server on `port` (ours, by pid), as a crash would."""
        service = self.servers.pop(port)
        os.kill(service.proc.pid, signal.SIGKILL)
        service.stop()  # reaps it, closes its log

    def stop(self) -> None:
        for service in [*self.sentinels, *self.servers.values()]:
            service.stop()


def start(root: Path, down_after_ms: int = 1000) -> SentinelGroup:
    root.mkdir(parents=True, exist_ok=True)
    group = SentinelGroup(root, secrets.token_hex(16),
                          [stack.free_port(), stack.free_port()],
                          [stack.free_port() for _ in range(3)], down_after_ms)
    try:
        group.start_server(group.data_ports[0], None)
        group.start_server(group.data_ports[1], group.data_ports[0])
        for port in group.sentinel_ports:
            group.start_sentinel(port)
        group.wait_replicated()
    except Exception:
        group.stop()
        raise
    return group
