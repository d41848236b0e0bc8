"""The benchmark's clients: a chat widget and an agent console, speaking the gateway's
protocol over Socket.IO's WebSocket transport. The same clients drive the bare relay
(bench/bare.py), so a figure and its baseline differ only in the server.

Many clients share one aiohttp session per process (no connection limit): python-socketio
would otherwise make one session per client.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import aiohttp
import socketio

WAIT_S = 60.0
Handler = Callable[[dict[str, Any], float], None]


def http_session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0, force_close=False))


class Widget:
    """One help-center page: a socket with its chat open."""

    def __init__(self, http: aiohttp.ClientSession) -> None:
        self.sio = socketio.AsyncClient(reconnection=False, http_session=http,
                                        request_timeout=WAIT_S)
        self.chat_id = ""
        self.on_message: Handler | None = None  # every bot_uttered, with its arrival time
        self.errors: list[Any] = []
        self.dropped = asyncio.Event()  # the server closed the socket
        self._confirmed: asyncio.Future[str] | None = None
        self.sio.on("disconnect", self._disconnected)
        self.sio.on("session_confirm", self._confirm)
        self.sio.on("bot_uttered", self._bot_uttered)
        self.sio.on("error", self.errors.append)

    def _disconnected(self, reason: Any = None) -> None:
        self.dropped.set()
        if self.on_message is not None:  # wake whoever waits for a message
            self.on_message({}, time.perf_counter())

    def _confirm(self, chat_id: str) -> None:
        if self._confirmed is not None and not self._confirmed.done():
            self._confirmed.set_result(chat_id)

    def _bot_uttered(self, data: dict[str, Any]) -> None:
        if self.on_message is not None:
            self.on_message(data, time.perf_counter())

    async def open(self, base: str, session_id: str | None = None,
                   timeout: float = WAIT_S) -> tuple[float, float]:
        """Connect and open the chat; (seconds to connect, seconds from session_request
        to session_confirm)."""
        self._confirmed = asyncio.get_running_loop().create_future()
        started = time.perf_counter()
        await self.sio.connect(base, transports=["websocket"], wait_timeout=timeout)
        connected = time.perf_counter()
        await self.sio.emit("session_request", {"session_id": session_id} if session_id
                            else {})
        self.chat_id = await asyncio.wait_for(self._confirmed, timeout)
        return connected - started, time.perf_counter() - connected

    async def say(self, text: str, cid: str, timeout: float = WAIT_S) -> dict[str, Any]:
        ack = await self.sio.call("user_uttered", {"message": text, "session_id": self.chat_id,
                                                   "client_msg_id": cid}, timeout=timeout)
        if not isinstance(ack, dict) or not ack.get("ok"):
            raise RuntimeError(f"user_uttered refused: {ack}")
        return ack

    async def close(self) -> None:
        try:
            await self.sio.disconnect()
        finally:
            self.sio.eio.http = None  # the shared session is not this client's to close


class AgentConsole:
    """One agent console socket (namespace /agent)."""

    def __init__(self, http: aiohttp.ClientSession, username: str) -> None:
        self.http = http
        self.username = username
        self.sio = socketio.AsyncClient(reconnection=False, http_session=http,
                                        request_timeout=WAIT_S)
        self.on_message: Handler | None = None  # every chat_message, with its arrival time
        self.assigned: set[str] = set()
        self.sio.on("chat_message", self._chat_message, namespace="/agent")
        self.sio.on("assigned", self._assigned, namespace="/agent")

    def _chat_message(self, data: dict[str, Any]) -> None:
        if self.on_message is not None:
            self.on_message(data, time.perf_counter())

    def _assigned(self, data: dict[str, Any]) -> None:
        self.assigned.add(str(data.get("chat_id")))

    async def connect(self, base: str, password: str | None = None) -> None:
        """Sign in (the gateway) or just connect (the bare relay: password None)."""
        auth = None
        if password is not None:
            async with self.http.post(f"{base}/agent/login", json={
                    "username": self.username, "password": password}) as resp:
                body = await resp.json()
                if resp.status != 200:
                    raise RuntimeError(f"login {self.username}: {resp.status} {body}")
            auth = {"token": body["token"]}
        await self.sio.connect(base, namespaces=["/agent"], auth=auth,
                               transports=["websocket"], wait_timeout=WAIT_S)

    async def call(self, event: str, data: dict[str, Any], timeout: float = WAIT_S
                   ) -> dict[str, Any]:
        ack = await self.sio.call(event, data, namespace="/agent", timeout=timeout)
        if not isinstance(ack, dict) or not ack.get("ok"):
            raise RuntimeError(f"{event} refused: {ack}")
        return ack

    async def say(self, chat_id: str, text: str, cid: str) -> dict[str, Any]:
        return await self.call("agent_message", {"chat_id": chat_id, "text": text,
                                                 "client_msg_id": cid})

    async def close(self) -> None:
        try:
            await self.sio.disconnect()
        finally:
            self.sio.eio.http = None


async def gather_bounded(coros: list[Any], limit: int) -> list[Any]:
    """Run coroutines at most `limit` at a time; results (or exceptions) in order."""
    slots = asyncio.Semaphore(limit)

    async def one(coro: Any) -> Any:
        async with slots:
            return await coro

    return await asyncio.gather(*(one(c) for c in coros), return_exceptions=True)
