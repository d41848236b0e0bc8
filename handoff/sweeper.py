"""The gateway's background loops. Whatever one process was doing when it died is picked
up by another (or by itself after a restart) from Redis alone:

- every second: this process's heartbeat, and the bot turns of dead processes taken over;
- every grace/3 seconds (at most 5): heartbeats of this process's sockets, agents gone
  past the grace period (their chats requeued), queued users gone past it (out of the
  queue), and auto-assignment (in case the process that queued a chat died before
  assigning it);
- every second: the Socket.IO listener's watchdog (`handoff.sio_manager`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)
Step = Callable[[], Awaitable[object]]


async def every(interval: float, steps: list[tuple[str, Step]]) -> None:
    """Run `steps` every `interval` seconds forever; one failing step never stops the
    others or the loop (a Redis outage is logged once per loop, not once per step)."""
    while True:
        await asyncio.sleep(interval)
        for name, step in steps:
            try:
                await step()
            except asyncio.CancelledError:
                raise
            except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
                log.warning("%s skipped: Redis unavailable (%s)", name, exc)
                break
            except Exception:
                log.exception("%s failed", name)


def sweep_interval(grace_s: float) -> float:
    return max(0.2, min(5.0, grace_s / 3))


async def cancel(task: object) -> None:
    """Cancel a task and wait until it has ended, without swallowing a cancellation of
    the caller (awaiting the cancelled task under `suppress(CancelledError)` would: a
    loop cancelled while it waits here would then run on forever)."""
    if isinstance(task, asyncio.Future) and not task.done():
        task.cancel()
        await asyncio.wait([task])


class InFlight:
    """Handlers still running (events, disconnects, their follow-ups): at shutdown the
    gateway waits for them before it closes its Redis clients, so that none of them opens
    a new connection on a closed pool (or loses a write half-way)."""

    def __init__(self) -> None:
        self.count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def __enter__(self) -> InFlight:
        self.count += 1
        self._idle.clear()
        return self

    def __exit__(self, *_: object) -> None:
        self.count -= 1
        if not self.count:
            self._idle.set()

    async def drained(self, timeout_s: float) -> bool:
        """True when nothing is running any more (waits at most `timeout_s`)."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout_s)
            return True
        except TimeoutError:
            log.warning("%d handlers still running at shutdown", self.count)
            return False
