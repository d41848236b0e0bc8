"""Web tickets in Redis: created by the bot's ticket form, readable only by their owner."""

from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass
from typing import Any

from redis.asyncio import Redis

from bot import redis_keys

TICKET_ID = re.compile(r"\bT-?(\d{1,8})\b|\b(\d{4,8})\b", re.I)
MAX_SUBJECT = 200
MAX_DESCRIPTION = 4000


class TicketNotFound(LookupError):
    """No such ticket for this user (also for someone else's ticket: never reveal it)."""


@dataclass(frozen=True)
class Ticket:
    id: str
    user_id: str
    account_id: str
    plan: str
    role: str
    subject: str
    description: str
    priority: str
    status: str
    created_at: float
    due_at: float  # target response time: when the user is to be told it is registered
    meeting_id: str = ""


def parse_ticket_id(text: str) -> str | None:
    match = TICKET_ID.search(text)
    if not match:
        return None
    return f"T-{int(match.group(1) or match.group(2)):06d}"


TICKET_TTL_S = 365 * 24 * 3600  # retention of a ticket (docs/privacy.md)


class TicketStore:
    """Tickets in Redis, each kept for a year after it was opened (`ttl_s`); the user's
    list of tickets forgets the expired ones as it is read."""

    def __init__(self, redis: Redis, ttl_s: int = TICKET_TTL_S) -> None:
        self.redis = redis
        self.ttl_s = ttl_s

    async def create(self, *, user_id: str, account_id: str, plan: str, role: str,
                     subject: str, description: str, priority: str, target_hours: int,
                     meeting_id: str | None = None, now: float | None = None) -> Ticket:
        created = now if now is not None else time.time()
        number = await self.redis.incr(redis_keys.TICKET_SEQ)
        ticket = Ticket(
            id=f"T-{number:06d}", user_id=user_id, account_id=account_id, plan=plan,
            role=role, subject=subject[:MAX_SUBJECT], description=description[:MAX_DESCRIPTION],
            priority=priority, status="open", created_at=created,
            due_at=created + target_hours * 3600, meeting_id=meeting_id or "",
        )
        fields: dict[Any, Any] = {k: str(v) for k, v in asdict(ticket).items()}
        pipe = self.redis.pipeline()
        pipe.hset(redis_keys.ticket(ticket.id), mapping=fields)
        pipe.expire(redis_keys.ticket(ticket.id), self.ttl_s)
        pipe.zadd(redis_keys.user_tickets(user_id), {ticket.id: created})
        pipe.zremrangebyscore(redis_keys.user_tickets(user_id), "-inf", created - self.ttl_s)
        pipe.expire(redis_keys.user_tickets(user_id), self.ttl_s)
        await pipe.execute()
        return ticket

    async def get(self, ticket_id: str, user_id: str) -> Ticket:
        """The ticket if it exists and belongs to `user_id`; else TicketNotFound."""
        raw = await self.redis.hgetall(redis_keys.ticket(ticket_id))
        data = redis_keys.text_hash(raw)
        if not data or data.get("user_id") != user_id:
            raise TicketNotFound(ticket_id)
        return Ticket(
            id=data["id"], user_id=data["user_id"], account_id=data["account_id"],
            plan=data["plan"], role=data["role"], subject=data["subject"],
            description=data["description"], priority=data["priority"],
            status=data["status"], created_at=float(data["created_at"]),
            due_at=float(data["due_at"]), meeting_id=data.get("meeting_id", ""),
        )

    async def list_for(self, user_id: str, limit: int = 5) -> list[str]:
        ids = await self.redis.zrevrange(redis_keys.user_tickets(user_id), 0, limit - 1)
        return [redis_keys.text(i) for i in ids]
