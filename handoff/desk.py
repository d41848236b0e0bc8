"""The help desk: what happens between users and agents, for both namespaces.

Queueing, assignment (manual and automatic), messages both ways, transfer, close with a
rating request, and requeueing a lost agent's chats. Emits go through the Socket.IO
server (Redis-backed manager), so the user and the agent may be on different processes.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from bot import redis_keys
from bot.accounts import RedisAccountDirectory
from handoff.agents import AgentError
from handoff.errors import NotChatOwner
from handoff.liveness import Liveness
from handoff.switchboard import Chat
from handoff.transcript import CHAT_TTL_S, Message

if TYPE_CHECKING:
    from handoff.app import Gateway

log = logging.getLogger(__name__)
USERS, AGENTS = "/", "/agent"


def user_room(chat_id: str) -> str:
    return f"chat:{chat_id}"


def agent_room(username: str) -> str:
    return f"agent:{username}"


ALL_AGENTS = "agents"


class Desk:
    def __init__(self, gw: Gateway) -> None:
        self.gw = gw

    # -- messages ------------------------------------------------------------------------
    async def say(self, chat_id: str, sender: str, text: str,
                  extra: dict[str, Any] | None = None) -> Message:
        """Store a message and deliver it to the user (and to the assigned agent)."""
        message, _ = await self.gw.transcript.append(chat_id, sender, text, extra=extra)
        await self.gw.sio.emit("bot_uttered", message.as_event(), room=user_room(chat_id),
                               namespace=USERS)
        await self.to_agent(chat_id, message)
        return message

    async def to_agent(self, chat_id: str, message: Message, chat: Chat | None = None
                       ) -> None:
        """Deliver a message to the chat's agent, if it has one (`chat` if already read)."""
        chat = chat or await self.gw.switchboard.get(chat_id)
        if chat.state == "agent" and chat.assignee:
            await self.gw.sio.emit("chat_message", {"chat_id": chat_id,
                                                    "message": message.for_agent()},
                                   room=agent_room(chat.assignee), namespace=AGENTS)

    def customer(self, chat_id: str) -> Liveness:
        """The chat's widget sockets (the customer's open pages) and their heartbeats."""
        return Liveness(self.gw.redis, redis_keys.chat_conns(chat_id), redis_keys.chat(chat_id),
                        "user_gone_since", ttl_s=CHAT_TTL_S)

    async def customer_presence(self, chat_id: str, online: bool, chat: Chat | None = None
                                ) -> None:
        """Tell the chat's agent, if it has one, that the customer came or left (`chat` if
        already read)."""
        chat = chat or await self.gw.switchboard.get(chat_id)
        if chat.state == "agent" and chat.assignee:
            await self.gw.sio.emit("customer_presence", {"chat_id": chat_id, "online": online},
                                   room=agent_room(chat.assignee), namespace=AGENTS)

    async def customer_online(self, chat_id: str) -> bool:
        """Whether a widget socket of the chat is alive (heartbeat within the grace)."""
        since = time.time() - self.gw.settings.grace_period_s
        return bool(await self.customer(chat_id).sockets(since))

    async def user_status(self, chat_id: str) -> None:
        await self.gw.sio.emit("handoff_status", await self.gw.status(chat_id),
                               room=user_room(chat_id), namespace=USERS)

    # -- queue -----------------------------------------------------------------------------
    async def _waiting(self) -> list[tuple[int, Chat]]:
        """The first 100 queued chats with their positions (1 = next to be taken)."""
        queued = [str(c) for c in await self.gw.redis.zrange(redis_keys.QUEUE, 0, 99)]
        chats = {chat.chat_id: chat for chat in await self.gw.switchboard.get_many(queued)}
        return [(n, chats[c]) for n, c in enumerate(queued, 1) if c in chats]

    def _snapshot(self, waiting: list[tuple[int, Chat]]) -> dict[str, Any]:
        now = time.time()
        chats = []
        for _, chat in waiting:
            hours = self.gw.policy.target_hours.get(chat.priority, 24)
            chats.append({
                "chat_id": chat.chat_id, "priority": chat.priority, "plan": chat.plan,
                "role": chat.role, "waiting_s": round(now - chat.waiting_since),
                "due_in_s": round(chat.waiting_since + hours * 3600 - now),
                "summary": chat.summary,
            })
        return {"chats": chats}

    async def queue_snapshot(self) -> dict[str, Any]:
        return self._snapshot(await self._waiting())

    async def broadcast_queue(self) -> None:
        """The queue to every agent, and each waiting user's new position (the online
        agents and recent handle times are read once for all of them)."""
        waiting = await self._waiting()
        await self.gw.sio.emit("queue", self._snapshot(waiting), room=ALL_AGENTS,
                               namespace=AGENTS)
        outlook = await self.gw.presence.outlook()
        for position, chat in waiting:
            if chat.state != "queued":  # a stale queue entry: say what it really is
                await self.user_status(chat.chat_id)
                continue
            await self.gw.sio.emit("handoff_status", self.gw.queued_status(position, outlook),
                                   room=user_room(chat.chat_id), namespace=USERS)

    # -- assignment ------------------------------------------------------------------------
    async def assign(self, username: str, chat_id: str = "") -> str | None:
        """Claim a chat for an agent (a given one, or the next) and tell everyone."""
        claimed = await self.gw.presence.claim(username, chat_id)
        if claimed is None:
            return None
        now = time.time()
        await self.gw.redis.hset(redis_keys.chat(claimed), "assigned_at", str(now))
        waited = (await self.gw.switchboard.get(claimed)).waiting_since
        if waited:
            self.gw.metrics.observe_wait(now - waited)
        await self._send_assigned(username, claimed)
        name = await self.gw.presence.name(username)
        await self.say(claimed, "system", f"{name} from support joined the chat.",
                       {"agent": name})
        await self.user_status(claimed)
        await self.broadcast_queue()
        return claimed

    async def _send_assigned(self, username: str, chat_id: str) -> None:
        chat = await self.gw.switchboard.get(chat_id)
        account = None
        if chat.user_id:
            found = await RedisAccountDirectory(self.gw.redis).get(chat.user_id)
            if found:
                account = {"user_id": found.user_id, "name": found.name,
                           "account_id": found.account_id, "plan": found.plan,
                           "role": found.role, "licensed": found.licensed}
        transcript = [m.for_agent() for m in await self.gw.transcript.after(chat_id, 0)]
        await self.gw.sio.emit("assigned", {
            "chat_id": chat_id, "account": account, "priority": chat.priority,
            "summary": chat.summary, "triage": chat.triage, "transcript": transcript,
            "customer_online": await self.customer_online(chat_id),
        }, room=agent_room(username), namespace=AGENTS)

    async def auto_assign(self) -> None:
        """Give waiting chats to online agents with room, fewest active chats first."""
        for _ in range(100):  # bounded: at most 100 assignments per call
            if await self.gw.queue.length() == 0:
                return
            assigned = False
            for username in await self.gw.presence.online():
                if not await self.gw.presence.connections(username):
                    continue  # within its grace period: keep its chats, give it no new ones
                try:
                    if await self.assign(username):
                        assigned = True
                        break
                except AgentError:
                    continue  # full: try the next agent
            if not assigned:
                return

    async def owned(self, username: str, chat_id: str) -> None:
        chat = await self.gw.switchboard.get(chat_id)
        if chat.state != "agent" or chat.assignee != username:
            raise NotChatOwner("this chat is not assigned to you")

    # -- closing, transfer, loss -----------------------------------------------------------
    async def close(self, username: str, chat_id: str, resolution: str) -> None:
        await self.owned(username, chat_id)
        chat = await self.gw.switchboard.apply(chat_id, "close", assignee="",
                                               resolution=resolution[:200],
                                               csat_pending="1")
        await self.gw.presence.release(username, chat_id)
        assigned_at = float(await self.gw.redis.hget(redis_keys.chat(chat_id), "assigned_at")
                            or time.time())
        await self.gw.presence.record_handle_time(time.time() - assigned_at)
        await self.gw.sio.emit("chat_closed", {"chat_id": chat_id}, room=agent_room(username),
                               namespace=AGENTS)
        await self.user_status(chat.chat_id)
        await self.say(chat_id, "bot", "The specialist has closed this chat, and I'm back. "
                       "Is there anything else I can help you with?")
        await self.say(chat_id, "bot", "How would you rate the help you got, from 1 (poor) "
                       "to 5 (excellent)? You can add a comment after the number.",
                       {"quick_replies": [{"content_type": "text", "title": str(n),
                                           "payload": str(n)} for n in range(1, 6)]})
        await self.auto_assign()

    async def transfer(self, username: str, chat_id: str, to: str) -> None:
        await self.owned(username, chat_id)
        if to == username:
            raise AgentError("the chat is already yours")
        if await self.gw.presence.status(to) != "online":
            raise AgentError(f"{to} is not online")
        if len(await self.gw.presence.chats(to)) >= self.gw.settings.agent_capacity:
            raise AgentError(f"{to} has no free capacity")
        await self.gw.switchboard.apply(chat_id, "transfer", assignee=to)
        await self.gw.presence.release(username, chat_id)
        await self.gw.redis.sadd(redis_keys.agent_chats(to), chat_id)
        await self.gw.presence.set_status(to, "online")  # refresh its load
        await self.gw.sio.emit("chat_closed", {"chat_id": chat_id, "transferred_to": to},
                               room=agent_room(username), namespace=AGENTS)
        await self._send_assigned(to, chat_id)
        name = await self.gw.presence.name(to)
        await self.say(chat_id, "system", f"{name} from support took over the chat.",
                       {"agent": name})
        await self.user_status(chat_id)

    async def requeue_lost(self, username: str) -> list[str]:
        """The agent is gone past the grace period: its chats go back to the front of
        their priority, and the users are told."""
        requeued = []
        for chat_id in await self.gw.presence.chats(username):
            try:
                chat = await self.gw.switchboard.apply(chat_id, "agent_lost", assignee="",
                                                       waiting_since=str(time.time()))
            except Exception:
                await self.gw.presence.release(username, chat_id)
                continue
            await self.gw.presence.release(username, chat_id)
            await self.gw.queue.add(chat_id, chat.priority or "P3", front=True)
            await self.say(chat_id, "system", "The specialist was disconnected. You're back "
                           "at the front of the queue; the next available specialist will "
                           "continue with you.")
            requeued.append(chat_id)
        await self.gw.presence.set_status(username, "offline")
        if requeued:
            await self.broadcast_queue()
            await self.auto_assign()
        return requeued

    async def record_csat(self, chat_id: str, rating: int, comment: str) -> None:
        await self.gw.redis.hset(redis_keys.chat(chat_id), mapping={
            "csat_rating": str(rating), "csat_comment": comment[:1000], "csat_pending": "",
            "csat_at": str(time.time())})
        log.info("csat %s for chat %s", rating, chat_id)
