"""Entitlement decisions for every demo account and for visitors who are not signed in:
the right answer, a one-sentence reason that names the cause, and never a dead end."""

from __future__ import annotations

import pytest

from bot import policy as policy_mod
from bot.accounts import Account, read_yaml
from bot.entitlements import (
    ALTERNATIVE_TEXT,
    PAID_CHANNELS,
    Asker,
    alternatives_text,
    decide,
    describe_support,
    sign_in_note,
)
from bot.identity import Identity

POLICY = policy_mod.load()
ACCOUNTS = {a.user_id: a for a in read_yaml(POLICY)}

# Expected paid channels per demo user, from DESIGN.md "Support facts" (written out).
EXPECTED: dict[str, set[str]] = {
    "basic-owner": set(),
    "pro-owner": {"live_chat", "web_ticket"},
    "pro-member": set(),
    "business-admin": {"live_chat", "web_ticket", "phone"},
    "business-member": set(),
    "education-owner": {"live_chat", "web_ticket", "phone"},
    "enterprise-admin": {"live_chat", "web_ticket", "phone"},
    "enterprise-member": set(),
    "api-admin": {"live_chat", "web_ticket", "phone"},
}

# A distinctive phrase each refusal must contain, per (user, channel).
REFUSAL_MENTIONS: dict[tuple[str, str], str] = {
    **{("basic-owner", c): "Basic (free)" for c in PAID_CHANNELS},
    ("pro-member", "live_chat"): "you're a member",
    ("pro-member", "web_ticket"): "you're a member",
    ("pro-member", "phone"): "yours is on Pro",  # no Pro role gets phone: the plan is why
    ("pro-owner", "phone"): "Pro",
    **{("business-member", c): "you're a member" for c in PAID_CHANNELS},
    **{("enterprise-member", c): "you're a member" for c in PAID_CHANNELS},
}
REFUSAL_REASONS: dict[tuple[str, str], str] = {
    **{("basic-owner", c): "free_plan" for c in PAID_CHANNELS},
    ("pro-member", "live_chat"): "role",
    ("pro-member", "web_ticket"): "role",
    ("pro-member", "phone"): "plan",
    ("pro-owner", "phone"): "plan",
    **{("business-member", c): "role" for c in PAID_CHANNELS},
    **{("enterprise-member", c): "role" for c in PAID_CHANNELS},
}

CASES = [(user, channel) for user in EXPECTED for channel in PAID_CHANNELS]


def signed_in(user_id: str) -> Asker:
    return Asker(Identity(user_id, "verified"), ACCOUNTS[user_id])


ANONYMOUS = Asker(Identity(None, "missing"), None)
EXPIRED = Asker(Identity(None, "expired"), None)
INVALID = Asker(Identity(None, "invalid"), None)


def one_sentence(text: str) -> bool:
    return text.endswith(".") and "\n" not in text and text.strip() == text


def test_demo_directory_matches_design() -> None:
    assert set(ACCOUNTS) == set(EXPECTED)
    for user_id, account in ACCOUNTS.items():
        plan, role = user_id.split("-")
        assert (account.plan, account.role) == (plan, role)
        assert account.licensed is (plan != "basic")


@pytest.mark.parametrize(("user_id", "channel"), CASES)
def test_decide_for_demo_accounts(user_id: str, channel: str) -> None:
    asker = signed_in(user_id)
    assert asker.signed_in
    decision = decide(POLICY, asker, channel)
    if channel in EXPECTED[user_id]:
        assert decision.allowed
        assert decision.reason == "ok"
        assert decision.sentence == ""
        assert decision.alternatives == ()
        return
    assert not decision.allowed
    assert decision.reason == REFUSAL_REASONS[(user_id, channel)]
    assert one_sentence(decision.sentence), decision.sentence
    assert REFUSAL_MENTIONS[(user_id, channel)] in decision.sentence
    assert decision.alternatives
    assert channel not in decision.alternatives
    assert len(set(decision.alternatives)) == len(decision.alternatives)
    # Offered paid channels are ones this user really has.
    assert {a for a in decision.alternatives if a in PAID_CHANNELS} == \
        EXPECTED[user_id] - {channel}
    assert {"knowledge_base", "self_service"} <= set(decision.alternatives)
    assert all(a in ALTERNATIVE_TEXT for a in decision.alternatives)


@pytest.mark.parametrize("user_id", sorted(EXPECTED))
def test_shared_channels_always_allowed(user_id: str) -> None:
    for channel in ("bot", "knowledge_base", "self_service"):
        assert decide(POLICY, signed_in(user_id), channel).allowed
        assert decide(POLICY, ANONYMOUS, channel).allowed


def test_refusal_sentences_name_the_allowed_plans_and_roles() -> None:
    free = decide(POLICY, signed_in("basic-owner"), "live_chat").sentence
    assert "Pro, Business, Education, Enterprise and API" in free
    member = decide(POLICY, signed_in("business-member"), "phone").sentence
    assert "On Business accounts" in member
    assert "owners and admins" in member
    pro_phone = decide(POLICY, signed_in("pro-owner"), "phone").sentence
    assert "Business, Education, Enterprise and API" in pro_phone
    assert "yours is on Pro" in pro_phone


