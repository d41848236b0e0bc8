"""The whole handoff as people see it: a paid admin on the help-center page and an agent
in the console, in two browser contexts, both reloading mid-chat, ending with the
user's rating stored. Everything is found by role and accessible name."""

from __future__ import annotations

import re
from collections.abc import Callable

import redis as redis_lib
from playwright.sync_api import Page, expect

from tests.e2e.browser.conftest import WebStack, screenshot
from tests.e2e.browser.widget_steps import OPEN_CHAT, conversation, triage_to_queue


def sign_in_agent(page: Page, username: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(username)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_label("Status")).to_have_value(re.compile("online", re.I))


def test_paid_admin_handed_to_agent_and_back_with_rating(
    new_page: Callable[..., Page], web_stack: WebStack
) -> None:
    agent = new_page("/agent")
    sign_in_agent(agent, "agent1")

    user = new_page("/")
    log = triage_to_queue(user, "Cloud recordings fail for the whole team")

    # the agent is online: the chat is assigned at once, and both sides see it
    expect(log).to_contain_text("Alice from support joined the chat.")
    expect(user.get_by_text(re.compile("Chatting with Alice")).first).to_be_visible()
    tab = agent.get_by_role("tab", name=re.compile(r"^Bo Business"))
    expect(tab).to_be_visible()
    tab.click()
    transcript = agent.get_by_role("log", name="Transcript")
    expect(transcript).to_contain_text("Cloud recordings fail for the whole team")
    expect(transcript).to_contain_text("How bad is it?")  # the bot part is there
    panel = agent.get_by_role("tabpanel")
    expect(panel).to_contain_text("business")  # the account card
    expect(panel).to_contain_text("acc-biz-300")
    expect(panel).to_contain_text("P2")  # many affected, partial workaround

    agent.get_by_label("Reply", exact=True).fill("Hi, I'm Alice. Which browser do you record from?")
    agent.get_by_label("Reply", exact=True).press("Enter")
    expect(log).to_contain_text("Which browser do you record from?")
    user.get_by_label("Message", exact=True).fill("Chrome, on Windows")
    user.get_by_label("Message", exact=True).press("Enter")
    expect(transcript).to_contain_text("Chrome, on Windows")
    screenshot(user, "widget-with-agent")
    screenshot(agent, "agent-console-chat")

    # both reload mid-chat: everything comes back, once, in order
    before = conversation(user).inner_text()
    user.reload()
    user.get_by_role("button", name=OPEN_CHAT).click()
    log = conversation(user)
    expect(log).to_contain_text("Chrome, on Windows")
    after = log.inner_text()
    for line in ("Which browser do you record from?", "Chrome, on Windows",
                 "Alice from support joined the chat."):
        assert after.count(line) == before.count(line) == 1, line
    assert after.index("what's going wrong?") < after.index("Alice from support joined") \
        < after.index("Which browser") < after.index("Chrome, on Windows")
    expect(user.get_by_text(re.compile("Chatting with Alice")).first).to_be_visible()

    agent.reload()
    tab = agent.get_by_role("tab", name=re.compile(r"^Bo Business"))
    expect(tab).to_be_visible()
    tab.click()
    transcript = agent.get_by_role("log", name="Transcript")
    expect(transcript).to_contain_text("Chrome, on Windows")
    assert transcript.inner_text().count("Which browser do you record from?") == 1

    # after the reloads the chat still works both ways
    user.get_by_label("Message", exact=True).fill("Still there?")
    user.get_by_label("Message", exact=True).press("Enter")
    expect(transcript).to_contain_text("Still there?")

    agent.get_by_label("Resolution").select_option(label="Resolved")
    agent.get_by_role("button", name="Close chat").click()
    expect(agent.get_by_role("tab", name=re.compile(r"^Bo Business"))).to_have_count(0)
    rating = user.get_by_role("radiogroup", name="Rate this conversation")
    expect(rating).to_be_visible()
    screenshot(user, "widget-rating")
    rating.get_by_role("radio", name=re.compile(r"^5")).check()
    user.get_by_label("Comment (optional)").fill("Quick and friendly")
    user.get_by_role("button", name="Submit rating").click()
    expect(log).to_contain_text("Thank you for your feedback")
    expect(rating).to_have_count(0)

    client = redis_lib.Redis.from_url(web_stack.redis_url, decode_responses=True)
    try:
        chats = [client.hgetall(k) for k in client.scan_iter("hc:chat:*")
                 if k.count(":") == 2]
    finally:
        client.close()
    rated = [c for c in chats if c.get("csat_rating")]
    assert len(rated) == 1
    assert (rated[0]["csat_rating"], rated[0]["csat_comment"], rated[0]["resolution"]) == \
        ("5", "Quick and friendly", "Resolved")
    assert rated[0]["user_id"] == "business-admin" and rated[0]["state"] == "bot"
