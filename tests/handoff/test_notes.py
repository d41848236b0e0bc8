"""Internal notes (agents and supervisors only, never the customer's), handing a chat back
to the bot without closing it, and the customer's copy of the chat: real Socket.IO
clients against a real gateway and Redis."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import redis as redis_lib
from redis.asyncio import Redis

from bot import identity, redis_keys
from handoff import texts
from handoff.lifecycle import HandoffRequest, Lifecycle
from scripts.stack import RedisTarget
from tests.handoff.conftest import AgentClient, WidgetClient, make_settings, queued_chat

SECRET = "NOTE-ONLY-FOR-AGENTS"


async def test_notes_stay_internal_and_hand_back_returns_the_chat_to_the_bot(
    redis_server: RedisTarget, start_gateway: Callable[..., Any],
    widget: Callable[[], WidgetClient], agent_client: Callable[[], AgentClient],
    aredis: Redis, redis: redis_lib.Redis
) -> None:
    settings = make_settings(redis_server)
    base = await start_gateway(settings)
    token = identity.issue("pro-owner", settings.help_center_secret)
    user = widget()
    chat_id = await user.open_signed_in(base, token)
    await queued_chat(aredis, chat_id, "P2", time.time() - 60)
    alice, bob, sam = agent_client(), agent_client(), agent_client()
    await alice.login(base, "agent1")
    await bob.login(base, "agent2")
    await sam.login(base, "supervisor1")
    assert (await alice.call("accept", {"chat_id": chat_id}))["ok"]
    await alice.wait_for("assigned", lambda d: d["chat_id"] == chat_id)
    said = await user.sio.call("user_uttered", {"message": "hello there", "session_id":
                                                chat_id}, timeout=10)
    assert said["ok"]
    await alice.wait_for("chat_message", lambda d: d["message"]["text"] == "hello there")

    # notes: the assigned agent, once per client id; a supervisor on any chat; no one else
    first = await alice.call("add_note", {"chat_id": chat_id, "text": f" {SECRET} 1 ",
                                          "client_msg_id": "n1"})
    assert first == {"ok": True, "chat_id": chat_id, "id": 1}
    assert await alice.call("add_note", {"chat_id": chat_id, "text": f"{SECRET} 1",
                                         "client_msg_id": "n1"}) == first
    refused = await bob.call("add_note", {"chat_id": chat_id, "text": "not mine"})
    assert refused["ok"] is False and refused["code"] == "not_chat_owner"
    assert (await sam.call("add_note", {"chat_id": chat_id, "text": f"{SECRET} 2"}))["id"] == 2
    for bad, code in (({"chat_id": chat_id, "text": "  "}, "bad_request"),
                      ({"chat_id": chat_id, "text": "x" * 2001}, "too_large"),
                      ({"chat_id": chat_id, "text": 5}, "bad_request"),
                      ({"text": "no chat"}, "bad_request")):
        answer = await alice.call("add_note", bad)
        assert answer["ok"] is False and answer["code"] == code, bad
    by_sam = await alice.wait_for("chat_note", lambda d: d["note"]["id"] == 2)
    assert by_sam["note"]["author"] == "supervisor1" and by_sam["note"]["name"] == "Sam"
    assert by_sam["note"]["after_seq"] >= said["seq"]
    notes = await alice.call("notes", {"chat_id": chat_id})
    assert [n["text"] for n in notes["notes"]] == [f"{SECRET} 1", f"{SECRET} 2"]
    assert (await sam.call("notes", {"chat_id": chat_id}))["notes"] == notes["notes"]
    assert (await bob.call("notes", {"chat_id": chat_id}))["code"] == "not_chat_owner"
    assert redis.xlen(redis_keys.chat_notes(chat_id)) == 2
    assert 0 < redis.ttl(redis_keys.chat_notes(chat_id)) <= settings.chat_ttl_s

    # hand back: the bot's again, the agent released, the customer told, no rating asked
    assert (await alice.call("agent_message", {"chat_id": chat_id, "text": "Hi, Alice here"})
            )["ok"]
    count = len(user.received)
    assert await alice.call("hand_back", {"chat_id": chat_id}) == {"ok": True}
    assert (await alice.wait_for("chat_closed"))["chat_id"] == chat_id
    status = await user.wait_for("handoff_status", lambda d: d["state"] == "bot",
                                 after=count)
    assert "csat_pending" not in status
    told = await user.wait_for("bot_uttered", lambda d: d["metadata"]["sender"] == "bot",
                               after=count)
    assert told["text"] == texts.text("handed_back", "en")
    chat = redis.hgetall(redis_keys.chat(chat_id))
    assert (chat["state"], chat["assignee"], chat["csat_pending"]) == ("bot", "", "0")
    assert float(chat["handed_back_at"]) > 0 and "closed_at" not in chat
    assert redis.scard(redis_keys.agent_chats("agent1")) == 0
    again = await alice.call("hand_back", {"chat_id": chat_id})
    assert again["ok"] is False and again["code"] == "not_chat_owner"
    # the next customer message is the bot's (its turn runs; Rasa is down here)
    count = len(user.received)
    asked = await user.sio.call("user_uttered", {"message": "one more question",
                                                 "session_id": chat_id}, timeout=10)
    assert asked["ok"]
    answer = await user.wait_for("bot_uttered", lambda d: d["metadata"]["sender"] != "user",
                                 after=count)
    assert answer["text"].startswith(texts.text("bot_unavailable", "en")[:40])
    assert not any(e == "chat_message" and d["message"]["text"] == "one more question"
                   for e, d in alice.received)

    # the customer never got a note, live or replayed, nor in their copy
    reloaded = widget()
    await reloaded.connect(base)
    await reloaded.sio.emit("session_request", {"session_id": chat_id,
                                                "customData": {"token": token}})
    await reloaded.wait_for("session_confirm")
    resumed = await reloaded.sio.call("resume", {"session_id": chat_id, "last_seq": 0},
                                      timeout=10)
    assert resumed["ok"]
    for client in (user, reloaded):
        assert SECRET not in repr(client.received)
    copy = await reloaded.sio.call("transcript", {"session_id": chat_id}, timeout=10)
    assert copy["ok"] and copy["content_type"] == "text/plain; charset=utf-8"
    assert copy["filename"].startswith("chat-") and copy["filename"].endswith(".txt")
    assert "hello there" in copy["text"] and "one more question" in copy["text"]
    assert "Alice (support)" in copy["text"] and texts.text("handed_back", "en") in copy["text"]
    assert SECRET not in copy["text"]
    markdown = await reloaded.sio.call("transcript", {"session_id": chat_id,
                                                      "format": "markdown"}, timeout=10)
    assert markdown["filename"].endswith(".md") and markdown["text"].startswith("# ")
    assert SECRET not in markdown["text"]
    wrong = await reloaded.sio.call("transcript", {"session_id": chat_id, "format": "pdf"},
                                    timeout=10)
    assert wrong["ok"] is False and wrong["code"] == "bad_request"
    # someone else's token on this connection: refused (the chat is a signed-in user's)
    other = identity.issue("business-admin", settings.help_center_secret)
    stolen = await reloaded.sio.call("transcript", {"session_id": chat_id, "customData":
                                                    {"token": other}}, timeout=10)
    assert stolen["ok"] is False and stolen["code"] == "not_chat_owner"
    # another visitor cannot join the chat by its id to ask for it
    stranger = widget()
    await stranger.connect(base)
    await stranger.sio.emit("session_request", {"session_id": chat_id})
    assert await stranger.wait_for("session_confirm") != chat_id

    # the notes are shown to the agent who opens the chat next
    await queued_chat(aredis, chat_id, "P2", time.time())
    assert (await bob.call("accept", {"chat_id": chat_id}))["ok"]
    assigned = await bob.wait_for("assigned", lambda d: d["chat_id"] == chat_id)
    assert [n["text"] for n in assigned["notes"]] == [f"{SECRET} 1", f"{SECRET} 2"]


async def test_the_copy_is_in_the_chats_language_and_anonymous_chats_are_their_visitors(
    redis_server: RedisTarget, start_gateway: Callable[..., Any],
    widget: Callable[[], WidgetClient], agent_client: Callable[[], AgentClient],
    aredis: Redis, redis: redis_lib.Redis
) -> None:
    base = await start_gateway(make_settings(redis_server))
    user = widget()
    await user.connect(base)
    await user.sio.emit("session_request", {"customData": {"language": "ru"}})
    chat_id = str(await user.wait_for("session_confirm"))
    await Lifecycle(aredis, capacity=3).request(  # an anonymous visitor's chat
        chat_id, HandoffRequest("P3", "test", "summary", {}), [])
    assert await aredis.hget(redis_keys.chat(chat_id), "language") == "ru"
    alice = agent_client()
    await alice.login(base, "agent1")
    assert (await alice.call("accept", {"chat_id": chat_id}))["ok"]
    assert (await alice.call("agent_message", {"chat_id": chat_id, "text": "Здравствуйте"}
                             ))["ok"]
    assert (await alice.call("hand_back", {"chat_id": chat_id}))["ok"]
    await user.wait_for("bot_uttered", lambda d: d.get("text") ==
                        texts.text("handed_back", "ru"))
    copy = await user.sio.call("transcript", {"session_id": chat_id}, timeout=10)
    assert copy["ok"], copy
    assert copy["text"].startswith(texts.text("transcript_title", "ru"))
    assert "Alice (поддержка)" in copy["text"] and "Здравствуйте" in copy["text"]
    not_mine = await user.sio.call("transcript", {"session_id": "f" * 32}, timeout=10)
    assert not_mine["ok"] is False and not_mine["code"] == "bad_request"
    for _ in range(9):  # 10 copies per chat per 10 minutes
        await user.sio.call("transcript", {"session_id": chat_id}, timeout=10)
    limited = await user.sio.call("transcript", {"session_id": chat_id}, timeout=10)
    assert limited["ok"] is False and limited["code"] == "rate_limited"
