"""Two Rasa servers behind one gateway (RASA_URL with a comma), sharing the tracker and
lock stores in Redis: one is killed (SIGKILL) while users are talking to the bot, and
every question is still answered by the bot, once, with no "can't answer" notice."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Callable

import aiohttp
import redis as redis_lib

from bot import redis_keys
from scripts import stack
from tests.chaos.clients import ChaosWidget
from tests.chaos.conftest import FULL, Gateways, gateway_env, report
from tests.chaos.ledger import check
from tests.chaos.test_dependencies import ask_and_time, start_widgets
from tests.conftest import Stack

QUESTIONS = ["how do I report abuse", "what are your phone hours",
             "how fast do you answer a P1", "how do I contact sales"]


async def test_one_of_two_rasa_servers_killed_mid_conversation(
    rasa_stack: Stack, plain_gateways: Callable[..., Gateways], redis: redis_lib.Redis
) -> None:
    second_port = stack.free_port()
    second = stack.start_rasa(second_port, stack.MODEL, rasa_stack.log_dir / "second",
                              rasa_stack.env)
    try:
        stack.wait_rasa(second_port, second, timeout=240)
        urls = f"http://127.0.0.1:{rasa_stack.rasa_port},http://127.0.0.1:{second_port}"
        gateways = plain_gateways(gateway_env(rasa_stack, RASA_URL=urls), count=1)
        users = ["pro-member", "business-admin", "enterprise-admin", "basic-owner"]
        widgets = await start_widgets(gateways, *(users * (5 if FULL else 1)))
        stop = asyncio.Event()
        asked: list[float] = []  # when each question that the bot answered was asked
        worst = 0.0

        async def converse(widget: ChaosWidget) -> None:
            nonlocal worst
            for i in range(10_000):  # until told to stop (bounded in count and time)
                if stop.is_set():
                    return
                at = time.monotonic()
                answer, took = await ask_and_time(widget, QUESTIONS[i % len(QUESTIONS)])
                assert answer["metadata"]["sender"] == "bot", answer  # no notice
                asked.append(at)
                worst = max(worst, took)

        talking = [asyncio.ensure_future(converse(w)) for w in widgets]
        await asyncio.sleep(2.0)  # turns go to both servers
        os.killpg(second.proc.pid, signal.SIGKILL)  # ours, by pid, turns in flight
        killed_at = time.monotonic()
        await asyncio.sleep(10 if FULL else 3)
        # still ready (one server answers), and the details say which one does not
        async with aiohttp.ClientSession() as http, \
                http.get(f"{gateways.urls[0]}/readyz") as resp:
            ready = (resp.status, await resp.json())
        stop.set()
        await asyncio.wait_for(asyncio.gather(*talking), 60)
    finally:
        second.stop()
    chats = {w.chat_id or "" for w in widgets}
    failures = sum(1 for chat in chats for cid in redis.hkeys(redis_keys.chat_client_ids(chat))
                   if cid.startswith("f"))
    ledger = check(redis, widgets, [], bot_chats=chats)
    after = sum(1 for at in asked if at >= killed_at)
    report("One of two Rasa servers killed mid-conversation", **ledger.figures(),
           bot_answers=len(asked), asked_after_the_kill=after, notices=failures,
           slowest_answer_s=round(worst, 2))
    for widget in widgets:
        await widget.close()
    assert failures == 0
    second_url = f"http://127.0.0.1:{second_port}"
    assert ready[0] == 200 and ready[1]["rasa_servers"][second_url] is False, ready
    assert after >= len(widgets) and len(asked) - after >= len(widgets)
    assert ledger.lost == ledger.duplicated == ledger.unanswered == ledger.not_shown == 0, \
        ledger.problems
