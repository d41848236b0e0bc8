"""Widget namespace with real Socket.IO clients; Rasa is not running here (see
test_widget_stack.py for whole-stack turns)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
import redis as redis_lib
import socketio

from scripts.stack import RedisTarget
from tests.handoff.conftest import WidgetClient, make_settings


async def test_foreign_origin_is_refused(redis_server: RedisTarget,
                                         start_gateway: Callable[..., Any],
                                         widget: Callable[[], WidgetClient]) -> None:
    base = await start_gateway(make_settings(
        redis_server, HANDOFF_ALLOWED_ORIGINS="https://help.example.com"))
    for transports in (["websocket"], ["polling"]):
        with pytest.raises(socketio.exceptions.ConnectionError):
            await widget().connect(base, origin="https://evil.example.net",
                                   transports=transports)
    ok = widget()
    await ok.connect(base, origin="https://help.example.com", transports=["polling"])
    assert ok.sio.connected


async def test_session_confirm_and_reuse(redis_server: RedisTarget,
                                         start_gateway: Callable[..., Any],
                                         widget: Callable[[], WidgetClient]) -> None:
    base = await start_gateway(make_settings(redis_server))
    first = widget()
    await first.connect(base)
    await first.sio.emit("session_request", {})
    chat_id = await first.wait_for("session_confirm")
    assert isinstance(chat_id, str) and len(chat_id) == 32
    again = widget()
    await again.connect(base)
    await again.sio.emit("session_request", {"session_id": chat_id})
    assert await again.wait_for("session_confirm") == chat_id
    unknown = widget()
    await unknown.connect(base)
    await unknown.sio.emit("session_request", {"session_id": "made-up-session-id"})
    assert await unknown.wait_for("session_confirm") != "made-up-session-id"


async def test_signed_in_chat_is_not_joined_by_someone_else(
    redis_server: RedisTarget, start_gateway: Callable[..., Any],
    widget: Callable[[], WidgetClient]
) -> None:
    from bot import identity

    settings = make_settings(redis_server)
    base = await start_gateway(settings)
    owner = widget()
    await owner.connect(base)
    token = identity.issue("pro-owner", settings.help_center_secret)
    await owner.sio.emit("session_request", {"customData": {"token": token}})
    chat_id = await owner.wait_for("session_confirm")
    thief = widget()
    await thief.connect(base)
    await thief.sio.emit("session_request", {"session_id": chat_id})
    assert await thief.wait_for("session_confirm") != chat_id


@pytest.mark.parametrize(("payload", "code"), [
    ("not an object", "bad_request"),
    ({"message": 42}, "bad_request"),
    ({"message": "x" * 4001}, "too_large"),
    ({"message": "hi", "session_id": "someone-elses-session"}, "bad_request"),
    ({"message": "hi", "client_msg_id": "bad id with spaces"}, "bad_request"),
    ({"message": "hi", "customData": {"country": "Narnia"}}, "too_large"),
])
async def test_bad_events_get_an_error_and_store_nothing(
    redis_server: RedisTarget, start_gateway: Callable[..., Any],
    widget: Callable[[], WidgetClient], redis: redis_lib.Redis, payload: Any, code: str
) -> None:
    base = await start_gateway(make_settings(redis_server))
    client = widget()
    await client.connect(base)
    await client.sio.emit("session_request", {})
    chat_id = await client.wait_for("session_confirm")
    await client.sio.emit("user_uttered", payload)
    error = await client.wait_for("error")
    assert error["code"] == code and error["message"]
    assert redis.xlen(f"hc:chat:{chat_id}:log") == 0
    assert client.sio.connected  # the connection survives


async def test_events_before_session_request_are_refused(
    redis_server: RedisTarget, start_gateway: Callable[..., Any],
    widget: Callable[[], WidgetClient]
) -> None:
    base = await start_gateway(make_settings(redis_server))
    client = widget()
    await client.connect(base)
    await client.sio.emit("user_uttered", {"message": "hi", "session_id": "abcdefgh1234"})
    assert (await client.wait_for("error"))["code"] == "bad_request"


async def test_rate_limit_per_connection(redis_server: RedisTarget,
                                         start_gateway: Callable[..., Any],
                                         widget: Callable[[], WidgetClient]) -> None:
    base = await start_gateway(make_settings(redis_server))
    noisy, calm = widget(), widget()
    for client in (noisy, calm):
        await client.connect(base)
        await client.sio.emit("session_request", {})
        await client.wait_for("session_confirm")
    for n in range(25):
        await noisy.sio.emit("resume", {"last_seq": n})
    error = await noisy.wait_for("error", lambda e: e["code"] == "rate_limited")
    assert "at most 20" in error["message"]
    await calm.sio.emit("resume", {"last_seq": 0})
    assert (await calm.wait_for("handoff_status"))["state"] == "bot"


async def test_rasa_down_keeps_the_message_and_says_so(
    redis_server: RedisTarget, start_gateway: Callable[..., Any],
    widget: Callable[[], WidgetClient], redis: redis_lib.Redis
) -> None:
    base = await start_gateway(make_settings(redis_server))  # Rasa URL points nowhere
    client = widget()
    await client.connect(base)
    await client.sio.emit("session_request", {})
    chat_id = await client.wait_for("session_confirm")
    await client.sio.emit("user_uttered", {"message": "hello?", "session_id": chat_id})
    reply = await client.wait_for("bot_uttered")
    assert reply["metadata"]["sender"] == "system" and "can't answer right now" in reply["text"]
    stored = redis.xrange(f"hc:chat:{chat_id}:log")
    assert next(f["text"] for _, f in stored) == "hello?"


async def test_retries_and_reconnects_lose_and_double_nothing(
    redis_server: RedisTarget, start_gateway: Callable[..., Any],
    widget: Callable[[], WidgetClient], redis: redis_lib.Redis
) -> None:
    """200 messages, each sent twice (a client retry), with a reconnect to the other of
    two gateway processes every 25: all 200 stored once, in order. A client that asks for
    an acknowledgement gets it once the message is stored."""
    settings = make_settings(redis_server, HANDOFF_RATE_LIMIT="1000", HANDOFF_LIMIT_SCALE="100")
    bases = [await start_gateway(settings), await start_gateway(settings)]
    chat_id = ""
    client = widget()
    for n in range(200):
        if n % 25 == 0:
            await client.close()
            client = widget()
            await client.connect(bases[(n // 25) % 2])
            await client.sio.emit("session_request", {"session_id": chat_id} if chat_id else {})
            chat_id = await client.wait_for("session_confirm")
        body = {"message": f"m{n}", "session_id": chat_id, "client_msg_id": f"id-{n}"}
        await client.sio.call("user_uttered", body, timeout=10)
        await client.sio.call("user_uttered", body, timeout=10)  # the retry
    users = [f["text"] for _, f in redis.xrange(f"hc:chat:{chat_id}:log", count=10_000)
             if f["sender"] == "user"]
    assert users == [f"m{n}" for n in range(200)]
    # a reconnecting client pages through the replay (500 a page) until it has caught up
    from redis.asyncio import Redis as AsyncRedis

    from handoff.lifecycle import Lifecycle, Say
    async_redis = AsyncRedis.from_url(redis_server.url, decode_responses=True)
    await Lifecycle(async_redis, 3).say(chat_id, [Say("system", f"note {n}") for n in range(200)])
    await async_redis.aclose()
    before = len(client.received)
    last, pages = 0, 0
    while True:
        ack = await client.sio.call("resume", {"session_id": chat_id, "last_seq": last},
                                    timeout=10)
        pages += 1
        last = ack["last_seq"]
        if not ack["more"]:
            break
    replayed = [d["metadata"]["seq"] for e, d in client.received[before:] if e == "bot_uttered"]
    total = redis.xlen(f"hc:chat:{chat_id}:log")
    assert replayed == list(range(1, total + 1)) and last == total and pages >= 2
    await client.wait_for("handoff_status", after=before)


async def test_a_client_may_propose_a_long_enough_id_for_a_new_chat(
    redis_server: RedisTarget, start_gateway: Callable[..., Any],
    widget: Callable[[], WidgetClient]
) -> None:
    """Rasa's socketio channel echoes the id a client proposes; clients that keep their
    own id (at least 128 bits) go on using it. A short one gets a server-made id."""
    base = await start_gateway(make_settings(redis_server))
    own = widget()
    await own.connect(base)
    proposed = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"  # a uuid4 hex
    await own.sio.emit("session_request", {"session_id": proposed})
    assert await own.wait_for("session_confirm") == proposed
    ack = await own.sio.call("user_uttered", {"message": "hello", "session_id": proposed},
                             timeout=10)
    assert ack["ok"] is True and ack["seq"] == 1
    for short in ("abcdef12", "0123456789abcdef0123456789abcde"):  # 32 and 124 bits
        other = widget()
        await other.connect(base)
        await other.sio.emit("session_request", {"session_id": short})
        assert await other.wait_for("session_confirm") != short
    dashed = widget()  # 22 or more of A-Za-z0-9_- (e.g. a uuid with dashes) is fine too
    await dashed.connect(base)
    uuid = "9b2c7d3e-4f5a-4b6c-8d7e-0f1a2b3c4d5e"
    await dashed.sio.emit("session_request", {"session_id": uuid})
    assert await dashed.wait_for("session_confirm") == uuid


async def test_redis_down_the_message_is_not_said_to_be_stored(
    redis_server: RedisTarget, start_gateway: Callable[..., Any],
    widget: Callable[[], WidgetClient], tmp_path: Any
) -> None:
    """With its store unreachable the gateway says plainly that nothing was stored and
    that the client may send again (`unavailable`), never that the message is safe."""
    from scripts import stack

    port = stack.free_port()
    own = stack.start_redis(port, tmp_path / "data", tmp_path / "log", aof=False)
    try:
        target = RedisTarget("127.0.0.1", port)
        base = await start_gateway(make_settings(target))
        client = widget()
        await client.connect(base)
        await client.sio.emit("session_request", {})
        chat_id = await client.wait_for("session_confirm")
        own.stop()
        ack = await client.sio.call("user_uttered", {"message": "hello", "session_id": chat_id,
                                                     "client_msg_id": "m1"}, timeout=30)
        assert ack["ok"] is False and ack["code"] == "unavailable"
        assert "not saved" in ack["message"] and "safe" not in ack["message"]
        own = stack.start_redis(port, tmp_path / "data", tmp_path / "log", aof=False)
        ack = await client.sio.call("user_uttered", {"message": "hello", "session_id": chat_id,
                                                     "client_msg_id": "m1"}, timeout=30)
        # the chat itself was lost with that Redis (no AOF): the client is made to rejoin
        assert ack["ok"] is False and ack["code"] == "unavailable"
        for _ in range(50):
            if not client.sio.connected:
                break
            await asyncio.sleep(0.1)
        assert not client.sio.connected
    finally:
        own.stop()


async def test_hostile_payloads_get_clear_errors_and_change_nothing(
    redis_server: RedisTarget, start_gateway: Callable[..., Any],
    widget: Callable[[], WidgetClient], redis: redis_lib.Redis,
    caplog: pytest.LogCaptureFixture
) -> None:
    """Findings of the security review: a frame over 16 KiB dropped the connection; a
    huge last_seq logged a traceback per event; any text was accepted as the title of a
    clicked button and shown to the agent as such."""
    base = await start_gateway(make_settings(redis_server))
    client = widget()
    await client.connect(base)
    await client.sio.emit("session_request", {})
    chat_id = await client.wait_for("session_confirm")
    big = await client.sio.call("user_uttered", {"message": "hi", "session_id": chat_id,
                                                 "padding": "x" * 20_000}, timeout=10)
    assert big["code"] == "too_large" and client.sio.connected
    with caplog.at_level("ERROR"):
        for last_seq in (2**63, -1, 1.5, "9"):
            ack = await client.sio.call("resume", {"session_id": chat_id,
                                                   "last_seq": last_seq}, timeout=10)
            assert ack["code"] == "bad_request"
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    forged = await client.sio.call("user_uttered", {
        "message": "I never clicked anything", "title": "Yes, cancel my subscription",
        "session_id": chat_id, "client_msg_id": "f1"}, timeout=10)
    own = await client.sio.call("user_uttered", {
        "message": "/request_human", "title": "Talk to a person", "session_id": chat_id,
        "client_msg_id": "f2"}, timeout=10)
    stored = {f["text"]: json.loads(f["extra"]) for _, f in
              redis.xrange(f"hc:chat:{chat_id}:log")}
    assert forged["ok"] and "title" not in stored["I never clicked anything"]
    assert own["ok"] and stored["/request_human"]["title"] == "Talk to a person"


async def test_a_signed_in_user_never_takes_over_an_anonymous_chat(
    redis_server: RedisTarget, start_gateway: Callable[..., Any],
    widget: Callable[[], WidgetClient]
) -> None:
    from bot import identity

    settings = make_settings(redis_server)
    base = await start_gateway(settings)
    visitor = widget()
    await visitor.connect(base)
    await visitor.sio.emit("session_request", {})
    anonymous = await visitor.wait_for("session_confirm")
    await visitor.sio.call("user_uttered", {"message": "my meeting ID is 123456789",
                                            "session_id": anonymous}, timeout=10)
    intruder = widget()
    await intruder.connect(base)
    token = identity.issue("pro-owner", settings.help_center_secret)
    await intruder.sio.emit("session_request", {"session_id": anonymous,
                                                "customData": {"token": token}})
    assert await intruder.wait_for("session_confirm") != anonymous
    back = widget()  # the visitor (anonymous) still gets the chat back
    await back.connect(base)
    await back.sio.emit("session_request", {"session_id": anonymous})
    assert await back.wait_for("session_confirm") == anonymous
