"""Per-connection rate limits for both namespaces."""

from __future__ import annotations

import time
from collections import deque

from handoff.errors import RateLimited


class RateLimiter:
    """Sliding window per connection: at most `limit` events per `window` seconds."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self.events: dict[str, deque[float]] = {}

    def check(self, sid: str, now: float | None = None) -> None:
        now = now if now is not None else time.monotonic()
        seen = self.events.setdefault(sid, deque())
        while seen and seen[0] <= now - self.window:
            seen.popleft()
        if len(seen) >= self.limit:
            raise RateLimited(f"too many events: at most {self.limit} per "
                              f"{self.window:.0f} s; wait a moment and retry")
        seen.append(now)

    def forget(self, sid: str) -> None:
        self.events.pop(sid, None)
