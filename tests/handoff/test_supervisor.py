"""The supervisor role: the live board, today's response and resolution times, CSAT by
agent and by day and its CSV export, reassigning a chat; and what agents may not do.
Real Socket.IO clients and HTTP against a real gateway and Redis."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable
from typing import Any

import aiohttp
import redis as redis_lib
from redis.asyncio import Redis

from bot import identity, redis_keys
from handoff.agents import load_agents
from handoff.board import safe_cell
from handoff.lifecycle import day_of
from scripts.stack import RedisTarget
from tests.handoff.conftest import AgentClient, WidgetClient, make_settings, queued_chat

EVIL = '=HYPERLINK("http://evil.example","click")'


async def test_the_board_reassign_and_the_csat_report_and_export(
    redis_server: RedisTarget, start_gateway: Callable[..., Any],
    widget: Callable[[], WidgetClient], agent_client: Callable[[], AgentClient],
    aredis: Redis, redis: redis_lib.Redis
) -> None:
    settings = make_settings(redis_server)
    base = await start_gateway(settings)
    now = time.time()
    urgent, normal = "urgent00urgent00urgent00urgent00", "normal00normal00normal00normal00"
    await queued_chat(aredis, urgent, "P1", now - 7200)  # past its 1-hour target
    await queued_chat(aredis, normal, "P3", now - 600)
    sam, alice, bob = agent_client(), agent_client(), agent_client()
    await sam.login(base, "supervisor1")
    me = await sam.wait_for("me")
    assert me["role"] == "supervisor" and me["chats"] == []
    board = (await sam.wait_for("board"))
    assert board["queue"]["total"] == 2 and board["queue"]["past_target"] == 1
    p1, p3 = board["queue"]["by_priority"]["P1"], board["queue"]["by_priority"]["P3"]
    assert (p1["waiting"], p1["past_target"], p1["target_s"]) == (1, 1, 3600)
    assert (p3["waiting"], p3["past_target"]) == (1, 0)
    assert 7190 <= board["queue"]["oldest_wait_s"] <= 7300 and 590 <= p3["oldest_wait_s"] < 700
    assert board["queue"]["by_priority"]["P2"] == {"waiting": 0, "oldest_wait_s": None,
                                                   "past_target": 0, "target_s": 14400}
    assert [a["username"] for a in board["agents"]] == ["agent1", "agent2"]  # not supervisors
    # a supervisor takes no chats
    for event, body in (("presence", {"status": "online"}), ("accept", {"chat_id": urgent}),
                        ("take_next", {})):
        answer = await sam.call(event, body)
        assert answer["ok"] is False and answer["code"] == "forbidden", event

    await alice.login(base, "agent1")
    await bob.login(base, "agent2")
    assert (await alice.wait_for("me"))["role"] == "agent"
    for event, body in (("board", {}), ("csat_report", {}),
                        ("reassign", {"chat_id": urgent, "to": "agent2"})):
        answer = await alice.call(event, body)
        assert answer["ok"] is False and answer["code"] == "forbidden", event
    assert (await alice.call("accept", {"chat_id": urgent}))["ok"]
    assert (await bob.call("accept", {"chat_id": normal}))["ok"]
    assert (await alice.call("presence", {"status": "online"}))["ok"]
    assert (await bob.call("presence", {"status": "online"}))["ok"]
    assert (await alice.call("agent_message", {"chat_id": urgent, "text": "On it"}))["ok"]
    assert (await alice.call("agent_message", {"chat_id": urgent, "text": "Still"}))["ok"]
    board = (await sam.call("board"))["board"]
    assert board["queue"]["total"] == 0 and board["queue"]["oldest_wait_s"] is None
    loads = {a["username"]: (a["status"], a["active_chats"], a["chats"], a["connected"])
             for a in board["agents"]}
    assert loads == {"agent1": ("online", 1, [urgent], True),
                     "agent2": ("online", 1, [normal], True)}
    first = board["today"]["first_response_s"]
    assert first["count"] == 1 and 7190 <= first["average"] <= 7300  # from the request
    assert board["today"]["by_agent"]["agent1"]["first_response_s"]["count"] == 1
    assert board["today"]["day"] == day_of(time.time())

    # reassign: like a transfer, checked in the same step
    for to, code in (("supervisor1", "bad_request"), ("nobody", "bad_request"),
                     ("agent1", "refused")):
        answer = await sam.call("reassign", {"chat_id": urgent, "to": to})
        assert answer["ok"] is False and answer["code"] == code, to
    assert (await sam.call("reassign", {"chat_id": "missing0missing0", "to": "agent2"})
            )["code"] == "chat_not_found"
    assert (await bob.call("presence", {"status": "away"}))["ok"]
    offline = await sam.call("reassign", {"chat_id": urgent, "to": "agent2"})
    assert offline["ok"] is False and offline["code"] == "refused"
    assert (await bob.call("presence", {"status": "online"}))["ok"]
    moved = await sam.call("reassign", {"chat_id": urgent, "to": "agent2"})
    assert moved == {"ok": True, "chat_id": urgent, "from": "agent1", "to": "agent2"}
    assert (await alice.wait_for("chat_closed", lambda d: d["chat_id"] == urgent)
            )["transferred_to"] == "agent2"
    await bob.wait_for("assigned", lambda d: d["chat_id"] == urgent)
    assert await aredis.hget(redis_keys.chat(urgent), "assignee") == "agent2"
    assert await aredis.smembers(redis_keys.agent_chats("agent1")) == set()
    assert await aredis.zscore(redis_keys.AGENTS_ONLINE, "agent2") == 2
    moved_again = await sam.call("reassign", {"chat_id": urgent, "to": "agent2"})
    assert moved_again["code"] == "refused"

    # bob closes both; the customers rate (one with a formula for a comment)
    token = identity.issue("pro-owner", settings.help_center_secret)
    ratings = {urgent: (2, EVIL), normal: (5, "Очень помогли, спасибо")}
    for chat_id in (urgent, normal):
        assert (await bob.call("close", {"chat_id": chat_id, "resolution": "done"}))["ok"]
        user = widget()
        await user.connect(base)
        await user.sio.emit("session_request", {"session_id": chat_id,
                                                "customData": {"token": token}})
        assert await user.wait_for("session_confirm") == chat_id
        rating, comment = ratings[chat_id]
        assert (await user.sio.call("csat", {"session_id": chat_id, "rating": rating,
                                             "comment": comment}, timeout=10))["ok"]
    board = (await sam.call("board"))["board"]
    today = board["today"]
    assert today["resolution_s"]["count"] == 2 and today["csat"]["count"] == 2
    assert today["csat"]["average"] == 3.5
    assert today["by_agent"]["agent2"]["resolution_s"]["count"] == 2
    assert today["by_agent"]["agent2"]["csat"] == {"count": 2, "average": 3.5}
    assert today["by_agent"]["agent1"]["csat"] == {"count": 0, "average": None}

    report = await sam.call("csat_report", {"days": 3})
    assert report["ok"]
    days = report["report"]["days"]
    assert days[0]["day"] == day_of(time.time()) and len(days) == 3
    assert (days[0]["count"], days[0]["average"]) == (2, 3.5)
    assert report["report"]["agents"] == [{"username": "agent2", "name": "Bob", "count": 2,
                                           "average": 3.5}]
    newest = report["report"]["ratings"]
    assert [(r["chat_id"], r["rating"], r["comment"], r["agent_name"]) for r in newest] == [
        (normal, 5, "Очень помогли, спасибо", "Bob"), (urgent, 2, EVIL, "Bob")]
    for days_value in (0, 32, "7", True):
        assert (await sam.call("csat_report", {"days": days_value}))["code"] == "bad_request"

    # the CSV: supervisors only, by their console token
    async with aiohttp.ClientSession() as http:
        url = f"{base}/agent/csat.csv?days=7"
        async with http.get(url, headers={"Authorization": f"Bearer {sam.token}"}) as resp:
            assert resp.status == 200
            assert resp.headers["Content-Type"] == "text/csv; charset=utf-8"
            disposition = resp.headers["Content-Disposition"]
            assert disposition.startswith('attachment; filename="csat-7d-')
            assert resp.headers["Cache-Control"] == "no-store"
            raw = await resp.read()
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        assert rows[0] == ["date", "time_utc", "chat_id", "agent", "agent_name", "rating",
                           "comment", "language"]
        assert [(r[2], r[3], r[5], r[6]) for r in rows[1:]] == [
            (urgent, "agent2", "2", "'" + EVIL), (normal, "agent2", "5",
                                                 "Очень помогли, спасибо")]
        async with http.get(url, headers={"Authorization": f"Bearer {alice.token}"}) as resp:
            assert resp.status == 403 and (await resp.json())["code"] == "forbidden"
        async with http.get(url) as resp:
            assert resp.status == 401
        async with http.get(url, headers={"Authorization": "Bearer forged"}) as resp:
            assert resp.status == 401
        async with http.get(f"{base}/agent/csat.csv?days=0", headers={
                "Authorization": f"Bearer {sam.token}"}) as resp:
            assert resp.status == 400
    # the counters live 90 days, never longer
    assert 0 < redis.ttl(redis_keys.day_stats(day_of(time.time()))) <= 90 * 86400
    assert 0 < redis.ttl(redis_keys.day_csat(day_of(time.time()))) <= 90 * 86400


def test_csv_cells_that_a_spreadsheet_would_run_are_inert() -> None:
    for dangerous in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(dangerous) == "'" + dangerous
    for harmless in ("fine", "", "1", "a=b", None, 5):
        assert safe_cell(harmless) == ("" if harmless is None else str(harmless))


def test_the_demo_directory_has_a_supervisor() -> None:
    agents = load_agents()
    assert agents["supervisor1"].supervisor and agents["supervisor1"].name == "Sam"
    assert not agents["agent1"].supervisor and agents["agent2"].role == "agent"
