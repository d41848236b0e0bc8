"""Gateway fixtures (run in .venv-gw): the real app factory on a real port, real Redis,
real Socket.IO clients; the whole stack (Rasa + actions) where a bot turn is involved."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
import redis as redis_lib
import socketio
from aiohttp.test_utils import TestServer
from redis.asyncio import Redis

from bot import redis_keys
from handoff.app import create_app
from handoff.lifecycle import HandoffRequest, Lifecycle
from handoff.settings import Settings
from handoff.vocabulary import AgentEvent, WidgetEvent
from scripts.stack import RedisTarget

EVENTS = (WidgetEvent.SESSION_CONFIRM, WidgetEvent.BOT_UTTERED, WidgetEvent.HANDOFF_STATUS,
          WidgetEvent.TYPING, WidgetEvent.ERROR)


def make_settings(redis: RedisTarget, rasa_url: str = "http://127.0.0.1:9",
                  actions_url: str = "http://127.0.0.1:9", **env: str) -> Settings:
    return Settings.from_env({"REDIS_URL": redis.url, "RASA_URL": rasa_url,
                              "ACTIONS_URL": actions_url,
                              "HELP_CENTER_SECRET": os.environ["HELP_CENTER_SECRET"], **env})


@pytest.fixture
async def start_gateway(redis: redis_lib.Redis) -> AsyncIterator[Callable[..., Any]]:
    """Start gateway processes' apps on free ports: `await start_gateway(settings)`."""
    servers: list[TestServer] = []

    async def start(settings: Settings) -> str:
        server = TestServer(create_app(settings), host="127.0.0.1", shutdown_timeout=10)
        await server.start_server()
        servers.append(server)
        return f"http://127.0.0.1:{server.port}"

    yield start
    for server in servers:
        try:
            await asyncio.wait_for(server.close(), 60)
        except TimeoutError:  # say where it hangs instead of waiting for the test timeout
            for task in asyncio.all_tasks():
                chain, coro = [], task.get_coro()
                while coro is not None and len(chain) < 40:  # down to what it awaits
                    frame = getattr(coro, "cr_frame", None) or getattr(coro, "ag_frame", None)
                    if frame is not None:
                        chain.append(f"{frame.f_code.co_filename}:{frame.f_lineno}")
                    coro = getattr(coro, "cr_await", None) or getattr(coro, "ag_await", None)
                print("TASK", task.get_name(), chain)
            raise


