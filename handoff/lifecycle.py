"""The chat lifecycle: each use case one atomic call of `lua/lifecycle.lua`.

open or rejoin, a user's message (with its bot turn or rating), the end of a bot turn
(replies and the handoff it asked for), request a person without the bot, cancel,
abandon, claim (accept, take next, auto-assign), transfer, close, requeue a lost agent's
chats, rate, an agent's message. State, queue membership, assignment, agent load, the
chat's fields and the messages that go with the change are written together or not at
all, so a process killed at any moment never leaves a chat half-moved.

This module only changes state and returns what changed (the chat, the new messages);
`handoff.desk` delivers them. Domain errors are raised here; the edge turns them into
protocol errors.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from redis.asyncio import Redis
from redis.commands.core import AsyncScript
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bot import redis_keys
from bot.policy import PRIORITIES
from handoff.chat import Chat, lua_field_table
from handoff.errors import (
    BadRequest,
    ChatNotFound,
    HandoffError,
    IllegalTransition,
    NotChatOwner,
    Refused,
    Unavailable,
)
from handoff.transcript import Message

SCRIPT = Path(__file__).with_name("lua") / "lifecycle.lua"
CHAT_TTL_S = 30 * 24 * 3600
STATS_TTL_S = 90 * 24 * 3600  # the day's counters and ratings (the board, the CSV export)
PRIORITY_WEIGHT = 10**13  # above any epoch-milliseconds value for centuries


def queue_score(priority: str, queued_at: float) -> int:
    """P1 before P2 ..., then first come first served; queued_at 0 = front of its
    priority (a requeued chat)."""
    rank = PRIORITIES.index(priority) if priority in PRIORITIES else PRIORITIES.index("P3")
    return rank * PRIORITY_WEIGHT + int(queued_at * 1000)


def day_of(now: float) -> str:
    """The UTC day of an epoch time, as the day's counters are named: 2024-05-31."""
    return time.strftime("%Y-%m-%d", time.gmtime(now))


def priority_range(priority: str) -> tuple[int, int]:
    """The score range of one priority in the queue."""
    rank = PRIORITIES.index(priority)
    return rank * PRIORITY_WEIGHT, (rank + 1) * PRIORITY_WEIGHT - 1


@dataclass(frozen=True)
class Say:
    """A message to store: who, what, and the extras (quick replies, agent, title...)."""

    sender: str
    text: str
    extra: dict[str, Any] = field(default_factory=dict)
    cid: str = ""  # client id: the same cid is stored once

    def param(self) -> dict[str, Any]:
        body: dict[str, Any] = {"sender": self.sender, "text": self.text,
                                "extra": json.dumps(self.extra, ensure_ascii=False)}
        if self.cid:
            body["cid"] = self.cid
        return body


@dataclass(frozen=True)
class Outcome:
    """What a use case changed: the new messages (to deliver) and the rest of its reply."""

    messages: list[Message]
    info: dict[str, Any]
    chat: Chat | None = None


@dataclass(frozen=True)
class HandoffRequest:
    priority: str
    reason: str
    summary: str
    triage: dict[str, Any]
    seq: int | None = None  # the user message whose bot turn asked for it
    nobody_online: Say | None = None  # said when no agent is online
    user_id: str = ""  # a signed-in user has one open handoff at a time
    busy: Say | None = None  # said when that user has another open already

    def param(self, queued_at: float) -> dict[str, Any]:
        body: dict[str, Any] = {
            "priority": self.priority, "reason": self.reason, "summary": self.summary,
            "triage": json.dumps(self.triage, ensure_ascii=False),
            "score": queue_score(self.priority, queued_at), "user": bool(self.user_id)}
        if self.seq is not None:
            body["seq"] = self.seq
        if self.nobody_online is not None:
            body["nobody_online"] = self.nobody_online.param()
        if self.busy is not None:
            body["busy"] = self.busy.param()
        if self.user_id:
            body["chat_prefix"] = redis_keys.chat("")
        return body

    def keys(self) -> list[str]:
        return [redis_keys.user_handoff(self.user_id)] if self.user_id else []


_ERRORS: dict[str, tuple[type[HandoffError], str]] = {
    "not_found": (ChatNotFound, "no such chat"),
    "not_yours": (NotChatOwner, "this chat belongs to someone else"),
    "illegal": (IllegalTransition, "the chat is not in a state that allows this"),
    "not_owner": (NotChatOwner, "this chat is not assigned to you"),
    "full": (Refused, "you already have {capacity} chats, the most you can take"),
    "not_queued": (IllegalTransition, "that chat is no longer waiting"),
    "target_not_online": (Refused, "that agent is not online"),
    "target_full": (Refused, "that agent has no free capacity"),
    "not_stale": (IllegalTransition, "the turn is no longer pending with that owner"),
    "busy": (Refused, "you already have a conversation with support open"),
    "too_many_notes": (Refused, "this chat has as many internal notes as it may keep"),
    "not_pending": (BadRequest, "this chat has no rating to give (it was never "
                    "with an agent, or it is rated already)"),
}


