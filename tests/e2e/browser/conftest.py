"""Browser fixtures (run in .venv-gw): Debian's chromium driven by Playwright against a
real gateway process in front of the real Rasa, action server and Redis.

Playwright never downloads a browser here: it launches /usr/bin/chromium (the Makefile
installs it from Debian when missing). Each `new_page()` is a new browser context, i.e.
another person with their own storage. A page that logs a console error (a CSP
violation, a failed script) or throws an uncaught exception fails the test.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import redis as redis_lib
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

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


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


def start_web_gateway(rasa_stack: Stack, log_dir: Path, **env: str) -> tuple[stack.Service,
                                                                              str]:
    port = stack.free_port()
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
    svc, base = start_web_gateway(rasa_stack, log_dir)
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


def screenshot(page: Page, name: str) -> None:
    """Save a screenshot of a key state for the README (docs/screenshots/<name>.png)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
