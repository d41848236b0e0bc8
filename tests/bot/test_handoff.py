"""The handoff payload (built by the action, re-checked by the gateway) and the country
recogniser used for the phone directory."""

from __future__ import annotations

from typing import Any

import pytest

from bot import countries, handoff
from bot import policy as policy_mod
from bot.accounts import Account, read_yaml
from bot.entitlements import Asker
from bot.identity import Identity
from bot.triage import Triage

POLICY = policy_mod.load()
ACCOUNTS = {a.user_id: a for a in read_yaml(POLICY)}


def signed_in(user_id: str) -> Asker:
    return Asker(Identity(user_id, "verified"), ACCOUNTS[user_id])


TRIAGE = Triage("Nobody can start meetings since 9am.", "down", "none", "123456789")


def test_build_for_business_admin() -> None:
    payload = handoff.build(signed_in("business-admin"), TRIAGE, POLICY)
    assert set(payload) == {"handoff"}
    body = payload["handoff"]
    assert set(body) == {"priority", "reason", "summary", "triage"}
    assert body["priority"] == TRIAGE.priority == "P1"
    assert body["reason"] == "user_requested_agent"
    assert body["triage"] == {"problem": TRIAGE.problem, "impact": "down",
                              "workaround": "none", "meeting_id": "123456789"}
    summary = body["summary"]
    assert "Business" in summary
    assert "admin" in summary
    assert "Nobody can start meetings since 9am." in summary
    assert "Bo Business" in summary
    assert "acc-biz-300" in summary
    assert "Meeting ID 123456789" in summary
    assert "Priority P1 (Urgent)" in summary


def test_build_custom_reason_and_priority() -> None:
    triage = Triage("How do I set up SSO?", "question", "full")
    body = handoff.build(signed_in("pro-owner"), triage, POLICY, reason="bot_failed")["handoff"]
    assert body["priority"] == "P4"
    assert body["reason"] == "bot_failed"
    assert "Pro plan" in body["summary"]
    assert "owner" in body["summary"]
    assert "Meeting ID" not in body["summary"]
    assert "Priority P4 (Low)" in body["summary"]


def test_summary_of_anonymous_and_long_problem() -> None:
    triage = Triage("x" * 2000, "few", "partial")
    text = handoff.summary(Asker(Identity(None, "missing"), None), triage, POLICY)
    assert text.startswith("An anonymous visitor reports:")
    assert "x" * 500 in text
    assert "x" * 501 not in text


@pytest.mark.parametrize(("problem", "reads"), [
    ("Recordings fail", "reports: Recordings fail. They say"),
    ("Recordings fail!", "reports: Recordings fail! They say"),
    ("Why do recordings fail?", "reports: Why do recordings fail? They say"),
])
def test_summary_reads_as_sentences(problem: str, reads: str) -> None:
    text = handoff.summary(Asker(Identity(None, "missing"), None),
                           Triage(problem, "few", "partial"), POLICY)
    assert reads in text


# --- recheck ------------------------------------------------------------------------------

@pytest.mark.parametrize("user_id", ["pro-owner", "business-admin", "education-owner",
                                     "enterprise-admin", "api-admin"])
def test_recheck_allows_entitled(user_id: str) -> None:
    asker = signed_in(user_id)
    assert handoff.recheck(handoff.build(asker, TRIAGE, POLICY), asker, POLICY) is None


@pytest.mark.parametrize("asker", [
    signed_in("basic-owner"),
    signed_in("pro-member"),
    signed_in("business-member"),
    signed_in("enterprise-member"),
    Asker(Identity(None, "missing"), None),
    Asker(Identity(None, "expired"), None),
    Asker(Identity("ghost", "verified"), None),
    Asker(Identity("pro-owner", "verified"),
          Account("pro-owner", "Priya Pro", "acc-pro-200", "pro", False, "owner")),
], ids=["basic", "pro-member", "business-member", "enterprise-member", "anonymous",
        "expired", "unknown-user", "unlicensed"])
def test_recheck_refuses_unentitled(asker: Asker) -> None:
    # The payload itself is well-formed (as if forged or built for someone else).
    payload = handoff.build(signed_in("business-admin"), TRIAGE, POLICY)
    reason = handoff.recheck(payload, asker, POLICY)
    assert isinstance(reason, str)
    assert reason


@pytest.mark.parametrize("payload", [
    None,
    "handoff",
    [],
    {},
    {"handoff": None},
    {"handoff": "P1"},
    {"other": {"priority": "P1"}},
], ids=repr)
def test_recheck_refuses_wrong_shape(payload: Any) -> None:
    reason = handoff.recheck(payload, signed_in("business-admin"), POLICY)
    assert isinstance(reason, str)
    assert reason


@pytest.mark.parametrize("priority", ["P0", "P5", "p1", "", None, 1, "Urgent"])
def test_recheck_refuses_bad_priority(priority: Any) -> None:
    asker = signed_in("business-admin")
    payload = handoff.build(asker, TRIAGE, POLICY)
    payload["handoff"]["priority"] = priority
    reason = handoff.recheck(payload, asker, POLICY)
    assert isinstance(reason, str)
    assert "priority" in reason
    del payload["handoff"]["priority"]
    assert isinstance(handoff.recheck(payload, asker, POLICY), str)


# --- countries ----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("Japan", "JP"),
    ("japan", "JP"),
    ("I'm calling from Japan", "JP"),
    ("the UK", "GB"),
    ("I'm in the UK", "GB"),
    ("United Kingdom", "GB"),
    ("London", "GB"),
    ("new zealand", "NZ"),
    ("New Zealand please", "NZ"),
    ("in", "IN"),
    ("IN", "IN"),
    (" in ", "IN"),
    ("India", "IN"),
    ("us", "US"),
    ("the U.S.", "US"),
    ("United States", "US"),
    ("France or Japan", "FR"),  # the first one named
    ("I live in Singapore", "SG"),
    ("Australia!", "AU"),
    ("I'm in trouble", None),
    ("can you help us", None),
    ("what is the number", None),
    ("", None),
])
def test_find_country(text: str, expected: str | None) -> None:
    assert countries.find(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Japan.", "JP"),
    ("I'm calling from Japan.", "JP"),
    ("I'm in the UK.", "GB"),
    ("We are in New Zealand.", "NZ"),
])
def test_find_country_before_full_stop(text: str, expected: str) -> None:
    assert countries.find(text) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("jp", "JP"), ("UK", "GB"), ("gb", "GB"), ("USA", None), ("1a", None), (None, None),
    (42, None),
])
def test_from_metadata(value: object, expected: str | None) -> None:
    assert countries.from_metadata(value) == expected