def _user(user_id: str) -> list[str]:
    """The user's open-handoff key, for a signed-in user's chat."""
    return [redis_keys.user_handoff(user_id)] if user_id else []


def _today(now: float) -> list[str]:
    """The day's counters and ratings, for the commands that count something."""
    day = day_of(now)
    return [redis_keys.day_stats(day), redis_keys.day_csat(day)]


def _chat_keys(chat_id: str) -> list[str]:
    return [redis_keys.chat(chat_id), redis_keys.chat_seq(chat_id),
            redis_keys.chat_log(chat_id), redis_keys.chat_client_ids(chat_id)]


class Lifecycle:
    def __init__(self, redis: Redis, capacity: int, ttl_s: int = CHAT_TTL_S) -> None:
        self.redis = redis
        self.capacity = capacity
        self.ttl_s = ttl_s
        self.script: AsyncScript = redis.register_script(
            lua_field_table() + SCRIPT.read_text(encoding="utf-8"))

    async def _run(self, command: str, chat_id: str, keys: list[str], params: dict[str, Any],
                   now: float | None = None) -> dict[str, Any]:
        now = now if now is not None else time.time()
        body = {**params, "chat_id": chat_id, "now": round(now, 3),
                "now_ms": int(now * 1000), "ttl": self.ttl_s, "stats_ttl": STATS_TTL_S}
        try:
            raw = await self.script(keys=_chat_keys(chat_id) + keys,
                                    args=[command, json.dumps(body, ensure_ascii=False)])
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            raise Unavailable("the chat store is unreachable; nothing was changed") from exc
        reply = json.loads(raw)
        if not isinstance(reply, dict):
            raise HandoffError(f"lifecycle {command}: unexpected reply {raw!r}")
        if reply.get("err"):
            kind, message = _ERRORS.get(reply["err"], (HandoffError, reply["err"]))
            raise kind(message.format(capacity=self.capacity))
        return reply

    @staticmethod
    def _outcome(chat_id: str, reply: dict[str, Any]) -> Outcome:
        raw = reply.get("messages")
        messages = [Message.from_fields(m) for m in raw] if isinstance(raw, list) else []
        fields = reply.get("chat")
        chat = Chat.from_hash(chat_id, fields) if isinstance(fields, dict) and fields else None
        return Outcome(messages, reply, chat)

    # -- the use cases -------------------------------------------------------------------
    async def open(self, chat_id: str, *, user_id: str, plan: str, role: str,
                   language: str, create: bool) -> Outcome:
        """Rejoin the chat if it is this user's, create it if `create` and missing.
        Raises NotChatOwner (someone else's) or ChatNotFound."""
        reply = await self._run("open", chat_id, [], {
            "user_id": user_id, "plan": plan, "role": role, "language": language,
            "create": create})
        return self._outcome(chat_id, reply)

    async def user_message(self, chat_id: str, message: Say, *, turn: dict[str, Any] | None,
                           rating: int, thanks: Say, ticket_instead: bool,
                           language: str) -> Outcome:
        """Store a user message (once per client id). In the bot's chats its bot turn is
        registered as pending (`turn`), or a bare 1-5 after an agent closed is the
        rating. `info`: seq, new, state, assignee, rated, turn (JSON or false)."""
        params: dict[str, Any] = {"message": message.param(), "rating": rating,
                                  "thanks": thanks.param(), "ticket_instead": ticket_instead,
                                  "language": language}
        if turn is not None:
            params["turn"] = turn
        now = time.time()
        reply = await self._run("user_message", chat_id,
                                [redis_keys.QUEUE, redis_keys.TURNS, redis_keys.TURN_INDEX,
                                 *_today(now)], params, now)
        return self._outcome(chat_id, reply)

    async def finish_turn(self, chat_id: str, seq: int, replies: list[Say],
                          handoff: HandoffRequest | None, bot_down: bool) -> Outcome:
        """The bot's answer to message `seq`: its replies, the handoff it asked for, the
        turn answered. Safe to repeat: replies carry client ids, the handoff its turn."""
        now = time.time()
        params: dict[str, Any] = {"seq": seq, "replies": [r.param() for r in replies],
                                  "bot_down": bot_down}
        if handoff is not None:
            params["handoff"] = handoff.param(now)
        reply = await self._run("finish_turn", chat_id, [
            redis_keys.QUEUE, redis_keys.TURNS, redis_keys.TURN_INDEX,
            redis_keys.AGENTS_ONLINE, *(handoff.keys() if handoff else [])], params, now)
        return self._outcome(chat_id, reply)

    async def request(self, chat_id: str, handoff: HandoffRequest, before: list[Say],
                      now: float | None = None) -> Outcome:
        """bot -> queued without the bot (it is down; the entitlement was checked).
        Raises Refused when the user has another chat open with support."""
        now = now if now is not None else time.time()
        reply = await self._run("request", chat_id, [redis_keys.QUEUE, redis_keys.AGENTS_ONLINE,
                                                     *handoff.keys()], {
            "handoff": handoff.param(now), "before": [m.param() for m in before]}, now)
        return self._outcome(chat_id, reply)

    async def cancel(self, chat_id: str, message: Say, user_id: str = "") -> Outcome:
        """queued -> bot: the user left the queue."""
        reply = await self._run("cancel", chat_id, [redis_keys.QUEUE, *_user(user_id)],
                                {"message": message.param(), "user": bool(user_id)})
        return self._outcome(chat_id, reply)

    async def abandon(self, chat_id: str, message: Say, user_id: str = "") -> Outcome:
        """queued -> bot: the user was gone past the grace period."""
        reply = await self._run("abandon", chat_id, [redis_keys.QUEUE, *_user(user_id)],
                                {"message": message.param(), "user": bool(user_id)})
        return self._outcome(chat_id, reply)

    async def claim(self, chat_id: str, agent: str, joined: Say) -> Outcome:
        """queued -> agent. Raises Refused (at capacity) or IllegalTransition (no longer
        queued). `info["waited"]`: seconds the chat waited."""
        reply = await self._run("claim", chat_id, [
            redis_keys.QUEUE, redis_keys.agent_chats(agent), redis_keys.AGENTS_ONLINE],
            {"agent": agent, "capacity": self.capacity, "message": joined.param()})
        return self._outcome(chat_id, reply)

    async def transfer(self, chat_id: str, from_agent: str, to_agent: str,
                       message: Say) -> Outcome:
        """agent -> agent, checking the target's presence and capacity in the same step."""
        reply = await self._run("transfer", chat_id, [
            redis_keys.agent_chats(from_agent), redis_keys.agent_chats(to_agent),
            redis_keys.AGENTS_ONLINE, redis_keys.agent(to_agent)],
            {"from": from_agent, "to": to_agent, "capacity": self.capacity,
             "message": message.param()})
        return self._outcome(chat_id, reply)

    async def close(self, chat_id: str, agent: str, resolution: str, messages: list[Say],
                    user_id: str = "") -> Outcome:
        """agent -> bot: released, handle time recorded, the rating asked for."""
        now = time.time()
        reply = await self._run("close", chat_id, [
            redis_keys.agent_chats(agent), redis_keys.AGENTS_ONLINE, redis_keys.HANDLE_TIMES,
            _today(now)[0], *_user(user_id)],
            {"agent": agent, "resolution": resolution, "user": bool(user_id),
             "messages": [m.param() for m in messages]}, now)
        return self._outcome(chat_id, reply)

    async def hand_back(self, chat_id: str, agent: str, messages: list[Say],
                        user_id: str = "") -> Outcome:
        """agent -> bot without closing: released like `close`, no rating asked for."""
        now = time.time()
        reply = await self._run("hand_back", chat_id, [
            redis_keys.agent_chats(agent), redis_keys.AGENTS_ONLINE, redis_keys.HANDLE_TIMES,
            _today(now)[0], *_user(user_id)],
            {"agent": agent, "user": bool(user_id),
             "messages": [m.param() for m in messages]}, now)
        return self._outcome(chat_id, reply)

    async def requeue(self, chat_id: str, agent: str, message: Say) -> Outcome:
        """agent -> queued, front of its priority, if still the agent's; otherwise the
        chat is only released from the agent. `info["requeued"]` says which."""
        reply = await self._run("requeue", chat_id, [
            redis_keys.QUEUE, redis_keys.agent_chats(agent), redis_keys.AGENTS_ONLINE],
            {"agent": agent, "message": message.param(),
             "scores": {p: queue_score(p, 0) for p in PRIORITIES}})
        return self._outcome(chat_id, reply)

    async def rate(self, chat_id: str, rating: int, comment: str, thanks: Say) -> Outcome:
        now = time.time()
        reply = await self._run("rate", chat_id, _today(now), {
            "rating": rating, "comment": comment, "thanks": thanks.param()}, now)
        return self._outcome(chat_id, reply)

    async def agent_message(self, chat_id: str, agent: str, message: Say) -> Outcome:
        """Store an agent's message if the chat is assigned to it (a retry of a stored
        one is recognised by its client id first). `info`: seq, new."""
        now = time.time()
        reply = await self._run("agent_message", chat_id, _today(now)[:1],
                                {"agent": agent, "message": message.param()}, now)
        return self._outcome(chat_id, reply)

    async def note(self, chat_id: str, author: str, name: str, text: str, *,
                   supervisor: bool, cid: str | None, max_notes: int) -> dict[str, Any]:
        """Add an internal note (the assigned agent, or a supervisor on any chat); once
        per client id. `{id, new, note?}`."""
        params: dict[str, Any] = {"author": author, "name": name, "text": text,
                                  "supervisor": supervisor, "max_notes": max_notes}
        if cid:
            params["cid"] = cid
        return await self._run("note", chat_id, [redis_keys.chat_notes(chat_id)], params)

    async def say(self, chat_id: str, messages: list[Say]) -> Outcome:
        reply = await self._run("say", chat_id, [], {"messages": [m.param() for m in
                                                                  messages]})
        return self._outcome(chat_id, reply)

    async def take_over_turn(self, chat_id: str, seq: int, dead: str, owner: str
                             ) -> str | None:
        """Make `owner` the owner of a pending turn of the dead process `dead`; the turn
        record (JSON, attempts counted up), or None if it is not pending or not dead's."""
        try:
            reply = await self._run("take_over", chat_id, [redis_keys.TURNS,
                                                           redis_keys.TURN_INDEX],
                                    {"seq": seq, "dead": dead, "owner": owner})
        except IllegalTransition:
            return None
        return str(reply["turn"])

    async def pending_turns(self, limit: int) -> list[tuple[str, int, str, float]]:
        """The oldest pending bot turns: (chat_id, seq, record JSON, (re)started at)."""
        raw = await self.redis.zrange(redis_keys.TURN_INDEX, 0, limit - 1, withscores=True)
        scored: list[tuple[str, float]] = [(str(item[0]), float(item[1])) for item in raw]
        if not scored:
            return []
        members = [m for m, _ in scored]
        records = await self.redis.hmget(redis_keys.TURNS, members)
        pending, orphans = [], []
        for (member, since), record in zip(scored, records, strict=True):
            chat_id, _, seq = member.rpartition(":")
            if record is None or not seq.isdigit():
                orphans.append(member)
                continue
            pending.append((chat_id, int(seq), str(record), since))
        if orphans:
            await self.redis.zrem(redis_keys.TURN_INDEX, *orphans)
        return pending

    # -- reads -------------------------------------------------------------------------------
    async def get(self, chat_id: str) -> Chat:
        try:
            raw = await self.redis.hgetall(redis_keys.chat(chat_id))
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            raise Unavailable("the chat store is unreachable") from exc
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

    async def queued(self, limit: int = 100) -> list[str]:
        return [str(c) for c in await self.redis.zrange(redis_keys.QUEUE, 0, limit - 1)]

    async def queued_entries(self, limit: int = 100) -> list[tuple[str, float]]:
        """The first `limit` queue entries with their scores (a chat queued again gets
        a new score)."""
        entries = await self.redis.zrange(redis_keys.QUEUE, 0, limit - 1, withscores=True)
        return [(str(entry[0]), float(entry[1])) for entry in entries]

    async def scores(self, chat_ids: list[str]) -> dict[str, float | None]:
        """Each chat's queue score (None: not queued), in one read."""
        if not chat_ids:
            return {}
        found = await self.redis.zmscore(redis_keys.QUEUE, chat_ids)
        return {c: (None if f is None else float(f)) for c, f in zip(chat_ids, found, strict=True)}

    async def position(self, chat_id: str) -> int | None:
        """1 for the next chat to be taken; None if not queued."""
        rank = await self.redis.zrank(redis_keys.QUEUE, chat_id)
        return None if rank is None else int(str(rank)) + 1

    async def queue_length(self) -> int:
        return int(await self.redis.zcard(redis_keys.QUEUE))

    async def queue_by_priority(self) -> dict[str, int]:
        async with self.redis.pipeline(transaction=False) as pipe:
            for priority in PRIORITIES:
                pipe.zcount(redis_keys.QUEUE, *priority_range(priority))
            counts = await pipe.execute()
        return {p: int(n) for p, n in zip(PRIORITIES, counts, strict=True)}

