"""The gateway's HTTP side through the real app factory."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aiohttp
import pytest

from bot import identity
from handoff.settings import Settings, SettingsError
from scripts.stack import RedisTarget
from tests.handoff.conftest import make_settings


async def get(url: str, method: str = "GET", **kw: Any) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.request(method, url, **kw) as resp:
        return resp.status, await resp.text()


async def test_health_ready_metrics(redis_server: RedisTarget,
                                    start_gateway: Callable[..., Any]) -> None:
    base = await start_gateway(make_settings(redis_server))
    assert await get(f"{base}/healthz") == (200, '{"status": "ok"}')
    status, body = await get(f"{base}/readyz")  # Rasa and actions are not running
    assert status == 503
    assert '"redis": true' in body and '"rasa": false' in body
    status, body = await get(f"{base}/metrics")
    assert status == 200
    assert 'hc_chats{state="queued"} 0' in body
    assert 'hc_queue_length{priority="P1"} 0' in body


async def test_readiness_without_an_action_server_to_check(
        redis_server: RedisTarget, start_gateway: Callable[..., Any]) -> None:
    """On several machines each Rasa server has its own action server on loopback: with
    ACTIONS_URL empty the gateway does not wait for one it cannot reach."""
    base = await start_gateway(make_settings(redis_server, ACTIONS_URL=""))
    status, body = await get(f"{base}/readyz")
    assert status == 503 and '"rasa": false' in body and '"actions"' not in body
    with_actions = await start_gateway(make_settings(redis_server))
    assert '"actions": false' in (await get(f"{with_actions}/readyz"))[1]


async def test_dev_token_outside_production(redis_server: RedisTarget,
                                            start_gateway: Callable[..., Any]) -> None:
    settings = make_settings(redis_server)
    base = await start_gateway(settings)
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base}/dev/token", json={"user": "pro-owner"}) as resp:
            token = (await resp.json())["token"]
        assert identity.verify(token, settings.help_center_secret).user_id == "pro-owner"
        async with http.post(f"{base}/dev/token", json={"user": "mallory"}) as resp:
            assert resp.status == 404
        async with http.post(f"{base}/dev/token", data="nope") as resp:
            assert resp.status == 400


async def test_no_dev_token_in_production(redis_server: RedisTarget,
                                          start_gateway: Callable[..., Any],
                                          strong_agents: str) -> None:
    settings = make_settings(redis_server, HANDOFF_ENV="production",
                             HELP_CENTER_SECRET="h" * 40, AGENT_TOKEN_SECRET="a" * 40,
                             HANDOFF_ALLOWED_ORIGINS="https://support.example.com",
                             HANDOFF_AGENTS_FILE=strong_agents)
    base = await start_gateway(settings)
    status, _ = await get(f"{base}/dev/token", "POST", json={"user": "pro-owner"})
    assert status in (404, 405)


@pytest.mark.parametrize(("env", "message"), [
    ({"HANDOFF_ENV": "production"}, "HELP_CENTER_SECRET must be set"),
    ({}, r"HELP_CENTER_SECRET must be set .*make run makes one"),  # development too
    ({"HANDOFF_ENV": "production", "HELP_CENTER_SECRET": "h" * 40,
      "AGENT_TOKEN_SECRET": "a" * 40}, "HANDOFF_ALLOWED_ORIGINS must be set"),
    ({"HELP_CENTER_SECRET": "short"}, "at least 32 bytes"),
    ({"HANDOFF_ALLOWED_ORIGINS": "not an origin"}, "is not an origin"),
    ({"HANDOFF_PORT": "eighty"}, "HANDOFF_PORT must be a number"),
    ({"HANDOFF_ENV": "prod"}, "must be 'production' or 'development'"),
    ({"HANDOFF_ENV": "Production"}, "must be 'production' or 'development'"),
])
def test_settings_are_checked_at_start(redis_server: RedisTarget, env: dict[str, str],
                                       message: str) -> None:
    secret = {} if env.keys() & {"HANDOFF_ENV", "HELP_CENTER_SECRET"} or not env else {
        "HELP_CENTER_SECRET": "h" * 40}
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({"REDIS_URL": redis_server.url, **secret, **env})


def test_origin_rules(redis_server: RedisTarget) -> None:
    dev = make_settings(redis_server, HANDOFF_ALLOWED_ORIGINS="https://help.example.com")
    assert dev.origin_allowed("https://help.example.com")
    assert dev.origin_allowed("http://127.0.0.1:5173")
    assert dev.origin_allowed("http://localhost")
    assert not dev.origin_allowed("https://evil.example.net")
    prod = make_settings(redis_server, HANDOFF_ENV="production", HELP_CENTER_SECRET="h" * 40,
                         AGENT_TOKEN_SECRET="a" * 40,
                         HANDOFF_ALLOWED_ORIGINS="https://help.example.com")
    assert not prod.origin_allowed("http://127.0.0.1:5173")
    assert not prod.origin_allowed("https://gw.example.com")  # its own only when listed


async def test_article_pages_escape_and_404(redis_server: RedisTarget,
                                            start_gateway: Callable[..., Any]) -> None:
    base = await start_gateway(make_settings(redis_server))
    status, body = await get(f"{base}/kb/en/phone-support")
    assert status == 200
    assert "<h1>Phone support</h1>" in body and "+81.053.132.0070, ext. 2" in body
    assert (await get(f"{base}/kb/en/no-such-article"))[0] == 404
    assert (await get(f"{base}/kb/zz/phone-support"))[0] == 404
    assert (await get(f"{base}/kb/..%2f..%2fetc/passwd"))[0] == 404


async def test_the_origin_check_never_trusts_the_host_header(
        redis_server: RedisTarget, start_gateway: Callable[..., Any]) -> None:
    """A page on evil.example that also sends `Host: evil.example` was let in (the check
    compared the Origin with the request's own Host)."""
    import socketio

    base = await start_gateway(make_settings(redis_server))
    client = socketio.AsyncClient(reconnection=False)
    try:
        with pytest.raises(socketio.exceptions.ConnectionError):
            await client.connect(base, headers={"Origin": "http://evil.example",
                                                "Host": "evil.example"},
                                 transports=["websocket"], wait_timeout=5)
    finally:
        if client.eio.http is not None:
            await client.eio.http.close()


async def test_metrics_and_readiness_details_are_not_public_in_production(
        redis_server: RedisTarget, start_gateway: Callable[..., Any],
        strong_agents: str) -> None:
    """/metrics and the details of /readyz were public in production."""
    token = "m" * 40
    base = await start_gateway(make_settings(
        redis_server, HANDOFF_ENV="production", HELP_CENTER_SECRET="h" * 40,
        HANDOFF_ALLOWED_ORIGINS="https://help.example.com", HANDOFF_AGENTS_FILE=strong_agents,
        HANDOFF_METRICS_TOKEN=token))
    async with aiohttp.ClientSession() as http:
        async with http.get(base + "/metrics") as resp:
            assert resp.status == 404
        async with http.get(base + "/metrics",
                            headers={"Authorization": "Bearer wrong" + token}) as resp:
            assert resp.status == 404
        async with http.get(base + "/metrics",
                            headers={"Authorization": f"Bearer {token}"}) as resp:
            assert resp.status == 200 and "hc_queue_length" in await resp.text()
        async with http.get(base + "/readyz") as resp:
            assert set(await resp.json()) == {"ready"}  # rasa is down here: 503, no details
        async with http.get(base + "/readyz",
                            headers={"Authorization": f"Bearer {token}"}) as resp:
            assert (await resp.json())["checks"]["redis"] is True