class WidgetClient:
    """A Socket.IO client of the widget namespace that records what the server sends."""

    def __init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.received: list[tuple[str, Any]] = []
        self._changed = asyncio.Event()
        for name in EVENTS:
            self.sio.on(name, self._recorder(name))

    def _recorder(self, name: str) -> Callable[[Any], Any]:
        async def record(data: Any = None) -> None:
            self.received.append((name, data))
            self._changed.set()
        return record

    async def connect(self, url: str, origin: str | None = None,
                      transports: list[str] | None = None) -> None:
        headers = {"Origin": origin} if origin else {}
        await self.sio.connect(url, headers=headers, transports=transports or ["websocket"],
                               wait_timeout=10)

    async def open_signed_in(self, url: str, token: str) -> str:
        """Connect and open a chat as the user of `token`; the chat's id."""
        await self.connect(url)
        await self.sio.emit("session_request", {"customData": {"token": token}})
        return str(await self.wait_for("session_confirm"))

    async def wait_for(self, name: str, match: Callable[[Any], bool] = lambda _: True,
                       timeout: float = 30, after: int = 0) -> Any:
        """The first `name` event at index >= after that matches; waits for it."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            for event, data in self.received[after:]:
                if event == name and match(data):
                    return data
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise AssertionError(f"no {name} within {timeout} s; got {self.received}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)

    def texts(self, sender: str | None = None) -> list[str]:
        return [d.get("text", "") for e, d in self.received if e == "bot_uttered"
                and (sender is None or d["metadata"]["sender"] == sender)]

    async def close(self) -> None:
        if self.sio.connected:
            await self.sio.disconnect()
        http = self.sio.eio.http
        if http is not None and not http.closed:
            await http.close()


@pytest.fixture
async def widget() -> AsyncIterator[Callable[[], WidgetClient]]:
    clients: list[WidgetClient] = []

    def make() -> WidgetClient:
        client = WidgetClient()
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()


AGENT_EVENTS = (AgentEvent.ME, AgentEvent.QUEUE, AgentEvent.ASSIGNED, AgentEvent.CHAT_MESSAGE,
                AgentEvent.CHAT_CLOSED, AgentEvent.ASSIST_SUGGESTIONS, AgentEvent.CHAT_NOTE,
                AgentEvent.BOARD)


class AgentClient:
    def __init__(self) -> None:
        self.token = ""
        self.sio = socketio.AsyncClient(reconnection=False)
        self.received: list[tuple[str, Any]] = []
        for name in AGENT_EVENTS:
            self.sio.on(name, self._recorder(name), namespace="/agent")

    def _recorder(self, name: str) -> Callable[[Any], Any]:
        async def record(data: Any = None) -> None:
            self.received.append((name, data))
        return record

    async def login(self, base: str, username: str, password: str | None = None) -> None:
        async with aiohttp.ClientSession() as http, http.post(
                f"{base}/agent/login",
                json={"username": username, "password": password or username}) as resp:
            token = self.token = (await resp.json())["token"]
        await self.sio.connect(base, namespaces=["/agent"], auth={"token": token},
                               transports=["websocket"], wait_timeout=10)

    async def call(self, event: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        return dict(await self.sio.call(event, data or {}, namespace="/agent", timeout=30))

    async def wait_for(self, name: str, match: Callable[[Any], bool] = lambda _: True,
                       timeout: float = 30) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event, data in self.received:
                if event == name and match(data):
                    return data
            await asyncio.sleep(0.05)
        raise AssertionError(f"no {name}; got {self.received}")

    async def close(self) -> None:
        if self.sio.connected:
            await self.sio.disconnect()
        if self.sio.eio.http is not None and not self.sio.eio.http.closed:
            await self.sio.eio.http.close()


@pytest.fixture
async def agent_client() -> AsyncIterator[Callable[[], AgentClient]]:
    clients: list[AgentClient] = []

    def make() -> AgentClient:
        clients.append(AgentClient())
        return clients[-1]

    yield make
    for client in clients:
        await client.close()


@pytest.fixture
async def aredis(redis_server: RedisTarget, redis: redis_lib.Redis) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_server.url, decode_responses=True)
    yield client
    await client.aclose()


async def queued_chat(aredis: Redis, chat_id: str, priority: str, at: float,
                      user_socket: bool = True) -> None:
    """A chat waiting in the queue. Unless the test connects a real widget for it,
    `user_socket` stands for its user's live connection (a heartbeat an hour ahead), so
    the gateway does not drop it as abandoned."""
    lifecycle = Lifecycle(aredis, capacity=3)
    await lifecycle.open(chat_id, user_id="pro-owner", plan="pro", role="owner", language="",
                         create=True)
    await lifecycle.request(chat_id, HandoffRequest(priority, "test", f"{chat_id} summary", {}),
                            [], now=at)
    if user_socket:
        await aredis.zadd(redis_keys.chat_conns(chat_id), {"test-user": time.time() + 3600})


@pytest.fixture
def strong_agents(tmp_path: Any) -> str:
    """An agents file production accepts (no password equal to its username)."""
    from handoff.agents import hash_password

    path = tmp_path / "agents.yml"
    path.write_text(f'agents:\n  - username: lee\n    name: Lee\n    password: '
                    f'"{hash_password("a long passphrase of ours")}"\n')
    return str(path)
