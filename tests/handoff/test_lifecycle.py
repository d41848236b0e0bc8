"""The chat lifecycle on a real Redis: every use case in every state, atomicity (all or
nothing, one winner of a race), bounded fields, tolerant reads, and the script's field
names against the chat record."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import AsyncIterator

import pytest
import redis as redis_lib
from redis.asyncio import Redis

from bot import redis_keys
from handoff import vocabulary as v
from handoff.chat import FIELDS, MAX_TRIAGE_VALUE, Chat, bounded_triage
from handoff.errors import (
    BadRequest,
    ChatNotFound,
    HandoffError,
    IllegalTransition,
    NotChatOwner,
    Refused,
)
from handoff.lifecycle import SCRIPT, HandoffRequest, Lifecycle, Say
from handoff.transcript import Transcript
from scripts.stack import RedisTarget

CHAT = "c0ffee00c0ffee00"
STRANGE = "Не работает звук 🙈" * 60  # Cyrillic and emoji (non-BMP) text


@pytest.fixture
async def aredis(redis_server: RedisTarget, redis: redis_lib.Redis) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_server.url, decode_responses=True)
    yield client
    await client.aclose()


@pytest.fixture
async def life(aredis: Redis) -> Lifecycle:
    return Lifecycle(aredis, capacity=2)


async def open_chat(life: Lifecycle, chat_id: str = CHAT, user: str = "pro-owner") -> Chat:
    outcome = await life.open(chat_id, user_id=user, plan="pro", role="owner", language="en",
                              create=True)
    assert outcome.chat is not None
    return outcome.chat


def handoff(priority: str = "P2", seq: int | None = None) -> HandoffRequest:
    return HandoffRequest(priority, "user_requested_agent", "summary", {"impact": "many"}, seq)


async def online(aredis: Redis, *agents: str) -> None:
    for agent in agents:
        await aredis.hset(redis_keys.agent(agent), "status", v.ONLINE)
        await aredis.zadd(redis_keys.AGENTS_ONLINE, {agent: 0})


async def put_in(life: Lifecycle, aredis: Redis, state: str) -> None:
    """A chat in `state` through the use cases themselves (agent1 holds agent chats)."""
    await open_chat(life)
    if state == v.BOT:
        return
    await life.request(CHAT, handoff(), [])
    if state == v.AGENT:
        await online(aredis, "agent1")
        await life.claim(CHAT, "agent1", Say(v.SYSTEM, "Alice joined"))


async def snapshot(aredis: Redis) -> tuple[object, ...]:
    """Everything a use case may change."""
    return (await aredis.hgetall(redis_keys.chat(CHAT)),
            await aredis.zrange(redis_keys.QUEUE, 0, -1, withscores=True),
            sorted(await aredis.smembers(redis_keys.agent_chats("agent1"))),
            sorted(await aredis.smembers(redis_keys.agent_chats("agent2"))),
            await aredis.zrange(redis_keys.AGENTS_ONLINE, 0, -1, withscores=True),
            await aredis.xlen(redis_keys.chat_log(CHAT)))


USE_CASES = {
    # use case: (the state it starts from, the state it leads to)
    "request": (v.BOT, v.QUEUED),
    "cancel": (v.QUEUED, v.BOT),
    "abandon": (v.QUEUED, v.BOT),
    "claim": (v.QUEUED, v.AGENT),
    "transfer": (v.AGENT, v.AGENT),
    "close": (v.AGENT, v.BOT),
    "requeue": (v.AGENT, v.QUEUED),
}


async def run(life: Lifecycle, use_case: str) -> None:
    note = Say(v.SYSTEM, "note")
    if use_case == "request":
        await life.request(CHAT, handoff(), [])
    elif use_case in ("cancel", "abandon"):
        await getattr(life, use_case)(CHAT, note)
    elif use_case == "claim":
        await life.claim(CHAT, "agent2", note)
    elif use_case == "transfer":
        await life.transfer(CHAT, "agent1", "agent2", note)
    elif use_case == "close":
        await life.close(CHAT, "agent1", "fixed", [note])
    elif use_case == "requeue":
        outcome = await life.requeue(CHAT, "agent1", note)
        if not outcome.info["requeued"]:
            raise IllegalTransition("not the agent's")


@pytest.mark.parametrize("state", v.STATES)
@pytest.mark.parametrize("use_case", sorted(USE_CASES))
async def test_every_use_case_in_every_state(life: Lifecycle, aredis: Redis, state: str,
                                             use_case: str) -> None:
    await put_in(life, aredis, state)
    await online(aredis, "agent2")
    before = await snapshot(aredis)
    start, end = USE_CASES[use_case]
    if state != start:
        with pytest.raises(HandoffError):
            await run(life, use_case)
        after = await snapshot(aredis)
        if use_case == "requeue":  # a stale entry is released from the agent, nothing else
            assert after[0] == before[0] and after[1] == before[1] and after[5] == before[5]
        else:
            assert after == before  # all or nothing
        return
    await run(life, use_case)
    chat = await life.get(CHAT)
    assert chat.state == end
    queued = await aredis.zscore(redis_keys.QUEUE, CHAT) is not None
    assert queued == (end == v.QUEUED)  # never queued without being in the queue
    holders = [a for a in ("agent1", "agent2")
               if CHAT in await aredis.smembers(redis_keys.agent_chats(a))]
    assert holders == ([chat.assignee] if end == v.AGENT else [])
    for agent in ("agent1", "agent2"):  # an online agent's load is its chats
        load = await aredis.zscore(redis_keys.AGENTS_ONLINE, agent)
        assert load is None or load == await aredis.scard(redis_keys.agent_chats(agent))
    if use_case != "request":  # (queueing is told by handoff_status)
        assert await aredis.xlen(redis_keys.chat_log(CHAT)) > before[5]  # the user is told


async def test_only_one_of_two_racing_claims_wins(life: Lifecycle, aredis: Redis) -> None:
    await put_in(life, aredis, v.QUEUED)
    await online(aredis, "agent1", "agent2")
    results = await asyncio.gather(
        life.claim(CHAT, "agent1", Say(v.SYSTEM, "Alice joined")),
        life.claim(CHAT, "agent2", Say(v.SYSTEM, "Bob joined")), return_exceptions=True)
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert sum(isinstance(r, IllegalTransition) for r in results) == 1
    texts = [m.text for m in await Transcript(aredis).after(CHAT, 0)]
    assert texts.count("Alice joined") + texts.count("Bob joined") == 1


async def test_capacity_and_transfer_checks_are_part_of_the_step(life: Lifecycle,
                                                                  aredis: Redis) -> None:
    await online(aredis, "agent1", "agent2")
    for n in range(3):
        chat_id = f"cafe{n:04d}cafe{n:04d}"
        await open_chat(life, chat_id)
        await life.request(chat_id, handoff(), [])
    await life.claim("cafe0000cafe0000", "agent2", Say(v.SYSTEM, "j"))
    await life.claim("cafe0001cafe0001", "agent2", Say(v.SYSTEM, "j"))
    with pytest.raises(Refused, match="2 chats"):
        await life.claim("cafe0002cafe0002", "agent2", Say(v.SYSTEM, "j"))
    await life.claim("cafe0002cafe0002", "agent1", Say(v.SYSTEM, "j"))
    with pytest.raises(Refused, match="no free capacity"):  # agent2 is full
        await life.transfer("cafe0002cafe0002", "agent1", "agent2", Say(v.SYSTEM, "t"))
    await aredis.hset(redis_keys.agent("agent2"), "status", v.AWAY)
    await life.close("cafe0000cafe0000", "agent2", "done", [Say(v.BOT, "bye")])
    with pytest.raises(Refused, match="not online"):  # room now, but away
        await life.transfer("cafe0002cafe0002", "agent1", "agent2", Say(v.SYSTEM, "t"))
    with pytest.raises(NotChatOwner):
        await life.transfer("cafe0002cafe0002", "agent2", "agent1", Say(v.SYSTEM, "t"))
    assert (await life.get("cafe0002cafe0002")).assignee == "agent1"


async def test_queue_orders_by_priority_then_time_and_requeues_at_the_front(
        life: Lifecycle, aredis: Redis) -> None:
    for chat_id, priority, at in (("p3early0p3early0", "P3", 1000), ("p1late00p1late00", "P1",
                                                                       2000),
                                  ("p3late00p3late00", "P3", 3000), ("p2aaaaaap2aaaaaa", "P2",
                                                                       500)):
        await open_chat(life, chat_id)
        await life.request(chat_id, handoff(priority), [], now=at)
    assert await life.queued() == ["p1late00p1late00", "p2aaaaaap2aaaaaa", "p3early0p3early0",
                                   "p3late00p3late00"]
    assert await life.queue_by_priority() == {"P1": 1, "P2": 1, "P3": 2, "P4": 0}
    await online(aredis, "agent1")
    await life.claim("p3late00p3late00", "agent1", Say(v.SYSTEM, "j"))
    await life.requeue("p3late00p3late00", "agent1", Say(v.SYSTEM, "lost"))
    assert await life.position("p3late00p3late00") == 3  # before the earlier P3
    assert await life.position("nope0000nope0000") is None


async def test_a_message_is_stored_once_however_often_it_is_retried(life: Lifecycle,
                                                                   aredis: Redis) -> None:
    await open_chat(life)
    thanks = Say(v.BOT, "thanks")

    async def send() -> int:
        outcome = await life.user_message(
            CHAT, Say(v.USER, "hello", {"client_msg_id": "m-1"}, "m-1"),
            turn={"owner": "p1", "text": "hello", "context": {}, "attempts": 1}, rating=0,
            thanks=thanks, ticket_instead=False, language="")
        return int(outcome.info["new"])

    assert sum(await asyncio.gather(*[send() for _ in range(20)])) == 1
    messages = await Transcript(aredis).after(CHAT, 0)
    assert [(m.seq, m.text) for m in messages] == [(1, "hello")]
    assert await aredis.hlen(redis_keys.TURNS) == 1  # one pending bot turn


async def test_a_bot_turn_is_pending_until_finished_and_a_rerun_changes_nothing(
        life: Lifecycle, aredis: Redis) -> None:
    await open_chat(life)
    outcome = await life.user_message(
        CHAT, Say(v.USER, "talk to a person"), rating=0, thanks=Say(v.BOT, "t"),
        turn={"owner": "p1", "text": "talk to a person", "context": {}, "attempts": 1},
        ticket_instead=False, language="")
    seq = int(outcome.info["seq"])
    assert [m[0] for m in await life.pending_turns(10)] == [CHAT]
    replies = [Say(v.BOT, "Connecting you", cid=f"b{seq}.0")]
    for _ in range(2):  # the second time is a re-run after a crash
        await life.finish_turn(CHAT, seq, replies, handoff(seq=seq), bot_down=False)
    assert await life.pending_turns(10) == []
    assert [m.text for m in await Transcript(aredis).after(CHAT, 0)] == \
        ["talk to a person", "Connecting you"]
    assert (await life.get(CHAT)).state == v.QUEUED and await life.queue_length() == 1
    # an agent took it and closed it; the old turn re-run still does not queue it again
    await online(aredis, "agent1")
    await life.claim(CHAT, "agent1", Say(v.SYSTEM, "j"))
    await life.close(CHAT, "agent1", "done", [Say(v.BOT, "bye")])
    await life.finish_turn(CHAT, seq, replies, handoff(seq=seq), bot_down=False)
    assert (await life.get(CHAT)).state == v.BOT and await life.queue_length() == 0


async def test_take_over_only_from_the_dead_owner_and_only_once(life: Lifecycle) -> None:
    await open_chat(life)
    await life.user_message(CHAT, Say(v.USER, "hi"), rating=0, thanks=Say(v.BOT, "t"),
                            turn={"owner": "dead", "text": "hi", "context": {},
                                  "attempts": 1}, ticket_instead=False, language="")
    assert await life.take_over_turn(CHAT, 1, "someone-else", "me") is None
    first, second = await asyncio.gather(life.take_over_turn(CHAT, 1, "dead", "me"),
                                         life.take_over_turn(CHAT, 1, "dead", "other"))
    winners = [json.loads(t) for t in (first, second) if t]
    assert len(winners) == 1 and winners[0]["attempts"] == 2


async def test_rating_only_while_asked_for(life: Lifecycle, aredis: Redis) -> None:
    await put_in(life, aredis, v.AGENT)
    with pytest.raises(BadRequest):
        await life.rate(CHAT, 5, "", Say(v.BOT, "thanks"))
    await life.close(CHAT, "agent1", "fixed", [Say(v.BOT, "rate us")])
    outcome = await life.user_message(CHAT, Say(v.USER, "4"), rating=4,
                                      thanks=Say(v.BOT, "thanks"), turn=None,
                                      ticket_instead=False, language="")
    assert outcome.info["rated"] and [m.text for m in outcome.messages] == ["4", "thanks"]
    chat = await life.get(CHAT)
    assert (chat.csat_rating, chat.csat_pending, chat.resolution) == (4, False, "fixed")
    with pytest.raises(BadRequest):  # once
        await life.rate(CHAT, 1, "", Say(v.BOT, "thanks"))


async def test_free_text_in_every_field_is_bounded_and_the_chat_stays_usable(
        life: Lifecycle, aredis: Redis) -> None:
    """The reported failure: ~950 Cyrillic characters with emoji in the triage made the
    stored JSON invalid (cut inside an escape) and the chat unusable. Now every field is
    cut by characters before serialising."""
    await open_chat(life)
    triage = bounded_triage({"problem": "🙈" * 400 + "Я" * 1000, "impact": "many",
                             "meeting_id": None, "nested": {"a": STRANGE},
                             **{f"k{n}": STRANGE for n in range(40)}})
    assert len(triage) == 20 and all(len(str(val)) <= MAX_TRIAGE_VALUE
                                     for val in triage.values())
    await life.request(CHAT, HandoffRequest("P1", STRANGE, STRANGE, triage), [])
    raw = await aredis.hget(redis_keys.chat(CHAT), "triage")
    assert json.loads(raw) == triage  # valid JSON, nothing cut
    chat = await life.get(CHAT)
    assert chat.state == v.QUEUED and await life.position(CHAT) == 1
    assert chat.triage["problem"].startswith("🙈" * 400)


async def test_a_bad_field_is_logged_and_defaulted(life: Lifecycle, aredis: Redis,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    await put_in(life, aredis, v.QUEUED)
    await aredis.hset(redis_keys.chat(CHAT), mapping={
        "triage": '{"problem": "cut \\u04', "waiting_since": "soon", "state": "lost"})
    with caplog.at_level(logging.WARNING):
        chat = await life.get(CHAT)
    assert (chat.triage, chat.waiting_since, chat.state, chat.plan) == ({}, 0.0, v.BOT, "pro")
    assert "triage" in caplog.text and "waiting_since" in caplog.text


async def test_open_rejoins_only_ones_own_chat(life: Lifecycle) -> None:
    await open_chat(life, user="pro-owner")
    with pytest.raises(NotChatOwner):
        await life.open(CHAT, user_id="business-admin", plan="business", role="admin",
                        language="", create=True)
    with pytest.raises(NotChatOwner):  # an anonymous visitor's id is not a signed-in user's
        await life.open(CHAT, user_id="", plan="", role="", language="", create=True)
    with pytest.raises(ChatNotFound):
        await life.open("f" * 32, user_id="", plan="", role="", language="", create=False)


def test_every_field_the_script_writes_is_declared_in_the_chat_record() -> None:
    used = set(re.findall(r"\bF\.([a-z_]+)", SCRIPT.read_text()))
    assert used and used <= set(FIELDS), used - set(FIELDS)
