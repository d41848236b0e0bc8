"""Who owns each chat: bot -> queued -> agent -> bot. Every transition is in TRANSITIONS
and applied atomically (Lua compare-and-set), so two gateway processes cannot both move
the same chat; an illegal move raises IllegalTransition and changes nothing."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from bot import redis_keys
from handoff.errors import ChatNotFound, IllegalTransition
from handoff.scripts import Scripts

STATES = ("bot", "queued", "agent")

# (from state, event) -> to state. Nothing else is allowed.
TRANSITIONS: dict[tuple[str, str], str] = {
    ("bot", "handoff"): "queued",  # the bot's reply carried an accepted handoff payload
    ("queued", "assign"): "agent",  # an agent accepted, took next, or was auto-assigned
    ("queued", "cancel"): "bot",  # the user cancelled
    ("queued", "abandon"): "bot",  # the user was gone past the grace period
    ("agent", "close"): "bot",  # the agent closed: back to the bot (CSAT)
    ("agent", "agent_lost"): "queued",  # agent gone past the grace period: front of queue
    ("agent", "transfer"): "agent",  # to another agent
}


@dataclass(frozen=True)
class Chat:
    chat_id: str
    state: str
    user_id: str
    plan: str
    role: str
    priority: str
    assignee: str
    waiting_since: float
    summary: str
    triage: dict[str, Any]
    created_at: float
    csat_pending: bool = False  # the agent closed; the user's rating is asked for

    @classmethod
    def from_hash(cls, chat_id: str, data: dict[str, str]) -> Chat:
        return cls(
            chat_id=chat_id, state=data.get("state", "bot"), user_id=data.get("user_id", ""),
            plan=data.get("plan", ""), role=data.get("role", ""),
            priority=data.get("priority", ""), assignee=data.get("assignee", ""),
            waiting_since=float(data.get("waiting_since") or 0),
            summary=data.get("summary", ""), triage=json.loads(data.get("triage") or "{}"),
            created_at=float(data.get("created_at") or 0),
            csat_pending=bool(data.get("csat_pending")),
        )


def next_state(state: str, event: str) -> str:
    try:
        return TRANSITIONS[(state, event)]
    except KeyError:
        raise IllegalTransition(f"cannot {event} a chat in state {state}") from None


class Switchboard:
    def __init__(self, redis: Redis, scripts: Scripts) -> None:
        self.redis = redis
        self.scripts = scripts

    async def open(self, chat_id: str, user_id: str = "", plan: str = "", role: str = "",
                   now: float | None = None) -> Chat:
        """Create the chat in state `bot` if new; update who it belongs to."""
        key = redis_keys.chat(chat_id)
        created = await self.redis.hsetnx(key, "state", "bot")
        fields: dict[Any, Any] = {"user_id": user_id, "plan": plan, "role": role}
        if created:
            fields["created_at"] = str(now if now is not None else time.time())
        await self.redis.hset(key, mapping=fields)
        return await self.get(chat_id)

    async def exists(self, chat_id: str) -> bool:
        return bool(await self.redis.exists(redis_keys.chat(chat_id)))

    async def get(self, chat_id: str) -> Chat:
        raw = await self.redis.hgetall(redis_keys.chat(chat_id))
        if not raw:
            raise ChatNotFound(f"no chat {chat_id}")
        return Chat.from_hash(chat_id, redis_keys.text_hash(raw))

    async def get_many(self, chat_ids: list[str]) -> list[Chat]:
        """The chats that exist among `chat_ids`, in order, in one round trip."""
        async with self.redis.pipeline(transaction=False) as pipe:
            for chat_id in chat_ids:
                pipe.hgetall(redis_keys.chat(chat_id))
            replies = await pipe.execute()
        return [Chat.from_hash(chat_id, redis_keys.text_hash(raw))
                for chat_id, raw in zip(chat_ids, replies, strict=True) if raw]

    async def apply(self, chat_id: str, event: str, **fields: str) -> Chat:
        """Apply `event` to the chat; raises IllegalTransition (nothing changed) if it
        does not apply to the chat's current state, including when another process moved
        the chat first."""
        chat = await self.get(chat_id)
        target = next_state(chat.state, event)
        args: list[str] = [chat.state, target]
        for name, value in fields.items():
            args += [name, value]
        done = await self.scripts.transition(keys=[redis_keys.chat(chat_id)], args=args)
        if done == -1:
            raise ChatNotFound(f"no chat {chat_id}")
        if done == 0:
            raise IllegalTransition(f"chat {chat_id} changed state before {event}")
        return await self.get(chat_id)
