"""Reading a chat's transcript: one Redis Stream per chat, every message (user, bot,
agent, system) with its sequence number as the entry id `0-<seq>`. Messages are only
ever written by `lua/lifecycle.lua` (through `handoff.lifecycle`), together with the
change of state they belong to; this module reads them back in pages. A chat's internal
notes are in a stream of their own (`hc:chat:<id>:notes`), read only for agents."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis

from bot import redis_keys

log = logging.getLogger(__name__)
MAX_PAGE = 200  # messages per page of the agent's view (assigned, history)
REPLAY_PAGE = 500  # messages per widget `resume` (as before paging existed)


@dataclass(frozen=True)
class Message:
    seq: int
    sender: str
    text: str
    ts: float
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_fields(cls, fields: Mapping[Any, Any]) -> Message:
        """A stream entry (or a message returned by the lifecycle script)."""
        data = redis_keys.text_hash(fields)
        try:
            extra = json.loads(data.get("extra") or "{}")
        except ValueError:
            log.warning("message %s: extra is not JSON; dropped", data.get("seq"))
            extra = {}
        return cls(int(data["seq"]), data["sender"], data.get("text", ""),
                   int(float(data.get("ts") or 0)) / 1000,
                   extra if isinstance(extra, dict) else {})

    def as_event(self) -> dict[str, Any]:
        """The widget's `bot_uttered` payload (Rasa socketio channel shape + extras)."""
        body: dict[str, Any] = {"text": self.text} if self.text else {}
        for key in ("quick_replies", "attachment", "buttons"):
            if key in self.extra:
                body[key] = self.extra[key]
        meta: dict[str, Any] = {"sender": self.sender, "seq": self.seq,
                                "ts": round(self.ts, 3)}
        for key in ("agent", "client_msg_id", "title"):
            if self.extra.get(key):
                meta[key] = self.extra[key]
        body["metadata"] = meta
        return body

    def for_agent(self) -> dict[str, Any]:
        """The agent console's shape (`assigned.transcript[]`, `chat_message.message`)."""
        item: dict[str, Any] = {"sender": self.sender, "text": self.text, "seq": self.seq,
                                "ts": round(self.ts, 3)}
        for key in ("agent", "title"):
            if self.extra.get(key):
                item[key] = self.extra[key]
        return item


@dataclass(frozen=True)
class Note:
    """An internal note on a chat (agents and supervisors only; never the customer's).
    `after_seq`: the chat's last message when it was written, to place it in the
    transcript."""

    id: int
    author: str
    name: str
    text: str
    ts: float
    after_seq: int

    @classmethod
    def from_fields(cls, fields: Mapping[Any, Any]) -> Note:
        data = redis_keys.text_hash(fields)
        return cls(int(data.get("id") or 0), data.get("author", ""), data.get("name", ""),
                   data.get("text", ""), int(float(data.get("ts") or 0)) / 1000,
                   int(data.get("after_seq") or 0))

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "author": self.author, "name": self.name, "text": self.text,
                "ts": round(self.ts, 3), "after_seq": self.after_seq}


class Transcript:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def after(self, chat_id: str, last_seq: int, limit: int = MAX_PAGE
                    ) -> list[Message]:
        """Messages with seq > last_seq, oldest first, at most `limit`."""
        start = f"(0-{last_seq}" if last_seq > 0 else "-"
        entries = await self.redis.xrange(redis_keys.chat_log(chat_id), start, "+",
                                          count=limit)
        return [Message.from_fields(fields or {}) for _, fields in entries or []]

    async def before(self, chat_id: str, before_seq: int | None, limit: int = MAX_PAGE
                     ) -> list[Message]:
        """The newest `limit` messages with seq < before_seq (all when None), oldest
        first: the agent's view opens on the newest messages and loads earlier ones."""
        end = f"(0-{before_seq}" if before_seq is not None else "+"
        if before_seq is not None and before_seq <= 1:
            return []
        entries = await self.redis.xrevrange(redis_keys.chat_log(chat_id), end, "-",
                                             count=limit)
        return [Message.from_fields(fields or {}) for _, fields in reversed(entries or [])]

    async def notes(self, chat_id: str, limit: int) -> list[Note]:
        """A chat's internal notes, oldest first (their own stream: nothing that reads
        the customer's messages above ever sees them)."""
        entries = await self.redis.xrange(redis_keys.chat_notes(chat_id), "-", "+",
                                          count=limit)
        return [Note.from_fields(fields or {}) for _, fields in entries or []]

    async def last_seq(self, chat_id: str) -> int:
        raw = await self.redis.get(redis_keys.chat_seq(chat_id))
        return int(raw) if raw else 0
