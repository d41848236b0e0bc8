"""The 24/7 queue: one sorted set ordered by priority, then by time queued."""

from __future__ import annotations

import time
from typing import cast

from redis.asyncio import Redis

from bot import redis_keys
from bot.policy import PRIORITIES

PRIORITY_WEIGHT = 10**13  # above any epoch-milliseconds value for centuries


def score(priority: str, queued_at: float) -> float:
    return PRIORITIES.index(priority) * PRIORITY_WEIGHT + int(queued_at * 1000)


class Queue:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def add(self, chat_id: str, priority: str, now: float | None = None,
                  front: bool = False) -> None:
        """Queue a chat; `front` puts it before every chat of its priority (requeue)."""
        queued_at = 0.0 if front else (now if now is not None else time.time())
        await self.redis.zadd(redis_keys.QUEUE, {chat_id: score(priority, queued_at)})

    async def remove(self, chat_id: str) -> bool:
        return bool(await self.redis.zrem(redis_keys.QUEUE, chat_id))

    async def position(self, chat_id: str) -> int | None:
        """1 for the next chat to be taken; None if not queued."""
        rank = await self.redis.zrank(redis_keys.QUEUE, chat_id)
        return None if rank is None else int(cast(int, rank)) + 1

    async def length(self) -> int:
        return int(await self.redis.zcard(redis_keys.QUEUE))

    async def by_priority(self) -> dict[str, int]:
        counts = {}
        for i, priority in enumerate(PRIORITIES):
            counts[priority] = int(await self.redis.zcount(
                redis_keys.QUEUE, i * PRIORITY_WEIGHT, (i + 1) * PRIORITY_WEIGHT - 1))
        return counts
