"""The widget namespace "/": Rasa socketio-channel compatible, plus handoff extras.

A chat is identified by its session id (a random bearer id the server issues). While the
bot owns the chat, user turns go to Rasa over REST and replies come back as
`bot_uttered`; every message goes through the chat's transcript first, so a reload or a
reconnect to another gateway process can `resume` from the last sequence number seen.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
import time
from collections import deque
from typing import TYPE_CHECKING, Any

import socketio

from bot import handoff as handoff_rules
from bot import knowledge, redis_keys
from bot.accounts import RedisAccountDirectory
from bot.entitlements import Asker, resolve
from bot.policy import SupportPolicy
from bot.search_thresholds import STRONG_COVERAGE, STRONG_SCORE
from handoff import liveness, validation
from handoff.desk import agent_room, user_room
from handoff.errors import BadRequest, HandoffError, IllegalTransition, RateLimited, TooLarge
from handoff.rasa_client import RasaUnavailable
from handoff.switchboard import Chat
from handoff.transcript import Message

if TYPE_CHECKING:
    from handoff.app import Gateway

log = logging.getLogger(__name__)
MAX_TITLE = 200
TICKET_INSTEAD = "/open_ticket"  # while queued: leave the queue and open a web ticket
MAX_COMMENT = 1000


class RateLimiter:
    """Sliding window per connection: at most `limit` events per `window` seconds."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self.events: dict[str, deque[float]] = {}

    def check(self, sid: str, now: float | None = None) -> None:
        now = now if now is not None else time.monotonic()
        seen = self.events.setdefault(sid, deque())
        while seen and seen[0] <= now - self.window:
            seen.popleft()
        if len(seen) >= self.limit:
            raise RateLimited(f"too many events: at most {self.limit} per "
                              f"{self.window:.0f} s; wait a moment and retry")
        seen.append(now)

    def forget(self, sid: str) -> None:
        self.events.pop(sid, None)


