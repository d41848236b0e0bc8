"""Rasa or the action server down, or Rasa slower than the gateway's timeout: the user
is told within 2 s of the timeout, the message is kept, and an owner or admin of a paid
account can still reach a person ("Talk to a person" works without the bot)."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Callable
from typing import Any

import redis as redis_lib

from bot import identity, redis_keys
from scripts import stack
from tests.chaos.clients import ChaosAgent, ChaosWidget
from tests.chaos.conftest import Gateways, gateway_env, report
from tests.chaos.ledger import check
from tests.conftest import Stack

TIMEOUT_S = 3.0


def notices(widget: ChaosWidget) -> list[dict[str, Any]]:
    return [b for _, b in sorted(widget.seen.by_seq.items())
            if b.get("metadata", {}).get("sender") == "system"]


async def ask_and_time(widget: ChaosWidget, text: str, timeout: float = 30
                       ) -> tuple[dict[str, Any], float]:
    """Send `text`; the first bot or system message after it, and how long it took."""
    started = time.monotonic()
    cid = widget.send(text)
    await widget.wait(lambda: cid in widget.acked, 10, "stored")
    seq = widget.acked[cid]

    def answer() -> dict[str, Any] | None:
        return next((b for s, b in sorted(widget.seen.by_seq.items()) if s > seq and
                     b.get("metadata", {}).get("sender") in ("bot", "system")), None)

    await widget.wait(lambda: answer() is not None, timeout, f"an answer to {text!r}")
    found = answer()
    assert found is not None
    return found, time.monotonic() - started


async def start_widgets(gateways: Gateways, *users: str) -> list[ChaosWidget]:
    widgets = [ChaosWidget(gateways.urls, identity.issue(u, identity.secret_from_env()), u)
               for u in users]
    for widget in widgets:
        widget.start()
    await asyncio.wait_for(asyncio.gather(*[w.ready.wait() for w in widgets]), 30)
    return widgets


async def test_rasa_down_the_user_is_told_and_can_still_reach_a_person(
    rasa_stack: Stack, plain_gateways: Callable[..., Gateways], redis: redis_lib.Redis
) -> None:
    gateways = plain_gateways(gateway_env(rasa_stack, RASA_TIMEOUT_S=str(TIMEOUT_S)), count=1)
    admin, member = await start_widgets(gateways, "business-admin", "pro-member")
    rasa = rasa_stack.services["rasa"]
    rasa.stop()  # Rasa is down (we started it; stopped by pid)
    try:
        notice, took = await ask_and_time(admin, "how do I report abuse")
        titles = [q["title"] for q in notice.get("quick_replies") or []]
        assert "can't answer right now" in notice["text"] and "saved" in notice["text"]
        assert "Talk to a person" in titles and took <= TIMEOUT_S + 2
        member_notice, _ = await ask_and_time(member, "how do I report abuse")
        assert "Talk to a person" not in [q["title"] for q in
                                          member_notice.get("quick_replies") or []]
        # the paid admin clicks "Talk to a person": queued without the bot
        admin.send("/request_human")
        await admin.wait(lambda: admin.status.get("state") == "queued", 10, "queued")
        chat = redis.hgetall(redis_keys.chat(admin.chat_id or ""))
        assert chat["reason"] == "bot_unavailable" and chat["priority"] == "P3"
        # the member may not (the gateway checked the policy itself)
        member.send("/request_human")
        await member.wait(lambda: any("owners and admins" in str(n.get("text")) for n in
                                      notices(member)), 10, "told why not")
        assert redis.zscore(redis_keys.QUEUE, member.chat_id or "") is None
    finally:
        restarted = stack.start_rasa(rasa_stack.rasa_port, stack.MODEL, rasa_stack.log_dir,
                                     rasa_stack.env)
        rasa_stack.services["rasa"] = restarted
        stack.wait_rasa(rasa_stack.rasa_port, restarted, timeout=240)
    answer, _ = await ask_and_time(member, "how do I report abuse")
    assert "/kb/en/report-abuse" in answer["text"]  # the bot is back
    ledger = check(redis, [admin, member], [])
    report("Rasa down (stopped), then back", **ledger.figures(), told_after_s=round(took, 2),
           person_without_bot="queued")
    for widget in (admin, member):
        await widget.close()
    assert ledger.lost == ledger.duplicated == ledger.not_shown == 0


async def test_rasa_slower_than_the_timeout(
    rasa_stack: Stack, plain_gateways: Callable[..., Gateways], redis: redis_lib.Redis
) -> None:
    gateways = plain_gateways(gateway_env(rasa_stack, RASA_TIMEOUT_S=str(TIMEOUT_S)), count=1)
    (widget,) = await start_widgets(gateways, "enterprise-admin")
    rasa = rasa_stack.services["rasa"].proc.pid
    os.killpg(rasa, signal.SIGSTOP)  # paused: answers nothing, refuses nothing
    try:
        notice, took = await ask_and_time(widget, "how do I contact sales")
    finally:
        os.killpg(rasa, signal.SIGCONT)
    assert "can't answer right now" in notice["text"]
    assert TIMEOUT_S - 0.5 <= took <= TIMEOUT_S + 2
    answer, _ = await ask_and_time(widget, "how do I report abuse")
    assert answer["metadata"]["sender"] == "bot"
    ledger = check(redis, [widget], [], bot_chats={widget.chat_id or ""})
    report("Rasa slower than the gateway's timeout (paused)", **ledger.figures(),
           timeout_s=TIMEOUT_S, told_after_s=round(took, 2))
    await widget.close()
    assert ledger.lost == ledger.duplicated == ledger.unanswered == ledger.not_shown == 0


async def test_action_server_down_rasa_answers_nothing_and_the_user_is_told(
    rasa_stack: Stack, plain_gateways: Callable[..., Gateways], redis: redis_lib.Redis
) -> None:
    gateways = plain_gateways(gateway_env(rasa_stack, RASA_TIMEOUT_S=str(TIMEOUT_S)), count=1)
    (widget,) = await start_widgets(gateways, "api-admin")
    rasa_stack.services["actions"].stop()
    try:
        notice, took = await ask_and_time(widget, "how do I report abuse")
        assert "can't answer right now" in notice["text"] and took <= TIMEOUT_S + 2
    finally:
        restarted = stack.start_actions(rasa_stack.actions_port, rasa_stack.log_dir,
                                        rasa_stack.env)
        rasa_stack.services["actions"] = restarted
        stack.wait_actions(rasa_stack.actions_port, restarted)
    answer, _ = await ask_and_time(widget, "how do I report abuse")
    assert "/kb/en/report-abuse" in answer["text"]
    ledger = check(redis, [widget], [], bot_chats={widget.chat_id or ""})
    report("action server down, then back", **ledger.figures(), told_after_s=round(took, 2))
    await widget.close()
    assert ledger.lost == ledger.duplicated == ledger.unanswered == ledger.not_shown == 0


async def test_agent_connection_dropped_back_within_the_grace_and_past_it(
    rasa_stack: Stack, plain_gateways: Callable[..., Gateways], redis: redis_lib.Redis
) -> None:
    grace = 3.0
    gateways = plain_gateways(gateway_env(rasa_stack, HANDOFF_GRACE_S=str(grace)), count=1)
    (widget,) = await start_widgets(gateways, "business-admin")
    from tests.chaos.traffic import queue_chats
    await queue_chats(rasa_stack.redis.url, [widget.chat_id or ""])
    agent = ChaosAgent(gateways.urls, "agent1")
    await agent.login()
    agent.start()
    await agent.wait_for_chats(1, 10)
    agent.send(widget.chat_id or "", "Hello from Alice")

    async def drop(seconds: float) -> None:
        assert agent.sio is not None
        agent._closed = True  # stay away
        await agent.sio.disconnect()
        await asyncio.sleep(seconds)
        agent._closed = False
        agent.start()
        await asyncio.wait_for(agent.ready.wait(), 10)

    await drop(grace / 3)  # back within the grace period: nothing changes
    assert redis.hget(redis_keys.chat(widget.chat_id or ""), "assignee") == "agent1"
    widget.send("are you there?")
    agent.send(widget.chat_id or "", "Yes, still here")
    await asyncio.sleep(1)
    lost_at = time.monotonic()
    away = asyncio.ensure_future(drop(grace + 3))  # past it: requeued, the user told
    await widget.wait(lambda: any("disconnected" in str(n.get("text")) for n in
                                  notices(widget)), 15, "told the specialist left")
    requeued = time.monotonic() - lost_at
    assert widget.status.get("state") == "queued"
    await away
    # the agent, back and online, is given the chat again (auto-assignment)
    chat_key = redis_keys.chat(widget.chat_id or "")
    await widget.wait(lambda: redis.hget(chat_key, "assignee") == "agent1", 15, "reassigned")
    widget.send("thanks for coming back")
    await asyncio.sleep(1)
    ledger = check(redis, [widget], [agent])
    report("agent connection dropped (within and past the grace period)",
           **ledger.figures(), grace_s=grace, requeued_after_s=round(requeued, 1))
    for client in (widget, agent):
        await client.close()
    assert ledger.lost == ledger.duplicated == ledger.not_shown == 0
