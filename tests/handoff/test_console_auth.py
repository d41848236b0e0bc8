"""Who may use the agent console: hashing off the event loop, the same work for unknown
usernames, throttled guessing, sessions that sign-out ends, short-lived tokens, and no
secret or demo password that works by default. Each test is a finding of the security
review (issue 12) and failed before its fix."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import aiohttp
import jwt
import pytest
import socketio

from handoff import agents as agent_auth
from handoff.app import create_app
from handoff.settings import SettingsError
from scripts.stack import RedisTarget
from tests.handoff.conftest import AgentClient, make_settings


async def post(base: str, path: str, body: Any, headers: dict[str, str] | None = None
               ) -> tuple[int, dict[str, Any], dict[str, str]]:
    async with aiohttp.ClientSession() as http, \
            http.post(base + path, json=body, headers=headers) as resp:
        data = await resp.json() if resp.content_type == "application/json" else {}
        return resp.status, data, dict(resp.headers)


async def connect(base: str, token: str) -> socketio.AsyncClient:
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(base, namespaces=["/agent"], auth={"token": token},
                         transports=["websocket"], wait_timeout=5)
    return client


async def close(client: socketio.AsyncClient) -> None:
    if client.connected:
        await client.disconnect()
    if client.eio.http is not None and not client.eio.http.closed:
        await client.eio.http.close()


async def test_password_checks_do_not_stall_the_gateway(
        redis_server: RedisTarget, start_gateway: Callable[..., Any]) -> None:
    """8 wrong passwords at once stalled /healthz to 461 ms: hashing ran on the event
    loop. Now /healthz answers while the checks are still running."""
    base = await start_gateway(make_settings(redis_server))
    logins = [asyncio.ensure_future(post(base, "/agent/login", {
        "username": f"guess{n}", "password": "wrong"})) for n in range(8)]
    await asyncio.sleep(0.05)
    async with aiohttp.ClientSession() as http, http.get(base + "/healthz") as resp:
        assert resp.status == 200
    still_checking = sum(not t.done() for t in logins)
    results = await asyncio.gather(*logins)
    assert still_checking >= 4  # /healthz did not wait for them
    assert all(status == 401 for status, _, _ in results)


async def test_unknown_usernames_cost_what_known_ones_cost(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Unknown usernames answered in 202 ms, known ones in 247 ms (a username oracle):
    now both run one full-strength hash."""
    seen: list[int] = []

    def check(password: str, stored: str) -> bool:
        seen.append(int(stored.split("$")[1]))
        return False

    monkeypatch.setattr(agent_auth, "check_password", check)
    passwords = agent_auth.PasswordCheck(agent_auth.load_agents())
    assert await passwords("nobody", "x") is None
    assert await passwords("agent1", "x") is None
    assert await passwords(None, 12) is None  # bad types: the same work too
    assert seen == [agent_auth.ITERATIONS] * 3


async def test_guessing_is_throttled_per_username_and_per_address(
        redis_server: RedisTarget, start_gateway: Callable[..., Any]) -> None:
    """30 wrong passwords in a row for one agent were all answered 401."""
    base = await start_gateway(make_settings(redis_server))
    for _ in range(5):
        assert (await post(base, "/agent/login", {"username": "agent1",
                                                  "password": "guess"}))[0] == 401
    status, body, headers = await post(base, "/agent/login", {"username": "agent1",
                                                              "password": "agent1"})
    assert status == 429 and int(headers["Retry-After"]) > 0 and "try again" in body["error"]
    # another agent is not locked by agent1's failures (until the address limit)
    assert (await post(base, "/agent/login", {"username": "agent2",
                                              "password": "agent2"}))[0] == 200
    for n in range(20):
        await post(base, "/agent/login", {"username": f"u{n}", "password": "guess"})
    assert (await post(base, "/agent/login", {"username": "agent2",
                                              "password": "agent2"}))[0] == 429


