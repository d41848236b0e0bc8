"""Paced chat traffic between widgets and agent consoles, with every message accounted for.

Each chat's user sends a numbered message every `period` seconds (open loop: a slow
server does not slow the sender down, it shows as latency); the agent console that gets
it answers at once with the same number. Measured in one client process, on one clock:
- user -> agent: the widget's `user_uttered` emit to the agent's `chat_message`;
- agent -> user: the console's `agent_message` emit to the widget's `bot_uttered`;
- lost: sent and never received (after a bounded wait); reordered: a chat's messages
  received in another order than sent, per direction.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from bench.clients import AgentConsole, Widget

DRAIN_S = 30.0


@dataclass
class Chat:
    index: int
    widget: Widget
    consoles: list[AgentConsole]  # the agent's sockets that answer (round robin)
    next_k: int = 0  # message numbers go on across phases (client ids stay unique)

    @property
    def chat_id(self) -> str:
        return self.widget.chat_id


@dataclass
class Result:
    user_to_agent_ms: list[float] = field(default_factory=list)
    agent_to_user_ms: list[float] = field(default_factory=list)
    sent: int = 0
    lost: int = 0
    reordered: int = 0
    reordered_user_to_agent: int = 0
    reordered_agent_to_user: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, other: Result) -> None:
        self.user_to_agent_ms += other.user_to_agent_ms
        self.agent_to_user_ms += other.agent_to_user_ms
        self.sent += other.sent
        self.lost += other.lost
        self.reordered += other.reordered
        self.reordered_user_to_agent += other.reordered_user_to_agent
        self.reordered_agent_to_user += other.reordered_agent_to_user
        self.errors += other.errors
        self.seconds += other.seconds


class Traffic:
    """`direction`: "both" (the agent answers each user message), "user" (users only) or
    "agent" (agents only, each chat's agent sending on the same schedule)."""

    def __init__(self, chats: list[Chat], direction: str = "both") -> None:
        self.chats = chats
        self.direction = direction
        self.by_id = {c.chat_id: c for c in chats}
        self.sent_u: dict[tuple[int, int], float] = {}
        self.recv_u: dict[tuple[int, int], float] = {}
        self.sent_a: dict[tuple[int, int], float] = {}
        self.recv_a: dict[tuple[int, int], float] = {}
        self.order_u: dict[int, list[int]] = defaultdict(list)
        self.order_a: dict[int, list[int]] = defaultdict(list)
        self.errors: list[str] = []
        self.tasks: set[asyncio.Task[Any]] = set()
        consoles = {id(s): s for c in chats for s in c.consoles}
        for console in consoles.values():
            console.on_message = self._agent_got
        for chat in chats:
            chat.widget.on_message = self._widget_got

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None and len(self.errors) < 20:
            self.errors.append(repr(task.exception())[:200])

    @staticmethod
    def _parse(text: Any, tag: str) -> tuple[int, int] | None:
        if not isinstance(text, str) or not text.startswith(tag):
            return None
        try:
            _, i, k = text.split(" ")
            return int(i), int(k)
        except ValueError:
            return None

    def _agent_got(self, data: dict[str, Any], at: float) -> None:
        message = data.get("message") or {}
        if message.get("sender") != "user":
            return
        key = self._parse(message.get("text"), "u ")
        if key is None or key in self.recv_u or key not in self.sent_u:
            return
        self.recv_u[key] = at
        self.order_u[key[0]].append(key[1])
        if self.direction != "both":
            return
        chat = self.chats[key[0]]
        console = chat.consoles[key[1] % len(chat.consoles)]
        self.sent_a[key] = time.perf_counter()
        self._spawn(console.say(chat.chat_id, f"a {key[0]} {key[1]}", f"a{key[1]}"))

    def _widget_got(self, data: dict[str, Any], at: float) -> None:
        if (data.get("metadata") or {}).get("sender") != "agent":
            return
        key = self._parse(data.get("text"), "a ")
        if key is None or key in self.recv_a or key not in self.sent_a:
            return
        self.recv_a[key] = at
        self.order_a[key[0]].append(key[1])

    async def _user(self, chat: Chat, start: float, end: float, period: float) -> None:
        at = start + random.uniform(0, period)
        while at < end:
            await asyncio.sleep(max(0.0, at - time.perf_counter()))
            k = chat.next_k
            chat.next_k += 1
            if self.direction == "agent":
                self.sent_a[(chat.index, k)] = time.perf_counter()
                console = chat.consoles[k % len(chat.consoles)]
                self._spawn(console.say(chat.chat_id, f"a {chat.index} {k}", f"a{k}"))
            else:
                self.sent_u[(chat.index, k)] = time.perf_counter()
                self._spawn(chat.widget.say(f"u {chat.index} {k}", f"u{k}"))
            at += period

    def _pending(self) -> bool:
        return bool(len(self.recv_u) < len(self.sent_u) or len(self.recv_a) < len(self.sent_a)
                    or self.tasks)

    async def run(self, seconds: float, period: float) -> Result:
        started = time.perf_counter()
        end = started + seconds
        await asyncio.gather(*(self._user(c, started, end, period) for c in self.chats))
        deadline = time.perf_counter() + DRAIN_S
        while time.perf_counter() < deadline and self._pending():  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        for task in list(self.tasks):
            task.cancel()
        result = Result(seconds=time.perf_counter() - started, errors=self.errors)
        result.user_to_agent_ms = [(self.recv_u[k] - t) * 1000 for k, t in self.sent_u.items()
                                   if k in self.recv_u]
        result.agent_to_user_ms = [(self.recv_a[k] - t) * 1000 for k, t in self.sent_a.items()
                                   if k in self.recv_a]
        result.sent = len(self.sent_u) + len(self.sent_a)
        result.lost = (len(self.sent_u) - len(self.recv_u)) + (len(self.sent_a)
                                                                 - len(self.recv_a))
        for ks in self.order_u.values():
            result.reordered_user_to_agent += sum(1 for a, b in itertools.pairwise(ks)
                                                  if b < a)
        for ks in self.order_a.values():
            result.reordered_agent_to_user += sum(1 for a, b in itertools.pairwise(ks)
                                                  if b < a)
        result.reordered = result.reordered_user_to_agent + result.reordered_agent_to_user
        for chat in self.chats:
            chat.widget.on_message = None
        return result
