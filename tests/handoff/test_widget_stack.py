"""Widget conversations through the gateway with the whole stack: real Rasa, action
server, Redis, and Socket.IO clients."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import redis as redis_lib

from bot import identity
from tests.conftest import Stack
from tests.handoff.conftest import WidgetClient, make_settings


def settings_for(stack: Stack) -> Any:
    return make_settings(stack.redis, rasa_url=f"http://127.0.0.1:{stack.rasa_port}",
                         actions_url=f"http://127.0.0.1:{stack.actions_port}")


async def open_chat(client: WidgetClient, base: str, **custom: str) -> str:
    await client.connect(base)
    await client.sio.emit("session_request", {"customData": custom} if custom else {})
    return str(await client.wait_for("session_confirm"))


async def test_question_answered_then_reload_resumes(
    rasa_stack: Stack, start_gateway: Callable[..., Any], widget: Callable[[], WidgetClient]
) -> None:
    base = await start_gateway(settings_for(rasa_stack))
    client = widget()
    chat_id = await open_chat(client, base)
    await client.sio.emit("user_uttered", {"message": "what is the target response time",
                                           "session_id": chat_id, "client_msg_id": "c1"})
    reply = await client.wait_for("bot_uttered", lambda d: d["metadata"]["sender"] == "bot")
    assert "/kb/en/response-times)" in reply["text"]
    assert reply["metadata"]["seq"] == 2  # 1 is the user's message
    # a retry of the same client message is not stored or answered twice
    await client.sio.emit("user_uttered", {"message": "what is the target response time",
                                           "session_id": chat_id, "client_msg_id": "c1"})
    await client.sio.emit("user_uttered", {"message": "thanks", "session_id": chat_id,
                                           "client_msg_id": "c2"})
    await client.wait_for("bot_uttered", lambda d: d["metadata"]["seq"] == 4)
    await client.close()

    reloaded = widget()  # page reload: same session id, resume from nothing
    assert await open_chat(reloaded, base) != chat_id
    await reloaded.sio.emit("session_request", {"session_id": chat_id})
    assert await reloaded.wait_for("session_confirm", lambda d: d == chat_id)
    await reloaded.sio.emit("resume", {"session_id": chat_id, "last_seq": 0})
    await reloaded.wait_for("handoff_status")
    replayed = [d for e, d in reloaded.received if e == "bot_uttered"]
    assert [d["metadata"]["seq"] for d in replayed] == [1, 2, 3, 4]
    assert [d["metadata"]["sender"] for d in replayed] == ["user", "bot", "user", "bot"]


async def queue_business_admin(rasa_stack: Stack, start_gateway: Callable[..., Any],
                               client: WidgetClient) -> str:
    """A Business admin's chat through the triage into the queue (no agent online)."""
    settings = settings_for(rasa_stack)
    base = await start_gateway(settings)
    token = identity.issue("business-admin", settings.help_center_secret)
    chat_id = await open_chat(client, base, token=token)
    for n, text in enumerate(["I want to talk to a person",
                              "nobody in our company can join meetings", "down", "none",
                              "skip"]):
        await client.sio.emit("user_uttered", {"message": text, "session_id": chat_id,
                                               "client_msg_id": f"t{n}"})
        if n < 4:
            await client.wait_for("bot_uttered", after=len(client.received))
    await client.wait_for("handoff_status", lambda d: d["state"] == "queued")
    return chat_id


async def test_a_queued_user_can_open_a_web_ticket_instead(
    rasa_stack: Stack, start_gateway: Callable[..., Any], widget: Callable[[], WidgetClient],
    redis: redis_lib.Redis
) -> None:
    client = widget()
    chat_id = await queue_business_admin(rasa_stack, start_gateway, client)
    offer = await client.wait_for("bot_uttered", lambda d: d["metadata"]["sender"] ==
                                  "system" and d.get("quick_replies"))
    mark = len(client.received)
    await client.sio.emit("user_uttered", {
        "message": offer["quick_replies"][0]["payload"], "session_id": chat_id,
        "title": offer["quick_replies"][0]["title"]})
    await client.wait_for("handoff_status", lambda d: d["state"] == "bot", after=mark)
    ask = await client.wait_for("bot_uttered", lambda d: d["metadata"]["sender"] == "bot",
                                after=mark)
    assert "subject" in ask["text"]  # the ticket form has started
    assert redis.zscore("hc:queue", chat_id) is None
    assert redis.hget(f"hc:chat:{chat_id}", "state") == "bot"


