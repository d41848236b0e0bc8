"""Issue 14 in the agent console: agent assist (suggested articles, one inserted and
edited before it is sent), internal notes (never the customer's, not even in their copy
of the chat) and handing a chat back to the bot; the widget's "Download transcript" once
the chat is finished. Elements are found only by role and accessible name; axe checks
each new view."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.browser.conftest import Customer, screenshot
from tests.e2e.browser.test_accessibility import violations
from tests.e2e.browser.test_agent_console import console, panel, reply_box, tab, transcript
from tests.e2e.browser.test_handoff_pages import sign_in_agent
from tests.e2e.browser.widget_steps import conversation, say, triage_to_queue

NOTE = "Internal: their recorder quota may be full, check before promising anything"


def test_assist_answer_edited_note_kept_internal_and_transcript_download(
    new_page: Callable[..., Page]
) -> None:
    agent = new_page("/agent", bypass_csp=True)  # to inject axe
    sign_in_agent(agent, "agent1")
    user = new_page("/", bypass_csp=True)
    log = triage_to_queue(user, "Cloud recordings fail for the whole team")
    expect(log).to_contain_text("Alice from support joined the chat.")
    expect(tab(agent, "Bo Business")).to_be_visible()

    # the articles matching what Bo wrote, beside the chat
    assist = panel(agent).get_by_role("region", name="Suggested articles")
    expect(assist.get_by_role("listitem").first).to_be_visible()
    first = assist.get_by_role("listitem").first
    title = first.get_by_role("link").inner_text()
    expect(first.get_by_role("link")).to_have_attribute("href", re.compile(r"^http.*/kb/en/"))
    link = first.get_by_role("link").get_attribute("href")
    # keyboard: focus "Insert answer" and press Enter; the answer goes into Reply only
    insert = first.get_by_role("button", name="Insert answer")
    expect(insert).to_have_accessible_description(title)
    insert.focus()
    agent.keyboard.press("Enter")
    box = reply_box(agent)
    expect(box).to_be_focused()
    expect(box).to_have_value(re.compile(r"More: " + re.escape(str(link)) + "$"))
    inserted = box.input_value()
    assert len(inserted) > len(f"More: {link}") + 20
    expect(log).not_to_contain_text("More: ")  # nothing sent yet
    # edited before sending: a greeting first, a question last
    box.press("Control+Home")
    box.type("Hi Bo! ")
    box.press("Control+End")
    box.type(" Does that help?")
    box.press("Enter")
    expect(box).to_have_value("")
    edited = "Hi Bo! " + inserted + " Does that help?"
    expect(log).to_contain_text("Does that help?")
    assert log.inner_text().count("Hi Bo! ") == 1
    expect(transcript(agent)).to_contain_text("Does that help?")

    # an internal note: marked as such in the transcript, never shown to the customer
    notes = panel(agent).get_by_role("region", name="Internal notes")
    notes.get_by_label("Internal note").fill(NOTE)
    notes.get_by_label("Internal note").press("Control+Enter")  # keyboard: adds it
    expect(notes.get_by_label("Internal note")).to_have_value("")
    note_item = transcript(agent).get_by_role("listitem").filter(has_text=NOTE)
    expect(note_item).to_contain_text("Internal note")
    expect(note_item).to_contain_text("Alice")
    problems = violations(agent)
    assert problems == [], "\n".join(problems)  # assist, notes, a note in the transcript
    assist.scroll_into_view_if_needed()
    screenshot(agent, "agent-console-assist")

    say(user, "Thanks, I'll check the storage")
    expect(transcript(agent)).to_contain_text("I'll check the storage")
    # placed after the message it followed, also when it comes with `assigned` (a reload)
    agent.reload()
    tab(agent, "Bo Business").click()
    text = transcript(agent).inner_text()
    assert text.index("Does that help?") < text.index(NOTE) < text.index("check the storage")
    expect(conversation(user)).not_to_contain_text(NOTE)
    expect(user.get_by_text(NOTE)).to_have_count(0)

    # finished: closed and rated, then the customer's copy
    agent.get_by_label("Resolution").select_option(label="Resolved")
    agent.get_by_role("button", name="Close chat").click()
    rating = user.get_by_role("radiogroup", name="Rate this conversation")
    rating.get_by_role("radio", name=re.compile(r"^4")).check()
    user.get_by_role("button", name="Submit rating").click()
    expect(log).to_contain_text("Thank you for your feedback")
    download_button = user.get_by_role("button", name="Download transcript")
    expect(download_button).to_be_visible()
    expect(download_button).to_have_accessible_description(
        "A copy of this conversation, as a text file.")
    problems = violations(user)
    assert problems == [], "\n".join(problems)  # the widget offering the copy
    screenshot(user, "widget-transcript-download")
    download_button.focus()
    with user.expect_download() as info:
        user.keyboard.press("Enter")
    download = info.value
    assert re.fullmatch(r"[\w.-]+\.txt", download.suggested_filename), download.suggested_filename
    content = Path(download.path()).read_text(encoding="utf-8")
    for line in ("Cloud recordings fail for the whole team", "I'll check the storage",
                 "Alice", "Talk to a person"):
        assert line in content, line
    assert edited.splitlines()[0] in content and "Does that help?" in content
    assert NOTE not in content and "Internal" not in content
    expect(user.get_by_role("status").filter(has_text="Transcript downloaded.")).to_be_visible()


def test_hand_back_to_the_bot_after_a_confirmation(
    new_page: Callable[..., Page], customer: Callable[[str], Customer]
) -> None:
    page = console(new_page, "agent1", bypass_csp=True)  # to inject axe
    bo = customer("business-admin")
    bo.request_human(state="agent")
    expect(tab(page, "Bo Business")).to_be_visible()
    hand_back = page.get_by_role("button", name="Hand back to the bot")
    expect(hand_back).to_have_attribute("aria-expanded", "false")
    hand_back.click()
    confirm = page.get_by_role("group", name=re.compile("^Hand this chat back to the assistant"))
    expect(confirm).to_be_visible()
    yes = confirm.get_by_role("button", name="Yes, hand back")
    expect(yes).to_be_focused()
    problems = violations(page)
    assert problems == [], "\n".join(problems)  # the confirmation open
    # Escape keeps the chat and returns to the button
    page.keyboard.press("Escape")
    expect(confirm).to_be_hidden()
    expect(hand_back).to_be_focused()
    expect(tab(page, "Bo Business")).to_be_visible()
    # by keyboard: open, confirm
    mark = len(bo.events)
    page.keyboard.press("Enter")
    expect(yes).to_be_focused()
    page.keyboard.press("Enter")
    expect(tab(page, "Bo Business")).to_have_count(0)
    expect(page.get_by_role("status").filter(has_text="Bo Business is back with the assistant.")
           ).to_be_visible()
    # the customer is told, no rating is asked for, and the bot answers again
    told = bo.wait_for("bot_uttered", lambda d: d["metadata"]["sender"] == "bot"
                       and "take it from here" in d.get("text", ""), after=mark)
    assert told["text"].startswith("The specialist handed the conversation back to me")
    status = bo.wait_for("handoff_status", lambda d: d["state"] == "bot", after=mark)
    assert not status.get("csat_pending")
    answer = bo.ask("how fast do you answer a P1?", "P1")
    assert answer["metadata"]["sender"] == "bot"
    assert not [e for e, _ in bo.events[mark:] if e == "typing"]
