"""Steps of a visitor using the chat widget, shared by the browser tests; every element
is found by role and accessible name."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

OPEN_CHAT = re.compile(r"^Open chat")


def conversation(page: Page) -> Locator:
    return page.get_by_role("log", name="Conversation")


def open_chat(page: Page) -> Locator:
    page.get_by_role("button", name=OPEN_CHAT).click()
    expect(page.get_by_role("region", name="Support chat")).to_be_visible()
    expect(page.get_by_label("Message")).to_be_focused()
    return conversation(page)


def say(page: Page, text: str) -> None:
    box = page.get_by_label("Message")
    box.fill(text)
    box.press("Enter")
    expect(box).to_have_value("")


def triage_to_queue(page: Page, problem: str = "Nobody on our team can share their screen"
                    ) -> Locator:
    """A paid admin asks for a person and answers the assistant's triage questions."""
    page.get_by_label("Sign in as").select_option("business-admin")
    expect(page.get_by_role("status").filter(has_text="Signed in as Bo Business")).to_be_visible()
    log = open_chat(page)
    page.get_by_role("button", name="Talk to a person").click()
    expect(log).to_contain_text("what's going wrong?")
    say(page, problem)
    expect(log).to_contain_text("How bad is it?")
    page.get_by_role("button", name="Many people are affected").click()
    expect(log).to_contain_text("Is there a workaround")
    page.get_by_role("button", name="A partial one").click()
    expect(log).to_contain_text("meeting ID")
    page.get_by_role("button", name="Skip").click()
    return log