def test_refused_members_are_told_to_ask_their_owner() -> None:
    assert "ask_owner" in decide(POLICY, signed_in("business-member"), "live_chat").alternatives
    assert "contact_sales" in decide(POLICY, signed_in("basic-owner"), "phone").alternatives
    assert "contact_sales" in decide(POLICY, signed_in("pro-owner"), "phone").alternatives


@pytest.mark.parametrize(("asker", "mention", "reason"), [
    (ANONYMOUS, "not signed in", "not_signed_in"),
    (EXPIRED, "expired", "unconfirmed"),
    (INVALID, "couldn't confirm your sign-in", "unconfirmed"),
], ids=["anonymous", "expired", "invalid"])
@pytest.mark.parametrize("channel", PAID_CHANNELS)
def test_not_signed_in_gets_basic(asker: Asker, mention: str, reason: str,
                                  channel: str) -> None:
    assert not asker.signed_in
    assert asker.plan == "basic"
    assert asker.role == "member"
    decision = decide(POLICY, asker, channel)
    assert not decision.allowed
    assert decision.reason == reason
    assert mention in decision.sentence
    assert "signed-in owners and admins" in decision.sentence
    assert decision.sentence.endswith(".")
    assert "\n" not in decision.sentence
    assert decision.alternatives
    assert channel not in decision.alternatives
    assert not set(decision.alternatives) & set(PAID_CHANNELS)
    assert "sign_in" in decision.alternatives


def test_verified_token_for_unknown_user_gets_basic() -> None:
    asker = Asker(Identity("ghost", "verified"), None)
    assert not asker.signed_in
    assert asker.plan == "basic"
    decision = decide(POLICY, asker, "live_chat")
    assert not decision.allowed
    assert "couldn't find your account" in decision.sentence


def test_unlicensed_user_on_a_paid_plan() -> None:
    account = Account("pro-nolicence", "Nora", "acc-pro-200", "pro", False, "owner")
    asker = Asker(Identity(account.user_id, "verified"), account)
    assert asker.plan == "basic"
    decision = decide(POLICY, asker, "web_ticket")
    assert not decision.allowed
    assert decision.reason == "unlicensed"
    assert "licence" in decision.sentence
    assert "Pro" in decision.sentence
    assert "ask_owner" in decision.alternatives
    assert "web_ticket" not in decision.alternatives


def test_sign_in_note() -> None:
    assert sign_in_note(signed_in("pro-owner")) == ""
    assert "not signed in" in sign_in_note(ANONYMOUS)
    assert "expired" in sign_in_note(EXPIRED)


def test_alternatives_text_lists_every_alternative() -> None:
    decision = decide(POLICY, signed_in("pro-owner"), "phone")
    text = alternatives_text(decision)
    assert text.startswith("Here's what you can do: ")
    for alternative in decision.alternatives:
        assert ALTERNATIVE_TEXT[alternative] in text
    assert "call phone support" not in text


# --- describe_support -------------------------------------------------------------------------

PHRASES = {"live_chat": "live chat", "web_ticket": "web tickets", "phone": "phone support"}


@pytest.mark.parametrize("user_id", sorted(EXPECTED))
def test_describe_support_lists_only_own_channels(user_id: str) -> None:
    text = describe_support(POLICY, signed_in(user_id))
    for channel, phrase in PHRASES.items():
        assert (phrase in text) is (channel in EXPECTED[user_id]), (channel, text)
    assert "the knowledge base" in text
    assert "self-service" in text
    assert ("Target response times" in text) is bool(EXPECTED[user_id])


def test_describe_support_examples() -> None:
    basic = describe_support(POLICY, signed_in("basic-owner"))
    assert "phone support" not in basic
    assert "live chat" not in basic
    assert basic.startswith("You're an owner on a Basic (free) account.")
    business = describe_support(POLICY, signed_in("business-admin"))
    assert "phone support" in business
    assert "live chat" in business
    assert "You're an admin on a Business account." in business
    assert "P1 1 hour, P2 4 hours, P3 24 hours, P4 24 hours" in business


def test_describe_support_for_visitors() -> None:
    anonymous = describe_support(POLICY, ANONYMOUS)
    assert anonymous.startswith("You're not signed in.")
    expired = describe_support(POLICY, EXPIRED)
    assert expired.startswith("Your sign-in has expired")
    for text in (anonymous, expired):
        assert "phone support" not in text
        assert "live chat" not in text
        assert "web tickets" not in text
        assert "Target response times" not in text


def test_describe_support_for_unlicensed_user_names_their_plan() -> None:
    account = Account("pro-nolicence", "Nora", "acc-pro-200", "pro", False, "owner")
    text = describe_support(POLICY, Asker(Identity(account.user_id, "verified"), account))
    assert "live chat" not in text
    assert "Basic (free) account" not in text
    assert "Pro" in text
