"""Agent assist: the knowledge-base articles matching what the customer wrote, in the
chat's language, pushed after each customer message and on request; real clients, a real
gateway and Redis."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from redis.asyncio import Redis

from bot import identity, redis_keys
from handoff.lifecycle import HandoffRequest, Lifecycle
from scripts.stack import RedisTarget
from tests.handoff.conftest import AgentClient, WidgetClient, make_settings, queued_chat


async def test_suggestions_follow_the_customer_in_the_chats_language(
    redis_server: RedisTarget, start_gateway: Callable[..., Any],
    widget: Callable[[], WidgetClient], agent_client: Callable[[], AgentClient],
    aredis: Redis
) -> None:
    settings = make_settings(redis_server)
    base = await start_gateway(settings)
    token = identity.issue("pro-owner", settings.help_center_secret)
    user = widget()
    chat_id = await user.open_signed_in(base, token)
    await queued_chat(aredis, chat_id, "P2", time.time())
    alice, bob = agent_client(), agent_client()
    await alice.login(base, "agent1")
    await bob.login(base, "agent2")
    assert (await alice.call("accept", {"chat_id": chat_id}))["ok"]
    opened = await alice.wait_for("assist_suggestions", lambda d: d["chat_id"] == chat_id)
    assert opened["suggestions"] == [] and opened["based_on_seq"] == 0  # nothing said yet

    said = await user.sio.call("user_uttered", {
        "message": "How do I call support by phone? Which number?", "session_id": chat_id},
        timeout=10)
    pushed = await alice.wait_for("assist_suggestions",
                                  lambda d: d["based_on_seq"] == said["seq"])
    assert pushed["language"] == "en" and 1 <= len(pushed["suggestions"]) <= 3
    best = pushed["suggestions"][0]
    assert best["article_id"] == "phone-support" and best["title"]
    assert best["url"].endswith("/kb/en/phone-support")
    assert 0 < len(best["answer"]) <= 401 and "\n" not in best["answer"]
    assert [s["score"] for s in pushed["suggestions"]] == \
        sorted((s["score"] for s in pushed["suggestions"]), reverse=True)
    assert len({s["article_id"] for s in pushed["suggestions"]}) == len(pushed["suggestions"])
    asked = await alice.call("assist", {"chat_id": chat_id})
    assert asked["ok"] and asked["suggestions"] == pushed["suggestions"]
    refused = await bob.call("assist", {"chat_id": chat_id})
    assert refused["ok"] is False and refused["code"] == "not_chat_owner"
    assert (await alice.call("assist", {}))["code"] == "bad_request"
    # a button's payload is not a question
    await user.sio.call("user_uttered", {"message": "/request_human", "session_id": chat_id},
                        timeout=10)
    assert (await alice.call("assist", {"chat_id": chat_id}))["suggestions"][0][
        "article_id"] == "phone-support"

    # a Russian chat gets Russian articles
    russian = widget()
    await russian.connect(base)
    await russian.sio.emit("session_request", {"customData": {"language": "ru"}})
    ru_chat = str(await russian.wait_for("session_confirm"))
    await Lifecycle(aredis, capacity=3).request(ru_chat, HandoffRequest("P3", "t", "s", {}), [])
    await aredis.zadd(redis_keys.chat_conns(ru_chat), {"test-user": time.time() + 3600})
    assert (await bob.call("accept", {"chat_id": ru_chat}))["ok"]
    said = await russian.sio.call("user_uttered", {
        "message": "Как позвонить в поддержку по телефону?", "session_id": ru_chat},
        timeout=10)
    assert said["ok"], said
    pushed = await bob.wait_for("assist_suggestions",
                                lambda d: d["chat_id"] == ru_chat and d["suggestions"])
    assert pushed["language"] == "ru"
    assert pushed["suggestions"][0]["url"].endswith("/kb/ru/phone-support")
    assert any("а" <= ch <= "я" for ch in pushed["suggestions"][0]["title"].lower())
