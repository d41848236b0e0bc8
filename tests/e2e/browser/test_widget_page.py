"""The chat widget on the demo help-center page, as a visitor uses it: keyboard only, signed
in as a free user, hostile input, reloads, the unread badge and two tabs, a phone, a
dropped network and a lost acknowledgement, the queue, a specialist typing, and a
help-center page on another origin. Real gateway, Rasa, actions and Redis; elements are
found by role and accessible name."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
import redis as redis_lib
from playwright.sync_api import Dialog, Page, WebSocketRoute, expect

from tests.e2e.browser.conftest import WebStack, screenshot, static_site
from tests.e2e.browser.widget_steps import (
    OPEN_CHAT,
    conversation,
    open_chat,
    say,
    triage_to_queue,
)

TIME = re.compile(r"\b\d{1,2}:\d{2}(\s?[AP]M)?\b")


def wait_answered(page: Page) -> None:
    """Every message of ours is stored and the assistant has finished answering."""
    log = conversation(page)
    expect(log.get_by_text(re.compile(r"^(Sending|Waiting for connection|Not sent yet\. "
                                      r"Retrying)…$"))).to_have_count(0)
    expect(page.get_by_text("Assistant is typing…")).to_be_hidden()


def messages(page: Page) -> list[str]:
    """The conversation as a list of message texts, in order, times taken out."""
    log = conversation(page)
    texts = log.evaluate("""log => Array.from(log.children).map(m => m.innerText)""")
    return [TIME.sub("", t).strip() for t in texts]


def test_anonymous_visitor_asks_by_keyboard_only(new_page: Callable[..., Page],
                                                 web_stack: WebStack) -> None:
    page = new_page("/")
    expect(page.get_by_role("heading", name="Help Center", level=1)).to_be_visible()
    launcher = page.get_by_role("button", name="Open chat")
    expect(launcher).to_be_visible()
    for _ in range(60):  # Tab through the page until the launcher has focus
        page.keyboard.press("Tab")
        if launcher.evaluate("el => el === document.activeElement"):
            break
    expect(launcher).to_be_focused()
    page.keyboard.press("Enter")
    message = page.get_by_label("Message")
    expect(message).to_be_focused()
    page.keyboard.type("first line")
    page.keyboard.press("Shift+Enter")  # a new line, not a send
    page.keyboard.type("second line")
    expect(message).to_have_value("first line\nsecond line")
    assert messages(page) == []
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Backspace")
    page.keyboard.type("how fast will you get back to me on a P2")
    page.keyboard.press("Enter")

    log = conversation(page)
    mine = log.get_by_text("how fast will you get back to me on a P2")
    expect(mine).to_be_visible()
    link = log.get_by_role("link", name=re.compile("response times", re.I)).last
    expect(link).to_be_visible()
    href = link.get_attribute("href") or ""
    assert re.match(r"^https?://", href), href
    assert urlparse(href).path == "/kb/en/response-times"
    assert link.get_attribute("target") == "_blank"
    assert set((link.get_attribute("rel") or "").split()) >= {"noopener", "noreferrer"}
    # the link opens the article on the help center, in a new tab
    assert href == web_stack.base + "/kb/en/response-times"
    with page.context.expect_page() as opened:
        link.click()
    article = opened.value
    expect(article.get_by_role("heading", level=1)).to_contain_text(
        re.compile("response time", re.I))
    article.close()
    wait_answered(page)
    assert messages(page)[0].startswith("You")
    assert messages(page)[1].startswith("Assistant")
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "widget-answer")

    # Escape closes the panel and gives focus back to the launcher
    page.keyboard.press("Escape")
    expect(page.get_by_role("region", name="Support chat")).to_be_hidden()
    expect(page.get_by_role("button", name="Open chat")).to_be_focused()


def test_free_user_asking_for_a_person_is_refused_without_queueing(
        new_page: Callable[..., Page]) -> None:
    page = new_page("/")
    log = open_chat(page)
    say(page, "hello there")  # as an anonymous visitor first
    expect(log).to_contain_text("Help Center assistant")
    wait_answered(page)

    sign_in = page.get_by_label("Sign in as")
    expect(sign_in.get_by_role("option", name="Anonymous visitor")).to_have_count(1)
    expect(sign_in.get_by_role("option", name="Bea Basic - basic owner")).to_have_count(1)
    sign_in.select_option("basic-owner")
    expect(page.get_by_role("status").filter(has_text="Signed in as Bea Basic")).to_be_visible()
    expect(log.get_by_text("hello there")).to_have_count(0)  # another person: a new chat
    page.get_by_role("button", name="Talk to a person").click()
    expect(log).to_contain_text("Basic (free)")
    # what the user clicked is shown, not the payload behind it
    expect(log.get_by_text("Talk to a person", exact=True)).to_have_count(1)
    expect(log).not_to_contain_text("/request_human")
    wait_answered(page)
    expect(page.get_by_role("button", name="Leave queue")).to_have_count(0)
    expect(page.get_by_text(re.compile("Waiting for a specialist|in line"))).to_have_count(0)
    expect(page.get_by_role("button", name="Talk to a person")).to_be_visible()

    # the bot's suggestions are buttons under its last message; one click answers
    suggestions = log.get_by_role("group", name="Suggested replies")
    expect(suggestions).to_have_count(1)
    first = suggestions.get_by_role("button").first
    title = first.inner_text()
    first.click()
    expect(log.get_by_text(title, exact=True)).to_have_count(1)  # now as our message
    wait_answered(page)
    assert messages(page)[-1].startswith(("Assistant", "Support"))


XSS = ["<img src=x onerror=alert(1)>", "[click](javascript:alert(1))",
       "<svg onload=alert(1)>"]


def test_hostile_text_stays_text(new_page: Callable[..., Page]) -> None:
    page = new_page("/")
    dialogs: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()
    page.on("dialog", dismiss)
    log = open_chat(page)
    for payload in XSS:
        say(page, payload)
        expect(log.get_by_text(payload, exact=True)).to_have_count(1)
        wait_answered(page)

    def check() -> None:
        for payload in XSS:
            expect(log.get_by_text(payload, exact=True)).to_have_count(1)
        assert log.locator("img, svg, script, iframe").count() == 0
        assert page.locator("[href^='javascript:' i], [src^='javascript:' i]").count() == 0
        handlers = log.evaluate("""log => Array.from(log.querySelectorAll('*')).flatMap(
            el => Array.from(el.attributes).map(a => a.name)).filter(n => n.startsWith('on'))""")
        assert handlers == []
        assert dialogs == []

    check()
    page.reload()  # the stored transcript comes back just as harmless
    log = open_chat(page)
    expect(log.get_by_text(XSS[-1], exact=True)).to_have_count(1)
    check()

    # New conversation asks first (inline), then starts from an empty log
    page.get_by_role("button", name="New conversation").click()
    page.get_by_role("button", name="Start over").click()
    expect(log.get_by_text(XSS[0], exact=True)).to_have_count(0)
    expect(page.get_by_label("Message")).to_be_focused()
    say(page, "is the help center open on weekends")
    expect(log.get_by_role("link", name=re.compile("Help Center", re.I))).to_be_visible()
    wait_answered(page)
    assert XSS[0] not in log.inner_text()


def test_queue_without_specialists_then_leave(new_page: Callable[..., Page],
                                              web_stack: WebStack) -> None:
    page = new_page("/")
    log = triage_to_queue(page)
    status = page.get_by_role("status").filter(has_text="Waiting for a specialist")
    expect(status).to_contain_text("No specialist is online right now — you keep your place")
    expect(status).to_contain_text("next in line")
    expect(page.get_by_role("button", name="Talk to a person")).to_have_count(0)
    screenshot(page, "widget-queued")
    # the place survives a reload
    page.reload()
    log = open_chat(page)
    expect(status).to_be_visible()

    page.get_by_role("button", name="Leave queue").click()
    expect(log).to_contain_text("You've left the queue.")
    expect(status).to_have_count(0)
    expect(page.get_by_role("button", name="Leave queue")).to_have_count(0)
    expect(page.get_by_role("button", name="Talk to a person")).to_be_visible()
    client = redis_lib.Redis.from_url(web_stack.redis_url, decode_responses=True)
    try:
        assert client.zcard("hc:queue") == 0
    finally:
        client.close()


def test_specialist_typing_and_replies_show_with_their_name(
        new_page: Callable[..., Page]) -> None:
    agent = new_page("/agent")
    agent.get_by_label("Username").fill("agent1")
    agent.get_by_label("Password").fill("agent1")
    agent.get_by_role("button", name="Sign in").click()
    expect(agent.get_by_label("Status")).to_have_value(re.compile("online", re.I))

    page = new_page("/")
    log = triage_to_queue(page)
    expect(page.get_by_role("status").filter(has_text="Chatting with Alice")).to_be_visible()
    agent.get_by_role("tab", name=re.compile(r"^Bo Business")).click()
    agent.get_by_role("textbox", name="Reply").press_sequentially("Hello from Alice", delay=20)
    expect(page.get_by_text("Alice is typing…")).to_be_visible()
    agent.get_by_role("textbox", name="Reply").press("Enter")
    expect(log).to_contain_text("Hello from Alice")
    reply = log.get_by_text("Hello from Alice")
    expect(log.get_by_text("Alice", exact=True).last).to_be_visible()
    expect(reply).to_have_count(1)
    expect(page.get_by_text("Alice is typing…")).to_be_hidden(timeout=6000)
    say(page, "Thanks, here is more detail")
    expect(agent.get_by_role("log", name="Transcript")).to_contain_text(
        "Thanks, here is more detail")
    wait_answered(page)


def test_reload_brings_every_message_back_once_in_order(new_page: Callable[..., Page]) -> None:
    page = new_page("/")
    open_chat(page)
    questions = ["whats the phone number for support in the UK", "who can file a web ticket",
                 "are you a real person?"]
    for question in questions:
        say(page, question)
        wait_answered(page)
    before = messages(page)
    assert len(before) >= 6
    for question in questions:
        assert sum(question in m for m in before) == 1

    page.reload()
    open_chat(page)
    expect(conversation(page)).to_contain_text(questions[-1])
    wait_answered(page)
    after = messages(page)
    assert after == before
    positions = [next(i for i, m in enumerate(after) if q in m) for q in questions]
    assert positions == sorted(positions)


def test_unread_badge_while_closed_and_tabs_stay_in_sync(
        new_page: Callable[..., Page], web_stack: WebStack) -> None:
    page = new_page("/")
    open_chat(page)
    say(page, "hello there")
    wait_answered(page)
    page.keyboard.press("Escape")
    expect(page.get_by_role("button", name="Open chat", exact=True)).to_be_focused()

    # the same visitor asks from a second tab of the same chat while the first is closed
    other = page.context.new_page()
    other.goto(web_stack.base + "/")
    open_chat(other)
    expect(conversation(other)).to_contain_text("hello there")  # the chat is shared
    say(other, "who can file a web ticket")
    wait_answered(other)

    launcher = page.get_by_role("button", name=re.compile(r"^Open chat, \d+ unread$"))
    expect(launcher).to_be_visible()
    count = int(re.findall(r"\d+", launcher.get_attribute("aria-label") or "")[0])
    assert count >= 1
    expect(launcher).to_contain_text(str(count))  # the visible badge
    launcher.click()
    # the first tab shows the other tab's question too, in its place
    expect(conversation(page)).to_contain_text("who can file a web ticket")
    wait_answered(page)
    assert messages(page) == messages(other)
    page.get_by_role("button", name="Close chat").click()
    expect(page.get_by_role("button", name="Open chat", exact=True)).to_be_focused()
    page.reload()  # read stays read
    expect(page.get_by_role("button", name="Open chat", exact=True)).to_be_visible()
    other.close()


def test_phone_width_is_full_screen_and_usable(new_page: Callable[..., Page]) -> None:
    page = new_page("/", viewport={"width": 390, "height": 844}, is_mobile=True,
                    has_touch=True, device_scale_factor=2)
    log = open_chat(page)
    panel = page.get_by_role("region", name="Support chat").bounding_box()
    assert panel is not None
    assert (panel["x"], panel["y"]) == (0, 0)
    assert panel["width"] == 390 and panel["height"] == 844
    say(page, "are you a real person?")
    expect(log.get_by_text("Assistant", exact=True).first).to_be_visible()
    wait_answered(page)
    for name in ("Send", "Talk to a person", "New conversation", "Close chat"):
        box = page.get_by_role("button", name=name, exact=True).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, name
        assert box["y"] >= 0 and box["y"] + box["height"] <= 844, name
    # nothing wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "widget-phone")
    # the page behind is covered: Tab and Shift+Tab go round inside the chat
    inside = "document.activeElement.closest('[aria-label=\"Support chat\"]') !== null"
    for key in ["Tab"] * 12 + ["Shift+Tab"] * 12:
        page.keyboard.press(key)
        assert page.evaluate(inside), key
    page.get_by_role("button", name="Close chat").click()
    expect(page.get_by_role("button", name="Open chat")).to_be_visible()


def test_offline_shows_reconnecting_and_delivers_once(new_page: Callable[..., Page]) -> None:
    page = new_page("/")
    log = open_chat(page)
    say(page, "are you a real person?")
    wait_answered(page)

    page.context.set_offline(True)
    status = page.get_by_role("status").filter(has_text="Reconnecting…")
    expect(status).to_be_visible()
    say(page, "whats the phone number for support in the UK")
    expect(log.get_by_text("Waiting for connection…")).to_be_visible()
    page.context.set_offline(False)
    expect(status).to_have_count(0)
    wait_answered(page)
    expect(log.get_by_role("link", name=re.compile("Phone support", re.I))).to_be_visible()
    assert sum("whats the phone number" in m for m in messages(page)) == 1

    page.reload()
    log = open_chat(page)
    expect(log).to_contain_text("whats the phone number for support in the UK")
    wait_answered(page)
    assert sum("whats the phone number" in m for m in messages(page)) == 1


def test_message_whose_acknowledgement_was_lost_is_resent_and_stored_once(
        new_page: Callable[..., Page], web_stack: WebStack) -> None:
    """The connection drops after the gateway stored and answered a message but before
    its acknowledgement arrived: the widget re-sends it with the same client_msg_id after
    reconnecting, and the gateway keeps (and answers) it once."""
    page = new_page(None)
    sabotage = {"armed": True, "dropped": 0}

    def route(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()
        utterances: set[str] = set()

        def from_page(message: str | bytes) -> None:
            if isinstance(message, str):
                match = re.match(r'^42(\d+)\["user_uttered"', message)
                if match:
                    utterances.add(match.group(1))
            server.send(message)

        def from_server(message: str | bytes) -> None:
            if isinstance(message, str) and sabotage["armed"]:
                match = re.match(r"^43(\d+)\[", message)
                if match and match.group(1) in utterances:
                    sabotage["armed"] = False
                    sabotage["dropped"] += 1
                    ws.close()
                    server.close()
                    return
            ws.send(message)
        ws.on_message(from_page)
        server.on_message(from_server)

    page.route_web_socket(re.compile(r"/socket\.io/"), route)
    page.goto(web_stack.base + "/")
    log = open_chat(page)
    say(page, "who can file a web ticket")
    expect(log.get_by_role("link", name=re.compile("Web tickets", re.I))).to_be_visible()
    wait_answered(page)
    assert sabotage["dropped"] == 1
    texts = messages(page)
    assert sum("who can file a web ticket" in t for t in texts) == 1
    assert sum(t.startswith("Assistant") for t in texts) == 1

    page.reload()  # the stored transcript agrees: one question, one answer
    open_chat(page)
    expect(conversation(page)).to_contain_text("who can file a web ticket")
    wait_answered(page)
    assert messages(page) == texts


def test_store_unreachable_the_widget_says_so_and_sends_once_it_can(
        new_page: Callable[..., Page], web_stack: WebStack) -> None:
    """The gateway cannot reach its store (Redis down): it refuses the chat twice and a
    message once with `unavailable` (nothing stored; here the refusals are made in the
    page's WebSocket route, so the gateway never sees those attempts). The widget says
    what is happening, keeps asking with backoff, and the message is stored and answered
    once when the store is back."""
    page = new_page(None)
    refuse = {"session_request": 2, "user_uttered": 1}
    seen = {"session_request": 0, "user_uttered": 0}
    unavailable = ('{"ok":false,"code":"unavailable","message":"We can\'t reach our '
                   'message store right now, so this was not saved."}')

    def route(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def from_page(message: str | bytes) -> None:
            match = re.match(r'^42(\d+)\["(session_request|user_uttered)"', message) \
                if isinstance(message, str) else None
            if match and refuse[match.group(2)] > 0:
                refuse[match.group(2)] -= 1
                seen[match.group(2)] += 1
                ws.send(f"43{match.group(1)}[{unavailable}]")  # as the gateway would
                return
            server.send(message)
        ws.on_message(from_page)
        server.on_message(ws.send)

    page.route_web_socket(re.compile(r"/socket\.io/"), route)
    page.goto(web_stack.base + "/")
    page.get_by_role("button", name=OPEN_CHAT).click()
    expect(page.get_by_role("status").filter(
        has_text="Can’t reach the chat service right now. Retrying…")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Retrying")).to_have_count(0,
                                                                               timeout=15000)
    assert seen["session_request"] == 2
    log = conversation(page)
    say(page, "who can file a web ticket")
    expect(log.get_by_text("Not sent yet. Retrying…")).to_be_visible()
    expect(log.get_by_role("link", name=re.compile("Web tickets", re.I))).to_be_visible(
        timeout=15000)
    wait_answered(page)
    assert seen["user_uttered"] == 1
    texts = messages(page)
    assert sum("who can file a web ticket" in t for t in texts) == 1
    page.reload()  # the stored transcript agrees
    open_chat(page)
    wait_answered(page)
    assert messages(page) == texts


@pytest.fixture
def other_origin(web_stack: WebStack, tmp_path: Path) -> Iterator[str]:
    """A help-center page on another origin (another port) embedding the widget with the
    one script tag, its identity token handed over by a Promise."""
    token = web_stack.token("pro-owner")
    (tmp_path / "index.html").write_text(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Partner help center</title>
<link rel="icon" href="data:,">
<script>window.partnerToken = () => Promise.resolve({token!r});</script>
<script src="{web_stack.base}/widget.js" data-token-callback="partnerToken"
        data-country="DE" data-language="en" data-title="Partner support" defer></script>
<style>button {{ background: hotpink; padding: 30px; }} p {{ font-size: 40px; }}</style>
</head><body><h1>Partner help center</h1><p>Our own page.</p></body></html>""")
    with static_site(tmp_path) as site:
        yield site + "/"


