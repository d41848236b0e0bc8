"""Issue 14, the supervisors' view of the console: the live board (queue by priority,
agents' status and load, today's figures), reassigning a chat from one agent to another
(both consoles follow), and customer satisfaction with its CSV export (fetched with the
console token in a header, saved as a file). Elements are found only by role and
accessible name; axe checks the board."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from tests.e2e.browser.conftest import Customer, screenshot
from tests.e2e.browser.test_accessibility import violations
from tests.e2e.browser.test_agent_console import console, go_away, tab


def supervisor_console(new_page: Callable[..., Page]) -> Page:
    page = new_page("/agent", bypass_csp=True)  # to inject axe
    page.get_by_label("Username").fill("supervisor1")
    page.get_by_label("Password").fill("supervisor1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("main", name="Live board")).to_be_visible()
    return page


def card(page: Page, name: str) -> Locator:
    return page.get_by_role("main", name="Live board").get_by_role("region", name=name)


def row(region: Locator, name: str) -> Locator:
    return region.get_by_role("row", name=re.compile("^" + re.escape(name)))


def test_board_reassign_and_csat_export(new_page: Callable[..., Page],
                                        customer: Callable[[str], Customer]) -> None:
    sam = supervisor_console(new_page)
    # a supervisor takes no chats: no status, no queue, no chats
    expect(sam.get_by_label("Status")).to_be_hidden()
    expect(sam.get_by_role("button", name="Take next")).to_be_hidden()
    queue = card(sam, "Queue now")
    expect(row(queue, "P2 High").get_by_role("cell").first).to_have_text("0")

    alice = console(new_page, "agent1")
    go_away(alice)
    agents = card(sam, "Agents")
    expect(row(agents, "Alice")).to_contain_text("Away")

    # a chat queues: the board shows it within a push (at most 5 s)
    bo = customer("business-admin")
    bo.request_human("Cloud recordings fail for the whole team", "many", "partial")
    expect(row(queue, "P2 High").get_by_role("cell").first).to_have_text("1")
    expect(queue).to_contain_text(re.compile(r"Waiting\s*1"))
    problems = violations(sam)
    assert problems == [], "\n".join(problems)  # the board with a waiting chat
    screenshot(sam, "supervisor-board")

    # Alice goes online and gets it; Bob signs in with room
    alice.get_by_label("Status").select_option("online")
    expect(tab(alice, "Bo Business")).to_be_visible()
    bob = console(new_page, "agent2")
    expect(row(queue, "P2 High").get_by_role("cell").first).to_have_text("0")
    expect(row(agents, "Alice")).to_contain_text("1 of 3")
    expect(row(agents, "Bob")).to_contain_text("Online")

    # reassign Bo's chat from Alice to Bob, by keyboard
    reassign = card(sam, "Reassign a chat")
    chat_select = reassign.get_by_label("Chat to reassign")
    expect(chat_select.get_by_role("option", name=re.compile("^Alice: chat"))).to_have_count(1)
    chat_select.select_option(label=chat_select.get_by_role(
        "option", name=re.compile("^Alice: chat")).inner_text())
    reassign.get_by_label("Reassign to").select_option(label="Bob (3 free)")
    reassign.get_by_role("button", name="Reassign").focus()
    mark = len(bo.events)
    sam.keyboard.press("Enter")
    expect(reassign.get_by_role("status")).to_have_text("Reassigned from Alice to Bob.")
    expect(tab(alice, "Bo Business")).to_have_count(0)
    expect(alice.get_by_role("status").filter(has_text="Transferred to Bob")).to_be_visible()
    expect(tab(bob, "Bo Business")).to_be_visible()
    expect(row(agents, "Bob")).to_contain_text("1 of 3")
    expect(row(agents, "Alice")).to_contain_text("0 of 3")
    told = bo.wait_for("handoff_status", lambda d: d.get("agent") == "Bob", after=mark)
    assert told["state"] == "agent"

    # Bob answers and closes; Bo rates with a comment
    tab(bob, "Bo Business").click()
    bob.get_by_label("Reply", exact=True).fill("Hi, Bob here. Fixed on our side.")
    bob.get_by_label("Reply", exact=True).press("Enter")
    bob.get_by_role("button", name="Close chat").click()
    expect(tab(bob, "Bo Business")).to_have_count(0)
    bo.wait_for("handoff_status", lambda d: d.get("csat_pending") is True, after=mark)
    bo._run(bo.sio.emit("csat", {"session_id": bo.chat_id, "rating": 4,
                                 "comment": "=Good, but slow to start"}))

    # today's figures and the CSAT report follow
    today = card(sam, "Today")
    expect(today).to_contain_text(re.compile(r"First response\s*average \d+:\d\d"))
    csat = card(sam, "Customer satisfaction")
    expect(csat).to_contain_text("=Good, but slow to start", timeout=15_000)
    expect(row(csat, "Bob")).to_contain_text("4")
    expect(row(agents, "Bob")).to_contain_text("4")
    problems = violations(sam)
    assert problems == [], "\n".join(problems)  # the board with the CSAT report
    csat.scroll_into_view_if_needed()
    screenshot(sam, "supervisor-csat")

    # the CSV: fetched with the token in a header (never in the URL), saved as a file
    requests: list[str] = []
    sam.on("request", lambda r: requests.append(r.url) if "csat.csv" in r.url else None)
    with sam.expect_download() as info:
        csat.get_by_role("button", name="Download CSV").click()
    download = info.value
    assert re.fullmatch(r"csat-7d-\d{4}-\d\d-\d\d\.csv", download.suggested_filename)
    content = Path(download.path()).read_text(encoding="utf-8-sig")
    lines = content.strip().splitlines()
    assert lines[0] == "date,time_utc,chat_id,agent,agent_name,rating,comment,language"
    assert len(lines) == 2 and bo.chat_id in lines[1]
    assert ",agent2,Bob,4,'=Good, but slow to start,en" in lines[1].replace('"', "")
    assert requests and all("token" not in url.lower() and "bearer" not in url.lower()
                            for url in requests)
