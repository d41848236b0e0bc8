"""Agents' presence and load in Redis, shared by every gateway process: status (online,
away, offline), live console sockets with heartbeats, active chats, and what estimated
waits are made of. Assignment itself is a lifecycle use case (`handoff.lifecycle`)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from redis.asyncio import Redis

from bot import redis_keys
from handoff import vocabulary as v
from handoff.agents import Agent
from handoff.errors import BadRequest
from handoff.liveness import Liveness, refresh

DEFAULT_HANDLE_S = 300.0  # until real handle times exist


@dataclass(frozen=True)
class QueueOutlook:
    online: int  # agents online
    capacity: int  # chats per agent
    handle_s: float  # median of the last 50 handle times (300 s until there are some)

    def wait(self, position: int) -> float | None:
        """Median recent handle time x chats ahead / online agents' capacity; None with
        nobody online."""
        if self.online == 0:
            return None
        return self.handle_s * position / (self.online * self.capacity)


class Presence:
    def __init__(self, redis: Redis, capacity: int) -> None:
        self.redis = redis
        self.capacity = capacity

    def liveness(self, username: str) -> Liveness:
        return Liveness(self.redis, redis_keys.agent_conns(username),
                        redis_keys.agent(username), "gone_since")

    async def connected(self, agent: Agent, sid: str, now: float | None = None) -> None:
        now = now if now is not None else time.time()
        await self.redis.hset(redis_keys.agent(agent.username),
                              mapping={"name": agent.name, "last_seen": str(now)})
        await self.liveness(agent.username).joined(sid, now)

    async def disconnected(self, username: str, sid: str, now: float | None = None) -> int:
        """Forget one connection; returns how many the agent still has. The moment the
        last one goes is kept: the grace period runs from there."""
        return await self.liveness(username).left(sid, now if now is not None else time.time())

    async def heartbeat(self, sockets: dict[str, list[str]], now: float) -> None:
        """Refresh this process's live connections: {agent: its socket ids}."""
        await refresh(self.redis, {redis_keys.agent_conns(u): sids
                                   for u, sids in sockets.items()}, now)

    async def lost(self, username: str, grace_s: float, now: float) -> bool:
        """True if the agent has had no live connection for longer than the grace period.
        Connections not refreshed for `grace_s` (their process died) no longer count."""
        return await self.liveness(username).gone(grace_s, now)

    async def connections(self, username: str) -> int:
        return await self.liveness(username).sockets()

    async def set_status(self, username: str, status: str) -> None:
        if status not in v.PRESENCES:
            raise BadRequest(f"unknown presence {status!r}")
        await self.redis.hset(redis_keys.agent(username), "status", status)
        if status == v.ONLINE:
            active = await self.redis.scard(redis_keys.agent_chats(username))
            await self.redis.zadd(redis_keys.AGENTS_ONLINE, {username: active})
        else:
            await self.redis.zrem(redis_keys.AGENTS_ONLINE, username)

    async def status(self, username: str) -> str:
        return str(await self.redis.hget(redis_keys.agent(username), "status") or v.OFFLINE)

    async def statuses(self, usernames: list[str]) -> dict[str, tuple[str, int]]:
        """{agent: (status, active chats)} in one round trip."""
        async with self.redis.pipeline(transaction=False) as pipe:
            for name in usernames:
                pipe.hget(redis_keys.agent(name), "status")
                pipe.scard(redis_keys.agent_chats(name))
            replies = await pipe.execute()
        return {name: (str(replies[2 * i] or v.OFFLINE), int(replies[2 * i + 1]))
                for i, name in enumerate(usernames)}

    async def online(self) -> list[str]:
        """Online agents, fewest active chats first."""
        return [str(a) for a in await self.redis.zrange(redis_keys.AGENTS_ONLINE, 0, -1)]

    async def count_online(self) -> int:
        return int(await self.redis.zcard(redis_keys.AGENTS_ONLINE))

    async def name(self, username: str) -> str:
        return str(await self.redis.hget(redis_keys.agent(username), "name") or username)

    async def chats(self, username: str) -> set[str]:
        return {str(c) for c in await self.redis.smembers(redis_keys.agent_chats(username))}

    async def outlook(self) -> QueueOutlook:
        """What the estimated waits are made of, read once for any number of chats."""
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.lrange(redis_keys.HANDLE_TIMES, 0, 49)
            pipe.zcard(redis_keys.AGENTS_ONLINE)
            recent_raw, online = await pipe.execute()
        recent = sorted(float(x) for x in recent_raw)
        return QueueOutlook(online=int(online), capacity=self.capacity,
                            handle_s=recent[len(recent) // 2] if recent else DEFAULT_HANDLE_S)
