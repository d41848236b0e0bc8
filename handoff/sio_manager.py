"""python-socketio's Redis manager, made to close what it opens.

`AsyncRedisManager._redis_connect` builds a new Redis client each time the publisher or
the listener (re)connects, and both do so on their own: the first publish before the
listener has started makes one client, the listener another, and the first is dropped
with its connection pool still open (the "unclosed connection" ResourceWarnings that
surfaced at random points of the test suite). This subclass remembers every client it
made, and `aclose()` stops the listener and closes them all.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import socketio


class ClosingRedisManager(socketio.AsyncRedisManager):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.opened: list[tuple[Any, Any]] = []  # every (client, pubsub) ever made

    def _redis_connect(self) -> None:
        super()._redis_connect()
        self.opened.append((self.redis, self.pubsub))

    async def aclose(self) -> None:
        task = getattr(self, "thread", None)
        if isinstance(task, asyncio.Future):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for client, pubsub in self.opened:
            with contextlib.suppress(Exception):
                await pubsub.aclose()
            with contextlib.suppress(Exception):
                await client.aclose()
        self.opened.clear()
