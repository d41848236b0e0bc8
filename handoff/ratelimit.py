"""Rate limits: per connection (in memory), and per chat, user and address (in Redis,
shared by every gateway process)."""

from __future__ import annotations

import time
from array import array
from dataclasses import dataclass

from redis.asyncio import Redis

from bot import redis_keys
from handoff.errors import RateLimited


class RateLimiter:
    """Sliding window per connection: at most `limit` events per `window` seconds. The
    times are kept in a compact array (72 bytes for a connection that sent one event; a
    deque costs 760 before its first item): thousands of idle connections each keep one."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self.events: dict[str, array[float]] = {}

    def check(self, sid: str, now: float | None = None) -> None:
        now = now if now is not None else time.monotonic()
        seen = self.events.get(sid)
        if seen is None:
            seen = self.events[sid] = array("d")
        cutoff = now - self.window
        if seen and seen[0] <= cutoff:
            del seen[:next((i for i, t in enumerate(seen) if t > cutoff), len(seen))]
        if len(seen) >= self.limit:
            raise RateLimited(f"too many events: at most {self.limit} per "
                              f"{self.window:.0f} s; wait a moment and retry")
        seen.append(now)

    def prune(self, now: float | None = None) -> None:
        """Forget connections without an event in the window: an idle one keeps
        nothing (run by the sweep)."""
        cutoff = (now if now is not None else time.monotonic()) - self.window
        for sid in [sid for sid, seen in self.events.items() if not seen or seen[-1] <= cutoff]:
            del self.events[sid]

    def forget(self, sid: str) -> None:
        self.events.pop(sid, None)


def client_address(remote: str | None, forwarded_for: str | None,
                   trusted_proxies: tuple[str, ...]) -> str:
    """Who is connecting: the peer's address, or, when the peer is one of our trusted
    proxies (nginx in front), the last address it put in X-Forwarded-For."""
    address = remote or "unknown"
    if forwarded_for and address in trusted_proxies:
        last = forwarded_for.split(",")[-1].strip()
        if last:
            return last[:64]
    return address[:64]


@dataclass(frozen=True)
class Limit:
    count: int
    window_s: int
    what: str  # for the message: "new chats from your address"


# Limits shared by every gateway process (Redis counters); HANDOFF_LIMIT_SCALE multiplies
# the counts (a load test raises them).
NEW_CHATS_PER_ADDRESS = Limit(30, 600, "new conversations from your network")
NEW_CHATS_PER_USER = Limit(30, 600, "new conversations for your account")
MESSAGES_PER_CHAT = Limit(30, 10, "messages in this conversation")
MESSAGES_PER_ADDRESS = Limit(120, 10, "messages from your network")
HANDOFFS_PER_USER = Limit(5, 3600, "requests for a person for your account")
TRANSCRIPTS_PER_CHAT = Limit(10, 600, "copies of this conversation")


class SharedLimits:
    """Fixed-window counters in Redis: opening more sockets, or reaching another gateway
    process, does not buy more."""

    def __init__(self, redis: Redis, scale: float = 1.0) -> None:
        self.redis = redis
        self.scale = scale

    async def hit(self, limit: Limit, who: str, *more: tuple[Limit, str]) -> None:
        """Count one against each (limit, who) given, in one round trip; raises
        RateLimited past any of them (nothing else is done)."""
        hits = [(limit, who), *more]
        async with self.redis.pipeline(transaction=True) as pipe:
            for each, whom in hits:
                key = redis_keys.rate_window(each.what.replace(" ", "_"), whom[:64])
                pipe.set(key, 0, ex=each.window_s, nx=True)
                pipe.incr(key)
                pipe.ttl(key)
            replies = await pipe.execute()
        for i, (each, _) in enumerate(hits):
            count, ttl = replies[3 * i + 1], replies[3 * i + 2]
            if int(count) > max(1, int(each.count * self.scale)):
                raise RateLimited(f"too many {each.what}; try again in {max(1, int(ttl))} s")
