"""python-socketio's Redis manager, made to close what it opens and to notice when it
has gone deaf.

Three things the stock `AsyncRedisManager` does not do:
- Its publisher and its listener share one client: when a publish fails (Redis
  restarted), the publisher reconnects and replaces the pub/sub object the listener is
  reading from, which then fails and backs off for up to a minute. Here the publisher
  has a client of its own.
- It builds a new Redis client each time the publisher or the listener (re)connects and
  drops the old one with its pool still open; this subclass remembers every client it
  made and `aclose()` closes them all.
- Its listener can stop hearing without anyone noticing: the listening task ends when
  the pub/sub stream ends ("pubsub listen() exited unexpectedly"), or sleeps up to 60 s
  between reconnection attempts after Redis restarts. Meanwhile this process delivers
  nothing that other processes emit to its sockets. Here the process publishes a ping to
  itself every second (`watch`); a listener that has heard nothing for `DEAF_AFTER_S`
  is restarted, and `hearing` is False until it hears again (the gateway's /readyz
  reports it), so a deaf process is restored or marked not ready within seconds.
- Whatever was published while the listener was not subscribed (restarted here, or
  reconnected by itself after Redis restarted or failed over to a replica) never
  reaches this process. After every new subscription, once the listener has heard
  this process's own ping (so it is subscribed again), `on_restored` callbacks make
  this process's clients catch up on what they missed (the gateway disconnects them;
  they reconnect and resume).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import socketio
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff

from bot.redis_url import async_client
from handoff.sweeper import cancel

log = logging.getLogger(__name__)
PING_EVERY_S = 1.0
DEAF_AFTER_S = 3.0
BATCH_EVENT = "hc:batch"  # an emit message carrying several emits (`emit_many`)


class WatchedRedisManager(socketio.AsyncRedisManager):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.opened: list[tuple[Any, Any]] = []  # every listener (client, pubsub) made
        self.publisher: Any = None  # the publisher's own client
        self.heard_at = time.monotonic()
        self.hearing = True
        self.restarts = 0
        self.closing = False
        self.connects = 0  # subscriptions made by the listener
        self.catch_up_after: float | None = None  # resubscribed then; clients to catch up
        # called after the listener was restarted: whatever was emitted to this process's
        # sockets while it was deaf never reached them, so they must catch up
        self.on_restored: list[Callable[[], Awaitable[None]]] = []
        self.on_restart: list[Callable[[], None]] = []  # told of each restart (metrics)

    def _redis_connect(self) -> None:
        """(The listener's connection only: the publisher has its own.) Made by
        `bot.redis_url`, so a Sentinel URL works as everywhere else."""
        self.redis = async_client(self.redis_url, **self.redis_options)
        self.pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        self.connected = True
        self.opened.append((self.redis, self.pubsub))
        self.connects += 1
        if self.connects > 1:  # a gap in what this process heard: its clients catch up
            self.catch_up_after = time.monotonic()

    async def _publish(self, data: Any) -> Any:
        for attempt in range(2):
            if self.closing:  # a straggling emit at shutdown opens nothing new
                return None
            try:
                if self.publisher is None:  # fails fast: an emit must not hang on Redis
                    self.publisher = async_client(
                        self.redis_url, socket_connect_timeout=2, socket_timeout=2,
                        retry=Retry(ExponentialBackoff(cap=0.2, base=0.05), 1))
                return await self.publisher.publish(self.channel, self.json.dumps(data))
            except Exception as exc:
                log.warning("cannot publish to Redis (%s)%s", exc,
                            "; retrying" if attempt == 0 else "; giving up")
                await self._close_publisher()
        return None

    async def emit_many(self, items: list[tuple[str, Any, str, str, str | None]]) -> None:
        """Several emits, each (event, data, room, namespace, skip_sid), in one Redis message:
        delivered here at once, and by every other process when it hears it."""
        if not items:
            return
        message = {"method": "emit", "event": BATCH_EVENT, "data": [list(items)],
                   "binary": False, "namespace": "/", "room": None, "skip_sid": None,
                   "callback": None, "host_id": self.host_id}
        await self._handle_emit(message)
        await self._publish(message)

    async def _handle_emit(self, message: dict[str, Any]) -> None:
        if message.get("event") != BATCH_EVENT:
            await super()._handle_emit(message)
            return
        for event, data, room, namespace, skip_sid in message["data"][0]:
            await socketio.AsyncManager.emit(self, event, data, namespace=namespace,
                                             room=room, skip_sid=skip_sid)

    async def _close_publisher(self) -> None:
        publisher, self.publisher = self.publisher, None
        if publisher is not None:
            with contextlib.suppress(Exception):
                await publisher.aclose()

    async def _listen(self) -> Any:
        async for message in super()._listen():
            self.heard_at = time.monotonic()
            self.hearing = True
            yield message

    async def ping(self) -> None:
        """A message only this process's own listener looks at (other processes ignore
        the unknown method; ours ignores its own host id after noting it heard it)."""
        await self._publish({"method": "hc_ping", "host_id": self.host_id,
                             "ts": time.time()})

    async def restart_listener(self) -> None:
        await cancel(getattr(self, "thread", None))
        await self._close_clients()
        self.thread = self.server.start_background_task(self._thread)
        self.heard_at = time.monotonic()
        self.restarts += 1
        for callback in self.on_restart:
            callback()

    async def watch(self) -> None:
        """Forever: ping ourselves; restart the listener when it stopped hearing."""
        while True:
            await asyncio.sleep(PING_EVERY_S)
            try:
                await self.ping()
                deaf_for = time.monotonic() - self.heard_at
                if deaf_for > DEAF_AFTER_S:
                    if self.hearing:
                        log.error("Socket.IO Redis listener heard nothing for %.1f s; "
                                  "restarting it", deaf_for)
                    self.hearing = False
                    await self.restart_listener()
                elif self.catch_up_after is not None and self.heard_at > self.catch_up_after:
                    self.catch_up_after = None
                    log.warning("Socket.IO Redis listener subscribed again; making this "
                                "process's clients catch up")
                    for callback in self.on_restored:
                        await callback()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("Socket.IO listener watchdog failed")

    async def _close_clients(self) -> None:
        for client, pubsub in self.opened:
            with contextlib.suppress(Exception):
                await pubsub.aclose()
            with contextlib.suppress(Exception):
                await client.aclose()
        self.opened.clear()

    async def aclose(self) -> None:
        self.closing = True
        await cancel(getattr(self, "thread", None))
        await self._close_clients()
        await self._close_publisher()
