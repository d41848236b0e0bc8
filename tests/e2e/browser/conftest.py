"""Browser fixtures (run in .venv-gw): Debian's chromium driven by Playwright against a
real gateway process in front of the real Rasa, action server and Redis.

Playwright never downloads a browser here: it launches /usr/bin/chromium (the Makefile
installs it from Debian when missing). Each `new_page()` is a new browser context, i.e.
another person with their own storage. A page that logs a console error (a CSP
violation, a failed script) or throws an uncaught exception fails the test.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import redis as redis_lib
import socketio
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Error,
    Page,
    sync_playwright,
)

from bot import redis_keys
from scripts import stack
from tests.conftest import Stack
from tests.handoff.conftest import WidgetClient

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]
ROOT = Path(__file__).resolve().parents[3]
# Test runs keep their screenshots in var/; `make screenshots` refreshes the README's.
SCREENSHOTS = Path(os.environ.get("HC_SCREENSHOTS") or ROOT / "var" / "screenshots")


@dataclass
class WebStack:
    """A gateway on `base` with the whole stack behind it."""

    base: str
    redis_url: str
    stack: Stack
    log_dir: Path

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        req = urllib.request.Request(self.base + path, json.dumps(body).encode(),
                                     {"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            return dict(json.load(resp))

    def token(self, user: str) -> str:
        return str(self.post("/dev/token", {"user": user})["token"])


def start_web_gateway(rasa_stack: Stack, log_dir: Path, port: int | None = None,
                      **env: str) -> tuple[stack.Service, str]:
    port = port or stack.free_port()
    svc = stack.start_gateway(port, log_dir, {
        "REDIS_URL": rasa_stack.redis.url,
        "RASA_URL": f"http://127.0.0.1:{rasa_stack.rasa_port}",
        "ACTIONS_URL": f"http://127.0.0.1:{rasa_stack.actions_port}", **env})
    try:
        stack.wait_gateway(port, svc, timeout=60)
    except Exception:
        svc.stop()
        raise
    return svc, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session")
def web_stack(rasa_stack: Stack, tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[WebStack]:
    log_dir = tmp_path_factory.mktemp("web-stack-logs")
    # on the port the bot's article links point at, so they open the gateway's articles
    svc, base = start_web_gateway(rasa_stack, log_dir, rasa_stack.help_center_port)
    try:
        yield WebStack(base, rasa_stack.redis.url, rasa_stack, log_dir)
    finally:
        svc.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS,
                                              headless=True)
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class PageProblems:
    """Console errors and uncaught exceptions seen by the test's pages."""

    errors: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)  # substrings a test expects

    def console(self, page_url: Callable[[], str]) -> Callable[[ConsoleMessage], None]:
        def record(message: ConsoleMessage) -> None:
            if message.type == "error" and not any(a in message.text for a in self.allowed):
                self.errors.append(f"console error on {page_url()}: {message.text}")
        return record

    def exception(self, error: Error) -> None:
        self.errors.append(f"uncaught exception: {error}")


@pytest.fixture
def page_problems() -> PageProblems:
    return PageProblems()