class WidgetNamespace(socketio.AsyncNamespace):
    def __init__(self, gateway: Gateway) -> None:
        super().__init__("/")
        self.gw = gateway
        self.limiter = RateLimiter(gateway.settings.rate_limit_events,
                                   gateway.settings.rate_limit_window_s)
        # python-socketio runs each event in its own task; one lock per connection makes
        # a connection's events run one at a time, in the order they arrived.
        self.ordered: dict[str, asyncio.Lock] = {}
        # Our own copy of each connection's chat and page context: python-socketio drops
        # its session at disconnect, before events already received have been handled.
        self.sessions: dict[str, dict[str, Any]] = {}

    # -- connection ----------------------------------------------------------------------
    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        origin = environ.get("HTTP_ORIGIN")
        if not self.gw.origin_allowed(origin, environ):
            log.warning("widget connection refused: origin %r", origin)
            raise socketio.exceptions.ConnectionRefusedError("origin not allowed")
        self.gw.metrics.connections += 1

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        self.gw.metrics.connections -= 1
        lock = self.ordered.get(sid)
        if lock is not None:
            async with lock:  # let the events this connection already sent finish
                pass
        self.limiter.forget(sid)
        self.ordered.pop(sid, None)
        session = self.sessions.pop(sid, None)
        if session and session.get("chat_id"):
            try:
                await self._absent(sid, session["chat_id"], time.time())
            except Exception:  # e.g. Redis closing at shutdown: the heartbeat expires anyway
                log.warning("could not record that %s left chat %s", sid, session["chat_id"])

    # -- is the user still there? ----------------------------------------------------------
    # Like the agents' presence: each chat keeps its widget sockets with a heartbeat that
    # the process serving them refreshes. A queued user with no live socket for the grace
    # period (page closed, process died) leaves the queue, so agents only get chats with
    # someone in them.
    async def _present(self, sid: str, chat: Chat, now: float) -> None:
        await self.gw.desk.customer(chat.chat_id).joined(sid, now)
        await self.gw.desk.customer_presence(chat.chat_id, online=True, chat=chat)

    async def _absent(self, sid: str, chat_id: str, now: float) -> None:
        if not await self.gw.desk.customer(chat_id).left(sid, now):
            await self.gw.desk.customer_presence(chat_id, online=False)

    async def sweep(self, grace: float) -> None:
        """Refresh this process's sockets; take queued chats whose user is gone past the
        grace period out of the queue."""
        now = time.time()
        sockets: dict[str, list[str]] = {}
        for sid, session in list(self.sessions.items()):
            sockets.setdefault(redis_keys.chat_conns(session["chat_id"]), []).append(sid)
        await liveness.refresh(self.gw.redis, sockets, now)
        for chat_id in await self.gw.redis.zrange(redis_keys.QUEUE, 0, 999):
            if await self.gw.desk.customer(str(chat_id)).gone(grace, now):
                await self._abandon(str(chat_id), grace)

    async def _abandon(self, chat_id: str, grace: float) -> None:
        try:
            await self.gw.switchboard.apply(chat_id, "abandon")
        except IllegalTransition:
            return  # assigned or cancelled meanwhile, or another process did it
        await self.gw.queue.remove(chat_id)
        log.info("chat %s left the queue: the user was gone for %.0f s", chat_id, grace)
        await self.say(chat_id, "system", f"You left the queue because this chat was closed "
                       f"for more than {grace:.0f} seconds. Ask for a person again any time.")
        await self.gw.desk.broadcast_queue()

    # -- events --------------------------------------------------------------------------
    async def on_session_request(self, sid: str, data: Any = None) -> dict[str, Any]:
        return await self._guard(sid, "session_request", data, self._session_request)

    async def on_user_uttered(self, sid: str, data: Any = None) -> dict[str, Any]:
        return await self._guard(sid, "user_uttered", data, self._user_uttered)

    async def on_resume(self, sid: str, data: Any = None) -> dict[str, Any]:
        return await self._guard(sid, "resume", data, self._resume)

    async def on_typing(self, sid: str, data: Any = None) -> dict[str, Any]:
        return await self._guard(sid, "typing", data, self._typing)

    async def on_handoff_cancel(self, sid: str, data: Any = None) -> dict[str, Any]:
        return await self._guard(sid, "handoff_cancel", data, self._handoff_cancel)

    async def on_csat(self, sid: str, data: Any = None) -> dict[str, Any]:
        return await self._guard(sid, "csat", data, self._csat)

    async def _guard(self, sid: str, event: str, data: Any, handler: Any) -> dict[str, Any]:
        """Validate, rate-limit, run; turn domain errors into an `error` event. Nothing a
        client sends can crash the handler or the connection. The return value is the
        acknowledgement for clients that ask for one: {ok: true, ...} or {ok: false,
        code, message} (Rasa's own clients ignore it)."""
        try:
            self.limiter.check(sid)
            async with self.ordered.setdefault(sid, asyncio.Lock()):
                result = await handler(sid, validation.as_dict(data, event))
            return {"ok": True, **(result or {})}
        except HandoffError as err:
            error = {"code": err.code, "message": err.message}
        except Exception:
            log.exception("widget %s failed", event)
            error = {"code": "internal", "message": "Something went wrong on our side; your "
                     "message is safe, please retry."}
        await self.emit("error", error, to=sid)
        return {"ok": False, **error}

    async def _asker(self, context: dict[str, str]) -> Asker:
        return await resolve(context.get("token"), self.gw.settings.help_center_secret,
                             RedisAccountDirectory(self.gw.redis))

    async def _session_request(self, sid: str, data: dict[str, Any]) -> None:
        context = validation.custom_data(data, "session_request")
        wanted = validation.session_id(data, "session_request", required=False)
        asker = await self._asker(context)
        owner = asker.account.user_id if asker.signed_in and asker.account else ""
        chat_id = None
        if wanted and await self.gw.switchboard.exists(wanted):
            chat = await self.gw.switchboard.get(wanted)
            if chat.user_id in ("", owner):  # never join someone else's chat
                chat_id = wanted
        chat_id = chat_id or secrets.token_hex(16)
        account = asker.account if asker.signed_in else None
        chat = await self.gw.switchboard.open(
            chat_id, user_id=owner, plan=account.plan if account else "",
            role=account.role if account else "")
        previous = self.sessions.get(sid, {}).get("chat_id")
        self.sessions[sid] = {"chat_id": chat_id, "context": context}
        now = time.time()
        if previous and previous != chat_id:  # one chat per connection at a time
            await self.leave_room(sid, user_room(previous))
            await self._absent(sid, previous, now)
        await self._present(sid, chat, now)
        await self.enter_room(sid, user_room(chat_id))
        await self.emit("session_confirm", chat_id, to=sid)
        if chat.state != "bot":
            await self.emit("handoff_status", await self.gw.status(chat_id), to=sid)

    async def _session(self, sid: str, data: dict[str, Any], event: str) -> dict[str, Any]:
        session = self.sessions.get(sid, {})
        if not session.get("chat_id"):
            raise BadRequest(f"{event}: send session_request first")
        given = validation.session_id(data, event, required=False)
        if given is not None and given != session["chat_id"]:
            raise BadRequest(f"{event}: unknown session_id for this connection")
        return dict(session)

    async def _user_uttered(self, sid: str, data: dict[str, Any]) -> dict[str, Any] | None:
        session = await self._session(sid, data, "user_uttered")
        message = data.get("message")
        if message is None:  # rasa-webchat opening without an initPayload
            return None
        if not isinstance(message, str):
            raise BadRequest("user_uttered: message must be a string")
        if len(message) > self.gw.settings.max_message_chars:
            raise TooLarge(f"user_uttered: message longer than "
                           f"{self.gw.settings.max_message_chars} characters")
        # What the user clicked when the message is a button's payload ("/request_human").
        title = validation.optional_str(data, "title", MAX_TITLE, "user_uttered")
        context = {**session["context"], **validation.custom_data(data, "user_uttered")}
        chat_id = session["chat_id"]
        stored, new = await self.gw.transcript.append(
            chat_id, "user", message,
            client_msg_id=validation.client_msg_id(data, "user_uttered"),
            extra={"title": title.strip()} if title and title.strip() else None)
        if not new:
            # a retry of a message we already have: nothing to do twice
            return {"seq": stored.seq}
        # the user's other tabs of this chat show it too (this one already does)
        await self.emit("bot_uttered", stored.as_event(), room=user_room(chat_id), skip_sid=sid)
        chat = await self.gw.switchboard.get(chat_id)
        if chat.state == "agent":
            await self.gw.desk.to_agent(chat_id, stored, chat)
        elif chat.state == "queued" and message.strip() == TICKET_INSTEAD:
            # "Open a web ticket instead": out of the queue, and the bot takes the request
            await self._leave_queue(chat_id)
            await self._bot_turn(chat_id, message, context)
        elif chat.state == "queued":
            await self.gw.desk.user_status(chat_id)
            await self._article_while_waiting(chat_id, message, context)
        elif not await self._maybe_rating(chat, message):
            await self._bot_turn(chat_id, message, context)
        return {"seq": stored.seq}

    async def _article_while_waiting(self, chat_id: str, message: str,
                                     context: dict[str, str]) -> None:
        """While queued the bot does not own the chat, but a question that clearly
        matches an article gets it, without leaving the queue."""
        language = context.get("language", knowledge.DEFAULT_LANGUAGE)
        try:
            kb = knowledge.cached(language)
        except knowledge.ArticleError:
            kb = knowledge.cached(knowledge.DEFAULT_LANGUAGE)
        hits = kb.search(message, limit=1)
        # Stricter than the bot's fallback: "any news?" is about the wait, not an article.
        if not hits or hits[0][1].score < STRONG_SCORE or \
                hits[0][1].coverage < STRONG_COVERAGE or len(hits[0][1].matched) < 2:
            return
        passage = hits[0][0]
        article = kb.articles[passage.article_id]
        await self.say(chat_id, "bot", f"While you wait, this may help: {passage.text}\n"
                       f"Source: [{article.title}]({article.url()})")

    async def _maybe_rating(self, chat: Chat, message: str) -> bool:
        """Right after an agent closed the chat, "1".."5" (and any text after it) is the
        user's satisfaction rating, stored with the chat."""
        match = re.match(r"^\s*([1-5])\b[\s.,:;!-]*(.*)$", message, re.S)
        if not chat.csat_pending or not match:
            return False
        await self._store_rating(chat.chat_id, int(match.group(1)), match.group(2).strip())
        return True

    async def _store_rating(self, chat_id: str, rating: int, comment: str) -> None:
        await self.gw.desk.record_csat(chat_id, rating, comment)
        await self.say(chat_id, "bot", "Thank you for your feedback!")
        await self.gw.desk.user_status(chat_id)

    async def _csat(self, sid: str, data: dict[str, Any]) -> None:
        """The widget's rating form: {rating: 1..5, comment?}, once the agent has closed."""
        session = await self._session(sid, data, "csat")
        rating = data.get("rating")
        if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
            raise BadRequest("csat: rating must be a whole number from 1 to 5")
        comment = validation.optional_str(data, "comment", MAX_COMMENT, "csat") or ""
        chat_id = session["chat_id"]
        if not (await self.gw.switchboard.get(chat_id)).csat_pending:
            raise BadRequest("csat: this chat has no rating to give (it was never with an "
                             "agent, or it is rated already)")
        await self._store_rating(chat_id, rating, comment.strip())

    async def _bot_turn(self, chat_id: str, text: str, context: dict[str, str]) -> None:
        try:
            replies = await self.gw.rasa.turn(chat_id, text, context)
        except RasaUnavailable as exc:
            log.warning("rasa unavailable for %s: %s", chat_id, exc)
            await self.say(chat_id, "system", "Sorry, I can't answer right now. Your message "
                           "is saved; please try again in a moment.")
            return
        for reply in replies:
            custom = reply.get("custom")
            if isinstance(custom, dict) and "handoff" in custom:
                await self._start_handoff(chat_id, custom, context)
                continue
            extra: dict[str, Any] = {}
            if reply.get("buttons"):
                extra["quick_replies"] = [  # the shape Rasa's socketio channel sends
                    {"content_type": "text", "title": str(b.get("title", ""))[:80],
                     "payload": str(b.get("payload", ""))[:200]}
                    for b in reply["buttons"] if isinstance(b, dict)]
            if reply.get("image"):
                extra["attachment"] = {"type": "image", "payload": {"src": reply["image"]}}
            text_out = reply.get("text")
            if text_out or extra:
                await self.say(chat_id, "bot", str(text_out or ""), extra)

    async def say(self, chat_id: str, sender: str, text: str,
                  extra: dict[str, Any] | None = None) -> Message:
        return await self.gw.desk.say(chat_id, sender, text, extra)

    async def _start_handoff(self, chat_id: str, payload: dict[str, Any],
                             context: dict[str, str]) -> None:
        asker = await self._asker(context)
        policy: SupportPolicy = self.gw.policy
        refused = handoff_rules.recheck(payload, asker, policy)
        if refused:
            log.warning("handoff refused for chat %s: %s", chat_id, refused)
            await self.say(chat_id, "system", "I can't connect you with a specialist from "
                           "this chat. Ask me what support your plan includes.")
            return
        body = payload["handoff"]
        now = time.time()
        try:
            await self.gw.switchboard.apply(
                chat_id, "handoff", priority=body["priority"],
                summary=str(body.get("summary", ""))[:2000],
                triage=json.dumps(body.get("triage") if isinstance(body.get("triage"), dict)
                              else {})[:4000],
            waiting_since=str(now), csat_pending="")
        except IllegalTransition:
            return  # already queued or with an agent
        await self.gw.queue.add(chat_id, body["priority"], now)
        await self.gw.desk.broadcast_queue()
        await self.gw.desk.auto_assign()
        status = await self.gw.status(chat_id)
        if status["state"] == "queued" and not status.get("agents_online"):
            hours = policy.target_hours[body["priority"]]
            offer = {"quick_replies": [{"content_type": "text", "payload": TICKET_INSTEAD,
                                        "title": "Open a web ticket instead"}]}
            await self.say(chat_id, "system", (
                "No support specialist is online right now. You keep your place in the "
                "queue and we'll connect you as soon as someone is free, any time of day. "
                f"If you'd rather not wait, open a web ticket instead: for priority "
                f"{body['priority']} the target response time is {hours} hours."), offer)

    async def _resume(self, sid: str, data: dict[str, Any]) -> None:
        session = await self._session(sid, data, "resume")
        chat_id = session["chat_id"]
        for message in await self.gw.transcript.after(chat_id, validation.last_seq(data,
                                                                                    "resume")):
            await self.emit("bot_uttered", message.as_event(), to=sid)
        await self.emit("handoff_status", await self.gw.status(chat_id), to=sid)

    async def _typing(self, sid: str, data: dict[str, Any]) -> None:
        session = await self._session(sid, data, "typing")
        chat = await self.gw.switchboard.get(session["chat_id"])
        if chat.state == "agent" and chat.assignee:
            await self.gw.sio.emit("typing", {"chat_id": chat.chat_id, "sender": "user"},
                                   room=agent_room(chat.assignee), namespace="/agent")

    async def _handoff_cancel(self, sid: str, data: dict[str, Any]) -> None:
        session = await self._session(sid, data, "handoff_cancel")
        chat_id = session["chat_id"]
        await self._leave_queue(chat_id)
        await self.say(chat_id, "system", "You've left the queue. I'm here if you need "
                       "anything else.")

    async def _leave_queue(self, chat_id: str) -> None:
        await self.gw.switchboard.apply(chat_id, "cancel")
        await self.gw.queue.remove(chat_id)
        await self.gw.desk.user_status(chat_id)
        await self.gw.desk.broadcast_queue()