async def test_paid_admin_is_queued_and_told_no_agent_is_online(
    rasa_stack: Stack, start_gateway: Callable[..., Any], widget: Callable[[], WidgetClient],
    redis: redis_lib.Redis
) -> None:
    client = widget()
    chat_id = await queue_business_admin(rasa_stack, start_gateway, client)
    status = await client.wait_for("handoff_status", lambda d: d["state"] == "queued")
    assert status["position"] == 1 and status["agents_online"] == 0
    notice = await client.wait_for("bot_uttered", lambda d: d["metadata"]["sender"] == "system")
    assert "No support specialist is online" in notice["text"]
    assert "target response time is 1 hour." in notice["text"]
    assert [q["title"] for q in notice["quick_replies"]] == ["Open a web ticket instead"]
    chat = redis.hgetall(f"hc:chat:{chat_id}")
    assert chat["state"] == "queued" and chat["priority"] == "P1"
    assert redis.zscore("hc:queue", chat_id) is not None
    # while queued, the bot does not answer; the message is kept for the agent
    before = len(client.texts("bot"))
    mark = len(client.received)
    ack = await client.sio.call("user_uttered", {"message": "any news?", "session_id": chat_id},
                                timeout=10)
    assert ack["ok"] is True  # acknowledged once stored
    await client.wait_for("handoff_status", after=mark)
    assert len(client.texts("bot")) == before
    assert redis.xrevrange(f"hc:chat:{chat_id}:log", count=1)[0][1]["text"] == "any news?"
    # a clear question gets an article, and the chat stays in the queue
    await client.sio.emit("user_uttered", {"message": "how do I report abuse in a meeting",
                                           "session_id": chat_id})
    article = await client.wait_for("bot_uttered", lambda d: "While you wait" in
                                    d.get("text", ""))
    assert "/kb/en/report-abuse)" in article["text"]
    assert redis.hget(f"hc:chat:{chat_id}", "state") == "queued"
    # the user may leave the queue
    await client.sio.emit("handoff_cancel", {"session_id": chat_id})
    await client.wait_for("handoff_status", lambda d: d["state"] == "bot")
    assert redis.zscore("hc:queue", chat_id) is None


async def test_free_user_is_not_queued(
    rasa_stack: Stack, start_gateway: Callable[..., Any], widget: Callable[[], WidgetClient],
    redis: redis_lib.Redis
) -> None:
    settings = settings_for(rasa_stack)
    base = await start_gateway(settings)
    client = widget()
    chat_id = await open_chat(client, base,
                              token=identity.issue("basic-owner", settings.help_center_secret))
    await client.sio.emit("user_uttered", {"message": "connect me to an agent",
                                           "session_id": chat_id})
    reply = await client.wait_for("bot_uttered")
    assert "Basic (free)" in reply["text"]
    assert reply["quick_replies"]
    assert redis.hget(f"hc:chat:{chat_id}", "state") == "bot"
    assert redis.zcard("hc:queue") == 0


async def test_client_cannot_forge_a_handoff_or_bot_message(
    rasa_stack: Stack, start_gateway: Callable[..., Any], widget: Callable[[], WidgetClient],
    redis: redis_lib.Redis
) -> None:
    base = await start_gateway(settings_for(rasa_stack))
    client = widget()
    chat_id = await open_chat(client, base)
    for event, data in (("bot_uttered", {"custom": {"handoff": {"priority": "P1"}}}),
                        ("handoff_status", {"state": "queued"}),
                        ("user_uttered", {"message": '{"handoff": {"priority": "P1"}}',
                                          "session_id": chat_id})):
        await client.sio.emit(event, data)
    await client.wait_for("bot_uttered")
    assert redis.hget(f"hc:chat:{chat_id}", "state") == "bot"
    assert redis.zcard("hc:queue") == 0


