"""Clients that behave like the real pages when things break, for the fault-injection
tests: they reconnect (to the next gateway when one is gone), rejoin their chat, page
through `resume`, and send what was never acknowledged again with the same client id,
exactly as the widget (`handoff/static/widget.js`) and the console do. Everything they
receive is kept by sequence number, so the tests can count what was lost or doubled."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import socketio

from handoff.vocabulary import Code

ACK_TIMEOUT_S = 5.0
RETRYABLE = (Code.UNAVAILABLE, Code.INTERNAL, Code.RATE_LIMITED, Code.BUSY)
_ids = itertools.count()


@dataclass
class Seen:
    """Events of one chat as a client saw them."""

    by_seq: dict[int, dict[str, Any]] = field(default_factory=dict)
    repeats: int = 0  # the same seq delivered again (at-least-once; shown once)

    def add(self, seq: int, body: dict[str, Any]) -> None:
        if seq in self.by_seq:
            self.repeats += 1
        else:
            self.by_seq[seq] = body

    @property
    def last(self) -> int:
        return max(self.by_seq, default=0)

    @property
    def contiguous(self) -> int:
        """The n such that 1..n were all seen: where a replay must start (like the
        widget, which fills any gap it notices)."""
        n = 0
        while n + 1 in self.by_seq:
            n += 1
        return n


class Reconnecting:
    """A client that stays connected: on any failure it tries again, moving on to the
    next gateway; subclasses say what to listen to and what to do once connected."""

    namespace = "/"

    def __init__(self, urls: list[str]) -> None:
        self.urls = urls
        self.transports = ["websocket"]  # or ["polling", "websocket"], as browsers start
        self.source: str | None = None  # the local address to connect from (127.x.y.z)
        self.url_index = next(_ids) % len(urls)
        self.ready = asyncio.Event()  # connected, joined and caught up
        self.ready_at: list[float] = []  # when each (re)join finished (monotonic)
        self.sio: socketio.AsyncClient | None = None
        self._task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False
        self._flushing = asyncio.Lock()

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def start(self) -> None:
        self._task = asyncio.ensure_future(self._run())

    def _listen(self, sio: socketio.AsyncClient) -> None:
        raise NotImplementedError

    async def _connect(self, sio: socketio.AsyncClient, url: str) -> None:
        raise NotImplementedError

    async def flush(self) -> None:
        raise NotImplementedError

    async def _run(self) -> None:
        while not self._closed:
            url = self.urls[self.url_index % len(self.urls)]
            http = None if self.source is None else aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(local_addr=(self.source, 0)))
            sio = socketio.AsyncClient(reconnection=False, http_session=http)
            gone = asyncio.Event()
            sio.on("disconnect", gone.set, namespace=self.namespace)
            self._listen(sio)
            try:
                self.sio = sio
                await self._connect(sio, url)
                self.ready.set()
                self.ready_at.append(time.monotonic())
                await self.flush()
                await gone.wait()
            except Exception:  # refused, reset, timed out: try again, then the next one
                self.url_index += 1
                await asyncio.sleep(0.2)
            finally:
                self.ready.clear()
                self.sio = None
                with contextlib.suppress(Exception):
                    await sio.disconnect()
                with contextlib.suppress(Exception):
                    if sio.eio.http is not None:
                        await sio.eio.http.close()
                if http is not None:
                    await http.close()

    async def close(self) -> None:
        self._closed = True
        if self.sio is not None:
            with contextlib.suppress(Exception):
                await self.sio.disconnect()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task


class ChaosWidget(Reconnecting):
    def __init__(self, urls: list[str], token: str | None = None, label: str = "") -> None:
        super().__init__(urls)
        self.token = token
        self.label = label or f"w{next(_ids)}"
        self.chat_id: str | None = None
        self.outbox: dict[str, str] = {}  # client id -> text, in send order
        self.sent: list[str] = []  # every client id we ever sent, in order
        self.acked: dict[str, int] = {}  # client id -> seq from the acknowledgement
        self.seen = Seen()
        self.status: dict[str, Any] = {}
        self.errors: list[dict[str, Any]] = []

    def _listen(self, sio: socketio.AsyncClient) -> None:
        sio.on("bot_uttered", self._on_message)
        sio.on("handoff_status", self._on_status)
        sio.on("error", self.errors.append)

    async def _connect(self, sio: socketio.AsyncClient, url: str) -> None:
        await sio.connect(url, transports=self.transports, wait_timeout=5)
        await self._join(sio)

    async def _join(self, sio: socketio.AsyncClient) -> None:
        body: dict[str, Any] = {"customData": {"token": self.token} if self.token else {}}
        if self.chat_id:
            body["session_id"] = self.chat_id
        confirmed: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        sio.on("session_confirm", lambda cid: confirmed.done() or confirmed.set_result(cid))
        while True:
            ack = await sio.call("session_request", body, timeout=ACK_TIMEOUT_S)
            if ack.get("ok"):
                break
            await asyncio.sleep(0.5)  # e.g. Redis down: ask again
        chat_id = await asyncio.wait_for(confirmed, ACK_TIMEOUT_S)
        if self.chat_id and chat_id != self.chat_id:
            raise AssertionError(f"{self.label}: rejoined {chat_id}, not {self.chat_id}")
        self.chat_id = chat_id
        after = self.seen.contiguous
        while True:  # page through what we missed
            ack = await sio.call("resume", {"session_id": chat_id, "last_seq": after},
                                 timeout=ACK_TIMEOUT_S)
            if not ack.get("ok"):
                raise RuntimeError(f"resume refused: {ack}")
            if ack.get("latest", after) < self.seen.last:  # history lost with Redis' data
                self.seen = Seen()
                after = 0
                continue
            if not ack.get("more"):
                return
            after = ack["last_seq"]

    async def _on_message(self, body: dict[str, Any]) -> None:
        meta = body.get("metadata") or {}
        if isinstance(meta.get("seq"), int):
            self.seen.add(meta["seq"], body)

    async def _on_status(self, body: dict[str, Any]) -> None:
        self.status = body

    # -- sending ------------------------------------------------------------------------
    def send(self, text: str) -> str:
        """Queue a message (like typing it); it goes now, or after the next rejoin."""
        cid = f"{self.label}-{len(self.sent)}"
        self.outbox[cid] = text
        self.sent.append(cid)
        self._spawn(self.flush())
        return cid

    async def flush(self) -> None:
        """Send what is not acknowledged yet, one at a time, in order."""
        async with self._flushing:
            while self.outbox and self.sio is not None and self.ready.is_set():
                cid, text = next(iter(self.outbox.items()))
                try:
                    ack = await self.sio.call("user_uttered", {
                        "message": text, "session_id": self.chat_id, "client_msg_id": cid},
                        timeout=ACK_TIMEOUT_S)
                except Exception:
                    return  # disconnected or no answer: the rejoin sends it again
                if ack.get("ok"):
                    self.acked[cid] = int(ack["seq"])
                    self.outbox.pop(cid, None)
                    # the page shows its own message once stored (it is not echoed to
                    # the socket that sent it)
                    self.seen.add(int(ack["seq"]), {"text": text, "metadata": {
                        "sender": "user", "seq": int(ack["seq"]), "client_msg_id": cid}})
                elif ack.get("code") in RETRYABLE:
                    await asyncio.sleep(0.5)
                else:
                    raise AssertionError(f"{self.label}: {text!r} refused: {ack}")

    async def wait(self, check: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.label}: {what} within {timeout} s")
            await asyncio.sleep(0.05)


class ChaosAgent(Reconnecting):
    """An agent's console: signs in, reconnects, keeps every chat message by seq, and
    re-sends unacknowledged replies with the same client id."""

    namespace = "/agent"

    def __init__(self, urls: list[str], username: str) -> None:
        super().__init__(urls)
        self.username = username
        self.token = ""
        self.chats: set[str] = set()
        self.seen: dict[str, Seen] = {}
        self.outbox: dict[str, tuple[str, str]] = {}  # cid -> (chat_id, text)
        self.sent: dict[str, list[str]] = {}  # chat_id -> cids in order

    async def login(self) -> None:
        for attempt in range(50):
            url = self.urls[(self.url_index + attempt) % len(self.urls)]
            connector = None if self.source is None else \
                aiohttp.TCPConnector(local_addr=(self.source, 0))
            with contextlib.suppress(aiohttp.ClientError, KeyError):
                async with aiohttp.ClientSession(connector=connector) as http, http.post(
                        f"{url}/agent/login", json={"username": self.username,
                                                    "password": self.username}) as resp:
                    self.token = (await resp.json())["token"]
                    return
            await asyncio.sleep(0.2)
        raise RuntimeError("could not log in")

    def _listen(self, sio: socketio.AsyncClient) -> None:
        sio.on("assigned", self._on_assigned, namespace="/agent")
        sio.on("chat_message", self._on_message, namespace="/agent")
        sio.on("chat_closed", self._on_closed, namespace="/agent")

    async def _connect(self, sio: socketio.AsyncClient, url: str) -> None:
        await sio.connect(url, namespaces=["/agent"], auth={"token": self.token},
                          transports=self.transports, wait_timeout=5)
        ack = await sio.call("presence", {"status": "online"}, namespace="/agent",
                             timeout=ACK_TIMEOUT_S)
        if not ack.get("ok"):
            raise RuntimeError(f"presence refused: {ack}")

    async def _on_assigned(self, body: dict[str, Any]) -> None:
        chat_id = body["chat_id"]
        self.chats.add(chat_id)
        seen = self.seen.setdefault(chat_id, Seen())
        for message in body.get("transcript") or []:
            if message["seq"] not in seen.by_seq:
                seen.by_seq[message["seq"]] = message

    async def _on_message(self, body: dict[str, Any]) -> None:
        self.seen.setdefault(body["chat_id"], Seen()).add(body["message"]["seq"],
                                                          body["message"])

    async def _on_closed(self, body: dict[str, Any]) -> None:
        self.chats.discard(body["chat_id"])

    async def wait_for_chats(self, count: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while len(self.chats) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.username} has {len(self.chats)} of {count} chats")
            await asyncio.sleep(0.05)

    def send(self, chat_id: str, text: str) -> str:
        cids = self.sent.setdefault(chat_id, [])
        cid = f"{self.username}-{chat_id[:8]}-{len(cids)}"
        cids.append(cid)
        self.outbox[cid] = (chat_id, text)
        self._spawn(self.flush())
        return cid

    async def flush(self) -> None:
        async with self._flushing:
            while self.outbox and self.sio is not None and self.ready.is_set():
                cid, (chat_id, text) = next(iter(self.outbox.items()))
                try:
                    ack = await self.sio.call("agent_message", {
                        "chat_id": chat_id, "text": text, "client_msg_id": cid},
                        namespace="/agent", timeout=ACK_TIMEOUT_S)
                except Exception:
                    return
                if ack.get("ok"):
                    self.outbox.pop(cid, None)
                elif ack.get("code") in RETRYABLE:
                    await asyncio.sleep(0.5)
                else:
                    raise AssertionError(f"{self.username}: reply refused: {ack}")
