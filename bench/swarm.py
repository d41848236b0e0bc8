"""A client process holding many widgets, for the connection benchmarks (bench/burst.py,
bench/idle.py): several of these run at once so that clients are not the bottleneck.

The widgets here speak Engine.IO 4 / Socket.IO 5 over aiohttp's WebSocket themselves
(open packet, namespace connect, `session_request`, `session_confirm`, answering the
server's pings): a python-socketio client costs several times the server's own work per
connection, and thousands of them on the same two cores would measure the clients. The
server does exactly what it does for a browser's socket.io-client.

`python -m bench.swarm URL COUNT SPREAD_S [CONCURRENCY]`
  opens COUNT widgets (connect, session_request, session_confirm), starting them evenly
  over SPREAD_S seconds (0: as fast as CONCURRENCY allows), prints one JSON line with
  every widget's timings and the failures, then holds them open (idle) until a line
  arrives on stdin, closes them and prints a last JSON line.
Every wait is bounded (a widget gives up after 60 s; the process after 15 minutes).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

import aiohttp

from bench.clients import http_session
from bench.common import raise_nofile
from scripts import stack
from scripts.stack import GATEWAY_BIN, ROOT

HOLD_MAX_S = 900.0
OPEN_TIMEOUT_S = 60.0


class RawWidget:
    """A help-center page's socket, at the protocol level."""

    def __init__(self, http: aiohttp.ClientSession) -> None:
        self.http = http
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.chat_id = ""
        self.errors = 0
        self.reader: asyncio.Task[None] | None = None

    @property
    def connected(self) -> bool:
        return self.ws is not None and not self.ws.closed

    async def _next(self) -> str:
        assert self.ws is not None
        while True:
            msg = await self.ws.receive()
            if msg.type != aiohttp.WSMsgType.TEXT:
                raise ConnectionError(f"socket closed ({msg.type.name})")
            if msg.data == "2":  # Engine.IO ping
                await self.ws.send_str("3")
                continue
            if msg.data.startswith('42["error"'):
                self.errors += 1
            return str(msg.data)

    async def open(self, url: str) -> tuple[float, float]:
        started = time.perf_counter()
        ws_url = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        self.ws = await self.http.ws_connect(ws_url, autoping=True, max_msg_size=1 << 20)
        opening = await self._next()
        if not opening.startswith("0"):
            raise ConnectionError(f"no open packet: {opening[:80]}")
        await self.ws.send_str("40")
        joined = await self._next()
        if not joined.startswith("40"):
            raise ConnectionError(f"namespace refused: {joined[:120]}")
        connected = time.perf_counter()
        await self.ws.send_str('42["session_request",{}]')
        while True:
            packet = await self._next()
            if packet.startswith('42["session_confirm"'):
                self.chat_id = json.loads(packet[2:])[1]
                break
        confirmed = time.perf_counter()
        self.reader = asyncio.ensure_future(self._read())
        return connected - started, confirmed - connected

    async def _read(self) -> None:
        try:
            while True:
                await self._next()
        except (ConnectionError, asyncio.CancelledError, aiohttp.ClientError):
            return

    async def close(self) -> None:
        if self.reader is not None:
            self.reader.cancel()
        if self.ws is not None and not self.ws.closed:
            await self.ws.send_str("41")
            await self.ws.close()


async def main(url: str, count: int, spread: float, concurrency: int) -> None:
    raise_nofile()
    http = http_session()
    widgets = [RawWidget(http) for _ in range(count)]
    slots = asyncio.Semaphore(concurrency)
    timings: list[list[float]] = []  # [connect s, request->confirm s, start->confirm s]
    failures: list[str] = []
    began = time.perf_counter()

    async def one(i: int, widget: RawWidget) -> None:
        await asyncio.sleep(max(0.0, began + spread * i / max(1, count) - time.perf_counter()))
        async with slots:
            started = time.perf_counter()
            try:
                connect_s, confirm_s = await asyncio.wait_for(widget.open(url), OPEN_TIMEOUT_S)
                timings.append([connect_s, confirm_s, time.perf_counter() - started,
                                time.perf_counter() - began])
            except Exception as exc:
                failures.append(f"{type(exc).__name__}: {exc}"[:200])

    await asyncio.gather(*(one(i, w) for i, w in enumerate(widgets)))
    errors = sum(w.errors for w in widgets)
    print(json.dumps({"opened": len(timings), "failures": failures[:10],
                      "failed": len(failures), "error_events": errors,
                      "seconds": time.perf_counter() - began, "timings": timings}), flush=True)
    loop = asyncio.get_running_loop()
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(loop.run_in_executor(None, sys.stdin.readline), HOLD_MAX_S)
    still = sum(1 for w in widgets if w.connected)
    closing = time.perf_counter()
    slots = asyncio.Semaphore(200)

    async def close(widget: RawWidget) -> None:
        async with slots:
            with contextlib.suppress(Exception):  # a socket the server closed already
                await asyncio.wait_for(widget.close(), 30)

    await asyncio.gather(*(close(w) for w in widgets))
    await http.close()
    print(json.dumps({"connected_before_close": still,
                      "close_s": time.perf_counter() - closing}), flush=True)


class Swarm:
    """The parent's side: one client process, started and stopped by its pid."""

    def __init__(self, url: str, count: int, spread: float, log: Path,
                 concurrency: int = 1000) -> None:
        self.log = open(log, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [str(GATEWAY_BIN / "python"), "-m", "bench.swarm", url, str(count), str(spread),
             str(concurrency)], cwd=ROOT, env=stack.base_env(), stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self.log, start_new_session=True)

    def _line(self, timeout: float) -> dict[str, Any]:
        out: IO[bytes] | None = self.proc.stdout
        assert out is not None
        ready, _, _ = select.select([out], [], [], timeout)
        if not ready:
            raise TimeoutError(f"swarm {self.proc.pid} said nothing in {timeout:.0f} s")
        line = out.readline()
        if not line:
            raise RuntimeError(f"swarm {self.proc.pid} exited ({self.proc.poll()})")
        return dict(json.loads(line))

    def opened(self, timeout: float = 300) -> dict[str, Any]:
        return self._line(timeout)

    def close(self, timeout: float = 120) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"close\n")
        self.proc.stdin.flush()
        try:
            return self._line(timeout)
        finally:
            self.stop()

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()


if __name__ == "__main__":
    url, count, spread = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    concurrency = int(sys.argv[4]) if len(sys.argv) > 4 else 1000
    asyncio.run(main(url, count, spread, concurrency))
