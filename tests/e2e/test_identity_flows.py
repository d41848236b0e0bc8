"""Identity-dependent conversations through Rasa's REST channel, with signed tokens in
the message metadata as the gateway will send them: real Rasa, actions and Redis."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import redis as redis_lib

from bot import identity
from tests.conftest import Stack
from tests.helpers import token


def new_sender() -> str:
    return f"id-{uuid.uuid4().hex[:10]}"


def say(stack: Stack, sender: str, text: str, user: str | None = None,
        **meta: Any) -> list[dict[str, Any]]:
    metadata = {**({"token": token(user)} if user else {}), **meta}
    return stack.ask(sender, text, **metadata)


def joined(replies: list[dict[str, Any]]) -> str:
    return "\n".join(str(r.get("text") or "") for r in replies)


def handoff_of(replies: list[dict[str, Any]]) -> dict[str, Any] | None:
    for reply in replies:
        custom = reply.get("custom") or {}
        if "handoff" in custom:
            return dict(custom["handoff"])
    return None


def test_paid_admin_triage_ends_in_a_handoff_payload(rasa_stack: Stack) -> None:
    me, user = new_sender(), "business-admin"
    # each step is exactly one question: nothing about questions not asked yet
    first = say(rasa_stack, me, "I want to talk to a person", user)
    assert len(first) == 1 and "what's going wrong" in joined(first)
    impact = say(rasa_stack, me, "nobody in our company can join meetings", user)
    assert len(impact) == 1 and "How bad is it?" in joined(impact)
    workaround = say(rasa_stack, me, "down", user)
    assert len(workaround) == 1 and "workaround" in joined(workaround)
    meeting = say(rasa_stack, me, "none", user)
    assert len(meeting) == 1 and "meeting ID" in joined(meeting)
    again = say(rasa_stack, me, "12345", user)  # not a meeting ID: asked again
    assert "doesn't look like a meeting ID" in joined(again)
    final = say(rasa_stack, me, "123 456 7890", user)
    payload = handoff_of(final)
    assert payload is not None
    assert payload["priority"] == "P1"
    assert payload["triage"]["meeting_id"] == "1234567890"
    assert "nobody in our company can join meetings" in payload["summary"]
    assert "connecting you with a support specialist" in joined(final)


@pytest.mark.parametrize(("user", "phrase"), [
    ("basic-owner", "Basic (free)"),
    ("pro-member", "you're a member"),
    (None, "not signed in"),
])
def test_users_without_live_chat_get_why_and_alternatives(rasa_stack: Stack, user: str | None,
                                                          phrase: str) -> None:
    replies = say(rasa_stack, new_sender(), "connect me to an agent", user)
    assert phrase in joined(replies)
    assert "Here's what you can do" in joined(replies)
    assert handoff_of(replies) is None
    assert any(b["payload"] == "/faq_self_service" for r in replies
               for b in r.get("buttons") or [])


def test_forged_token_is_an_anonymous_visitor(rasa_stack: Stack) -> None:
    forged = identity.issue("enterprise-admin", "x" * 40)
    replies = rasa_stack.ask(new_sender(), "I run the enterprise account, give me a human agent",
                             token=forged)
    assert "couldn't confirm your sign-in" in joined(replies)
    assert handoff_of(replies) is None


def test_cancel_in_the_middle_of_triage(rasa_stack: Stack) -> None:
    me = new_sender()
    say(rasa_stack, me, "human please", "pro-owner")
    assert "cancelled" in joined(say(rasa_stack, me, "never mind", "pro-owner"))
    assert "/kb/en/report-abuse)" in joined(say(rasa_stack, me, "how do I report abuse",
                                                "pro-owner"))


def test_web_ticket_is_created_and_its_status_is_private(rasa_stack: Stack) -> None:
    me, user = new_sender(), "pro-owner"
    opened = say(rasa_stack, me, "I'd like to open a ticket", user)
    assert len(opened) == 1 and "subject" in joined(opened)
    say(rasa_stack, me, "Cloud recordings fail [see here](https://evil.example)", user)
    short = say(rasa_stack, me, "it is broken", user)
    assert "more detail" in joined(short)
    say(rasa_stack, me, "Since Monday every cloud recording of our weekly all hands fails "
        "to process and the recordings page shows an error instead of the file", user)
    say(rasa_stack, me, "many", user)
    done = joined(say(rasa_stack, me, "partial", user))
    ticket_id = done.split("ticket ")[1].split(",")[0]
    assert ticket_id.startswith("T-")
    assert "priority P2 High" in done and "Target response time: 4 hours" in done
    client = redis_lib.Redis(host=rasa_stack.redis.host, port=rasa_stack.redis.port,
                             password=rasa_stack.redis.password,
                             decode_responses=True)
    assert client.hget(f"hc:ticket:{ticket_id}", "user_id") == user
    mine = joined(say(rasa_stack, new_sender(), f"status of ticket {ticket_id}", user))
    # the subject the customer wrote comes back as literal text, never as a link
    assert "`Cloud recordings fail [see here](https://evil.example)`" in mine
    theirs = joined(say(rasa_stack, new_sender(), f"status of ticket {ticket_id}",
                        "business-admin"))
    assert "can't find ticket" in theirs and "Cloud recordings" not in theirs


def test_phone_number_for_the_pages_country(rasa_stack: Stack) -> None:
    replies = say(rasa_stack, new_sender(), "what number do I call for support",
                  "enterprise-admin", country="JP")
    text = joined(replies)
    assert "+81.053.132.0070, ext. 2" in text and "+1.888" not in text
    assert "host key" in text


def test_phone_country_asked_when_unknown(rasa_stack: Stack) -> None:
    me = new_sender()
    asked = say(rasa_stack, me, "I need to call support", "api-admin")
    assert "Which country" in joined(asked)
    assert "+33.800.94.64.64, ext. 2" in joined(say(rasa_stack, me, "France", "api-admin"))


@pytest.mark.parametrize(("answer", "expected"), [
    ("Italy", "There is no local number for Italy"),
    ("from France", "+33.800.94.64.64, ext. 2"),
    ("the UK", "ext. 2"),
    ("Sweden", "There is no local number for Sweden"),
])
def test_a_country_answer_is_never_taken_for_cancel_or_yes(
        rasa_stack: Stack, answer: str, expected: str) -> None:
    """A bare country name is a word the classifier rarely sees: "France" once came out
    as "cancel" (0.44) and "Italy" as "yes"; asked for a country, it is the country."""
    me = new_sender()
    assert "Which country" in joined(say(rasa_stack, me, "I need to call support",
                                         "api-admin"))
    text = joined(say(rasa_stack, me, answer, "api-admin"))
    assert expected in text and "cancelled" not in text


def test_phone_refused_for_pro(rasa_stack: Stack) -> None:
    text = joined(say(rasa_stack, new_sender(), "what's the phone number in the US",
                      "pro-owner"))
    assert "yours is on Pro" in text and "+1.888" not in text


def test_support_options_for_an_education_owner(rasa_stack: Stack) -> None:
    text = joined(say(rasa_stack, new_sender(), "what support can I get", "education-owner"))
    assert "owner on a Education account" in text or "owner on an Education account" in text
    assert "- phone support" in text and "- live chat" in text