@pytest.fixture
def new_page(web_stack: WebStack, browser: Browser, page_problems: PageProblems
             ) -> Iterator[Callable[..., Page]]:
    """`new_page(path="/", **context_kwargs)`: a page in a new browser context."""
    contexts: list[BrowserContext] = []

    def make(path: str = "/", **context_kwargs: Any) -> Page:
        context_kwargs.setdefault("viewport", {"width": 1280, "height": 800})
        context = browser.new_context(**context_kwargs)
        context.set_default_timeout(20_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", page_problems.console(lambda: page.url))
        page.on("pageerror", page_problems.exception)
        if path:
            page.goto(path if path.startswith("http") else web_stack.base + path)
        return page

    yield make
    for context in contexts:
        context.close()
    assert not page_problems.errors, "\n".join(page_problems.errors)


@pytest.fixture(autouse=True)
def fresh(web_stack: WebStack) -> Iterator[None]:
    """Each test starts with no chats, no queue and no agent state."""
    _reset(web_stack.redis_url)
    yield


def _reset(redis_url: str) -> None:
    """Delete every key but the account directory the gateway loaded at start."""
    client = redis_lib.Redis.from_url(redis_url, decode_responses=True)
    keep = (redis_keys.ACCOUNT.format(user_id=""), redis_keys.ACCOUNTS_LOADED)
    try:
        doomed = [k for k in client.scan_iter(count=1000) if not k.startswith(keep)]
        for start in range(0, len(doomed), 500):
            client.delete(*doomed[start:start + 500])
    finally:
        client.close()


class _QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def static_site(root: Path) -> Iterator[str]:
    """Serve `root` on its own loopback port: a help-center site on another origin than
    the gateway. Yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", stack.free_port()),
                                 partial(_QuietFiles, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def screenshot(page: Page, name: str) -> None:
    """Save a screenshot of a key state (`make screenshots`: docs/screenshots/<name>.png)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


# -- a help-center user driven from Python over the widget protocol ----------------------
PROBLEM = "Nobody in our company can join meetings since this morning."


class Customer:
    """A help-center user on the widget protocol, from Python: an asyncio Socket.IO
    client on its own event-loop thread behind a blocking interface (the sync client
    would need `requests`/`websocket-client`, which the gateway venv does not have)."""

    _ids = itertools.count(1)

    def __init__(self, base: str, user: str | None = None) -> None:
        self.base, self.user = base, user
        self.chat_id = ""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self.client: WidgetClient = self._run(self._make())

    @staticmethod
    async def _make() -> WidgetClient:
        return WidgetClient()

    def _run(self, coro: Any, timeout: float = 30) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    @property
    def sio(self) -> socketio.AsyncClient:
        return self.client.sio

    @property
    def events(self) -> list[tuple[str, Any]]:
        """Every event the server sent, in order (appended on the client's thread)."""
        return self.client.received

    def wait_for(self, name: str, match: Callable[[Any], bool] = lambda _: True,
                 after: int = 0, timeout: float = 30) -> Any:
        return self._run(self.client.wait_for(name, match, timeout=timeout, after=after),
                         timeout + 5)

    def connect(self, chat_id: str | None = None) -> Customer:
        """Open the socket and the chat (`chat_id` to come back to an earlier one)."""
        custom: dict[str, str] = {}
        if self.user:
            req = urllib.request.Request(
                self.base + "/dev/token", json.dumps({"user": self.user}).encode(),
                {"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=10) as resp:
                custom["token"] = json.load(resp)["token"]
        self._run(self.client.connect(self.base))
        mark = len(self.events)
        self._run(self.sio.emit("session_request", {"customData": custom,
                                                    **({"session_id": chat_id} if chat_id
                                                       else {})}))
        self.chat_id = str(self.wait_for("session_confirm", after=mark))
        return self

    def drop(self) -> None:
        """The page is closed: the socket goes, the chat stays."""
        self._run(self.sio.disconnect())

    def say(self, text: str, title: str | None = None) -> int:
        """Send a message; returns the index of events from which to look for answers."""
        body = {"message": text, "session_id": self.chat_id,
                "client_msg_id": f"py-{next(self._ids)}-{time.time_ns()}"}
        if title:
            body["title"] = title
        mark = len(self.events)
        self._run(self.sio.emit("user_uttered", body))
        return mark

    def ask(self, text: str, expect_text: str, title: str | None = None) -> Any:
        mark = self.say(text, title)
        return self.wait_for("bot_uttered", lambda d: d["metadata"]["sender"] == "bot"
                             and expect_text in d.get("text", ""), after=mark)

    def typing(self) -> None:
        self._run(self.sio.emit("typing", {"session_id": self.chat_id}))

    def request_human(self, problem: str = PROBLEM, impact: str = "down",
                      workaround: str = "none", state: str = "queued") -> None:
        """'Talk to a person' and the bot's triage, until the chat is in `state`:
        "queued", or "agent" when an online agent is to get it at once."""
        self.ask("/request_human", "going wrong", title="Talk to a person")
        self.ask(problem, "How bad is it?")
        self.ask(impact, "workaround")
        self.ask(workaround, "meeting ID")
        mark = self.say("skip")
        self.wait_for("handoff_status", lambda d: d["state"] == state, after=mark)

    def agent_texts(self) -> list[str]:
        return [d.get("text", "") for e, d in self.events
                if e == "bot_uttered" and d["metadata"]["sender"] == "agent"]

    def close(self) -> None:
        try:
            self._run(self.client.close(), 10)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)
            self._loop.close()


@pytest.fixture
def customer(web_stack: WebStack) -> Iterator[Callable[[str], Customer]]:
    """`customer("business-admin")`: a connected help-center user, closed after the test."""
    made: list[Customer] = []

    def make(user: str) -> Customer:
        client = Customer(web_stack.base, user)
        made.append(client)
        return client.connect()

    yield make
    for client in made:
        client.close()