def test_widget_embedded_on_another_origin(new_page: Callable[..., Page],
                                           other_origin: str) -> None:
    page = new_page(other_origin)
    expect(page.get_by_role("heading", name="Partner help center")).to_be_visible()
    log = open_chat(page)
    expect(page.get_by_role("heading", name="Partner support")).to_be_visible()
    say(page, "who can file a web ticket")
    expect(log.get_by_role("link").first).to_be_visible()
    wait_answered(page)
    # docked bottom-right, and the host page's CSS did not restyle it
    panel = page.get_by_role("region", name="Support chat").bounding_box()
    assert panel is not None and panel["x"] + panel["width"] > 1200
    assert panel["y"] + panel["height"] > 750
    send = page.get_by_role("button", name="Send")
    assert send.evaluate("b => getComputedStyle(b).backgroundColor") != "rgb(255, 105, 180)"
    sizes = log.evaluate(
        "l => Array.from(l.querySelectorAll('p'), p => getComputedStyle(p).fontSize)")
    assert sizes and "40px" not in sizes
    # the signed-in identity came through the Promise: a pro owner may talk to a person
    page.get_by_role("button", name="Talk to a person").click()
    expect(log).to_contain_text("what's going wrong?")


def test_markdown_renderer_is_a_safe_subset(new_page: Callable[..., Page]) -> None:
    page = new_page("/")
    expect(page.get_by_role("button", name="Open chat")).to_be_visible()
    rendered = page.evaluate("""() => {
        const out = {};
        const html = t => {
          const d = document.createElement('div');
          d.appendChild(window.HelpCenterMarkdown.render(t));
          return d.innerHTML;
        };
        out.inline = html('**bold** and *it* and _it2_ and `code <b>` here');
        out.list = html('Intro:\\n- one\\n- two\\n\\nAfter');
        out.link = html('See [the article](https://example.com/a?b=1) now');
        out.bare = html('Go to http://127.0.0.1:8080/kb/en/web-tickets.');
        out.js = html('[click](javascript:alert(1)) and [x](data:text/html,hi)');
        out.html = html('<img src=x onerror=alert(1)> <svg onload=alert(1)>');
        out.snake = html('use snake_case_names here');
        return out;
    }""")
    assert rendered["inline"] == ("<p><strong>bold</strong> and <em>it</em> and <em>it2</em> "
                                  "and <code>code &lt;b&gt;</code> here</p>")
    assert rendered["list"] == "<p>Intro:</p><ul><li>one</li><li>two</li></ul><p>After</p>"
    assert rendered["link"] == ('<p>See <a href="https://example.com/a?b=1" target="_blank" '
                                'rel="noopener noreferrer">the article</a> now</p>')
    assert rendered["bare"] == ('<p>Go to <a href="http://127.0.0.1:8080/kb/en/web-tickets" '
                                'target="_blank" rel="noopener noreferrer">'
                                'http://127.0.0.1:8080/kb/en/web-tickets</a>.</p>')
    assert "<a" not in rendered["js"] and "javascript:alert(1)" in rendered["js"]
    assert rendered["html"] == ("<p>&lt;img src=x onerror=alert(1)&gt; "
                                "&lt;svg onload=alert(1)&gt;</p>")
    assert rendered["snake"] == "<p>use snake_case_names here</p>"
