"""The help desk: each use case between customers and agents in one place. A method
calls the atomic lifecycle step, then tells everyone concerned (the customer's widget,
the agent's console, the live queue). The namespaces only validate, call one of these
and reply.

If the process dies between the step and the telling, nothing is lost: the state and
its messages are stored together, clients catch up on reconnect (`resume`, `assigned`),
and the sweep (`handoff.sweeper`) re-runs what only this process would have done
(auto-assignment, the queue broadcast).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot import redis_keys
from bot.accounts import AccountDirectory
from bot.policy import SupportPolicy
from handoff import assist, customer_copy, texts
from handoff import vocabulary as v
from handoff.agents import Agent
from handoff.chat import MAX_COMMENT, MAX_NOTES, MAX_RESOLUTION, Chat, bounded
from handoff.errors import BadRequest, IllegalTransition, NotChatOwner, Refused
from handoff.fanout import Fanout
from handoff.lifecycle import HandoffRequest, Lifecycle, Outcome, Say
from handoff.liveness import Liveness
from handoff.metrics import AGENT_TO_USER, Metrics
from handoff.presence import Presence, QueueOutlook
from handoff.transcript import MAX_PAGE, Note, Transcript

log = logging.getLogger(__name__)
QUEUE_VIEW = 100  # chats shown in the agents' live queue
ASSIST_AFTER_S = 0.3  # agent assist: suggestions this long after a customer's message
ASSIST_MEMORY = 10_000  # chats whose latest customer messages a process keeps
TICKET_INSTEAD = "/open_ticket"  # quick reply while queued: leave and open a web ticket
TALK_TO_PERSON = "/request_human"  # the bot's own payload for asking for a person


@dataclass(frozen=True)
class DeskConfig:
    capacity: int
    grace_period_s: float
    broadcast_every_s: float = 0.2  # the live queue and positions: at most this often


def rating_quick_replies() -> list[dict[str, str]]:
    return [{"content_type": "text", "title": str(n), "payload": str(n)} for n in range(1, 6)]


class Desk:
    def __init__(self, lifecycle: Lifecycle, transcript: Transcript, fanout: Fanout,
                 presence: Presence, accounts: AccountDirectory, policy: SupportPolicy,
                 agents: Mapping[str, Agent], config: DeskConfig, metrics: Metrics) -> None:
        self.lifecycle = lifecycle
        self.transcript = transcript
        self.fanout = fanout
        self.presence = presence
        self.accounts = accounts
        self.policy = policy
        self.agents = agents
        self.config = config
        self.metrics = metrics
        self._queued_chats: dict[str, tuple[float, Chat]] = {}  # chat id -> (score, chat)
        self._queue_changed = False
        self._broadcaster: asyncio.Task[None] | None = None
        self._last_broadcast = 0.0
        self._assist_due: dict[str, tuple[str, str, int]] = {}  # chat -> agent, lang, seq
        # the customer's latest messages (newest first) of chats with an agent, that
        # this process relayed: suggestions without reading the transcript
        self._customer_said: OrderedDict[str, list[str]] = OrderedDict()
        self._assister: asyncio.Task[None] | None = None

    # -- status ----------------------------------------------------------------------------
    @staticmethod
    def queued_status(position: int | None, outlook: QueueOutlook) -> dict[str, Any]:
        """The `handoff_status` of a queued chat at `position`."""
        wait = outlook.wait(position or 1)
        return {"state": v.QUEUED, "position": position, "agents_online": outlook.online,
                "estimated_wait_s": round(wait) if wait is not None else None}

    async def status_of(self, chat: Chat) -> dict[str, Any]:
        """The `handoff_status` payload of a chat (with its language, which the widget
        follows for its own texts)."""
        language = chat.language or texts.DEFAULT
        if chat.state == v.QUEUED:
            return {**self.queued_status(await self.lifecycle.position(chat.chat_id),
                                         await self.presence.outlook()), "language": language}
        body: dict[str, Any] = {"state": chat.state, "language": language}
        if chat.state == v.AGENT and chat.assignee:
            body["agent"] = await self.agent_name(chat.assignee)
        if chat.state == v.BOT and chat.csat_pending:
            body["csat_pending"] = True
        return body

    async def send_status(self, chat_id: str, sid: str | None = None,
                          chat: Chat | None = None) -> None:
        chat = chat or await self.lifecycle.get(chat_id)
        await self.fanout.status(chat_id, await self.status_of(chat), sid)

    # -- the live queue ---------------------------------------------------------------------
    async def _waiting(self) -> list[tuple[int, float, Chat]]:
        """The first chats of the queue with their positions (1 = next to be taken) and
        queue scores.

        What the queue shows of a waiting chat (priority, plan, role, language, summary,
        since when) does not change while it waits, so each entry's record is read once
        per queue entry (chat id and score: a chat queued again is read again): a change
        of the queue costs one read of the queue's head plus the newcomers, not a read of
        every waiting chat."""
        entries = await self.lifecycle.queued_entries(QUEUE_VIEW)
        known = self._queued_chats
        chats = {chat_id: known[chat_id][1] for chat_id, score in entries
                 if chat_id in known and known[chat_id][0] == score}
        new = [chat_id for chat_id, _ in entries if chat_id not in chats]
        if new:
            chats.update((chat.chat_id, chat) for chat in await self.lifecycle.get_many(new))
        cache: dict[str, tuple[float, Chat]] = {}
        waiting = []
        for n, (chat_id, score) in enumerate(entries, 1):
            chat = chats.get(chat_id)
            if chat is None:
                continue  # gone between the two reads
            if chat.state == v.QUEUED:  # (a stale entry is read again next time)
                cache[chat_id] = (score, chat)
            waiting.append((n, score, chat))
        self._queued_chats = cache  # only the queue's head: bounded by QUEUE_VIEW
        return waiting

    def _snapshot(self, waiting: list[tuple[int, float, Chat]]) -> dict[str, Any]:
        now = time.time()
        chats = []
        for _, _, chat in waiting:
            hours = self.policy.target_hours.get(chat.priority, 24)
            chats.append({
                "chat_id": chat.chat_id, "priority": chat.priority, "plan": chat.plan,
                "role": chat.role, "language": chat.language or texts.DEFAULT,
                "waiting_s": round(now - chat.waiting_since),
                "due_in_s": round(chat.waiting_since + hours * 3600 - now),
                "summary": chat.summary,
            })
        return {"chats": chats}

    async def queue_snapshot(self) -> dict[str, Any]:
        return self._snapshot(await self._waiting())

    async def broadcast_queue(self) -> None:
        """The queue changed: the agents' queue and the waiting users' positions are sent
        in the background, coalesced (the first change at once, then at most one
        broadcast per `broadcast_every_s` however many changes came meanwhile). The chat
        that changed is told its own status by the caller, at once; a burst of 1,000
        chats queueing costs a few broadcasts, not 1,000 of them."""
        self._queue_changed = True
        if self._broadcaster is None or self._broadcaster.done():
            self._broadcaster = asyncio.create_task(self._broadcast_changes())

    async def _broadcast_changes(self) -> None:
        while self._queue_changed:
            pause = self._last_broadcast + self.config.broadcast_every_s - time.monotonic()
            if pause > 0:
                await asyncio.sleep(pause)
            self._queue_changed = False
            self._last_broadcast = time.monotonic()
            try:
                await self.broadcast_queue_now()
            except Exception:  # Redis away: the next change or the sweep sends it again
                log.warning("the queue broadcast failed", exc_info=True)

    async def queue_sent(self) -> None:
        """Wait for the background broadcast, if one is due or running."""
        while self._broadcaster is not None and not self._broadcaster.done():
            await asyncio.shield(self._broadcaster)

    async def stop(self) -> None:
        """Stop the background broadcast and suggestions (the gateway is shutting down)."""
        for task in (self._broadcaster, self._assister):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def broadcast_queue_now(self) -> None:
        """The queue to every agent, and each waiting user's new position (the online
        agents and recent handle times are read once for all of them)."""
        waiting = await self._waiting()
        await self.fanout.queue(self._snapshot(waiting))
        outlook = await self.presence.outlook()
        statuses, read = [], {}
        for position, score, chat in waiting:
            if chat.state != v.QUEUED:  # a stale queue entry: say what it really is
                await self.send_status(chat.chat_id, chat=chat)
                continue
            read[chat.chat_id] = score
            statuses.append((chat.chat_id, {**self.queued_status(position, outlook),
                                            "language": chat.language or texts.DEFAULT}))
        # A chat taken or gone since the queue was read is told by whoever moved it: not
        # told "queued" after that (one read of the scores, however many wait).
        still = await self.lifecycle.scores(list(read))
        await self.fanout.statuses([(chat_id, body) for chat_id, body in statuses
                                    if still[chat_id] == read[chat_id]])

    # -- the customer's side -----------------------------------------------------------------
    def customer(self, chat_id: str) -> Liveness:
        """The chat's widget sockets (the customer's open pages) and their heartbeats."""
        return Liveness(self.lifecycle.redis, redis_keys.chat_conns(chat_id),
                        redis_keys.chat(chat_id), "user_gone_since",
                        ttl_s=self.lifecycle.ttl_s)

    async def customer_online(self, chat_id: str) -> bool:
        since = time.time() - self.config.grace_period_s
        return bool(await self.customer(chat_id).sockets(since))

    async def customer_presence(self, chat: Chat, online: bool) -> None:
        """Tell the chat's agent, if it has one, that the customer came or left."""
        if chat.state == v.AGENT and chat.assignee:
            await self.fanout.customer_presence(chat.assignee, chat.chat_id, online)

    async def after_queued(self, chat_id: str) -> None:
        """A chat joined the queue: an agent if one is free, its status, then (in the
        background) positions for everyone."""
        await self.auto_assign()
        await self.send_status(chat_id)
        await self.broadcast_queue()

    async def request_person(self, chat: Chat, handoff: HandoffRequest, before: list[Say]
                             ) -> None:
        """Queue a chat without the bot (the caller checked the entitlement)."""
        outcome = await self.lifecycle.request(chat.chat_id, handoff, before)
        await self.fanout.deliver(None, chat.chat_id, outcome.messages)
        await self.after_queued(chat.chat_id)

    async def cancel(self, chat: Chat) -> None:
        outcome = await self.lifecycle.cancel(chat.chat_id, Say(
            v.SYSTEM, texts.text("cancelled", chat.language)), chat.user_id)
        await self._left_queue(chat.chat_id, outcome)

    async def abandon(self, chat: Chat) -> bool:
        """The user was gone past the grace period: out of the queue (False if the chat
        was assigned or cancelled meanwhile, or another process did it)."""
        try:
            outcome = await self.lifecycle.abandon(chat.chat_id, Say(v.SYSTEM, texts.text(
                "abandoned", chat.language, seconds=f"{self.config.grace_period_s:.0f}")),
                chat.user_id)
        except IllegalTransition:
            return False
        log.info("chat %s left the queue: the user was gone for %.0f s", chat.chat_id,
                 self.config.grace_period_s)
        await self._left_queue(chat.chat_id, outcome)
        return True

    async def _left_queue(self, chat_id: str, outcome: Outcome) -> None:
        await self.fanout.deliver(None, chat_id, outcome.messages)
        await self.send_status(chat_id)
        await self.broadcast_queue()

    async def rate(self, chat: Chat, rating: int, comment: str) -> None:
        outcome = await self.lifecycle.rate(chat.chat_id, rating, bounded(comment, MAX_COMMENT),
                                            self.thanks(chat.language))
        log.info("csat %s for chat %s", rating, chat.chat_id)
        await self.fanout.deliver(None, chat.chat_id, outcome.messages)
        await self.send_status(chat.chat_id)

    @staticmethod
    def thanks(language: str) -> Say:
        return Say(v.BOT, texts.text("thanks", language))

    # -- the agents' side -------------------------------------------------------------------
    async def owned(self, username: str, chat_id: str) -> Chat:
        chat = await self.lifecycle.get(chat_id)
        if chat.state != v.AGENT or chat.assignee != username:
            raise NotChatOwner("this chat is not assigned to you")
        return chat

    async def claim(self, username: str, chat_id: str) -> None:
        """Give a queued chat to an agent and tell everyone."""
        chat = await self.lifecycle.get(chat_id)
        name = await self.agent_name(username)
        outcome = await self.lifecycle.claim(chat_id, username, Say(
            v.SYSTEM, texts.text("joined", chat.language, agent=name), {"agent": name}))
        priority = outcome.chat.priority if outcome.chat else chat.priority
        self.metrics.taken(priority, float(outcome.info.get("waited") or 0),
                           self.policy.target_hours.get(priority, 24) * 3600)
        await self.send_assigned(username, chat_id, outcome.chat)
        await self.fanout.deliver(outcome.chat, chat_id, outcome.messages)
        await self.send_status(chat_id, chat=outcome.chat)
        await self.broadcast_queue()

    async def take_next(self, username: str) -> str | None:
        """The first chat of the queue for this agent; None when the queue is empty.
        A chat taken by someone else meanwhile is skipped (bounded)."""
        for _ in range(10):
            first = await self.lifecycle.queued(1)
            if not first:
                return None
            try:
                await self.claim(username, first[0])
                return first[0]
            except IllegalTransition:
                continue
        return None

    async def auto_assign(self) -> None:
        """Give waiting chats to online agents with room, fewest active chats first."""
        for _ in range(100):  # bounded: at most 100 assignments per call
            if await self.lifecycle.queue_length() == 0:
                return
            assigned = False
            for username in await self.presence.online():
                if not await self.presence.connections(username):
                    continue  # within its grace period: keep its chats, give it no new ones
                try:
                    if await self.take_next(username):
                        assigned = True
                        break
                except Refused:
                    continue  # full: try the next agent
            if not assigned:
                return

    async def send_assigned(self, username: str, chat_id: str, chat: Chat | None = None
                            ) -> None:
        """The chat as the agent's console shows it: account, triage and the newest
        messages (older ones through `history`)."""
        chat = chat or await self.lifecycle.get(chat_id)
        account = None
        if chat.user_id:
            found = await self.accounts.get(chat.user_id)
            if found:
                account = {"user_id": found.user_id, "name": found.name,
                           "account_id": found.account_id, "plan": found.plan,
                           "role": found.role, "licensed": found.licensed}
        newest = await self.transcript.before(chat_id, None, MAX_PAGE)
        language = chat.language or texts.DEFAULT
        await self.fanout.assigned(username, {
            "chat_id": chat_id, "account": account, "priority": chat.priority,
            "summary": chat.summary, "triage": chat.triage,
            "language": language,
            "transcript": [m.for_agent() for m in newest],
            "has_earlier": bool(newest) and newest[0].seq > 1,
            "customer_online": await self.customer_online(chat_id),
            "notes": [n.as_dict() for n in await self.transcript.notes(chat_id, MAX_NOTES)],
        })
        await self.fanout.assist(username, assist.payload(chat_id, language, newest))

    async def history(self, username: str, chat_id: str, before_seq: int) -> dict[str, Any]:
        """Earlier messages of one of the agent's chats, a page at a time."""
        await self.owned(username, chat_id)
        page = await self.transcript.before(chat_id, before_seq, MAX_PAGE)
        return {"chat_id": chat_id, "messages": [m.for_agent() for m in page],
                "has_earlier": bool(page) and page[0].seq > 1}

    async def agent_says(self, username: str, chat_id: str, text: str, cid: str | None,
                         received: float | None = None) -> int:
        """Store and deliver an agent's message. A retry of a stored message is delivered
        again (it may never have left a process that died); clients keep it once.
        `received`: when the message reached the gateway (`time.monotonic()`), for the
        relay's latency."""
        name = await self.agent_name(username)
        outcome = await self.lifecycle.agent_message(chat_id, username, Say(
            v.AGENT, text, {"agent": name, **({"client_msg_id": cid} if cid else {})},
            cid or ""))
        seq = int(outcome.info["seq"])
        messages = outcome.messages
        if not outcome.info.get("new"):
            messages = [m for m in await self.transcript.after(chat_id, seq - 1, 1)
                        if m.seq == seq]
        # the customer, and the agent's other consoles (its own replies, by seq)
        await self.fanout.to_both(chat_id, messages, username)
        if received is not None:
            self.metrics.observe_relay(AGENT_TO_USER, time.monotonic() - received)
        return seq

    async def transfer(self, username: str, chat_id: str, to: str) -> None:
        if to == username:
            raise Refused("the chat is already yours")
        if to not in self.agents:
            raise BadRequest("to must be an agent's username")
        await self._move(await self.owned(username, chat_id), username, to)

    async def reassign(self, chat_id: str, to: str) -> str:
        """A supervisor moves an agent's chat to another agent: the same atomic step as
        a transfer (the target online with room, the chat still the agent's it was
        read with). Returns the agent it was taken from."""
        target = self.agents.get(to)
        if target is None or target.supervisor:
            raise BadRequest("to must be the username of an agent who takes chats")
        chat = await self.lifecycle.get(chat_id)
        if chat.state != v.AGENT or not chat.assignee:
            raise IllegalTransition("the chat is not with an agent")
        if chat.assignee == to:
            raise Refused(f"the chat is already {to}'s")
        await self._move(chat, chat.assignee, to)
        return chat.assignee

    async def _move(self, chat: Chat, username: str, to: str) -> None:
        chat_id = chat.chat_id
        name = await self.agent_name(to)
        outcome = await self.lifecycle.transfer(chat_id, username, to, Say(
            v.SYSTEM, texts.text("took_over", chat.language, agent=name), {"agent": name}))
        await self.fanout.chat_closed(username, chat_id, transferred_to=to)
        await self.send_assigned(to, chat_id, outcome.chat)
        await self.fanout.deliver(outcome.chat, chat_id, outcome.messages)
        await self.send_status(chat_id, chat=outcome.chat)

    async def close(self, username: str, chat_id: str, resolution: str) -> None:
        chat = await self.owned(username, chat_id)
        outcome = await self.lifecycle.close(
            chat_id, username, bounded(resolution, MAX_RESOLUTION),
            [Say(v.BOT, texts.text("closed", chat.language)),
             Say(v.BOT, texts.text("rate", chat.language),
                 {"quick_replies": rating_quick_replies()})], chat.user_id)
        await self._let_go(username, chat_id, outcome)

    async def hand_back(self, username: str, chat_id: str) -> None:
        """The agent hands the chat back to the bot without closing it ("the assistant
        can take it from here"): the customer is told, no rating is asked for, and the
        next customer message goes to the bot."""
        chat = await self.owned(username, chat_id)
        outcome = await self.lifecycle.hand_back(
            chat_id, username, [Say(v.BOT, texts.text("handed_back", chat.language))],
            chat.user_id)
        await self._let_go(username, chat_id, outcome)

    async def _let_go(self, username: str, chat_id: str, outcome: Outcome) -> None:
        """The agent's chat went back to the bot (closed or handed back): the agent's
        console drops it, the customer is told, and the agent's freed place is filled."""
        await self.fanout.chat_closed(username, chat_id)
        await self.send_status(chat_id)
        await self.fanout.to_user(chat_id, outcome.messages)
        await self.auto_assign()

    # -- internal notes, agent assist, the customer's copy ------------------------------------
    async def add_note(self, author: Agent, chat_id: str, text: str, cid: str | None
                       ) -> int:
        """An internal note on a chat: by its assigned agent, or by a supervisor on any
        chat. Stored apart from the messages the customer is sent; told to the chat's
        agent (and to the author's other consoles). `text` is checked by the namespace
        (not blank, at most MAX_NOTE characters)."""
        reply = await self.lifecycle.note(
            chat_id, author.username, author.name, text.strip(),
            supervisor=author.supervisor, cid=cid, max_notes=MAX_NOTES)
        note = reply.get("note")
        if isinstance(note, dict):
            body = {"chat_id": chat_id, "note": Note.from_fields(note).as_dict()}
            chat = await self.lifecycle.get(chat_id)
            to = {author.username} | ({chat.assignee} if chat.state == v.AGENT and
                                      chat.assignee else set())
            for username in sorted(to):
                await self.fanout.note(username, body)
        return int(reply["id"])

    async def notes(self, reader: Agent, chat_id: str) -> dict[str, Any]:
        """A chat's internal notes, for its agent or a supervisor."""
        if not reader.supervisor:
            await self.owned(reader.username, chat_id)
        else:
            await self.lifecycle.get(chat_id)  # ChatNotFound for a chat that is not
        return {"chat_id": chat_id, "notes": [n.as_dict() for n in
                                              await self.transcript.notes(chat_id, MAX_NOTES)]}

    async def suggestions(self, username: str, chat_id: str) -> dict[str, Any]:
        """Agent assist for one of the agent's chats (the `assist` request)."""
        chat = await self.owned(username, chat_id)
        return await self._suggestions_from_transcript(chat_id, chat.language)

    def assist_soon(self, username: str, chat_id: str, language: str, text: str, seq: int
                    ) -> None:
        """New suggestions for the agent after a customer message, in the background a
        moment later (ASSIST_AFTER_S): the message's relay never waits for the search,
        and a burst of messages in a chat costs one search."""
        said = self._customer_said.pop(chat_id, [])
        if assist.is_words(text):
            said = [text, *said][:assist.CUSTOMER_TURNS]
        self._customer_said[chat_id] = said
        while len(self._customer_said) > ASSIST_MEMORY:
            self._customer_said.popitem(last=False)
        self._assist_due[chat_id] = (username, language, seq)
        if self._assister is None or self._assister.done():
            self._assister = asyncio.create_task(self._assist_due_chats())

    async def _assist_due_chats(self) -> None:
        while self._assist_due:
            await asyncio.sleep(ASSIST_AFTER_S)
            due, self._assist_due = self._assist_due, {}
            for chat_id, (username, language, seq) in due.items():
                said = self._customer_said.get(chat_id, [])
                if len(said) < assist.CUSTOMER_TURNS:  # what came before this process
                    await self.assist_after(username, chat_id, language)
                    continue
                try:
                    await self.fanout.assist(username, assist.payload_from_words(
                        chat_id, language or texts.DEFAULT, said, seq))
                except Exception:
                    log.warning("agent assist failed for chat %s", chat_id, exc_info=True)

    async def assist_after(self, username: str, chat_id: str, language: str) -> None:
        """New suggestions for the agent after a customer message (failures only logged:
        the message itself is delivered already)."""
        try:
            await self.fanout.assist(username,
                                     await self._suggestions_from_transcript(chat_id, language))
        except Exception:
            log.warning("agent assist failed for chat %s", chat_id, exc_info=True)

    async def _suggestions_from_transcript(self, chat_id: str, language: str
                                           ) -> dict[str, Any]:
        newest = await self.transcript.before(chat_id, None, assist.LOOKBACK)
        return assist.payload(chat_id, language or texts.DEFAULT, newest)

    async def customer_copy(self, chat: Chat, fmt: str) -> customer_copy.Copy:
        """The customer's copy of the chat (never its notes), the newest messages."""
        newest = await self.transcript.before(chat.chat_id, None, customer_copy.MAX_MESSAGES)
        return customer_copy.render(chat.chat_id, newest, chat.language, fmt,
                                    omitted=bool(newest) and newest[0].seq > 1)

    async def requeue_lost(self, username: str) -> list[str]:
        """The agent is gone past the grace period: its chats go back to the front of
        their priority, and the users are told."""
        requeued = []
        for chat_id in sorted(await self.presence.chats(username)):
            try:
                chat = await self.lifecycle.get(chat_id)
                outcome = await self.lifecycle.requeue(chat_id, username, Say(
                    v.SYSTEM, texts.text("requeued", chat.language)))
            except Exception:  # a broken chat must not keep the others from the queue
                log.exception("could not requeue chat %s of %s", chat_id, username)
                await self.lifecycle.redis.srem(redis_keys.agent_chats(username), chat_id)
                continue
            if outcome.info.get("requeued"):
                await self.fanout.deliver(None, chat_id, outcome.messages)
                await self.send_status(chat_id)
                requeued.append(chat_id)
        await self.presence.set_status(username, v.OFFLINE)
        if requeued:
            await self.broadcast_queue()
            await self.auto_assign()
        return requeued

    async def agent_name(self, username: str) -> str:
        """The name customers see: from the agents' directory every process loads, else
        as the agent's console last set it."""
        agent = self.agents.get(username)
        return agent.name if agent is not None else await self.presence.name(username)

    async def typing_from_agent(self, username: str, chat_id: str) -> None:
        await self.owned(username, chat_id)
        await self.fanout.typing_to_user(chat_id, await self.agent_name(username))

    # -- a bot turn's end ----------------------------------------------------------------------
    async def turn_finished(self, chat_id: str, outcome: Outcome) -> None:
        await self.fanout.deliver(None, chat_id, outcome.messages)
        if outcome.info.get("queued"):
            await self.after_queued(chat_id)
