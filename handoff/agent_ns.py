"""The agent namespace "/agent": presence, the live queue, taking chats, talking,
transfer and close. An agent sees and writes only the chats assigned to it. Every client
event is acknowledged with {ok: true} or {ok: false, code, message}."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

import socketio

from handoff import validation
from handoff.agents import AgentError, verify_token
from handoff.desk import ALL_AGENTS, agent_room, user_room
from handoff.errors import BadRequest, HandoffError, TooLarge
from handoff.widget import RateLimiter

if TYPE_CHECKING:
    from handoff.app import Gateway

log = logging.getLogger(__name__)
MAX_RESOLUTION = 200


class AgentNamespace(socketio.AsyncNamespace):
    def __init__(self, gateway: Gateway) -> None:
        super().__init__("/agent")
        self.gw = gateway
        self.limiter = RateLimiter(60, 10.0)
        self.local: dict[str, set[str]] = {}  # agent -> this process's socket ids

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        if not self.gw.origin_allowed(environ.get("HTTP_ORIGIN"), environ):
            raise socketio.exceptions.ConnectionRefusedError("origin not allowed")
        username = verify_token((auth or {}).get("token") if isinstance(auth, dict) else None,
                                self.gw.settings.agent_token_secret)
        agent = self.gw.agents.get(username or "")
        if agent is None:
            raise socketio.exceptions.ConnectionRefusedError("login required")
        await self.save_session(sid, {"agent": agent.username})
        await self.enter_room(sid, agent_room(agent.username))
        await self.enter_room(sid, ALL_AGENTS)
        await self.gw.presence.connected(agent, sid)  # back within the grace: nothing changes
        self.local.setdefault(agent.username, set()).add(sid)
        await self.emit("me", {
            "username": agent.username, "name": agent.name,
            "status": await self.gw.presence.status(agent.username),
            "capacity": self.gw.settings.agent_capacity,
            "canned": [reply.as_dict() for reply in self.gw.canned],
            "chats": sorted(await self.gw.presence.chats(agent.username)),
        }, to=sid)
        await self.emit("queue", await self.gw.desk.queue_snapshot(), to=sid)
        for chat_id in await self.gw.presence.chats(agent.username):
            await self.gw.desk._send_assigned(agent.username, chat_id)

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        session = await self.get_session(sid)
        username = session.get("agent")
        self.limiter.forget(sid)
        if not username:
            return
        self.local.get(username, set()).discard(sid)
        await self.gw.presence.disconnected(username, sid)

    async def sweep(self, grace: float) -> None:
        now = time.time()
        await self.gw.presence.heartbeat(
            {username: sorted(sids) for username, sids in list(self.local.items())}, now)
        for username in self.gw.agents:
            if not await self.gw.presence.chats(username) and \
                    await self.gw.presence.status(username) == "offline":
                continue
            if await self.gw.presence.lost(username, grace, now):
                requeued = await self.gw.desk.requeue_lost(username)
                log.info("agent %s lost: requeued %s", username, requeued)

    async def _run(self, sid: str, data: Any, handler: Any) -> dict[str, Any]:
        try:
            self.limiter.check(sid)
            session = await self.get_session(sid)
            result = await handler(session["agent"], validation.as_dict(data, "agent event"))
            return {"ok": True, **(result or {})}
        except (HandoffError, AgentError) as err:
            code = getattr(err, "code", "refused")
            return {"ok": False, "code": code, "message": str(getattr(err, "message", err))}
        except Exception:
            log.exception("agent event failed")
            return {"ok": False, "code": "internal", "message": "internal error"}

    @staticmethod
    def _chat_id(data: dict[str, Any]) -> str:
        chat_id = data.get("chat_id")
        if not isinstance(chat_id, str) or not validation.SESSION_ID.match(chat_id):
            raise BadRequest("chat_id is required")
        return chat_id

    async def on_presence(self, sid: str, data: Any = None) -> dict[str, Any]:
        async def run(agent: str, body: dict[str, Any]) -> None:
            status = body.get("status")
            if status not in ("online", "away"):
                raise BadRequest("status must be 'online' or 'away'")
            await self.gw.presence.set_status(agent, status)
            if status == "online":
                await self.gw.desk.auto_assign()
            await self.gw.desk.broadcast_queue()
        return await self._run(sid, data, run)

    async def on_agents(self, sid: str, data: Any = None) -> dict[str, Any]:
        """Every agent with presence and load: the console's transfer picker."""
        async def run(agent: str, body: dict[str, Any]) -> dict[str, Any]:
            return {"agents": [
                {"username": other.username, "name": other.name,
                 "status": await self.gw.presence.status(other.username),
                 "active_chats": len(await self.gw.presence.chats(other.username))}
                for other in self.gw.agents.values()]}
        return await self._run(sid, data, run)

    async def on_accept(self, sid: str, data: Any = None) -> dict[str, Any]:
        async def run(agent: str, body: dict[str, Any]) -> dict[str, Any]:
            chat_id = self._chat_id(body)
            await self.gw.desk.assign(agent, chat_id)
            return {"chat_id": chat_id}
        return await self._run(sid, data, run)

    async def on_take_next(self, sid: str, data: Any = None) -> dict[str, Any]:
        async def run(agent: str, body: dict[str, Any]) -> dict[str, Any]:
            chat_id = await self.gw.desk.assign(agent)
            if chat_id is None:
                raise BadRequest("the queue is empty")
            return {"chat_id": chat_id}
        return await self._run(sid, data, run)

    async def on_agent_message(self, sid: str, data: Any = None) -> dict[str, Any]:
        async def run(agent: str, body: dict[str, Any]) -> dict[str, Any]:
            chat_id = self._chat_id(body)
            text = body.get("text")
            if not isinstance(text, str) or not text.strip():
                raise BadRequest("text is required")
            if len(text) > self.gw.settings.max_message_chars:
                raise TooLarge(f"text longer than {self.gw.settings.max_message_chars} "
                               f"characters")
            await self.gw.desk.owned(agent, chat_id)
            name = await self.gw.presence.name(agent)
            message, new = await self.gw.transcript.append(
                chat_id, "agent", text, client_msg_id=validation.client_msg_id(body, "agent"),
                extra={"agent": name})
            if new:
                await self.gw.sio.emit("bot_uttered", message.as_event(),
                                       room=user_room(chat_id), namespace="/")
                await self.gw.desk.to_agent(chat_id, message)
            return {"seq": message.seq}
        return await self._run(sid, data, run)

    async def on_typing(self, sid: str, data: Any = None) -> dict[str, Any]:
        async def run(agent: str, body: dict[str, Any]) -> None:
            chat_id = self._chat_id(body)
            await self.gw.desk.owned(agent, chat_id)
            await self.gw.sio.emit("typing", {"sender": "agent",
                                              "agent": await self.gw.presence.name(agent)},
                                   room=user_room(chat_id), namespace="/")
        return await self._run(sid, data, run)

    async def on_transfer(self, sid: str, data: Any = None) -> dict[str, Any]:
        async def run(agent: str, body: dict[str, Any]) -> None:
            to = body.get("to")
            if not isinstance(to, str) or to not in self.gw.agents:
                raise BadRequest("to must be an agent's username")
            await self.gw.desk.transfer(agent, self._chat_id(body), to)
        return await self._run(sid, data, run)

    async def on_close(self, sid: str, data: Any = None) -> dict[str, Any]:
        async def run(agent: str, body: dict[str, Any]) -> None:
            resolution = body.get("resolution", "resolved")
            if not isinstance(resolution, str) or len(resolution) > MAX_RESOLUTION:
                raise BadRequest(f"resolution must be text of at most {MAX_RESOLUTION} chars")
            await self.gw.desk.close(agent, self._chat_id(body), resolution)
        return await self._run(sid, data, run)
