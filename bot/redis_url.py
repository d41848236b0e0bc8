"""Where Redis is, as one URL every process understands (REDIS_URL):

    redis://[:password@]host:port/db          one server
    redis+sentinel://[:password@]h1:p1,h2:p2,h3:p3/db/service
                                              a primary with replicas, watched by Sentinel

With Sentinel, clients ask the sentinels which server is the primary of `service` when
they connect, and again whenever a connection fails or the server they reach turns out
to be a replica (after a failover), so a promoted replica takes over without anyone
changing a setting. The password is the data servers' and the sentinels' (give the
sentinels the same `requirepass`).

Used by the gateway (redis-py 8, asyncio), the action server and Rasa's stores
(redis-py 4.6, the version Rasa pins): only API both have.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Any

SENTINEL_SCHEME = "redis+sentinel"


@dataclass(frozen=True)
class SentinelURL:
    sentinels: list[tuple[str, int]]
    service: str
    db: int
    password: str | None
    username: str | None


def parse_sentinel(url: str) -> SentinelURL | None:
    """The parts of a `redis+sentinel://` URL; None for any other scheme."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != SENTINEL_SCHEME:
        return None
    hosts = parts.netloc.rsplit("@", 1)[-1]
    sentinels = []
    for host_port in hosts.split(","):
        host, _, port = host_port.strip().rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"expected host:port for each sentinel, got {host_port!r}")
        sentinels.append((host.strip("[]"), int(port)))
    path = [p for p in parts.path.split("/") if p]
    if len(path) != 2 or not path[0].isdigit():
        raise ValueError("a Sentinel URL ends in /<db>/<service>, e.g. /0/help-center")
    password = urllib.parse.unquote(parts.password) if parts.password else None
    username = urllib.parse.unquote(parts.username) if parts.username else None
    return SentinelURL(sentinels, path[1], int(path[0]), password, username)


def _sentinel_options(target: SentinelURL, options: dict[str, Any]
                      ) -> tuple[dict[str, Any], dict[str, Any]]:
    """(options of the data connections, options of the sentinel connections)."""
    data = {**options, "db": target.db, "password": target.password,
            "username": target.username}
    ask = {k: v for k, v in options.items() if k.startswith("socket_")}
    if target.password:
        ask["password"] = target.password
    return data, ask


def client(url: str, **options: Any) -> Any:
    """A synchronous redis-py client for `url` (either form)."""
    import redis

    target = parse_sentinel(url)
    if target is None:
        return redis.Redis.from_url(url, **options)
    from redis import sentinel as module

    data, ask = _sentinel_options(target, options)
    make: Any = module.Sentinel  # (typed differently by the two redis-py versions)
    sentinel = make(target.sentinels, sentinel_kwargs=ask, **data)
    return sentinel.master_for(target.service, redis_class=_closing(redis.Redis, "close"))


def async_client(url: str, max_connections: int | None = None,
                 pool_timeout: float | None = None, **options: Any) -> Any:
    """An asyncio redis-py client for `url` (either form). With `max_connections`, a
    command waits up to `pool_timeout` for a free connection instead of failing."""
    from redis import asyncio as aioredis

    target = parse_sentinel(url)
    if target is None:
        if max_connections is None:
            return aioredis.Redis.from_url(url, **options)
        return aioredis.Redis.from_pool(aioredis.BlockingConnectionPool.from_url(  # owns it
            url, max_connections=max_connections, timeout=pool_timeout, **options))
    from redis.asyncio import sentinel as module

    data, ask = _sentinel_options(target, options)
    make: Any = module.Sentinel  # (typed differently by the two redis-py versions)
    sentinel = make(target.sentinels, sentinel_kwargs=ask, **data)
    primary = _closing(aioredis.Redis, "aclose" if hasattr(aioredis.Redis, "aclose")
                       else "close")
    if max_connections is None:
        return sentinel.master_for(target.service, redis_class=primary)
    # the primary's connections, at most `max_connections`, a command waiting for one
    blocking = type("BlockingSentinelPool", (module.SentinelConnectionPool,
                                             aioredis.BlockingConnectionPool), {})
    return sentinel.master_for(target.service, redis_class=primary,
                               connection_pool_class=blocking,
                               max_connections=max_connections, timeout=pool_timeout)


def _closing(base: Any, close: str) -> Any:
    """`base` (a Redis client class) whose `close` also closes its pool (older redis-py
    leaves a pool it was given open) and the connections to the sentinels it asked."""

    def closer(self: Any, *args: Any, **kwargs: Any) -> Any:
        done = getattr(base, close)(self, *args, **kwargs)
        sentinels = self.connection_pool.sentinel_manager.sentinels
        if not hasattr(done, "__await__"):
            self.connection_pool.disconnect()
            for each in sentinels:
                each.close()
                each.connection_pool.disconnect()
            return done

        async def also() -> Any:
            result = await done
            await self.connection_pool.disconnect()
            for each in sentinels:
                await getattr(each, close)()
                await each.connection_pool.disconnect()
            return result

        return also()

    return type("SentinelPrimary", (base,), {close: closer})
