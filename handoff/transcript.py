"""One Redis Stream per chat: every message (user, bot, agent, system) with its sequence
number. Appends are idempotent per client message id, so a retried send is stored once;
a reconnecting client asks for everything after the last number it saw."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis

from bot import redis_keys
from handoff.scripts import Scripts

SENDERS = ("user", "bot", "agent", "system")
CHAT_TTL_S = 30 * 24 * 3600
MAX_REPLAY = 500


@dataclass(frozen=True)
class Message:
    seq: int
    sender: str
    text: str
    ts: float
    extra: dict[str, Any] = field(default_factory=dict)

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


class Transcript:
    def __init__(self, redis: Redis, scripts: Scripts) -> None:
        self.redis = redis
        self.scripts = scripts

    async def append(self, chat_id: str, sender: str, text: str, *,
                     client_msg_id: str | None = None, extra: dict[str, Any] | None = None,
                     now: float | None = None) -> tuple[Message, bool]:
        """Store a message; returns it and whether it is new (False for a retry)."""
        if sender not in SENDERS:
            raise ValueError(f"unknown sender {sender!r}")
        ts = now if now is not None else time.time()
        if client_msg_id:
            extra = {**(extra or {}), "client_msg_id": client_msg_id}
        keys = [redis_keys.chat_seq(chat_id), redis_keys.chat_log(chat_id),
                redis_keys.chat_client_ids(chat_id)]
        seq, created = await self.scripts.append_message(
            keys=keys,
            args=[client_msg_id or "", sender, text, json.dumps(extra or {}),
                  int(ts * 1000), CHAT_TTL_S],
        )
        if not created:
            stored = await self.after(chat_id, int(seq) - 1, limit=1)
            if stored:
                return stored[0], False
        return Message(int(seq), sender, text, ts, extra or {}), bool(created)

    async def after(self, chat_id: str, last_seq: int, limit: int = MAX_REPLAY
                    ) -> list[Message]:
        """Messages with seq > last_seq, oldest first."""
        start = f"(0-{last_seq}" if last_seq > 0 else "-"
        entries = await self.redis.xrange(redis_keys.chat_log(chat_id), start, "+", count=limit)
        return [_decode(fields or {}) for _, fields in entries or []]

    async def last_seq(self, chat_id: str) -> int:
        raw = await self.redis.get(redis_keys.chat_seq(chat_id))
        return int(raw) if raw else 0


def _decode(fields: dict[Any, Any]) -> Message:
    data = redis_keys.text_hash(fields)
    return Message(int(data["seq"]), data["sender"], data["text"], int(data["ts"]) / 1000,
                   json.loads(data.get("extra") or "{}"))