async def test_behind_a_proxy_guessing_is_throttled_per_real_address(
        redis_server: RedisTarget, start_gateway: Callable[..., Any]) -> None:
    """Behind nginx, every sign-in came from nginx's address: one guesser locked the
    whole team out. The trusted proxy's X-Forwarded-For says who it is; an untrusted
    peer's is ignored."""
    base = await start_gateway(make_settings(redis_server,
                                             HANDOFF_TRUSTED_PROXIES="127.0.0.1"))
    guesser = {"X-Forwarded-For": "203.0.113.7"}
    for n in range(25):
        await post(base, "/agent/login", {"username": f"u{n}", "password": "guess"}, guesser)
    assert (await post(base, "/agent/login", {"username": "agent2", "password": "agent2"},
                       guesser))[0] == 429
    for colleague in ("198.51.100.4", "spoofed, 198.51.100.5"):  # the last hop counts
        assert (await post(base, "/agent/login", {"username": "agent2",
                                                  "password": "agent2"},
                           {"X-Forwarded-For": colleague}))[0] == 200
    untrusted = await start_gateway(make_settings(redis_server))
    for n in range(25):  # the header is a lie when the peer is not a trusted proxy
        await post(untrusted, "/agent/login", {"username": f"v{n}", "password": "guess"},
                   {"X-Forwarded-For": f"192.0.2.{n}"})
    assert (await post(untrusted, "/agent/login", {"username": "agent3",
                                                   "password": "agent3"}))[0] == 429


async def test_sign_out_ends_the_session_and_closes_its_sockets(
        redis_server: RedisTarget, start_gateway: Callable[..., Any]) -> None:
    """Sign-out did not revoke the token (valid 8 hours)."""
    base = await start_gateway(make_settings(redis_server, HANDOFF_GRACE_S="1"))
    _, body, _ = await post(base, "/agent/login", {"username": "agent1",
                                                   "password": "agent1"})
    token = body["token"]
    client = await connect(base, token)
    assert (await post(base, "/agent/logout", {"token": token}))[0] == 204
    for _ in range(40):  # the sweep closes it (every 1/3 s here)
        if not client.connected:
            break
        await asyncio.sleep(0.1)
    assert not client.connected
    with pytest.raises(socketio.exceptions.ConnectionError):
        await connect(base, token)
    assert (await post(base, "/agent/refresh", {"token": token}))[0] == 401
    await close(client)


async def test_a_socket_lives_no_longer_than_its_token_unless_refreshed(
        redis_server: RedisTarget, start_gateway: Callable[..., Any]) -> None:
    """Open sockets outlived their token's expiry."""
    base = await start_gateway(make_settings(redis_server, HANDOFF_GRACE_S="1",
                                             AGENT_TOKEN_TTL_S="6"))
    alice, bob = AgentClient(), AgentClient()
    await alice.login(base, "agent1")
    await bob.login(base, "agent2")
    await asyncio.sleep(3)
    status, fresh, _ = await post(base, "/agent/refresh", {"token": bob.token})
    assert status == 200 and fresh["expires_in"] == 6
    assert (await bob.call("auth", {"token": fresh["token"]}))["ok"] is True
    await asyncio.sleep(5)  # alice's token has expired (a second ago), bob's not yet
    assert not alice.sio.connected and bob.sio.connected
    assert (await bob.call("auth", {"token": "forged"}))["ok"] is False
    await alice.close()
    await bob.close()


async def test_no_agent_token_works_with_a_secret_from_the_source(
        redis_server: RedisTarget, start_gateway: Callable[..., Any]) -> None:
    """A token signed with the secret written in the source (DEV_SECRET + "-agents")
    opened the console as agent1."""
    base = await start_gateway(make_settings(redis_server))
    now = int(time.time())
    old_default = "dev-only-help-center-secret-change-me"  # what the source once held
    for secret in (old_default + "-agents", old_default):
        forged = jwt.encode({"sub": "agent1", "sid": "x", "aud": agent_auth.AUDIENCE,
                             "iat": now, "exp": now + 600}, secret, algorithm="HS256")
        with pytest.raises(socketio.exceptions.ConnectionError):
            await connect(base, forged)


def test_production_refuses_the_demo_agents(redis_server: RedisTarget,
                                            strong_agents: str) -> None:
    """The demo agents (password = username) signed in even in production."""
    env = {"HANDOFF_ENV": "production", "HELP_CENTER_SECRET": "h" * 40,
           "HANDOFF_ALLOWED_ORIGINS": "https://help.example.com"}
    with pytest.raises(SettingsError, match="agent1, agent2"):
        create_app(make_settings(redis_server, **env))
    assert create_app(make_settings(redis_server, **env, HANDOFF_AGENTS_FILE=strong_agents))
