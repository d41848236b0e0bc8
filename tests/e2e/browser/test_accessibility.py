"""Both pages checked with axe-core's WCAG 2.1 A and AA rules (labels, names, roles,
contrast, landmarks...) in the states people spend time in. axe-core is fetched from npm
by the Makefile (AXE_JS), pinned and hash-checked; it is injected by the test only."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser.conftest import Customer

RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_path() -> Path:
    path = Path(os.environ.get("AXE_JS", "var/axe-4.11.0/axe.min.js"))
    if not path.exists():
        pytest.fail(f"{path} is missing: `make test` fetches axe-core (make {path})")
    return path


def violations(page: Page, include: str | None = None) -> list[str]:
    """Every axe violation on the page (or inside the `include` CSS selector)."""
    page.add_script_tag(path=str(axe_path()))
    result: dict[str, Any] = page.evaluate(
        """([include, tags]) => axe.run(include ? {include: [include]} : document,
                                       {runOnly: {type: 'tag', values: tags}})""",
        [include, RULES])
    return [f"{v['id']} ({v['impact']}): {v['help']}: "
            + "; ".join(n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
                        for n in v["nodes"][:5])
            for v in result["violations"]]


def test_help_center_page_and_widget(new_page: Callable[..., Page]) -> None:
    page = new_page("/", bypass_csp=True)  # to inject axe; the rules don't involve CSP
    assert violations(page) == []  # closed widget: the page and the launcher
    page.get_by_label("Sign in as").select_option("pro-owner")
    page.get_by_role("button", name=re.compile(r"^Open chat")).click()
    page.get_by_label("Message", exact=True).fill("how fast do you answer a P1?")
    page.get_by_label("Message", exact=True).press("Enter")
    log = page.get_by_role("log", name="Conversation")
    expect(log).to_contain_text("Source:", timeout=30_000)
    assert violations(page) == []  # open, with an answer, a link, quick replies
    page.set_viewport_size({"width": 390, "height": 844})
    assert violations(page) == []  # phone width, full screen


def test_agent_console(new_page: Callable[..., Page],
                       customer: Callable[[str], Customer]) -> None:
    page = new_page("/agent", bypass_csp=True)
    assert violations(page) == []  # sign-in form
    page.get_by_label("Username").fill("agent1")
    page.get_by_label("Password").fill("agent1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_label("Status")).to_have_value("online")
    page.get_by_label("Status").select_option("away")
    bo = customer("business-admin")
    bo.request_human()
    queue = page.get_by_role("region", name="Queue")
    expect(queue.get_by_role("button", name=re.compile("Accept"))).to_be_visible()
    assert violations(page) == []  # the queue with a waiting chat and its countdown
    queue.get_by_role("button", name=re.compile("Accept")).first.click()
    expect(page.get_by_role("log", name="Transcript")).to_contain_text("How bad is it?")
    problems = violations(page)
    assert problems == [], "\n".join(problems)  # a chat open: transcript, card, triage