async def test_two_gateway_processes_share_chats(
    rasa_stack: Stack, start_gateway: Callable[..., Any], widget: Callable[[], WidgetClient]
) -> None:
    settings = settings_for(rasa_stack)
    base_a, base_b = await start_gateway(settings), await start_gateway(settings)
    on_a, on_b = widget(), widget()
    chat_id = await open_chat(on_a, base_a)
    await on_b.connect(base_b)
    await on_b.sio.emit("session_request", {"session_id": chat_id})
    assert await on_b.wait_for("session_confirm") == chat_id
    await on_a.sio.emit("user_uttered", {"message": "how do I report abuse",
                                         "session_id": chat_id})
    reply = await on_b.wait_for("bot_uttered", lambda d: d["metadata"]["sender"] == "bot")
    assert "/kb/en/report-abuse)" in reply["text"]


async def test_a_long_description_in_cyrillic_and_emoji_is_queued_intact(
    rasa_stack: Stack, start_gateway: Callable[..., Any], widget: Callable[[], WidgetClient],
    agent_client: Callable[[], Any], redis: redis_lib.Redis
) -> None:
    """The reported failure: a Business admin describing the problem in about 950
    characters of Russian with emoji was never queued (the stored triage JSON was cut
    inside an escape). Here: 1,000 Cyrillic characters and 400 emoji in every free-text
    answer of the triage, through the real bot; queued, shown to the agent, reloadable."""
    junk = ("Не могу подключиться к конференции, звук пропадает 🙈🎧" * 40)[:1000 - 4] + " end"
    junk = "".join(ch for pair in zip(junk, "🔥" * 400 + " " * 600, strict=False) for ch in pair)
    assert sum(ch == "🔥" for ch in junk) == 400 and len(junk) >= 1400
    settings = settings_for(rasa_stack)
    base = await start_gateway(settings)
    client = widget()
    token = identity.issue("business-admin", settings.help_center_secret)
    chat_id = await open_chat(client, base, token=token)
    answers = ["I want to talk to a person", junk, f"many {junk}", f"partial {junk}", "skip"]
    for n, text in enumerate(answers):
        ack = await client.sio.call("user_uttered", {"message": text, "session_id": chat_id,
                                                     "client_msg_id": f"u{n}"}, timeout=30)
        assert ack["ok"] is True, ack
        if n < len(answers) - 1:
            await client.wait_for("bot_uttered", lambda d: d["metadata"]["sender"] == "bot",
                                  after=len(client.received))
    await client.wait_for("handoff_status", lambda d: d["state"] == "queued")
    assert redis.zscore("hc:queue", chat_id) is not None
    assert not [d for e, d in client.received if e == "error"]
    alice = agent_client()
    await alice.login(base, "agent1")
    assert (await alice.call("accept", {"chat_id": chat_id}))["ok"]
    assigned = await alice.wait_for("assigned")
    assert assigned["triage"]["problem"].startswith(junk[:500])
    assert "🔥" in assigned["summary"] and assigned["priority"] == "P2"
    reloaded = widget()  # a reload opens the chat again (it hung on "Connecting…")
    await reloaded.connect(base)
    await reloaded.sio.emit("session_request", {"session_id": chat_id,
                                                "customData": {"token": token}})
    assert await reloaded.wait_for("session_confirm") == chat_id
    ack = await reloaded.sio.call("resume", {"session_id": chat_id, "last_seq": 0}, timeout=10)
    assert ack["ok"] and ack["latest"] >= 10


async def test_the_help_centers_token_is_never_kept_in_the_bots_conversation(
    rasa_stack: Stack, start_gateway: Callable[..., Any], widget: Callable[[], WidgetClient],
    redis: redis_lib.Redis
) -> None:
    """The identity token was stored in Rasa's trackers (7 days) on every turn. The
    gateway now passes a short-lived assertion of what it verified instead; the bot
    still knows who is asking."""
    settings = settings_for(rasa_stack)
    base = await start_gateway(settings)
    client = widget()
    token = identity.issue("business-admin", settings.help_center_secret)
    chat_id = await open_chat(client, base, token=token)
    await client.sio.call("user_uttered", {"message": "what support do I get?",
                                           "session_id": chat_id}, timeout=30)
    answer = await client.wait_for("bot_uttered", lambda d: d["metadata"]["sender"] == "bot")
    assert "admin on a Business account" in answer["text"]
    kept = []
    for key in redis.scan_iter(f"hc:tracker:{chat_id}*"):
        kind = redis.type(key)
        if kind == "string":
            kept.append(redis.get(key) or "")
        elif kind == "list":
            kept.append("\n".join(redis.lrange(key, 0, -1)))
    assert kept and any('"identity"' in k for k in kept)
    assert not any(token in k for k in kept)
