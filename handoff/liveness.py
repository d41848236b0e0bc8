"""Is somebody still there? The sockets of one party (an agent, or a chat's user) with a
heartbeat each, shared by every gateway process.

Each process refreshes the heartbeats of its own sockets; a socket not refreshed for the
grace period (its process died) no longer counts. When the last socket goes, the moment
is kept, and the party is *gone* once it has had no socket for longer than the grace
period: back within it, nothing changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from redis.asyncio import Redis


async def refresh(redis: Redis, sockets: Mapping[str, Sequence[str]], now: float) -> None:
    """One process's heartbeat: {conns key: its live socket ids}, in one round trip."""
    async with redis.pipeline(transaction=False) as pipe:
        for conns, sids in sockets.items():
            if sids:
                pipe.zadd(conns, dict.fromkeys(sids, now))
        await pipe.execute()


class Liveness:
    def __init__(self, redis: Redis, conns_key: str, hash_key: str, gone_field: str,
                 ttl_s: int | None = None) -> None:
        self.redis = redis
        self.conns = conns_key  # ZSET socket id -> last heartbeat (epoch s)
        self.hash_key, self.gone_field = hash_key, gone_field  # when the last socket went
        self.ttl_s = ttl_s

    async def joined(self, sid: str, now: float) -> None:
        await self.redis.zadd(self.conns, {sid: now})
        if self.ttl_s:
            await self.redis.expire(self.conns, self.ttl_s)
        await self.redis.hdel(self.hash_key, self.gone_field)

    async def left(self, sid: str, now: float) -> int:
        """Forget one socket; returns how many are left (0: the grace period starts)."""
        await self.redis.zrem(self.conns, sid)
        left = int(await self.redis.zcard(self.conns))
        if left == 0:
            await self.redis.hset(self.hash_key, self.gone_field, str(now))
        return left

    async def sockets(self, since: float | None = None) -> int:
        """Sockets counted now, or only those refreshed at `since` or later."""
        if since is None:
            return int(await self.redis.zcard(self.conns))
        return int(await self.redis.zcount(self.conns, since, "+inf"))

    async def gone(self, grace_s: float, now: float) -> bool:
        """True once there has been no live socket for longer than the grace period."""
        return (await gone_many(self.redis, [self], grace_s, now))[0]


async def gone_many(redis: Redis, parties: Sequence[Liveness], grace_s: float, now: float
                    ) -> list[bool]:
    """`Liveness.gone` for many parties (the queue's users at each sweep) in two round
    trips instead of three or four each."""
    if not parties:
        return []
    async with redis.pipeline(transaction=False) as pipe:
        for party in parties:
            pipe.zremrangebyscore(party.conns, "-inf", now - grace_s)
            pipe.zcard(party.conns)
            pipe.hget(party.hash_key, party.gone_field)
        replies = await pipe.execute()
    gone, unclocked = [], []
    for i, party in enumerate(parties):
        count, since = replies[3 * i + 1], replies[3 * i + 2]
        if count:
            gone.append(False)
        elif since is None:  # its process died without saying so: start the clock now
            unclocked.append(party)
            gone.append(False)
        else:
            gone.append(now - float(since) > grace_s)
    if unclocked:
        async with redis.pipeline(transaction=False) as pipe:
            for party in unclocked:
                pipe.hset(party.hash_key, party.gone_field, str(now))
            await pipe.execute()
    return gone
