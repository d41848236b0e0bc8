"""Limits that opening more sockets (or reaching another gateway process) cannot get
around: messages per chat, new chats per address, sockets per address, one open
handoff per user, and bot turns at once. Each was a finding of the security review."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import redis as redis_lib
import socketio
from redis.asyncio import Redis

from bot import redis_keys
from handoff.errors import Refused
from handoff.lifecycle import HandoffRequest, Lifecycle, Say
from scripts.stack import RedisTarget
from tests.conftest import Stack
from tests.handoff.conftest import WidgetClient, make_settings


async def open_chat(widget: Callable[[], WidgetClient], base: str,
                    session_id: str | None = None, **custom: str) -> tuple[WidgetClient, Any]:
    client = widget()
    await client.connect(base)
    body: dict[str, Any] = {"customData": custom}
    if session_id:
        body["session_id"] = session_id
    ack = await client.sio.call("session_request", body, timeout=10)
    return client, ack


async def test_sockets_of_one_chat_share_its_message_limit(
    redis_server: RedisTarget, start_gateway: Callable[..., Any],
    widget: Callable[[], WidgetClient], redis: redis_lib.Redis
) -> None:
    """10 sockets on one chat sent 260 messages in 11 s (the limit was per socket)."""
    base = await start_gateway(make_settings(redis_server))
    first, _ = await open_chat(widget, base)
    chat_id = await first.wait_for("session_confirm")
    clients = [first] + [(await open_chat(widget, base, chat_id))[0] for _ in range(9)]
    acks = await asyncio.gather(*[
        c.sio.call("user_uttered", {"message": f"spam {i}-{n}", "session_id": chat_id},
                   timeout=20)
        for i, c in enumerate(clients) for n in range(5)])
    stored = sum(1 for a in acks if a["ok"])
    assert stored == 30 and all(a["code"] == "rate_limited" for a in acks if not a["ok"])
    assert redis.xlen(redis_keys.chat_log(chat_id)) >= 30


async def test_new_chats_and_sockets_per_address_are_capped(
    redis_server: RedisTarget, start_gateway: Callable[..., Any],
    widget: Callable[[], WidgetClient]
) -> None:
    base = await start_gateway(make_settings(redis_server, HANDOFF_LIMIT_SCALE="0.1",
                                             HANDOFF_MAX_CONNECTIONS_PER_ADDRESS="5"))
    chats = []
    for _ in range(3):  # 30 new chats per 10 minutes, scaled to 3
        client, ack = await open_chat(widget, base)
        assert ack["ok"]
        chats.append(await client.wait_for("session_confirm"))
        await client.close()
    client, ack = await open_chat(widget, base)
    assert ack["code"] == "rate_limited" and "new conversations" in ack["message"]
    _, rejoin = await open_chat(widget, base, chats[0])  # coming back is not a new chat
    assert rejoin["ok"]
    held = [widget() for _ in range(3)]  # 5 sockets at most from one address
    for h in held:
        await h.connect(base)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await widget().connect(base)


@pytest.fixture
async def lifecycle(redis_server: RedisTarget, redis: redis_lib.Redis
                    ) -> AsyncIterator[Lifecycle]:
    client = Redis.from_url(redis_server.url, decode_responses=True)
    yield Lifecycle(client, capacity=3)
    await client.aclose()


async def test_one_open_handoff_per_user(lifecycle: Lifecycle) -> None:
    """One account queued 20 P1 chats."""
    chats = [f"{n}" * 32 for n in range(1, 4)]
    for chat_id in chats:
        await lifecycle.open(chat_id, user_id="business-admin", plan="business", role="admin",
                             language="", create=True)

    def ask() -> HandoffRequest:
        return HandoffRequest("P1", "test", "s", {}, user_id="business-admin",
                              busy=Say("system", "You already have one open"))

    await lifecycle.request(chats[0], ask(), [])
    with pytest.raises(Refused, match="already have a conversation"):
        await lifecycle.request(chats[1], ask(), [])
    outcome = await lifecycle.finish_turn(chats[2], 1, [], ask(), bot_down=False)
    assert not outcome.info["queued"] and [m.text for m in outcome.messages] == \
        ["You already have one open"]
    assert await lifecycle.queue_length() == 1
    await lifecycle.cancel(chats[0], Say("system", "left"), "business-admin")
    await lifecycle.request(chats[1], ask(), [])  # the slot is free again
    assert await lifecycle.queued() == [chats[1]]


async def test_too_many_bot_turns_at_once_answer_busy(
    rasa_stack: Stack, start_gateway: Callable[..., Any], widget: Callable[[], WidgetClient]
) -> None:
    """Nothing capped concurrent bot turns: past the cap a message is refused with
    `busy` (nothing stored; the page sends it again) instead of queueing without bound."""
    base = await start_gateway(make_settings(
        rasa_stack.redis, rasa_url=f"http://127.0.0.1:{rasa_stack.rasa_port}",
        actions_url=f"http://127.0.0.1:{rasa_stack.actions_port}",
        HANDOFF_MAX_BOT_TURNS="1"))
    first, _ = await open_chat(widget, base)
    second, _ = await open_chat(widget, base)
    ids = [await c.wait_for("session_confirm") for c in (first, second)]
    rasa = rasa_stack.services["rasa"].proc.pid
    os.killpg(rasa, signal.SIGSTOP)  # the first turn waits for Rasa
    try:
        ack = await first.sio.call("user_uttered", {"message": "how do I report abuse",
                                                    "session_id": ids[0]}, timeout=10)
        assert ack["ok"]
        busy = await second.sio.call("user_uttered", {"message": "and sales?",
                                                      "session_id": ids[1]}, timeout=10)
        assert busy["code"] == "busy" and "not saved" in busy["message"]
    finally:
        os.killpg(rasa, signal.SIGCONT)
    await first.wait_for("bot_uttered", lambda d: "report-abuse" in d.get("text", ""))
    again = await second.sio.call("user_uttered", {"message": "and sales?",
                                                   "session_id": ids[1]}, timeout=10)
    assert again["ok"]  # the page's retry goes through once there is room
