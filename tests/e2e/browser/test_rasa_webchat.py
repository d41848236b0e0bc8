"""A client we did not write: rasa-webchat 1.0.1 (the stock widget for Rasa's socketio
channel, from npm) on a help-center page of another origin, pointed at the gateway. It
gets the bot's answers, its `customData.token` says who is asking, and its quick
replies work, with none of the gateway's extras. Fetched by the Makefile (WEBCHAT_JS)."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser.conftest import PageProblems, WebStack, screenshot, static_site


def webchat_js() -> Path:
    path = Path(os.environ.get("WEBCHAT_JS", "var/rasa-webchat-1.0.1/index.js"))
    if not path.exists():
        pytest.fail(f"{path} is missing: `make test` fetches rasa-webchat (make {path})")
    return path


def write_site(root: Path, gateway: str, custom: dict[str, str]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(webchat_js(), root / "webchat.js")
    props = {"socketUrl": gateway, "socketPath": "/socket.io/", "customData": custom,
             "initPayload": "hello", "title": "Acme support", "embedded": True,
             "params": {"storage": "session"}}
    (root / "index.html").write_text(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Acme help center</title>
<link rel="icon" href="data:,"></head>
<body><h1>Acme help center</h1><div id="webchat"></div>
<script src="webchat.js"></script>
<script>WebChat.default({json.dumps(props)}, document.getElementById("webchat"));</script>
</body></html>""")


def test_rasa_webchat_against_the_gateway(
    new_page: Callable[..., Page], web_stack: WebStack, page_problems: PageProblems,
    tmp_path: Path
) -> None:
    # rasa-webchat fetches its default avatar from a CDN; this machine has no internet
    page_problems.allowed.append("net::ERR_NAME_NOT_RESOLVED")
    write_site(tmp_path, web_stack.base,
               {"language": "en", "token": web_stack.token("business-admin")})
    with static_site(tmp_path) as site:
        page = new_page(site + "/index.html")
        widget = page.locator("#webchat")
        # the init payload "hello" is answered by the bot's greeting
        expect(widget).to_contain_text(re.compile("Hi|Hello", re.I), timeout=30_000)
        box = page.get_by_placeholder(re.compile("message", re.I))
        box.fill("what support do I get?")
        box.press("Enter")
        # the token in customData said who is asking
        expect(widget).to_contain_text("You're an admin on a Business account",
                                       timeout=30_000)
        box.fill("I want to talk to a person")
        box.press("Enter")
        expect(widget).to_contain_text("what's going wrong?", timeout=30_000)
        box.fill("Recordings fail for everyone")
        box.press("Enter")
        expect(widget).to_contain_text("How bad is it?", timeout=30_000)
        # the bot's buttons arrive as rasa-webchat quick replies and work
        widget.get_by_text("Many people are affected").click()
        expect(widget).to_contain_text("Is there a workaround", timeout=30_000)
        screenshot(page, "rasa-webchat")
