"""Bot turns: every user message in a bot-owned chat is a turn that is *pending* until
the bot's answer (or a plain notice that it could not answer) is stored.

A turn is registered in the same atomic step that stores the user's message (see
`Lifecycle.user_message`), owned by the gateway process that stored it. That process
asks Rasa, then stores the replies, the handoff they ask for and "answered" in one step
(`Lifecycle.finish_turn`). If the process dies in between, the turn stays pending with a
dead owner: the client's retry of the message, or any process's recovery sweep, takes it
over and runs it again with the same message id; Rasa's lock and the gateway channel
answer a turn that already ran from the conversation (`rasa_ext/channel.py`), and the
replies carry client ids, so nothing is answered or stored twice.

When Rasa or the action server is down, slow or answers nothing, the user is told at
once (within the Rasa timeout), their message stays stored, and owners and admins of
paid accounts get "Talk to a person", which works without the bot.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from bot import handoff as handoff_rules
from bot import identity, redis_keys
from bot.entitlements import Asker, decide
from bot.policy import SupportPolicy
from handoff import texts
from handoff import vocabulary as v
from handoff.chat import MAX_REASON, MAX_SUMMARY, bounded, bounded_triage
from handoff.desk import TALK_TO_PERSON, TICKET_INSTEAD, Desk
from handoff.errors import ChatNotFound, HandoffError, RateLimited, Unavailable
from handoff.lifecycle import HandoffRequest, Lifecycle, Say
from handoff.metrics import Metrics
from handoff.rasa_client import RasaClient, RasaUnavailable
from handoff.ratelimit import HANDOFFS_PER_USER, SharedLimits
from handoff.sweeper import cancel

log = logging.getLogger(__name__)
PROCESS_TTL_MS = 3000  # a process that has not refreshed its heartbeat for this is dead
MAX_ATTEMPTS = 3  # a turn that kept killing its process is answered with a notice
RECOVER_BATCH = 50
FINISH_ATTEMPTS = 20  # about a minute of retries while Redis is away
STALLED_S = 30.0  # an own pending turn no task runs is started again after this


class Process:
    """This gateway process's identity and heartbeat, which makes it the live owner of
    the turns it registers."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self.id = secrets.token_hex(8)

    async def beat(self) -> None:
        await self.redis.set(redis_keys.process(self.id), str(time.time()), px=PROCESS_TTL_MS)

    async def alive(self, ids: list[str]) -> dict[str, bool]:
        async with self.redis.pipeline(transaction=False) as pipe:
            for pid in ids:
                pipe.exists(redis_keys.process(pid))
            found = await pipe.execute()
        return {pid: bool(n) or pid == self.id for pid, n in zip(ids, found, strict=True)}


@dataclass(frozen=True)
class Turn:
    chat_id: str
    seq: int
    text: str
    context: dict[str, str]  # token, country, language: what Rasa gets as metadata
    owner: str
    attempts: int = 1

    @property
    def member(self) -> str:
        return f"{self.chat_id}:{self.seq}"

    @property
    def language(self) -> str:
        return self.context.get("language") or texts.DEFAULT

    def as_record(self) -> dict[str, Any]:
        return {"owner": self.owner, "text": self.text, "context": self.context,
                "attempts": self.attempts}

    @classmethod
    def from_record(cls, chat_id: str, seq: int, raw: str | dict[str, Any]) -> Turn:
        data = json.loads(raw) if isinstance(raw, str) else raw
        return cls(chat_id, seq, str(data.get("text", "")),
                   {str(k): str(val) for k, val in (data.get("context") or {}).items()},
                   str(data.get("owner", "")), int(data.get("attempts") or 1))


AskerOf = Callable[[dict[str, str]], Awaitable[Asker]]


