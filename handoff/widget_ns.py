"""The widget namespace "/": Rasa socketio-channel compatible, plus handoff extras.

A chat is identified by its session id (a random bearer id: the server's, or a client's
own of at least 128 bits). Every handler validates, calls one use case and replies; the
use cases live in `handoff.desk` (with `handoff.lifecycle`) and `handoff.turns`.

A user message is acknowledged as soon as it is stored (`{ok: true, seq}`); in a
bot-owned chat its bot turn then runs in the background and the replies arrive as
`bot_uttered`. A retry of a stored message (same `client_msg_id`) is recognised, its
delivery repeated, and its bot turn taken over if the process running it died.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import socketio

from bot import knowledge, redis_keys
from bot import language as language_rule
from bot.entitlements import Asker
from bot.search_thresholds import STRONG_COVERAGE, STRONG_SCORE
from handoff import customer_copy, liveness, texts, validation
from handoff import vocabulary as v
from handoff.chat import Chat
from handoff.desk import TALK_TO_PERSON, TICKET_INSTEAD, Desk
from handoff.edge import error_reply
from handoff.errors import (
    BadRequest,
    Busy,
    ChatNotFound,
    NotChatOwner,
    RateLimited,
    Refused,
    TooLarge,
)
from handoff.lifecycle import HandoffRequest, Lifecycle, Say
from handoff.metrics import USER_TO_AGENT, Metrics
from handoff.ratelimit import (
    HANDOFFS_PER_USER,
    MESSAGES_PER_ADDRESS,
    MESSAGES_PER_CHAT,
    NEW_CHATS_PER_ADDRESS,
    NEW_CHATS_PER_USER,
    TRANSCRIPTS_PER_CHAT,
    RateLimiter,
    SharedLimits,
    client_address,
)
from handoff.sweeper import InFlight
from handoff.transcript import REPLAY_PAGE, Message, Transcript
from handoff.turns import BotTurns, Turn
from handoff.vocabulary import Code, WidgetEvent

log = logging.getLogger(__name__)
MAX_TITLE = 200
MAX_COMMENT = 1000
BOT_DOWN_WINDOW_S = 600  # "Talk to a person" works without the bot this long after it failed
OFFER_LOOKBACK = 20  # a clicked button must be among the quick replies of these messages
# The widget's own buttons (not quick replies of a message): payload -> their titles.
WIDGET_BUTTONS = {TALK_TO_PERSON: tuple(t["talk_to_person"] for t in texts.CATALOGUE.values())}

OriginCheck = Callable[[str | None, dict[str, Any]], bool]
AskerOf = Callable[[dict[str, str]], Awaitable[Asker]]


@dataclass(frozen=True)
class WidgetLimits:
    max_message_chars: int
    rate_limit_events: int
    rate_limit_window_s: float
    max_event_bytes: int = 16_384
    max_connections_per_address: int = 50
    trusted_proxies: tuple[str, ...] = ()


@dataclass(slots=True)
class Session:
    """One connection's chat and page context (kept by us: python-socketio drops its
    session at disconnect, before the events already received have been handled)."""

    chat_id: str
    context: dict[str, str] = field(default_factory=dict)
    language: str = ""  # the chat's language as this connection last knew it
    address: str = ""  # where the connection comes from (for the shared limits)


class WidgetNamespace(socketio.AsyncNamespace):
    def __init__(self, *, desk: Desk, lifecycle: Lifecycle, transcript: Transcript,
                 turns: BotTurns, asker_of: AskerOf, origin_allowed: OriginCheck,
                 limits: WidgetLimits, metrics: Metrics, shared: SharedLimits) -> None:
        super().__init__(v.WIDGET_NS)
        self.desk = desk
        self.lifecycle = lifecycle
        self.transcript = transcript
        self.turns = turns
        self.asker_of = asker_of
        self.origin_allowed = origin_allowed
        self.limits = limits
        self.metrics = metrics
        self.limiter = RateLimiter(limits.rate_limit_events, limits.rate_limit_window_s)
        self.shared = shared
        self.addresses: dict[str, str] = {}  # socket -> its client's address
        self.per_address: dict[str, int] = {}  # address -> this process's sockets
        # python-socketio runs each event in its own task; one lock per connection makes
        # a connection's events run one at a time, in the order they arrived.
        # (kept only while a connection has events running or waiting: an idle one
        # costs nothing here)
        self.ordered: dict[str, tuple[asyncio.Lock, int]] = {}
        self.sessions: dict[str, Session] = {}
        self.background: set[asyncio.Task[None]] = set()
        self.in_flight = InFlight()  # waited for at shutdown

    # -- connection ----------------------------------------------------------------------
    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        origin = environ.get("HTTP_ORIGIN")
        if not self.origin_allowed(origin, environ):
            log.warning("widget connection refused: origin %r", origin)
            raise socketio.exceptions.ConnectionRefusedError("origin not allowed")
        request = environ.get("aiohttp.request")
        address = client_address(getattr(request, "remote", None),
                                 environ.get("HTTP_X_FORWARDED_FOR"),
                                 self.limits.trusted_proxies)
        if self.per_address.get(address, 0) >= self.limits.max_connections_per_address:
            log.warning("widget connection refused: %s has %d already", address,
                        self.per_address[address])
            raise socketio.exceptions.ConnectionRefusedError("too many connections")
        self.per_address[address] = self.per_address.get(address, 0) + 1
        self.addresses[sid] = address
        self.metrics.connected()

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        with self.in_flight:
            await self._disconnected(sid)

    async def _disconnected(self, sid: str) -> None:
        self.metrics.disconnected()
        address = self.addresses.pop(sid, None)
        if address is not None:
            self.per_address[address] -= 1
            if not self.per_address[address]:
                del self.per_address[address]
        if sid in self.ordered:
            async with self.ordered[sid][0]:  # let the events already sent finish
                pass
        self.limiter.forget(sid)
        session = self.sessions.pop(sid, None)
        if session:
            try:
                await self._absent(sid, session.chat_id, time.time())
            except Exception:  # e.g. Redis down: the heartbeat expires anyway
                log.warning("could not record that %s left chat %s", sid, session.chat_id)

    @contextlib.contextmanager
    def _one_at_a_time(self, sid: str) -> Iterator[asyncio.Lock]:
        """The connection's lock, made when its first event arrives and dropped when its
        last one is done."""
        lock, users = self.ordered.get(sid) or (asyncio.Lock(), 0)
        self.ordered[sid] = (lock, users + 1)
        try:
            yield lock
        finally:
            lock, users = self.ordered.pop(sid)
            if users > 1:
                self.ordered[sid] = (lock, users - 1)

    def _later(self, coro: Any) -> None:
        async def run() -> None:
            with self.in_flight:
                await coro
        task = asyncio.ensure_future(run())
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    async def _drop(self, sid: str) -> None:
        """Disconnect a socket whose chat Redis no longer has: the client reconnects,
        asks for its chat again (made anew under the same id) and, told by `resume` that
        the history is gone, starts over."""
        log.warning("chat of %s is gone from the store; making the client rejoin", sid)
        self.sessions.pop(sid, None)
        await asyncio.sleep(0.2)  # the acknowledgement goes first
        await self.disconnect(sid)

    # -- is the user still there? ----------------------------------------------------------
    async def _present(self, sid: str, chat: Chat, now: float) -> None:
        await self.desk.customer(chat.chat_id).joined(sid, now)
        await self.desk.customer_presence(chat, online=True)

    async def _absent(self, sid: str, chat_id: str, now: float) -> None:
        if not await self.desk.customer(chat_id).left(sid, now):
            try:
                chat = await self.lifecycle.get(chat_id)
            except ChatNotFound:
                return
            await self.desk.customer_presence(chat, online=False)

    async def sweep(self, grace: float) -> None:
        """Refresh this process's sockets; take queued chats whose user is gone past the
        grace period out of the queue (whichever process served them)."""
        now = time.time()
        self.limiter.prune()
        sockets: dict[str, list[str]] = {}
        for sid, session in list(self.sessions.items()):
            sockets.setdefault(redis_keys.chat_conns(session.chat_id), []).append(sid)
        await liveness.refresh(self.lifecycle.redis, sockets, now)
        queued = await self.lifecycle.queued(1000)
        gone = await liveness.gone_many(self.lifecycle.redis,
                                        [self.desk.customer(c) for c in queued], grace, now)
        for chat_id in [c for c, left in zip(queued, gone, strict=True) if left]:
            try:
                chat = await self.lifecycle.get(chat_id)
            except ChatNotFound:
                continue
            await self.desk.abandon(chat)

    # -- events --------------------------------------------------------------------------
    async def on_session_request(self, sid: str, data: Any = None) -> dict[str, Any]:
        return await self._guard(sid, WidgetEvent.SESSION_REQUEST, data, self._session_request)

    async def on_user_uttered(self, sid: str, data: Any = None) -> dict[str, Any]:
        received = time.monotonic()  # the relay's latency is counted from here
        return await self._guard(sid, WidgetEvent.USER_UTTERED, data,
                                 lambda s, d: self._user_uttered(s, d, received))

    async def on_resume(self, sid: str, data: Any = None) -> dict[str, Any]:
        return await self._guard(sid, WidgetEvent.RESUME, data, self._resume)

    async def on_typing(self, sid: str, data: Any = None) -> dict[str, Any]:
        return await self._guard(sid, WidgetEvent.TYPING, data, self._typing)

    async def on_handoff_cancel(self, sid: str, data: Any = None) -> dict[str, Any]:
        return await self._guard(sid, WidgetEvent.HANDOFF_CANCEL, data, self._handoff_cancel)

    async def on_csat(self, sid: str, data: Any = None) -> dict[str, Any]:
        return await self._guard(sid, WidgetEvent.CSAT, data, self._csat)

    async def on_transcript(self, sid: str, data: Any = None) -> dict[str, Any]:
        return await self._guard(sid, WidgetEvent.TRANSCRIPT, data, self._transcript)

    async def _guard(self, sid: str, event: str, data: Any,
                     handler: Callable[[str, dict[str, Any]], Awaitable[dict[str, Any] | None]]
                     ) -> dict[str, Any]:
        """Rate-limit, validate, run one at a time per connection; turn errors into an
        acknowledgement `{ok: false, code, message}` and an `error` event (for Rasa's
        clients, which do not use acknowledgements). Nothing a client sends can crash
        the handler or the connection."""
        try:
            self.limiter.check(sid)
            validation.within(data, self.limits.max_event_bytes, event)
            with self.in_flight, self._one_at_a_time(sid) as lock:
                async with lock:
                    result = await handler(sid, validation.as_dict(data, event))
            return {"ok": True, **(result or {})}
        except ChatNotFound as exc:
            if sid not in self.sessions:
                error = error_reply(exc, f"widget {event}")
            else:  # the store lost this connection's chat: rejoin, as after any reconnect
                error = {"ok": False, "code": Code.UNAVAILABLE, "message": "This conversation "
                         "is being reopened; your message will be sent again."}
                self._later(self._drop(sid))
        except Exception as exc:
            error = error_reply(exc, f"widget {event}")
        try:
            await self.emit(WidgetEvent.ERROR, {"code": error["code"],
                                                "message": error["message"]}, to=sid)
        except Exception:
            log.warning("could not send the error of %s to %s", event, sid)
        return error

    def _session(self, sid: str, data: dict[str, Any], event: str) -> Session:
        session = self.sessions.get(sid)
        if session is None:
            raise BadRequest(f"{event}: send session_request first")
        given = validation.session_id(data, event, required=False)
        if given is not None and given != session.chat_id:
            raise BadRequest(f"{event}: unknown session_id for this connection")
        return session

    async def _session_request(self, sid: str, data: dict[str, Any]) -> None:
        context = validation.custom_data(data, "session_request")
        wanted = validation.session_id(data, "session_request", required=False)
        asker = await self.asker_of(context)
        account = asker.account if asker.signed_in else None
        owner = {"user_id": account.user_id if account else "",
                 "plan": account.plan if account else "",
                 "role": account.role if account else "",
                 "language": context.get("language", "")}
        chat = None
        if wanted:  # rejoin one's own chat
            try:
                chat = (await self.lifecycle.open(wanted, **owner, create=False)).chat
            except (ChatNotFound, NotChatOwner):
                chat = None
        if chat is None:  # a new chat: under the client's own id if well formed
            address = self.addresses.get(sid, "unknown")
            await self.shared.hit(NEW_CHATS_PER_ADDRESS, address, *(
                [(NEW_CHATS_PER_USER, owner["user_id"])] if owner["user_id"] else []))
            new_id = secrets.token_hex(16)
            if wanted and validation.proposable(wanted):
                try:
                    chat = (await self.lifecycle.open(wanted, **owner, create=True)).chat
                except NotChatOwner:
                    chat = None
            if chat is None:
                chat = (await self.lifecycle.open(new_id, **owner, create=True)).chat
        assert chat is not None
        previous = self.sessions.get(sid)
        self.sessions[sid] = Session(chat.chat_id, context, chat.language,
                                     self.addresses.get(sid, "unknown"))
        now = time.time()
        if previous and previous.chat_id != chat.chat_id:  # one chat per connection
            await self.leave_room(sid, v.user_room(previous.chat_id))
            await self._absent(sid, previous.chat_id, now)
        await self._present(sid, chat, now)
        await self.enter_room(sid, v.user_room(chat.chat_id))
        await self.emit(WidgetEvent.SESSION_CONFIRM, chat.chat_id, to=sid)
        if chat.state != v.BOT or chat.csat_pending:
            await self.desk.send_status(chat.chat_id, sid, chat)

    async def _user_uttered(self, sid: str, data: dict[str, Any], received: float
                            ) -> dict[str, Any] | None:
        session = self._session(sid, data, "user_uttered")
        message = data.get("message")
        if message is None:  # rasa-webchat opening without an initPayload
            return None
        if not isinstance(message, str):
            raise BadRequest("user_uttered: message must be a string")
        if not message.strip():
            raise BadRequest("user_uttered: message is empty")
        if len(message) > self.limits.max_message_chars:
            raise TooLarge(f"user_uttered: message longer than "
                           f"{self.limits.max_message_chars} characters")
        # What the user clicked when the message is a button's payload ("/request_human").
        title = (validation.optional_str(data, "title", MAX_TITLE, "user_uttered") or "").strip()
        if title:  # shown to the agent as "the button the customer clicked": only if it was
            title = await self._offered(session.chat_id, message, title)
        cid = validation.client_msg_id(data, "user_uttered")
        context = {**session.context, **validation.custom_data(data, "user_uttered")}
        session.context = context  # e.g. a refreshed token: kept for the next messages
        chat_id = session.chat_id
        # however many sockets or processes a chat uses, it gets this many messages
        await self.shared.hit(MESSAGES_PER_CHAT, chat_id,
                              (MESSAGES_PER_ADDRESS, session.address))
        if self.turns.full and (await self.lifecycle.get(chat_id)).state == v.BOT:
            raise Busy("the assistant is very busy right now; your message was not saved "
                       "and will be sent again in a moment")
        # the one rule for a chat's language, the bot's too (bot/language.py)
        language = session.language = language_rule.next_language(
            session.language or None, context.get("language"), message)
        context = {**context, "language": language}
        extra: dict[str, Any] = {}
        if cid:
            extra["client_msg_id"] = cid
        if title:
            extra["title"] = title
        direct = message.strip() == TALK_TO_PERSON and await self._bot_is_down(chat_id)
        outcome = await self.lifecycle.user_message(
            chat_id, Say(v.USER, message, extra, cid or ""),
            turn=None if direct else self.turns.new(chat_id, message, context),
            rating=validation.rating(message), thanks=self.desk.thanks(language),
            ticket_instead=message.strip() == TICKET_INSTEAD, language=language)
        info = outcome.info
        seq, new, state = int(info["seq"]), bool(info["new"]), str(info["state"])
        stored = outcome.messages[:1] if new else [
            m for m in await self.transcript.after(chat_id, seq - 1, 1) if m.seq == seq]
        asks_bot = (state == v.BOT and new and bool(info.get("turn")) and not direct
                    and not info.get("rated") and message.strip() != TICKET_INSTEAD)
        if asks_bot:  # the bot first: the echo below goes out while Rasa thinks
            self.turns.start(Turn.from_record(chat_id, seq, str(info["turn"])))
        # the user's other tabs of this chat show it too (this one already does), and
        # its agent if it has one
        agent = str(info.get("assignee") or "") if state == v.AGENT else ""
        await self.desk.fanout.to_both(chat_id, stored, agent or None, skip_sid=sid)
        if agent:
            self.metrics.observe_relay(USER_TO_AGENT, time.monotonic() - received)
            if new:  # agent assist follows what the customer writes
                self.desk.assist_soon(agent, chat_id, language, message, seq)
        elif state == v.QUEUED and new:
            await self.desk.send_status(chat_id)
            await self._article_while_waiting(chat_id, message, language)
        elif state == v.BOT and info.get("rated"):
            await self.desk.fanout.to_user(chat_id, outcome.messages[1:])
            await self.desk.send_status(chat_id)
        elif state == v.BOT and direct and new:
            await self._person_without_bot(chat_id, message, context, language)
        elif state == v.BOT and info.get("turn") and not asks_bot:
            turn = Turn.from_record(chat_id, seq, str(info["turn"]))
            if new:  # it left the queue to do this (TICKET_INSTEAD)
                await self.desk.send_status(chat_id)
                await self.desk.broadcast_queue()
                self.turns.start(turn)
            else:
                await self.turns.take_over(chat_id, seq, str(info["turn"]))
        return {"seq": seq}

    async def _offered(self, chat_id: str, payload: str, title: str) -> str:
        """`title` if a button with that title and payload was offered in the chat's
        recent messages (or is one of the widget's own buttons), else "": a customer
        cannot make the agent see words the customer wrote as a button's label."""
        if WIDGET_BUTTONS.get(payload.strip()) and title in WIDGET_BUTTONS[payload.strip()]:
            return title
        for message in await self.transcript.before(chat_id, None,
                                                    OFFER_LOOKBACK):
            for reply in message.extra.get("quick_replies") or []:
                if isinstance(reply, dict) and reply.get("payload") == payload and \
                        reply.get("title") == title:
                    return title
        log.info("chat %s: title %r was never offered; dropped", chat_id, title[:40])
        return ""

    async def _bot_is_down(self, chat_id: str) -> bool:
        chat = await self.lifecycle.get(chat_id)
        return chat.state == v.BOT and chat.bot_down_at > time.time() - BOT_DOWN_WINDOW_S

    async def _person_without_bot(self, chat_id: str, message: str, context: dict[str, str],
                                  language: str) -> None:
        """"Talk to a person" while the bot is down: the gateway checks the entitlement
        from the verified token and the policy itself, and queues the chat."""
        asker = await self.asker_of(context)
        if not await self.turns.entitled_to_person(context):
            await self._say(chat_id, texts.text("not_entitled", language))
            return
        account = asker.account
        user_id = account.user_id if account else ""
        try:
            await self.shared.hit(HANDOFFS_PER_USER, user_id or chat_id)
        except RateLimited:
            await self._say(chat_id, texts.text("too_many_handoffs", language))
            return
        who = (f"{account.name} ({account.role}, {account.plan} plan, account "
               f"{account.account_id})" if account else "A signed-in user")
        handoff = HandoffRequest(
            priority="P3", reason="bot_unavailable",
            summary=f"{who} asked for a person while the assistant was unavailable; "
                    f"no triage was done.", triage={},
            nobody_online=self.turns.nobody_online("P3", language, 0), user_id=user_id)
        chat = await self.lifecycle.get(chat_id)
        try:
            await self.desk.request_person(chat, handoff, [Say(v.SYSTEM, texts.text(
                "connecting", language))])
        except Refused:  # another chat of this user is with support
            await self._say(chat_id, texts.text("busy_handoff", language))
            return
        log.info("chat %s queued without the bot (%s)", chat_id, message.strip())

    async def _say(self, chat_id: str, text: str) -> None:
        outcome = await self.lifecycle.say(chat_id, [Say(v.SYSTEM, text)])
        await self.desk.fanout.to_user(chat_id, outcome.messages)

    async def _article_while_waiting(self, chat_id: str, message: str, language: str) -> None:
        """While queued the bot does not own the chat, but a question that clearly
        matches an article gets it, without leaving the queue."""
        try:
            kb = knowledge.cached(language or knowledge.DEFAULT_LANGUAGE)
        except knowledge.ArticleError:
            kb = knowledge.cached(knowledge.DEFAULT_LANGUAGE)
        hits = kb.search(message, limit=1)
        # Stricter than the bot's fallback: "any news?" is about the wait, not an article.
        if not hits or hits[0][1].score < STRONG_SCORE or \
                hits[0][1].coverage < STRONG_COVERAGE or len(hits[0][1].matched) < 2:
            return
        passage = hits[0][0]
        article = kb.articles[passage.article_id]
        outcome = await self.lifecycle.say(chat_id, [Say(v.BOT, texts.text(
            "while_waiting", language, text=passage.text, title=article.title,
            url=article.url()))])
        await self.desk.fanout.to_user(chat_id, outcome.messages)

    async def _resume(self, sid: str, data: dict[str, Any]) -> dict[str, Any]:
        """Replay what the client missed, a page at a time: `more: true` in the
        acknowledgement asks the client to resume again from `last_seq`. `latest` is the
        chat's newest number: below what the client has, the chat's history was lost
        (Redis lost its data) and the client should start over from 0."""
        session = self._session(sid, data, "resume")
        after = validation.last_seq(data, "resume")
        page: list[Message] = await self.transcript.after(session.chat_id, after, REPLAY_PAGE)
        await self.desk.fanout.to_socket(sid, page)
        more = len(page) == REPLAY_PAGE
        await self.desk.send_status(session.chat_id, sid)
        return {"more": more, "last_seq": page[-1].seq if page else after,
                "latest": await self.transcript.last_seq(session.chat_id)}

    async def _typing(self, sid: str, data: dict[str, Any]) -> None:
        session = self._session(sid, data, "typing")
        chat = await self.lifecycle.get(session.chat_id)
        if chat.state == v.AGENT and chat.assignee:
            await self.desk.fanout.typing_to_agent(chat.assignee, chat.chat_id)

    async def _handoff_cancel(self, sid: str, data: dict[str, Any]) -> None:
        session = self._session(sid, data, "handoff_cancel")
        await self.desk.cancel(await self.lifecycle.get(session.chat_id))

    async def _csat(self, sid: str, data: dict[str, Any]) -> None:
        """The widget's rating form: {rating: 1..5, comment?}, once the agent has closed."""
        session = self._session(sid, data, "csat")
        rating = data.get("rating")
        if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
            raise BadRequest("csat: rating must be a whole number from 1 to 5")
        comment = validation.optional_str(data, "comment", MAX_COMMENT, "csat") or ""
        await self.desk.rate(await self.lifecycle.get(session.chat_id), rating,
                             comment.strip())

    async def _transcript(self, sid: str, data: dict[str, Any]) -> dict[str, Any]:
        """The customer's copy of this connection's chat: `{session_id, format?: "text"
        | "markdown", customData?: {token?}}` -> `{filename, content_type, text}`. Only
        the chat's owner: the connection must have joined the chat (session_request
        checked it), and a signed-in user's chat needs that user's valid token now."""
        session = self._session(sid, data, "transcript")
        fmt = data.get("format", "text")
        if fmt not in customer_copy.FORMATS:
            raise BadRequest("transcript: format must be 'text' or 'markdown'")
        context = {**session.context, **validation.custom_data(data, "transcript")}
        session.context = context
        chat = await self.lifecycle.get(session.chat_id)
        if chat.user_id:
            asker = await self.asker_of(context)
            if not asker.signed_in or asker.account is None or \
                    asker.account.user_id != chat.user_id:
                raise NotChatOwner("sign in again to download this conversation")
        await self.shared.hit(TRANSCRIPTS_PER_CHAT, chat.chat_id)
        copy = await self.desk.customer_copy(chat, str(fmt))
        return {"filename": copy.filename, "content_type": copy.content_type,
                "text": copy.text}
