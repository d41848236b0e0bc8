"""What the pages rely on beyond Rasa's protocol: acknowledged user messages with the
clicked button's title, the rating form's `csat` event, the agent's `me` and `agents`
events, and the pages themselves with their security headers."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import aiohttp
import redis as redis_lib
from redis.asyncio import Redis

from bot import identity
from scripts.stack import RedisTarget
from tests.handoff.conftest import AgentClient, WidgetClient, make_settings, queued_chat


async def test_rating_form_title_and_acknowledged_messages(
    redis_server: RedisTarget, start_gateway: Callable[..., Any],
    widget: Callable[[], WidgetClient], agent_client: Callable[[], AgentClient],
    aredis: Redis, redis: redis_lib.Redis
) -> None:
    settings = make_settings(redis_server)
    base = await start_gateway(settings)
    signed = {"customData": {"token": identity.issue("pro-owner", settings.help_center_secret)}}
    user = widget()
    await user.connect(base)
    await user.sio.emit("session_request", signed)
    chat_id = str(await user.wait_for("session_confirm"))
    await queued_chat(aredis, chat_id, "P2", time.time() - 30)
    alice = agent_client()
    await alice.login(base, "agent1")
    me = await alice.wait_for("me")
    assert me["name"] == "Alice" and me["status"] == "offline" and me["capacity"] == 3
    assert {c["shortcut"] for c in me["canned"]} >= {"greet"}
    assert (await alice.call("presence", {"status": "away"}))["ok"]
    agents = (await alice.call("agents"))["agents"]
    assert {(a["username"], a["status"]) for a in agents} == {("agent1", "away"),
                                                             ("agent2", "offline")}
    assert (await alice.call("accept", {"chat_id": chat_id}))["ok"]

    ack = await user.sio.call("user_uttered", {"message": "/request_human", "session_id":
                                               chat_id, "client_msg_id": "m1",
                                               "title": "Talk to a person"}, timeout=10)
    assert ack == {"ok": True, "seq": ack["seq"]} and ack["seq"] >= 2
    retry = await user.sio.call("user_uttered", {"message": "/request_human", "session_id":
                                                 chat_id, "client_msg_id": "m1"}, timeout=10)
    assert retry == ack  # stored once, same number
    got = await alice.wait_for("chat_message", lambda d: d["message"]["sender"] == "user")
    assert got["message"]["title"] == "Talk to a person" and got["message"]["ts"] > 0
    bad = await user.sio.call("user_uttered", {"message": "x", "session_id": chat_id,
                                               "title": "t" * 201}, timeout=10)
    assert bad["ok"] is False and bad["code"] == "too_large"

    early = await user.sio.call("csat", {"session_id": chat_id, "rating": 5}, timeout=10)
    assert early["ok"] is False and early["code"] == "bad_request"  # not closed yet
    assert (await alice.call("close", {"chat_id": chat_id, "resolution": "Resolved"}))["ok"]
    await user.wait_for("handoff_status", lambda d: d.get("csat_pending") is True)
    for wrong in (0, 6, "5", True, 4.5):
        answer = await user.sio.call("csat", {"session_id": chat_id, "rating": wrong},
                                     timeout=10)
        assert answer["ok"] is False, wrong
    count = len(user.received)
    done = await user.sio.call("csat", {"session_id": chat_id, "rating": 4,
                                        "comment": " <b>quick</b> "}, timeout=10)
    assert done == {"ok": True}
    await user.wait_for("handoff_status", lambda d: d["state"] == "bot" and
                        "csat_pending" not in d, after=count)
    chat = redis.hgetall(f"hc:chat:{chat_id}")
    assert (chat["csat_rating"], chat["csat_comment"]) == ("4", "<b>quick</b>")
    again = await user.sio.call("csat", {"session_id": chat_id, "rating": 1}, timeout=10)
    assert again["ok"] is False and redis.hget(f"hc:chat:{chat_id}", "csat_rating") == "4"

    # a reload replays the user's message with its id and title, so nothing shows twice
    reloaded = widget()
    await reloaded.connect(base)
    await reloaded.sio.emit("session_request", {"session_id": chat_id, **signed})
    await reloaded.wait_for("session_confirm")
    await reloaded.sio.emit("resume", {"session_id": chat_id, "last_seq": 0})
    mine = await reloaded.wait_for("bot_uttered", lambda d: d["metadata"]["sender"] == "user")
    assert mine["metadata"]["client_msg_id"] == "m1"
    assert mine["metadata"]["title"] == "Talk to a person"


async def test_pages_are_served_with_security_headers(
    redis_server: RedisTarget, start_gateway: Callable[..., Any], strong_agents: str
) -> None:
    dev = await start_gateway(make_settings(redis_server))
    prod = await start_gateway(make_settings(
        redis_server, HANDOFF_ENV="production", HELP_CENTER_SECRET="s" * 32,
        AGENT_TOKEN_SECRET="a" * 32, HANDOFF_ALLOWED_ORIGINS="https://help.example.com",
        HANDOFF_AGENTS_FILE=strong_agents))
    async with aiohttp.ClientSession() as http:
        for path in ("/", "/agent"):
            async with http.get(dev + path) as resp:
                assert resp.status == 200 and resp.content_type == "text/html"
                csp = resp.headers["Content-Security-Policy"]
                assert "script-src 'self'" in csp and "unsafe-inline" not in csp
                assert resp.headers["X-Content-Type-Options"] == "nosniff"
        async with http.get(dev + "/widget.js") as resp:
            assert resp.status == 200 and "javascript" in resp.content_type
            assert resp.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
        async with http.get(dev + "/static/vendor/socket.io.min.js") as resp:
            assert resp.status == 200 and "Socket.IO v4.8.1" in await resp.text()
        async with http.get(dev + "/static/vendor/socket.io-client.LICENSE") as resp:
            assert resp.status == 200 and "MIT" in await resp.text()
        async with http.get(dev + "/static/../settings.py") as resp:
            assert resp.status in (403, 404)
        async with http.get(dev + "/dev/users") as resp:
            users = (await resp.json())["users"]
            assert {"user": "pro-owner", "name": "Priya Pro", "plan": "pro",
                    "role": "owner"} in users and len(users) == 9
        async with http.get(prod + "/dev/users") as resp:
            assert resp.status == 404
        async with http.get(prod + "/") as resp:  # the page stays, without the switch
            assert resp.status == 200


async def test_the_agent_sees_the_newest_messages_and_loads_earlier_ones(
    redis_server: RedisTarget, start_gateway: Callable[..., Any],
    agent_client: Callable[[], AgentClient], aredis: Redis
) -> None:
    """A handoff at message 521 of a long chat: the console opens on the newest page
    (with the handoff in it) and pages back with `history`."""
    from handoff.lifecycle import Lifecycle, Say

    base = await start_gateway(make_settings(redis_server))
    chat_id = "long0000chat0000long0000chat0000"
    lifecycle = Lifecycle(aredis, capacity=3)
    await lifecycle.open(chat_id, user_id="pro-owner", plan="pro", role="owner", language="",
                         create=True)
    for start in range(0, 520, 65):
        await lifecycle.say(chat_id, [Say("user" if n % 2 else "bot", f"message {n + 1}")
                                      for n in range(start, start + 65)])
    await queued_chat(aredis, chat_id, "P2", time.time())
    await lifecycle.say(chat_id, [Say("system", "message 521: the handoff")])
    alice = agent_client()
    await alice.login(base, "agent1")
    assert (await alice.call("accept", {"chat_id": chat_id}))["ok"]
    assigned = await alice.wait_for("assigned")
    seqs = [m["seq"] for m in assigned["transcript"]]
    assert assigned["has_earlier"] is True and len(seqs) == 200
    assert seqs == list(range(seqs[0], seqs[0] + 200)) and seqs[-1] == 522  # + "joined"
    assert "message 521: the handoff" in [m["text"] for m in assigned["transcript"]]
    pages, before = 0, seqs[0]
    while True:
        page = await alice.call("history", {"chat_id": chat_id, "before_seq": before})
        assert page["ok"] and [m["seq"] for m in page["messages"]] == \
            list(range(max(1, before - 200), before))
        pages, before = pages + 1, page["messages"][0]["seq"]
        if not page["has_earlier"]:
            break
    assert before == 1 and pages == 2
    bob = agent_client()  # another agent may not read it
    await bob.login(base, "agent2")
    refused = await bob.call("history", {"chat_id": chat_id, "before_seq": 100})
    assert refused["code"] == "not_chat_owner"