class BotTurns:
    def __init__(self, lifecycle: Lifecycle, desk: Desk, rasa: RasaClient,
                 policy: SupportPolicy, asker_of: AskerOf, process: Process,
                 metrics: Metrics, limits: SharedLimits, help_center_secret: str,
                 max_running: int = 100) -> None:
        self.lifecycle = lifecycle
        self.help_center_secret = help_center_secret
        self.limits = limits
        self.max_running = max_running  # bot turns at once in this process
        self.desk = desk
        self.rasa = rasa
        self.policy = policy
        self.asker_of = asker_of
        self.process = process
        self.metrics = metrics
        self.tasks: set[asyncio.Task[None]] = set()
        self.locks: dict[str, asyncio.Lock] = {}  # one turn at a time per chat, in order
        self.waiting: dict[str, int] = {}  # turns started and not done, per chat
        self.running: set[str] = set()  # members of the turns this process runs now

    def metadata(self, turn: Turn) -> dict[str, str]:
        """What Rasa gets with the message: the page's country and language, and who is
        asking as the gateway verified it (a short-lived assertion of its own), never
        the help center's token, which Rasa would keep in its trackers for days."""
        meta = {k: v for k, v in turn.context.items() if k in ("country", "language")}
        who = identity.verify(turn.context.get("token"), self.help_center_secret,
                              **identity.expected_claims())
        meta["identity"] = identity.assertion(who, self.help_center_secret)
        return meta

    @property
    def full(self) -> bool:
        """As many bot turns running here as this process takes: new ones wait."""
        return len(self.running) >= self.max_running

    def new(self, chat_id: str, text: str, context: dict[str, str]) -> dict[str, Any]:
        """The record of a turn this process is about to register."""
        return Turn(chat_id, 0, text, context, self.process.id).as_record()

    def start(self, turn: Turn) -> None:
        """Run the turn in the background: the user's message is acknowledged as stored
        at once, and the replies follow as they come."""
        chat_id = turn.chat_id
        lock = self.locks.setdefault(chat_id, asyncio.Lock())
        self.waiting[chat_id] = self.waiting.get(chat_id, 0) + 1
        self.running.add(turn.member)

        async def run() -> None:
            try:
                async with lock:
                    await self.run(turn)
            except Exception:  # still pending: the recovery sweep runs it again
                log.exception("bot turn %s stopped before its end was stored", turn.member)
            finally:
                self.running.discard(turn.member)
                self.waiting[chat_id] -= 1
                if not self.waiting[chat_id]:
                    del self.waiting[chat_id]
                    self.locks.pop(chat_id, None)

        task = asyncio.ensure_future(run())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def stop(self) -> None:
        """Shutting down: unfinished turns stay pending for another process to finish."""
        for task in list(self.tasks):
            await cancel(task)

    async def run(self, turn: Turn) -> None:
        started = time.monotonic()
        try:
            replies = await self.rasa.turn(turn.chat_id, turn.text, self.metadata(turn),
                                           message_id=turn.member, replay=turn.attempts > 1)
            if not replies:
                raise RasaUnavailable("Rasa answered nothing (is the action server up?)")
        except RasaUnavailable as exc:
            log.warning("bot turn %s failed: %s", turn.member, exc)
            self.metrics.turn_failed()
            await self._unanswered(turn)
            return
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("bot turn %s failed", turn.member)
            await self._unanswered(turn)
            return
        self.metrics.observe_turn(time.monotonic() - started)
        says, handoff = await self._replies(turn, replies)
        await self._finish(turn, says, handoff, bot_down=False)

    async def _finish(self, turn: Turn, says: list[Say], handoff: HandoffRequest | None,
                      bot_down: bool) -> None:
        """Store the turn's end; while Redis is unreachable, keep trying (bounded): the
        answer is ready and must not be dropped. If this process dies meanwhile, the turn
        is still pending and another takes it over."""
        for attempt in range(FINISH_ATTEMPTS):
            try:
                outcome = await self.lifecycle.finish_turn(turn.chat_id, turn.seq, says,
                                                           handoff, bot_down=bot_down)
                break
            except ChatNotFound:
                return
            except Unavailable:
                if attempt == FINISH_ATTEMPTS - 1:
                    raise
                await asyncio.sleep(min(5.0, 0.25 * 2 ** attempt))
        await self.desk.turn_finished(turn.chat_id, outcome)

    async def _replies(self, turn: Turn, replies: list[dict[str, Any]]
                       ) -> tuple[list[Say], HandoffRequest | None]:
        """Rasa's replies as messages to store (each with a client id made from the turn,
        so a re-run stores them once), and the handoff one of them asks for."""
        says: list[Say] = []
        handoff = None
        for i, reply in enumerate(replies):
            cid = f"b{turn.seq}.{i}"
            custom = reply.get("custom")
            if isinstance(custom, dict) and "handoff" in custom:
                handoff, refusal = await self._handoff(turn, custom)
                if refusal:
                    says.append(Say(v.SYSTEM, refusal, cid=cid))
                continue
            extra: dict[str, Any] = {}
            if reply.get("buttons"):
                extra["quick_replies"] = [  # the shape Rasa's socketio channel sends
                    {"content_type": "text", "title": str(b.get("title", ""))[:80],
                     "payload": str(b.get("payload", ""))[:200]}
                    for b in reply["buttons"] if isinstance(b, dict)]
            if isinstance(reply.get("image"), str):
                extra["attachment"] = {"type": "image", "payload": {"src": reply["image"]}}
            text = reply.get("text")
            if text or extra:
                says.append(Say(v.BOT, str(text or ""), extra, cid))
        return says, handoff

    async def _handoff(self, turn: Turn, payload: dict[str, Any]
                       ) -> tuple[HandoffRequest | None, str]:
        """The bot asked for a person: re-check the entitlement from the verified token
        (a forged or stale payload is refused and logged), bound every field."""
        asker = await self.asker_of(turn.context)
        refused = handoff_rules.recheck(payload, asker, self.policy)
        if refused:
            log.warning("handoff refused for chat %s: %s", turn.chat_id, refused)
            return None, texts.text("handoff_refused", turn.language)
        user_id = asker.account.user_id if asker.signed_in and asker.account else ""
        if turn.attempts == 1:  # (a re-run of the same turn is not a new request)
            try:
                await self.limits.hit(HANDOFFS_PER_USER, user_id or turn.chat_id)
            except RateLimited:
                log.warning("handoff refused for chat %s: too many for %s", turn.chat_id,
                            user_id)
                return None, texts.text("too_many_handoffs", turn.language)
        body = payload["handoff"]
        priority = str(body["priority"])
        return HandoffRequest(
            priority=priority, reason=bounded(body.get("reason", ""), MAX_REASON),
            summary=bounded(body.get("summary", ""), MAX_SUMMARY),
            triage=bounded_triage(body.get("triage")), seq=turn.seq,
            nobody_online=self.nobody_online(priority, turn.language, turn.seq),
            user_id=user_id, busy=Say(v.SYSTEM, texts.text("busy_handoff", turn.language),
                                      cid=f"h{turn.seq}")), ""

    def nobody_online(self, priority: str, language: str, seq: int) -> Say:
        hours = self.policy.target_hours.get(priority, 24)
        return Say(v.SYSTEM, texts.text("nobody_online", language, priority=priority,
                                         target=texts.hours(hours, language)),
                   {"quick_replies": [{"content_type": "text", "payload": TICKET_INSTEAD,
                                       "title": texts.text("ticket_instead", language)}]},
                   cid=f"q{seq}")

    async def entitled_to_person(self, context: dict[str, str]) -> bool:
        return decide(self.policy, await self.asker_of(context), "live_chat").allowed

    async def _unanswered(self, turn: Turn) -> None:
        """Tell the user plainly, keep their message, offer what works without the bot."""
        try:
            person = await self.entitled_to_person(turn.context)
        except Exception:  # e.g. Redis away: no offer, but the notice itself matters
            log.warning("could not check who %s is; no offer of a person", turn.member)
            person = False
        replies = [{"content_type": "text", "title": texts.text("try_again", turn.language),
                    "payload": turn.text[:200]}] if len(turn.text) <= 200 else []
        if person:
            replies.append({"content_type": "text", "payload": TALK_TO_PERSON,
                            "title": texts.text("talk_to_person", turn.language)})
        notice = Say(v.SYSTEM, texts.text("bot_unavailable_person" if person else
                                          "bot_unavailable", turn.language),
                     {"quick_replies": replies} if replies else {}, cid=f"f{turn.seq}")
        await self._finish(turn, [notice], None, bot_down=True)

    # -- recovery ---------------------------------------------------------------------------
    async def take_over(self, chat_id: str, seq: int, record: str | dict[str, Any]) -> bool:
        """Run a pending turn whose owner died (a client's retry found it, or the sweep).
        Only one process wins the take-over."""
        turn = Turn.from_record(chat_id, seq, record)
        if turn.owner == self.process.id or \
                (await self.process.alive([turn.owner]))[turn.owner]:
            return False
        claimed = await self.lifecycle.take_over_turn(turn.chat_id, turn.seq, turn.owner,
                                                      self.process.id)
        if claimed is None:
            return False
        turn = Turn.from_record(chat_id, seq, claimed)
        log.info("taking over bot turn %s (attempt %d)", turn.member, turn.attempts)
        if turn.attempts > MAX_ATTEMPTS:
            await self._unanswered(turn)
        else:
            self.start(turn)
        return True

    async def recover(self) -> int:
        """Take over the pending turns of dead processes, and run again this process's
        own turns whose task stopped early (e.g. Redis was away too long to store the
        end); returns how many."""
        pending = await self.lifecycle.pending_turns(RECOVER_BATCH)
        owners = sorted({Turn.from_record(c, s, r).owner for c, s, r, _ in pending})
        alive = await self.process.alive(owners) if owners else {}
        taken, now = 0, time.time()
        for chat_id, seq, record, since in pending:
            turn = Turn.from_record(chat_id, seq, record)
            try:
                if turn.owner == self.process.id:
                    if turn.member not in self.running and now - since > STALLED_S:
                        taken += await self._restart_own(turn)
                elif not alive.get(turn.owner, True):
                    taken += await self.take_over(chat_id, seq, record)
            except HandoffError:
                log.exception("could not take over turn %s:%s", chat_id, seq)
        return taken

    async def _restart_own(self, turn: Turn) -> bool:
        claimed = await self.lifecycle.take_over_turn(turn.chat_id, turn.seq, turn.owner,
                                                      self.process.id)
        if claimed is None:
            return False
        turn = Turn.from_record(turn.chat_id, turn.seq, claimed)
        log.info("running stalled bot turn %s again (attempt %d)", turn.member, turn.attempts)
        if turn.attempts > MAX_ATTEMPTS:
            self.running.add(turn.member)
            try:
                await self._unanswered(turn)
            finally:
                self.running.discard(turn.member)
        else:
            self.start(turn)
        return True
