"""The agent namespace "/agent": presence, the live queue, taking chats, talking,
transfer, close and hand back, internal notes and agent assist; for supervisors the live
board, the CSAT report and reassigning. An agent sees and writes only the chats assigned
to it; a supervisor takes no chats. Every handler validates, calls one use case of
`handoff.desk` (or `handoff.board`) and acknowledges with {ok: true, ...} or {ok: false,
code, message}."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import socketio

from handoff import validation
from handoff import vocabulary as v
from handoff.agents import Agent, Claims, ConsoleAuth, chat_takers
from handoff.board import MAX_REPORT_DAYS, Board
from handoff.canned import CannedReply
from handoff.chat import MAX_NOTE, MAX_RESOLUTION
from handoff.desk import Desk
from handoff.edge import error_reply
from handoff.errors import BadRequest, Forbidden, TooLarge
from handoff.presence import Presence
from handoff.ratelimit import RateLimiter
from handoff.sweeper import InFlight
from handoff.vocabulary import AgentEvent

log = logging.getLogger(__name__)
MAX_EVENT_BYTES = 16_384
OriginCheck = Callable[[str | None, dict[str, Any]], bool]
Handler = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any] | None]]


class AgentNamespace(socketio.AsyncNamespace):
    def __init__(self, *, desk: Desk, presence: Presence, agents: Mapping[str, Agent],
                 canned: tuple[CannedReply, ...], auth: ConsoleAuth,
                 origin_allowed: OriginCheck, capacity: int, max_message_chars: int,
                 board: Board) -> None:
        super().__init__(v.AGENT_NS)
        self.desk = desk
        self.board = board
        self.supervisors: set[str] = set()  # this process's supervisor sockets (the board)
        self.presence = presence
        self.agents = agents
        self.canned = canned
        self.auth = auth
        self.signed: dict[str, Claims] = {}  # this process's sockets -> their sign-in
        self.origin_allowed = origin_allowed
        self.capacity = capacity
        self.max_message_chars = max_message_chars
        self.limiter = RateLimiter(60, 10.0)
        self.in_flight = InFlight()  # waited for at shutdown
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
            "username": agent.username, "name": agent.name, "role": agent.role,
            "status": await self.presence.status(agent.username),
            "capacity": self.capacity,
            "canned": [reply.as_dict() for reply in self.canned],
            "chats": chats,
        }, to=sid)
        await self.desk.fanout.queue(await self.desk.queue_snapshot(), sid)
        for chat_id in chats:
            await self.desk.send_assigned(agent.username, chat_id)
        if agent.supervisor:
            self.supervisors.add(sid)
            await self.desk.fanout.board(sid, await self.board.snapshot())

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        with self.in_flight:
            await self._disconnected(sid)

    async def _disconnected(self, sid: str) -> None:
        session = await self.get_session(sid)
        username = session.get("agent")
        self.limiter.forget(sid)
        self.signed.pop(sid, None)
        self.supervisors.discard(sid)
        if not username:
            return
        self.local.get(username, set()).discard(sid)
        await self.presence.disconnected(username, sid)

    async def sweep(self, grace: float) -> None:
        """Refresh this process's agents' heartbeats; requeue the chats of agents gone
        past the grace period (whichever process they were on)."""
        now = time.time()
        self.limiter.prune()
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
        await self.push_board()

    async def push_board(self) -> None:
        """The live board to this process's supervisor sockets (each process its own:
        one board per sweep, whatever the number of supervisors)."""
        if not self.supervisors:
            return
        snapshot = await self.board.snapshot()
        for sid in sorted(self.supervisors):
            await self.desk.fanout.board(sid, snapshot)

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
            with self.in_flight:
                result = await handler(session["agent"], validation.as_dict(data, event))
            return {"ok": True, **(result or {})}
        except Exception as exc:
            return error_reply(exc, f"agent {event}")

    def _taker(self, username: str) -> Agent:
        """The agent, if it takes chats (supervisors do not)."""
        agent = self.agents[username]
        if agent.supervisor:
            raise Forbidden("supervisors do not take chats; reassign one to an agent")
        return agent

    def _supervisor(self, username: str) -> Agent:
        agent = self.agents[username]
        if not agent.supervisor:
            raise Forbidden("only supervisors may do this")
        return agent

    @staticmethod
    def _chat_id(data: dict[str, Any]) -> str:
        chat_id = data.get("chat_id")
        if not isinstance(chat_id, str) or not validation.SESSION_ID.match(chat_id):
            raise BadRequest("chat_id is required")
        return chat_id

    async def on_presence(self, sid: str, data: Any = None) -> dict[str, Any]:
        async def run(agent: str, body: dict[str, Any]) -> None:
            self._taker(agent)
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
                for other in chat_takers(dict(self.agents))]}
        return await self._run(sid, AgentEvent.AGENTS, data, run)

    async def on_accept(self, sid: str, data: Any = None) -> dict[str, Any]:
        async def run(agent: str, body: dict[str, Any]) -> dict[str, Any]:
            self._taker(agent)
            chat_id = self._chat_id(body)
            await self.desk.claim(agent, chat_id)
            return {"chat_id": chat_id}
        return await self._run(sid, AgentEvent.ACCEPT, data, run)

    async def on_take_next(self, sid: str, data: Any = None) -> dict[str, Any]:
        async def run(agent: str, body: dict[str, Any]) -> dict[str, Any]:
            self._taker(agent)
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
            if not isinstance(to, str) or to not in self.agents or self.agents[to].supervisor:
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

    async def on_hand_back(self, sid: str, data: Any = None) -> dict[str, Any]:
        """`{chat_id}`: back to the bot without closing (no rating asked for)."""
        async def run(agent: str, body: dict[str, Any]) -> None:
            await self.desk.hand_back(agent, self._chat_id(body))
        return await self._run(sid, AgentEvent.HAND_BACK, data, run)

    async def on_add_note(self, sid: str, data: Any = None) -> dict[str, Any]:
        """`{chat_id, text, client_msg_id?}`: an internal note, never the customer's."""
        async def run(agent: str, body: dict[str, Any]) -> dict[str, Any]:
            chat_id = self._chat_id(body)
            text = body.get("text")
            if not isinstance(text, str) or not text.strip():
                raise BadRequest("text is required")
            if len(text) > MAX_NOTE:
                raise TooLarge(f"a note is at most {MAX_NOTE} characters")
            note_id = await self.desk.add_note(self.agents[agent], chat_id, text,
                                               validation.client_msg_id(body, "add_note"))
            return {"chat_id": chat_id, "id": note_id}
        return await self._run(sid, AgentEvent.ADD_NOTE, data, run)

    async def on_notes(self, sid: str, data: Any = None) -> dict[str, Any]:
        """`{chat_id}`: the chat's internal notes (its agent, or a supervisor)."""
        async def run(agent: str, body: dict[str, Any]) -> dict[str, Any]:
            return await self.desk.notes(self.agents[agent], self._chat_id(body))
        return await self._run(sid, AgentEvent.NOTES, data, run)

    async def on_assist(self, sid: str, data: Any = None) -> dict[str, Any]:
        """`{chat_id}`: knowledge-base suggestions for one of the agent's chats now."""
        async def run(agent: str, body: dict[str, Any]) -> dict[str, Any]:
            return await self.desk.suggestions(agent, self._chat_id(body))
        return await self._run(sid, AgentEvent.ASSIST, data, run)

    async def on_board(self, sid: str, data: Any = None) -> dict[str, Any]:
        """Supervisors: the live board now (it is also pushed as `board`)."""
        async def run(agent: str, body: dict[str, Any]) -> dict[str, Any]:
            self._supervisor(agent)
            return {"board": await self.board.snapshot()}
        return await self._run(sid, AgentEvent.BOARD, data, run)

    async def on_csat_report(self, sid: str, data: Any = None) -> dict[str, Any]:
        """Supervisors: `{days?: 1..31}` (7) -> ratings by day and by agent, the newest
        with their comments."""
        async def run(agent: str, body: dict[str, Any]) -> dict[str, Any]:
            self._supervisor(agent)
            days = body.get("days", 7)
            if isinstance(days, bool) or not isinstance(days, int) or \
                    not 1 <= days <= MAX_REPORT_DAYS:
                raise BadRequest(f"days must be a whole number from 1 to {MAX_REPORT_DAYS}")
            return {"report": await self.board.csat_report(days)}
        return await self._run(sid, AgentEvent.CSAT_REPORT, data, run)

    async def on_reassign(self, sid: str, data: Any = None) -> dict[str, Any]:
        """Supervisors: `{chat_id, to}` moves an agent's chat to another agent (online,
        with room: checked in the same step as the move)."""
        async def run(agent: str, body: dict[str, Any]) -> dict[str, Any]:
            self._supervisor(agent)
            to = body.get("to")
            if not isinstance(to, str) or len(to) > 64:
                raise BadRequest("to must be an agent's username")
            chat_id = self._chat_id(body)
            taken_from = await self.desk.reassign(chat_id, to)
            log.info("supervisor %s moved chat %s from %s to %s", agent, chat_id,
                     taken_from, to)
            await self.push_board()
            return {"chat_id": chat_id, "from": taken_from, "to": to}
        return await self._run(sid, AgentEvent.REASSIGN, data, run)
