"""The agent console (/agent) in a real browser against the whole stack. Customers are
driven from Python over the widget protocol (a Socket.IO client, no widget page), so
these tests exercise only the console: sign-in, the live queue, chat tabs, replies,
canned replies, reload, transfer, close and log out. Elements are found by role and
accessible name, the names docs and other tests rely on."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import redis as redis_lib
from playwright.sync_api import Dialog, Locator, Page, expect

from bot import redis_keys
from handoff.lifecycle import queue_score
from tests.e2e.browser.conftest import PROBLEM, Customer, PageProblems, WebStack, screenshot

XSS = ("<img src=x onerror=alert(1)>", "[x](javascript:alert(1))", "<svg onload=alert(1)>")
SLOW = 30_000  # ms, for anything that waits on the bot


# -- console helpers --------------------------------------------------------------------
def sign_in(page: Page, username: str, password: str | None = None) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password or username)  # demo passwords
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    status = page.get_by_label("Status")
    expect(status).to_be_enabled()  # disabled until the server said who and where we are
    expect(status).to_have_value("online")  # first sign-in: online


def console(new_page: Callable[..., Page], username: str = "agent1", **kwargs: Any) -> Page:
    page = new_page("/agent", **kwargs)
    sign_in(page, username)
    return page


def go_away(page: Page) -> None:
    """Away: no auto-assignment, so queued chats stay in the queue for the test."""
    page.get_by_label("Status").select_option("away")
    expect(page.get_by_label("Status")).to_be_enabled()
    expect(page.get_by_label("Status")).to_have_value("away")


def queue_item(page: Page, text: str) -> Locator:
    return page.get_by_role("region", name="Queue").get_by_role("listitem").filter(
        has_text=text)


def tab(page: Page, name: str) -> Locator:
    return page.get_by_role("tablist", name="My chats").get_by_role(
        "tab", name=re.compile("^" + re.escape(name)))


def panel(page: Page) -> Locator:
    return page.get_by_role("tabpanel")  # hidden panels are not in the accessibility tree


def transcript(page: Page) -> Locator:
    return panel(page).get_by_role("log", name="Transcript")


def reply_box(page: Page) -> Locator:
    return page.get_by_label("Reply", exact=True)  # not "Canned reply"


def accept(page: Page, text: str) -> None:
    queue_item(page, text).get_by_role("button", name="Accept").click()


# -- tests ------------------------------------------------------------------------------
def chat_with_bo(new_page: Callable[..., Page], customer: Callable[[str], Customer]
                 ) -> tuple[Page, Customer]:
    """Alice signed in and online; Bo Business asks for a person and is hers at once."""
    page = console(new_page, "agent1")
    bo = customer("business-admin")
    bo.request_human(state="agent")
    expect(tab(page, "Bo Business")).to_be_visible()
    return page, bo


def test_sign_in_wrong_password_then_success_reload_and_log_out(
    new_page: Callable[..., Page], page_problems: PageProblems
) -> None:
    page_problems.allowed.append("status of 401")  # Chromium logs the refused login
    page = new_page("/agent")
    page.get_by_label("Username").fill("agent1")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong username or password.")
    expect(page.get_by_role("button", name="Log out")).to_be_hidden()

    sign_in(page, "agent1")
    expect(page.get_by_text("Alice", exact=True)).to_be_visible()
    expect(page.get_by_role("checkbox", name="Notifications")).to_be_checked()
    expect(page.get_by_role("region", name="Queue")).to_contain_text("No customers are waiting")
    expect(page.get_by_role("button", name="Take next")).to_be_disabled()

    page.reload()  # the token is kept for the tab's session
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.get_by_label("Status")).to_be_enabled()
    expect(page.get_by_label("Status")).to_have_value("online")
    expect(page.get_by_label("Username")).to_be_hidden()

    # Notifications are a per-browser preference that survives sign-out
    page.get_by_role("checkbox", name="Notifications").uncheck()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_label("Username")).to_be_visible()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    page.reload()
    expect(page.get_by_label("Password")).to_be_visible()  # the token is gone
    sign_in(page, "agent1")
    expect(page.get_by_role("checkbox", name="Notifications")).not_to_be_checked()

    # a token the gateway refuses (forged, expired) leads back to the sign-in form
    page.evaluate("() => sessionStorage.setItem('hc.agent.token', 'forged.token.value')")
    page.reload()
    expect(page.get_by_text("Your session has ended. Please sign in again.")).to_be_visible()
    expect(page.get_by_label("Username")).to_have_value("agent1")
    expect(page.get_by_label("Password")).to_be_focused()


def test_queue_accept_chat_with_account_triage_transcript_and_replies(
    new_page: Callable[..., Page], customer: Callable[[str], Customer], web_stack: WebStack
) -> None:
    page = console(new_page)
    go_away(page)
    bo = customer("business-admin")
    bo.request_human()
    # Bo has waited longer than the target response time (P1: 1 hour): queued 3,700 s
    # ago, as the chat and its queue entry would say ...
    client = redis_lib.Redis.from_url(web_stack.redis_url, decode_responses=True)
    try:
        queued_at = time.time() - 3700
        client.hset(redis_keys.chat(bo.chat_id), "waiting_since", str(queued_at))
        client.zadd(redis_keys.QUEUE, {bo.chat_id: queue_score("P1", queued_at)})
    finally:
        client.close()
    # ... which the next queue change shows
    priya = customer("pro-owner")
    priya.request_human("How do I change the recording layout?", "question", "full")

    queue = page.get_by_role("region", name="Queue")
    expect(queue.get_by_role("listitem")).to_have_count(2)
    first, second = queue.get_by_role("listitem").nth(0), queue.get_by_role("listitem").nth(1)
    expect(first).to_contain_text("P1 Urgent")  # priority first, then waiting time
    expect(first).to_contain_text("Plan: Business")
    expect(first).to_contain_text("Role: Admin")
    expect(first).to_contain_text(PROBLEM)
    expect(first).to_contain_text(re.compile(r"Overdue by \d+:\d\d"))  # not colour only
    expect(second).to_contain_text("P4 Low")
    expect(second).to_contain_text("Plan: Pro")
    expect(second).to_contain_text(re.compile(r"Respond within (23:59:\d\d|24:00:00)"))
    waited = second.get_by_text(re.compile(r"^Waiting ")).inner_text()
    expect(second.get_by_text(re.compile(r"^Waiting "))).not_to_have_text(waited)  # ticks
    expect(queue).to_contain_text("2 waiting")
    screenshot(page, "agent-queue")

    accept(page, PROBLEM)
    bo_tab = tab(page, "Bo Business")
    expect(bo_tab).to_have_attribute("aria-selected", "true")
    expect(queue.get_by_role("listitem")).to_have_count(1)
    customer_card = panel(page).get_by_role("region", name="Customer")
    for text in ("Bo Business", "business-admin", "acc-biz-300", "Business", "Admin", "Yes"):
        expect(customer_card).to_contain_text(text)
    triage = panel(page).get_by_role("region", name="Triage")
    expect(triage).to_contain_text("P1 Urgent")
    expect(triage).to_contain_text(PROBLEM)
    expect(triage).to_contain_text("Service down or critically degraded")  # impact
    log = transcript(page)
    expect(log).to_contain_text("Talk to a person")  # the button's title, not /payload
    expect(log).to_contain_text("How bad is it?")  # the bot part of the conversation
    expect(log).to_contain_text("Alice from support joined the chat.")
    expect(log).to_contain_text("Assistant")
    expect(log).to_contain_text("Customer")
    expect(reply_box(page)).to_be_focused()

    # canned reply: "/greet" then Tab, with the customer's first name and mine filled in
    mark = len(bo.events)
    reply_box(page).fill("/gre")
    expect(page.get_by_role("listbox", name="Canned replies")).to_contain_text("/greet")
    reply_box(page).press("Tab")
    expect(reply_box(page)).to_have_value(re.compile(r"^Hi Bo, I'm Alice from support\."))
    bo.wait_for("typing", lambda d: d == {"sender": "agent", "agent": "Alice"}, after=mark)
    reply_box(page).press("Enter")
    expect(reply_box(page)).to_have_value("")
    reply = bo.wait_for("bot_uttered", lambda d: d["metadata"]["sender"] == "agent", after=mark)
    assert reply["text"].startswith("Hi Bo, I'm Alice from support.")
    assert reply["metadata"]["agent"] == "Alice"
    # own messages come back as chat_message too: shown once
    expect(log.get_by_text("I'm Alice from support")).to_have_count(1)

    # Shift+Enter is a new line; the "Canned reply" list inserts at the caret
    reply_box(page).fill("Thanks for waiting.")
    reply_box(page).press("Shift+Enter")
    page.get_by_label("Canned reply").select_option(label="Closing check (/anything-else)")
    expect(reply_box(page)).to_have_value(
        "Thanks for waiting.\nIs there anything else I can help you with today, Bo?")
    panel(page).get_by_role("button", name="Send").click()
    bo.wait_for("bot_uttered", lambda d: d.get("text", "").endswith("today, Bo?"), after=mark)

    # the customer types, then writes
    bo.typing()
    expect(panel(page).get_by_text("Bo Business is typing…")).to_be_visible()
    bo.say("We use the desktop app, version 6.")
    expect(log).to_contain_text("We use the desktop app, version 6.")
    expect(panel(page).get_by_text("Bo Business is typing…")).to_be_hidden()
    expect(bo_tab).to_have_accessible_name("Bo Business")  # read while selected: not unread
    page.set_viewport_size({"width": 1280, "height": 800})
    screenshot(page, "agent-console")
    page.set_viewport_size({"width": 390, "height": 844})
    expect(reply_box(page)).to_be_visible()
    screenshot(page, "agent-console-phone")


def test_two_chats_unread_count_and_take_next(
    new_page: Callable[..., Page], customer: Callable[[str], Customer]
) -> None:
    page = console(new_page)
    go_away(page)
    bo, priya = customer("business-admin"), customer("pro-owner")
    bo.request_human()
    priya.request_human("Recordings have no sound.", "few", "partial")
    expect(page.get_by_role("region", name="Queue").get_by_role("listitem")).to_have_count(2)

    page.get_by_role("button", name="Take next").click()  # Bo: P1 before P3
    expect(tab(page, "Bo Business")).to_have_attribute("aria-selected", "true")
    accept(page, "Recordings have no sound.")
    expect(tab(page, "Priya Pro")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tablist", name="My chats").get_by_role("tab")).to_have_count(2)
    expect(page.get_by_role("region", name="Queue")).to_contain_text("No customers are waiting")
    expect(page.get_by_role("button", name="Take next")).to_be_disabled()
    expect(transcript(page)).to_contain_text("Recordings have no sound.")

    bo.say("Hello? Is anyone there?")
    bo.say("We have a board meeting in an hour.")
    expect(tab(page, "Bo Business")).to_have_accessible_name("Bo Business (2 unread)")
    expect(transcript(page)).not_to_contain_text("Is anyone there?")  # Priya's chat shown
    priya.say("Only in one room.")
    expect(transcript(page)).to_contain_text("Only in one room.")
    expect(tab(page, "Priya Pro")).to_have_accessible_name("Priya Pro")

    # keyboard: arrows move between tabs; the selected one is read
    tab(page, "Priya Pro").focus()
    page.keyboard.press("ArrowLeft")
    expect(tab(page, "Bo Business")).to_be_focused()
    expect(tab(page, "Bo Business")).to_have_accessible_name("Bo Business")
    expect(transcript(page)).to_contain_text("We have a board meeting in an hour.")

    # the draft stays with its chat
    reply_box(page).fill("Draft for Bo")
    tab(page, "Priya Pro").click()
    expect(reply_box(page)).to_have_value("")
    reply_box(page).fill("Which room system is it?")
    reply_box(page).press("Enter")
    priya.wait_for("bot_uttered", lambda d: d.get("text") == "Which room system is it?")
    tab(page, "Bo Business").click()
    expect(reply_box(page)).to_have_value("Draft for Bo")
    assert bo.agent_texts() == []


# Desktop notifications and the beep, observed through stand-ins for the browser APIs
# (headless Chromium shows neither); the page is made to look unfocused, as when the
# agent works in another window.
NOTIFICATION_SPY = """
(() => {
  window.__notes = [];
  window.__beeps = 0;
  class SpyNotification {
    constructor(title, options) { window.__notes.push(title + ": " + (options || {}).body); }
    close() {}
  }
  SpyNotification.permission = "granted";
  SpyNotification.requestPermission = () => Promise.resolve("granted");
  window.Notification = SpyNotification;
  document.hasFocus = () => false;
  const oscillator = AudioContext.prototype.createOscillator;
  AudioContext.prototype.createOscillator = function () {
    window.__beeps += 1;
    return oscillator.call(this);
  };
})();
"""


def test_notifications_for_new_and_assigned_chats_unless_turned_off(
    new_page: Callable[..., Page], customer: Callable[[str], Customer], web_stack: WebStack
) -> None:
    page = new_page("")
    page.add_init_script(NOTIFICATION_SPY)
    page.goto(web_stack.base + "/agent")
    sign_in(page, "agent1")
    go_away(page)

    def notes() -> list[str]:
        return list(page.evaluate("() => window.__notes"))

    bo = customer("business-admin")
    bo.request_human()
    expect(queue_item(page, PROBLEM)).to_be_visible()
    page.wait_for_function("() => window.__notes.length >= 1")
    assert notes()[0].startswith("New chat waiting: P1 Urgent: Bo Business (admin")
    assert page.evaluate("() => window.__beeps") >= 1

    page.get_by_label("Status").select_option("online")  # auto-assignment gives it to me
    expect(tab(page, "Bo Business")).to_be_visible()
    page.wait_for_function("() => window.__notes.length >= 2")
    assert notes()[1].startswith("Chat assigned to you: Bo Business: ")

    page.get_by_role("checkbox", name="Notifications").uncheck()
    go_away(page)
    priya = customer("pro-owner")
    priya.request_human("How do I change the recording layout?", "question", "full")
    expect(queue_item(page, "recording layout")).to_be_visible()
    bo.say("Hello?")
    expect(transcript(page)).to_contain_text("Hello?")
    assert len(notes()) == 2


def test_customer_text_is_never_markup(
    new_page: Callable[..., Page], customer: Callable[[str], Customer]
) -> None:
    page = console(new_page)
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    bo = customer("business-admin")
    # the payloads in the problem end up in the summary and triage too; online, the
    # chat is assigned to the agent at once
    bo.request_human(" ".join(XSS), state="agent")
    expect(tab(page, "Bo Business")).to_be_visible()
    for payload in XSS:
        bo.say(payload)
    log = transcript(page)
    expect(log).to_contain_text(XSS[-1])
    for payload in XSS:
        expect(log.get_by_text(payload, exact=True)).to_have_count(1)  # as typed, as text
    expect(panel(page).get_by_role("region", name="Triage")).to_contain_text(XSS[0])
    assert page.locator("img, svg, iframe, object, embed").count() == 0
    assert page.locator("[onerror], [onload]").count() == 0
    assert page.locator("a[href^='javascript:' i]").count() == 0
    hrefs = page.locator("a[href]").evaluate_all("links => links.map(a => a.protocol)")
    assert set(hrefs) <= {"http:", "https:"}, hrefs
    assert dialogs == []


def test_reload_keeps_sign_in_tab_and_whole_transcript_once(
    new_page: Callable[..., Page], customer: Callable[[str], Customer]
) -> None:
    page, bo = chat_with_bo(new_page, customer)
    bo.say("First message after the handoff.")
    reply_box(page).fill("Looking into it now.")
    reply_box(page).press("Enter")
    bo.wait_for("bot_uttered", lambda d: d.get("text") == "Looking into it now.")
    log = transcript(page)
    expect(log).to_contain_text("First message after the handoff.")
    expect(log.get_by_text("Looking into it now.")).to_have_count(1)
    # the customer may have it before the console has its acknowledgement
    expect(log).not_to_contain_text("Sending…")
    before = log.inner_text()

    page.reload()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(tab(page, "Bo Business")).to_have_attribute("aria-selected", "true")
    expect(transcript(page)).to_contain_text("Looking into it now.")
    assert transcript(page).inner_text() == before  # everything, in order, once
    expect(page.get_by_role("tablist", name="My chats").get_by_role("tab")).to_have_count(1)

    bo.say("Still there after your reload?")
    expect(transcript(page)).to_contain_text("Still there after your reload?")
    reply_box(page).fill("Yes, still here.")
    reply_box(page).press("Enter")
    bo.wait_for("bot_uttered", lambda d: d.get("text") == "Yes, still here.")


def test_transfer_to_a_second_agent(
    new_page: Callable[..., Page], customer: Callable[[str], Customer]
) -> None:
    alice, bo = chat_with_bo(new_page, customer)  # Alice is the only one online
    bo.say("Can you check our account settings?")
    expect(transcript(alice)).to_contain_text("Can you check our account settings?")

    bob = console(new_page, "agent2")
    expect(bob.get_by_role("tablist", name="My chats").get_by_role("tab")).to_have_count(0)
    transfer_to = alice.get_by_label("Transfer to")
    transfer_to.focus()  # refreshes who is online with room
    transfer_to.select_option("agent2")
    expect(transfer_to.locator("option:checked")).to_have_text(re.compile(r"^Bob \(\d free\)"))
    mark = len(bo.events)
    alice.get_by_role("button", name="Transfer").click()

    expect(alice.get_by_text("Transferred to Bob")).to_be_visible()
    expect(tab(alice, "Bo Business")).to_have_count(0)
    expect(alice.get_by_text("No chats assigned to you.")).to_be_visible()
    expect(tab(bob, "Bo Business")).to_have_attribute("aria-selected", "true")
    log = transcript(bob)
    expect(log).to_contain_text("Can you check our account settings?")  # history comes along
    expect(log).to_contain_text("How bad is it?")
    expect(log).to_contain_text("Bob from support took over the chat.")
    bo.wait_for("bot_uttered", lambda d: "Bob from support took over" in d.get("text", ""),
                after=mark)
    reply_box(bob).fill("Hi, Bob here. I have your conversation.")
    reply_box(bob).press("Enter")
    reply = bo.wait_for("bot_uttered", lambda d: d["metadata"]["sender"] == "agent", after=mark)
    assert reply["metadata"]["agent"] == "Bob"


def test_close_with_resolution_asks_the_customer_for_a_rating(
    new_page: Callable[..., Page], customer: Callable[[str], Customer], web_stack: WebStack
) -> None:
    page, bo = chat_with_bo(new_page, customer)
    mark = len(bo.events)
    page.get_by_label("Resolution").select_option("Follow-up by ticket")
    page.get_by_role("button", name="Close chat").click()
    expect(tab(page, "Bo Business")).to_have_count(0)
    expect(page.get_by_text("Closed the chat with Bo Business (Follow-up by ticket).")) \
        .to_be_visible()
    expect(page.get_by_text("No chats assigned to you.")).to_be_visible()
    bo.wait_for("handoff_status", lambda d: d["state"] == "bot", after=mark)
    rating = bo.wait_for("bot_uttered", lambda d: "How would you rate" in d.get("text", ""),
                         after=mark)
    assert [q["payload"] for q in rating["quick_replies"]] == ["1", "2", "3", "4", "5"]
    client = redis_lib.Redis.from_url(web_stack.redis_url, decode_responses=True)
    try:
        assert client.hget(redis_keys.chat(bo.chat_id), "resolution") == "Follow-up by ticket"
    finally:
        client.close()


def test_the_agent_sees_the_customer_leave_and_come_back(
    new_page: Callable[..., Page], customer: Callable[[str], Customer]
) -> None:
    page, bo = chat_with_bo(new_page, customer)
    presence = panel(page).get_by_role("status").filter(
        has_text=re.compile("^.?.?(Online|Left the chat)$"))
    expect(presence).to_have_text(re.compile("Online"))
    chat_id = bo.chat_id
    bo.drop()  # the customer closed the page
    expect(presence).to_have_text(re.compile("Left the chat"))
    bo.connect(chat_id)  # and opened it again
    assert bo.chat_id == chat_id
    expect(presence).to_have_text(re.compile("Online"))
    page.reload()  # the console knows after a reload too
    expect(panel(page).get_by_role("status").filter(
        has_text=re.compile("^.?.?(Online|Left the chat)$"))).to_have_text(re.compile("Online"))


def test_at_capacity_no_chat_is_offered(
    new_page: Callable[..., Page], customer: Callable[[str], Customer]
) -> None:
    page = console(new_page)
    go_away(page)
    users = [("business-admin", "Bo Business"), ("pro-owner", "Priya Pro"),
             ("enterprise-admin", "Erin Enterprise"), ("education-owner", "Eli Education")]
    waiting = [customer(user) for user, _ in users]
    for n, person in enumerate(waiting):
        person.request_human(f"Problem number {n} with our meetings", "few", "full")
    expect(queue_item(page, "Problem number 3")).to_be_visible()
    page.get_by_label("Status").select_option("online")  # 3 of them are assigned (capacity)
    tabs = page.get_by_role("tablist", name="My chats").get_by_role("tab")
    expect(tabs).to_have_count(3)
    queue = page.get_by_role("region", name="Queue")
    expect(queue).to_contain_text("at capacity")
    expect(page.get_by_role("button", name="Take next")).to_be_disabled()
    # the queue follows within its broadcast interval (0.2 s): one chat left in it
    expect(queue.get_by_role("listitem")).to_have_count(1)
    expect(queue.get_by_role("button", name="Accept")).to_be_disabled()
    # closing one frees a place: the waiting chat is assigned, and nothing is offered again
    page.get_by_label("Resolution").select_option(label="Resolved")
    panel(page).get_by_role("button", name="Close chat").click()
    expect(tabs).to_have_count(3)
    expect(tab(page, "Eli Education")).to_be_visible()
    expect(queue).not_to_contain_text("at capacity")


def test_a_long_chat_opens_on_its_newest_messages_and_loads_earlier_ones(
        new_page: Callable[..., Page], customer: Callable[[str], Customer],
        web_stack: WebStack) -> None:
    """A customer who chatted with the assistant for a long time before asking for a
    person: the console shows the newest messages (the handoff among them) at once, and
    earlier ones on request."""
    page = console(new_page, "agent1")
    go_away(page)
    bo = customer("business-admin")

    async def long_history() -> None:
        from redis.asyncio import Redis

        from handoff.lifecycle import Lifecycle, Say
        client = Redis.from_url(web_stack.redis_url, decode_responses=True)
        try:
            lifecycle = Lifecycle(client, capacity=3)
            for start in range(0, 240, 60):
                await lifecycle.say(bo.chat_id, [
                    Say("user" if n % 2 else "bot", f"history line {n + 1}")
                    for n in range(start, start + 60)])
        finally:
            await client.aclose()

    bo._run(long_history())
    bo.request_human()
    accept(page, "Bo Business")
    log = transcript(page)
    expect(log).to_contain_text("connecting you with a support specialist")  # the newest
    expect(log.get_by_text("history line 240", exact=True)).to_be_visible()
    expect(log.get_by_text("history line 1", exact=True)).to_have_count(0)
    earlier = panel(page).get_by_role("button", name="Load earlier messages")
    expect(earlier).to_be_visible()
    earlier.click()
    expect(log.get_by_text("history line 1", exact=True)).to_have_count(1)
    expect(earlier).to_be_hidden()  # nothing earlier left
    numbers = [int(m) for m in re.findall(r"history line (\d+)\b", log.inner_text())]
    assert numbers == list(range(1, 241))  # each once, in order
