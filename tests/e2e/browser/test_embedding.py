"""The widget embedded on a help-center page of another origin, against a gateway in
production mode: the page's origin is on the allow-list and its signed token says who
is asking; a page of an origin not on the list gets a clear "not allowed" state."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from bot import identity
from handoff.agents import hash_password
from tests.conftest import Stack
from tests.e2e.browser.conftest import PageProblems, WebStack, start_web_gateway, static_site

# The help center, the gateway and the action server share one secret; the test stack's
# action server runs with the development one, so the production gateway gets it too.
SECRET = identity.secret_from_env()


def write_page(root: Path, gateway: str, token: str) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "index.html").write_text(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Acme help center</title>
<script>window.acmeToken = function () {{ return Promise.resolve("{token}"); }};</script>
</head><body><h1>Acme help center</h1>
<script src="{gateway}/widget.js" data-gateway="{gateway}"
        data-token-callback="acmeToken" data-country="GB" defer></script>
</body></html>""")


@pytest.fixture
def sites(tmp_path: Path, rasa_stack: Stack) -> Iterator[tuple[str, str, str]]:
    """(allowed site, other site, production gateway allowing only the first)."""
    with static_site(tmp_path / "allowed") as allowed, \
            static_site(tmp_path / "other") as other:
        agents = tmp_path / "agents.yml"  # production refuses the demo agents
        agents.write_text(f"agents:\n  - username: lead\n    name: Lee\n    password: "
                          f"\"{hash_password(secrets.token_urlsafe(16))}\"\n")
        gateway_svc, gateway = start_web_gateway(
            rasa_stack, tmp_path / "logs", HANDOFF_ENV="production",
            HELP_CENTER_SECRET=SECRET, AGENT_TOKEN_SECRET=SECRET + "-agents",
            HANDOFF_ALLOWED_ORIGINS=allowed, HANDOFF_AGENTS_FILE=str(agents))
        try:
            yield allowed, other, gateway
        finally:
            gateway_svc.stop()


def test_embedded_on_an_allowed_origin_in_production(
    sites: tuple[str, str, str], new_page: Callable[..., Page], page_problems: PageProblems,
    tmp_path: Path
) -> None:
    allowed, other, gateway = sites
    # the static test sites have no favicon
    page_problems.allowed.append("404 (File not found)")
    token = identity.issue("business-admin", SECRET)
    write_page(tmp_path / "allowed", gateway, token)
    write_page(tmp_path / "other", gateway, token)

    page = new_page(allowed + "/index.html")
    page.get_by_role("button", name="Open chat").click()
    page.get_by_label("Message", exact=True).fill("what support do I get?")
    page.get_by_label("Message", exact=True).press("Enter")
    log = page.get_by_role("log", name="Conversation")
    # the signed token of the page said who is asking
    expect(log).to_contain_text("You're an admin on a Business account", timeout=30_000)

    # a site whose origin is not on the list: refused, and the user is told so
    page_problems.allowed += ["socket.io", "WebSocket", "Failed to load resource",
                              "CORS", "Access-Control-Allow-Origin"]
    stranger = new_page(other + "/index.html")
    stranger.get_by_role("button", name="Open chat").click()
    expect(stranger.get_by_text("connection refused", exact=False).first).to_be_visible(
        timeout=30_000)
    expect(stranger.get_by_role("log", name="Conversation")).not_to_contain_text(
        "Business account")


def test_an_expiring_identity_token_is_refreshed_before_the_next_message(
    web_stack: WebStack, new_page: Callable[..., Page], page_problems: PageProblems,
    tmp_path: Path
) -> None:
    """The widget never refreshed its token: a user who waited past its expiry lost their
    entitlements mid-chat. Here the page's first token has already expired (as after a
    long wait); before the next message the widget asks the page again and sends the
    fresh one, so the answer is for the signed-in Business admin."""
    page_problems.allowed.append("404 (File not found)")
    expired = identity.issue("business-admin", SECRET, ttl_s=60, now=time.time() - 3600)
    fresh = web_stack.token("business-admin")
    (tmp_path / "index.html").write_text(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Acme help center</title>
<script>
  window.calls = 0;
  window.acmeToken = function () {{
    window.calls += 1;
    return Promise.resolve(window.calls === 1 ? "{expired}" : "{fresh}");
  }};
</script></head><body><h1>Acme help center</h1>
<script src="{web_stack.base}/widget.js" data-gateway="{web_stack.base}"
        data-token-callback="acmeToken" defer></script>
</body></html>""")
    with static_site(tmp_path) as site:
        page = new_page(site + "/index.html")
        page.get_by_role("button", name="Open chat").click()
        page.get_by_label("Message", exact=True).fill("what support do I get?")
        page.get_by_label("Message", exact=True).press("Enter")
        log = page.get_by_role("log", name="Conversation")
        expect(log).to_contain_text("You're an admin on a Business account", timeout=30_000)
        assert page.evaluate("window.calls") >= 2
