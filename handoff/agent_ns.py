"""The agent namespace "/agent": presence, the live queue, taking chats, talking,
transfer and close. An agent sees and writes only the chats assigned to it. Every
handler validates, calls one use case of `handoff.desk` and acknowledges with
{ok: true, ...} or {ok: false, code, message}."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import socketio

from handoff import validation
from handoff import vocabulary as v
from handoff.agents import Agent, Claims, ConsoleAuth
from handoff.canned import CannedReply
from handoff.chat import MAX_RESOLUTION
from handoff.desk import Desk
from handoff.edge import error_reply
from handoff.errors import BadRequest, TooLarge
from handoff.presence import Presence
from handoff.ratelimit import RateLimiter
from handoff.vocabulary import AgentEvent

log = logging.getLogger(__name__)
MAX_EVENT_BYTES = 16_384
OriginCheck = Callable[[str | None, dict[str, Any]], bool]
Handler = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any] | None]]


class AgentNamespace(socketio.AsyncNamespace):
    def __init__(self, *, desk: Desk, presence: Presence, agents: Mapping[str, Agent],
                 canned: tuple[CannedReply, ...], auth: ConsoleAuth,
                 origin_allowed: OriginCheck, capacity: int, max_message_chars: int) -> None:
        super().__init__(v.AGENT_NS)
        self.desk = desk
        self.presence = presence
        self.agents = agents
        self.canned = canned
        self.auth = auth
        self.signed: dict[str, Claims] = {}  # this process's sockets -> their sign-in
        self.origin_allowed = origin_allowed
        self.capacity = capacity
        self.max_message_chars = max_message_chars
        self.limiter = RateLimiter(60, 10.0)
        self.local: dict[str, set[str]] = {}  # agent -> this process's socket ids
        self.chosen: dict[str, str] = {}  # agent -> the presence it chose last (here)

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        if not self.origin_allowed(environ.get("HTTP_ORIGIN"), environ):
            raise socketio.exceptions.ConnectionRefusedError("origin not allowed")
        claims = await self.auth.claims((auth or {}).get("token") if isinstance(auth, dict)
                                        else None)
        agent = self.agents.get(claims.username) if claims else None
        if agent is None or claims is None:
            raise socketio.exceptions.ConnectionRefusedError("login required")
        self.signed[sid] = claims
        await self.save_session(sid, {"agent": agent.username})
        await self.enter_room(sid, v.agent_room(agent.username))
        await self.enter_room(sid, v.ALL_AGENTS_ROOM)
        await self.presence.connected(agent, sid)  # back within the grace: nothing changes
        self.local.setdefault(agent.username, set()).add(sid)
        chats = sorted(await self.presence.chats(agent.username))
        await self.emit(AgentEvent.ME, {
            "username": agent.username, "name": agent.name,
            "status": await self.presence.status(agent.username),
            "capacity": self.capacity,
            "canned": [reply.as_dict() for reply in self.canned],
            "chats": chats,
        }, to=sid)
        await self.desk.fanout.queue(await self.desk.queue_snapshot(), sid)
        for chat_id in chats:
            await self.desk.send_assigned(agent.username, chat_id)

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        session = await self.get_session(sid)
        username = session.get("agent")
        self.limiter.forget(sid)
        self.signed.pop(sid, None)
        if not username:
            return
        self.local.get(username, set()).discard(sid)
        await self.presence.disconnected(username, sid)

    async def sweep(self, grace: float) -> None:
        """Refresh this process's agents' heartbeats; requeue the chats of agents gone
        past the grace period (whichever process they were on)."""
        now = time.time()
        await self._sign_out_stale(now)
        await self.presence.heartbeat(
            {username: sorted(sids) for username, sids in list(self.local.items())}, now)
        statuses = await self.presence.statuses(list(self.agents))
        for username, sids in list(self.local.items()):
            # Redis lost the presence of an agent still connected here: restore it
            if sids and statuses[username][0] == v.OFFLINE and username in self.chosen:
                await self.presence.set_status(username, self.chosen[username])
                log.warning("restored %s's presence (%s)", username, self.chosen[username])
        for username, (status, active) in statuses.items():
            if not active and status == v.OFFLINE:
                continue
            if await self.presence.lost(username, grace, now):
                requeued = await self.desk.requeue_lost(username)
                log.info("agent %s lost: requeued %s", username, requeued)

    async def _sign_out_stale(self, now: float) -> None:
        """Close the sockets whose token expired (the console refreshes it in time) or
        whose session was ended (signed out)."""
        sids = list(self.signed)
        alive = await self.auth.sessions.alive_many([self.signed[s] for s in sids])
        for sid, ok in zip(sids, alive, strict=True):
            claims = self.signed.get(sid)
            if claims is not None and (not ok or claims.expires <= now):
                log.info("closing %s's console socket: %s", claims.username,
                         "token expired" if ok else "signed out")
                self.signed.pop(sid, None)
                await self.disconnect(sid)

    async def on_auth(self, sid: str, data: Any = None) -> dict[str, Any]:
        """`{token}`: a refreshed token for this socket (same agent, same session)."""
        async def run(agent: str, body: dict[str, Any]) -> dict[str, Any]:
            claims = await self.auth.claims(body.get("token"))
            if claims is None or claims.username != agent:
                raise BadRequest("that token is not valid for this connection")
            self.signed[sid] = claims
            return {"expires": claims.expires}
        return await self._run(sid, AgentEvent.AUTH, data, run)

    async def _run(self, sid: str, event: str, data: Any, handler: Handler) -> dict[str, Any]:
        try:
            self.limiter.check(sid)
            validation.within(data, MAX_EVENT_BYTES, event)
            session = await self.get_session(sid)
            result = await handler(session["agent"], validation.as_dict(data, event))
            return {"ok": True, **(result or {})}
        except Exception as exc:
            return error_reply(exc, f"agent {event}")

    @staticmethod
    def _chat_id(data: dict[str, Any]) -> str:
        chat_id = data.get("chat_id")
        if not isinstance(chat_id, str) or not validation.SESSION_ID.match(chat_id):
            raise BadRequest("chat_id is required")
        return chat_id

    async def on_presence(self, sid: str, data: Any = None) -> dict[str, Any]:
        async def run(agent: str, body: dict[str, Any]) -> None:
            status = body.get("status")
            if status not in v.SETTABLE_PRESENCES:
                raise BadRequest("status must be 'online' or 'away'")
            await self.presence.set_status(agent, status)
            self.chosen[agent] = status
            if status == v.ONLINE:
                await self.desk.auto_assign()
            await self.desk.broadcast_queue()
        return await self._run(sid, AgentEvent.PRESENCE, data, run)

    async def on_agents(self, sid: str, data: Any = None) -> dict[str, Any]:
        """Every agent with presence and load: the console's transfer picker."""
        async def run(agent: str, body: dict[str, Any]) -> dict[str, Any]:
            statuses = await self.presence.statuses(list(self.agents))
            return {"agents": [
                {"username": other.username, "name": other.name,
                 "status": statuses[other.username][0],
                 "active_chats": statuses[other.username][1]}
                for other in self.agents.values()]}
        return await self._run(sid, AgentEvent.AGENTS, data, run)

    async def on_accept(self, sid: str, data: Any = None) -> dict[str, Any]:
        async def run(agent: str, body: dict[str, Any]) -> dict[str, Any]:
            chat_id = self._chat_id(body)
            await self.desk.claim(agent, chat_id)
            return {"chat_id": chat_id}
        return await self._run(sid, AgentEvent.ACCEPT, data, run)

    async def on_take_next(self, sid: str, data: Any = None) -> dict[str, Any]:
        async def run(agent: str, body: dict[str, Any]) -> dict[str, Any]:
            chat_id = await self.desk.take_next(agent)
            if chat_id is None:
                raise BadRequest("the queue is empty")
            return {"chat_id": chat_id}
        return await self._run(sid, AgentEvent.TAKE_NEXT, data, run)

    async def on_agent_message(self, sid: str, data: Any = None) -> dict[str, Any]:
        received = time.monotonic()  # the relay's latency is counted from here

        async def run(agent: str, body: dict[str, Any]) -> dict[str, Any]:
            chat_id = self._chat_id(body)
            text = body.get("text")
            if not isinstance(text, str) or not text.strip():
                raise BadRequest("text is required")
            if len(text) > self.max_message_chars:
                raise TooLarge(f"text longer than {self.max_message_chars} characters")
            seq = await self.desk.agent_says(agent, chat_id, text,
                                             validation.client_msg_id(body, "agent"),
                                             received)
            return {"seq": seq}
        return await self._run(sid, AgentEvent.AGENT_MESSAGE, data, run)

    async def on_history(self, sid: str, data: Any = None) -> dict[str, Any]:
        """Earlier messages of one of the agent's chats: {chat_id, before_seq}."""
        async def run(agent: str, body: dict[str, Any]) -> dict[str, Any]:
            before = body.get("before_seq")
            if isinstance(before, bool) or not isinstance(before, int) or \
                    not 1 <= before < validation.MAX_SEQ:
                raise BadRequest("before_seq must be a whole number from 1")
            return await self.desk.history(agent, self._chat_id(body), before)
        return await self._run(sid, AgentEvent.HISTORY, data, run)

    async def on_typing(self, sid: str, data: Any = None) -> dict[str, Any]:
        async def run(agent: str, body: dict[str, Any]) -> None:
            await self.desk.typing_from_agent(agent, self._chat_id(body))
        return await self._run(sid, AgentEvent.TYPING, data, run)

    async def on_transfer(self, sid: str, data: Any = None) -> dict[str, Any]:
        async def run(agent: str, body: dict[str, Any]) -> None:
            to = body.get("to")
            if not isinstance(to, str) or to not in self.agents:
                raise BadRequest("to must be an agent's username")
            await self.desk.transfer(agent, self._chat_id(body), to)
        return await self._run(sid, AgentEvent.TRANSFER, data, run)

    async def on_close(self, sid: str, data: Any = None) -> dict[str, Any]:
        async def run(agent: str, body: dict[str, Any]) -> None:
            resolution = body.get("resolution", "resolved")
            if not isinstance(resolution, str) or len(resolution) > MAX_RESOLUTION:
                raise BadRequest(f"resolution must be text of at most {MAX_RESOLUTION} chars")
            await self.desk.close(agent, self._chat_id(body), resolution)
        return await self._run(sid, AgentEvent.CLOSE, data, run)
