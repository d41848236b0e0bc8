"""The agent namespace with real Socket.IO clients: login, queue, assignment by priority
and capacity, messages both ways, close with rating, transfer, agent loss."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest
import redis as redis_lib
import socketio
from redis.asyncio import Redis

from bot import identity
from scripts.stack import RedisTarget
from tests.conftest import Stack
from tests.handoff.conftest import AgentClient, WidgetClient, make_settings, queued_chat


async def test_login_and_connect(redis_server: RedisTarget,
                                 start_gateway: Callable[..., Any],
                                 agent_client: Callable[[], AgentClient]) -> None:
    base = await start_gateway(make_settings(redis_server))
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base}/agent/login",
                             json={"username": "agent1", "password": "wrong"}) as resp:
            assert resp.status == 401
        async with http.post(f"{base}/agent/login", json=["x"]) as resp:
            assert resp.status == 400
    intruder = socketio.AsyncClient(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await intruder.connect(base, namespaces=["/agent"], auth={"token": "forged"},
                               transports=["websocket"], wait_timeout=5)
    if intruder.eio.http is not None:
        await intruder.eio.http.close()
    alice = agent_client()
    await alice.login(base, "agent1")
    assert await alice.wait_for("queue") == {"chats": []}


async def test_priority_before_arrival_and_capacity(
    redis_server: RedisTarget, start_gateway: Callable[..., Any],
    agent_client: Callable[[], AgentClient], aredis: Redis
) -> None:
    base = await start_gateway(make_settings(redis_server, AGENT_CAPACITY="1"))
    now = time.time()
    await queued_chat(aredis, "chat-p3-first", "P3", now - 60)
    await queued_chat(aredis, "chat-p1-later", "P1", now - 5)
    alice, bob = agent_client(), agent_client()
    await alice.login(base, "agent1")
    await bob.login(base, "agent2")
    queue = await alice.wait_for("queue", lambda q: len(q["chats"]) == 2)
    assert [c["chat_id"] for c in queue["chats"]] == ["chat-p1-later", "chat-p3-first"]
    assert queue["chats"][0]["due_in_s"] <= 3600 and queue["chats"][0]["plan"] == "pro"
    assert (await alice.call("take_next")) == {"ok": True, "chat_id": "chat-p1-later"}
    full = await alice.call("take_next")
    assert full["ok"] is False and "1 chats" in full["message"]
    assert (await bob.call("accept", {"chat_id": "chat-p3-first"}))["ok"] is True
    assert (await bob.call("accept", {"chat_id": "chat-p1-later"}))["ok"] is False
    foreign = await bob.call("agent_message", {"chat_id": "chat-p1-later", "text": "hi"})
    assert foreign["code"] == "not_chat_owner"
    assert await aredis.zcard("hc:queue") == 0


async def test_auto_assignment_goes_to_the_least_busy_online_agent_only(
    redis_server: RedisTarget, start_gateway: Callable[..., Any],
    agent_client: Callable[[], AgentClient], aredis: Redis
) -> None:
    base = await start_gateway(make_settings(redis_server))
    alice, bob = agent_client(), agent_client()
    await alice.login(base, "agent1")
    await bob.login(base, "agent2")
    await queued_chat(aredis, "chat-one", "P2", time.time())
    assert (await bob.call("presence", {"status": "away"}))["ok"]
    assert (await alice.call("presence", {"status": "online"}))["ok"]
    assigned = await alice.wait_for("assigned")
    assert assigned["chat_id"] == "chat-one"
    await queued_chat(aredis, "chat-two", "P2", time.time())
    await bob.call("presence", {"status": "online"})  # bob has 0 chats, alice 1
    assert (await bob.wait_for("assigned"))["chat_id"] == "chat-two"
    bad = await alice.call("presence", {"status": "invisible"})
    assert bad == {"ok": False, "code": "bad_request",
                   "message": "status must be 'online' or 'away'"}


async def test_agent_lost_past_grace_requeues_at_the_front(
    redis_server: RedisTarget, start_gateway: Callable[..., Any],
    agent_client: Callable[[], AgentClient], aredis: Redis
) -> None:
    base = await start_gateway(make_settings(redis_server, HANDOFF_GRACE_S="1"))
    alice = agent_client()
    await alice.login(base, "agent1")
    await queued_chat(aredis, "chat-lost", "P3", time.time() - 100)
    await alice.call("accept", {"chat_id": "chat-lost"})
    await queued_chat(aredis, "chat-newer", "P3", time.time())
    # back within the grace period: nothing changes
    await alice.close()
    again = agent_client()
    await again.login(base, "agent1")
    await asyncio.sleep(1.5)
    assert await aredis.hget("hc:chat:chat-lost", "state") == "agent"
    await again.close()
    for _ in range(50):
        if await aredis.hget("hc:chat:chat-lost", "state") == "queued":
            break
        await asyncio.sleep(0.1)
    assert await aredis.hget("hc:chat:chat-lost", "state") == "queued"
    assert await aredis.zrange("hc:queue", 0, -1) == ["chat-lost", "chat-newer"]
    last = (await aredis.xrevrange("hc:chat:chat-lost:log", count=1))[0][1]
    assert "front of the queue" in last["text"]


async def test_paid_owner_handoff_end_to_end(
    rasa_stack: Stack, start_gateway: Callable[..., Any], widget: Callable[[], WidgetClient],
    agent_client: Callable[[], AgentClient], redis: redis_lib.Redis
) -> None:
    settings = make_settings(rasa_stack.redis, rasa_url=f"http://127.0.0.1:{rasa_stack.rasa_port}",
                             actions_url=f"http://127.0.0.1:{rasa_stack.actions_port}")
    user_gateway, agent_gateway = await start_gateway(settings), await start_gateway(settings)
    user = widget()
    chat_id = await user.open_signed_in(
        user_gateway, identity.issue("pro-owner", settings.help_center_secret))

    async def say(text: str) -> None:
        await user.sio.emit("user_uttered", {"message": text, "session_id": chat_id})

    await say("how do I report abuse")
    await user.wait_for("bot_uttered", lambda d: "/kb/en/report-abuse" in d.get("text", ""))
    for text in ("I want to talk to a person", "recordings fail for our whole team",
                 "many", "partial"):
        await say(text)
        await user.wait_for("bot_uttered", after=len(user.received))
    await say("skip")
    queued = await user.wait_for("handoff_status", lambda d: d["state"] == "queued")
    assert queued["position"] == 1

    alice = agent_client()
    await alice.login(agent_gateway, "agent1")  # the agent is on the other process
    queue = await alice.wait_for("queue", lambda q: q["chats"])
    assert queue["chats"][0]["priority"] == "P2" and queue["chats"][0]["role"] == "owner"
    assert (await alice.call("accept", {"chat_id": chat_id}))["ok"]
    assigned = await alice.wait_for("assigned")
    assert assigned["account"]["plan"] == "pro" and assigned["triage"]["impact"] == "many"
    senders = [m["sender"] for m in assigned["transcript"]]
    assert senders[:2] == ["user", "bot"]  # the bot part of the chat is there
    joined = await user.wait_for("handoff_status", lambda d: d["state"] == "agent")
    assert joined["agent"] == "Alice"

    await alice.call("agent_message", {"chat_id": chat_id, "text": "Hi, Alice here.",
                                       "client_msg_id": "a1"})
    got = await user.wait_for("bot_uttered", lambda d: d["metadata"]["sender"] == "agent")
    assert got["text"] == "Hi, Alice here." and got["metadata"]["agent"] == "Alice"
    for n in range(3):
        await say(f"user message {n}")
    for n in range(3):
        await alice.wait_for("chat_message", lambda d, n=n: d["message"]["text"] ==
                             f"user message {n}")
    seqs = [d["message"]["seq"] for e, d in alice.received if e == "chat_message"
            and d["message"]["sender"] == "user"]
    assert seqs == sorted(seqs)

    assert (await alice.call("close", {"chat_id": chat_id, "resolution": "fixed"}))["ok"]
    await alice.wait_for("chat_closed")
    ask = await user.wait_for("bot_uttered", lambda d: "rate" in d.get("text", ""))
    assert [q["payload"] for q in ask["quick_replies"]] == ["1", "2", "3", "4", "5"]
    # a question that starts with a digit is a question, not a rating
    await say("3 of my colleagues still cannot join, what now?")
    await user.wait_for("bot_uttered", lambda d: d["metadata"]["sender"] == "bot" and
                        d["metadata"]["seq"] > ask["metadata"]["seq"] + 1)
    assert not redis.hget(f"hc:chat:{chat_id}", "csat_rating")
    await say("5")  # the quick reply's payload
    await user.wait_for("bot_uttered", lambda d: "Thank you for your feedback" in
                        d.get("text", ""))
    chat = redis.hgetall(f"hc:chat:{chat_id}")
    assert chat["state"] == "bot" and chat["csat_rating"] == "5"
    assert chat["csat_comment"] == "" and chat["resolution"] == "fixed"
    # the bot answers again
    await say("what is the help center")
    await user.wait_for("bot_uttered", lambda d: "/kb/en/help-center" in d.get("text", ""))


async def test_transfer_to_another_online_agent(
    redis_server: RedisTarget, start_gateway: Callable[..., Any],
    agent_client: Callable[[], AgentClient], aredis: Redis
) -> None:
    base = await start_gateway(make_settings(redis_server))
    alice, bob = agent_client(), agent_client()
    await alice.login(base, "agent1")
    await bob.login(base, "agent2")
    await queued_chat(aredis, "chat-move", "P2", time.time() - 30)
    await alice.call("accept", {"chat_id": "chat-move"})
    offline = await alice.call("transfer", {"chat_id": "chat-move", "to": "agent2"})
    assert offline["ok"] is False and "not online" in offline["message"]
    await bob.call("presence", {"status": "online"})
    assert (await alice.call("transfer", {"chat_id": "chat-move", "to": "agent2"}))["ok"]
    assert (await bob.wait_for("assigned"))["chat_id"] == "chat-move"
    assert (await alice.wait_for("chat_closed"))["transferred_to"] == "agent2"
    assert await aredis.hget("hc:chat:chat-move", "assignee") == "agent2"
    stale = await alice.call("agent_message", {"chat_id": "chat-move", "text": "still me?"})
    assert stale["code"] == "not_chat_owner"
    async with aiohttp.ClientSession() as http, http.get(f"{base}/metrics") as resp:
        metrics = await resp.text()
    assert 'hc_queue_wait_seconds_bucket{le="60.0"} 1' in metrics
    assert 'hc_agents{presence="online"} 1' in metrics


async def test_chats_of_an_agent_whose_process_died_are_requeued(
    redis_server: RedisTarget, start_gateway: Callable[..., Any], aredis: Redis
) -> None:
    """The agent was connected to a gateway process that died without a word: its
    connection stops being refreshed, and any other process requeues its chats."""
    await start_gateway(make_settings(redis_server, HANDOFF_GRACE_S="1"))
    await queued_chat(aredis, "orphan", "P2", time.time() - 50)
    await aredis.zrem("hc:queue", "orphan")
    await aredis.hset("hc:chat:orphan", mapping={"state": "agent", "assignee": "agent1"})
    await aredis.sadd("hc:agent:agent1:chats", "orphan")
    await aredis.hset("hc:agent:agent1", mapping={"status": "online", "name": "Alice"})
    await aredis.zadd("hc:agent:agent1:conns", {"sid-of-a-dead-process": time.time()})
    for _ in range(60):
        if await aredis.hget("hc:chat:orphan", "state") == "queued":
            break
        await asyncio.sleep(0.1)
    assert await aredis.hget("hc:chat:orphan", "state") == "queued"
    assert await aredis.zrange("hc:queue", 0, -1) == ["orphan"]
    assert await aredis.hget("hc:agent:agent1", "status") == "offline"


async def test_bad_agent_events_are_refused_and_change_nothing(
    redis_server: RedisTarget, start_gateway: Callable[..., Any],
    agent_client: Callable[[], AgentClient], aredis: Redis
) -> None:
    base = await start_gateway(make_settings(redis_server))
    alice = agent_client()
    await alice.login(base, "agent1")
    await queued_chat(aredis, "chat-xyz1", "P3", time.time())
    assert (await alice.call("accept", {"chat_id": "chat-xyz1"}))["ok"]
    too_long = await alice.call("agent_message", {"chat_id": "chat-xyz1", "text": "x" * 4001})
    assert too_long["code"] == "too_large"
    for bad in ({"chat_id": 5, "text": "hi"}, {"chat_id": "chat-xyz1"},
                {"chat_id": "../../etc", "text": "hi"}):
        assert (await alice.call("agent_message", bad))["code"] == "bad_request"
    assert (await alice.call("close", {"chat_id": "chat-xyz1", "resolution": 7}))["ok"] is False
    assert (await alice.call("transfer", {"chat_id": "chat-xyz1", "to": "nobody"}))["ok"] is False
    assert await aredis.xlen("hc:chat:chat-xyz1:log") == 1  # only "Alice joined"
    assert await aredis.hget("hc:chat:chat-xyz1", "state") == "agent"
    async with aiohttp.ClientSession() as http, http.get(f"{base}/metrics") as resp:
        metrics = await resp.text()
    assert 'hc_agents{presence="offline"} 2' in metrics  # connected, but never went online


async def test_a_queued_user_gone_past_the_grace_leaves_the_queue(
    redis_server: RedisTarget, start_gateway: Callable[..., Any],
    widget: Callable[[], WidgetClient], agent_client: Callable[[], AgentClient],
    aredis: Redis
) -> None:
    settings = make_settings(redis_server, HANDOFF_GRACE_S="0.6")
    base = await start_gateway(settings)
    token = identity.issue("pro-owner", settings.help_center_secret)
    gone, back = widget(), widget()
    chats = []
    for user in (gone, back):
        chats.append(await user.open_signed_in(base, token))
        await queued_chat(aredis, chats[-1], "P2", time.time(), user_socket=False)
    alice = agent_client()
    await alice.login(base, "agent1")  # away: sees the queue, gets no chats
    await alice.wait_for("queue", lambda q: len(q["chats"]) == 2)

    await gone.close()  # the page is closed for good
    await back.close()  # this one reloads within the grace period
    again = widget()
    await again.connect(base)
    await again.sio.emit("session_request", {"session_id": chats[1],
                                             "customData": {"token": token}})
    await again.wait_for("session_confirm", lambda d: d == chats[1])

    queue = await alice.wait_for("queue", lambda q: [c["chat_id"] for c in q["chats"]] ==
                                 [chats[1]], timeout=10)
    assert queue["chats"][0]["chat_id"] == chats[1]
    assert await aredis.hget(f"hc:chat:{chats[0]}", "state") == "bot"
    assert await aredis.hget(f"hc:chat:{chats[1]}", "state") == "queued"
    await asyncio.sleep(1.5)  # well past the grace: the connected user keeps the place
    assert await aredis.zrange("hc:queue", 0, -1) == [chats[1]]

    # coming back later, the user is told what happened
    returning = widget()
    await returning.connect(base)
    await returning.sio.emit("session_request", {"session_id": chats[0],
                                                 "customData": {"token": token}})
    await returning.wait_for("session_confirm", lambda d: d == chats[0])
    await returning.sio.emit("resume", {"session_id": chats[0], "last_seq": 0})
    told = await returning.wait_for("bot_uttered", lambda d: "left the queue" in d["text"])
    assert told["metadata"]["sender"] == "system"
