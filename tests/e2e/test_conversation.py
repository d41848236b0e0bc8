"""The whole bot through Rasa's REST channel: real Rasa, real action server, real Redis."""

from __future__ import annotations

import json
import uuid

import pytest
import redis as redis_lib

from tests.conftest import Stack


def sender() -> str:
    return f"e2e-{uuid.uuid4().hex[:10]}"


def texts(replies: list[dict[str, object]]) -> str:
    return "\n".join(str(r.get("text") or "") for r in replies)


@pytest.mark.parametrize(
    ("question", "article"),
    [
        ("whats the phone number for support in the UK", "phone-support"),
        ("how fast will you get back to me on a P2", "response-times"),
        ("who can file a web ticket", "web-tickets"),
        ("is the help center open on weekends", "help-center"),
        ("somebody is harassing people in my meetings", "report-abuse"),
        ("are you a real person?", "chatbot"),
        ("what is the target response time", "response-times"),
        ("how do I report abuse", "report-abuse"),
        ("what is the help center", "help-center"),
    ],
)
def test_questions_are_answered_with_their_article(rasa_stack: Stack, question: str,
                                                   article: str) -> None:
    replies = rasa_stack.ask(sender(), question)
    assert f"/kb/en/{article})" in texts(replies)


def test_greeting_thanks_goodbye(rasa_stack: Stack) -> None:
    user = sender()
    assert "Help Center assistant" in texts(rasa_stack.ask(user, "hello there"))
    assert "welcome" in texts(rasa_stack.ask(user, "thanks a lot")).lower()
    assert "goodbye" in texts(rasa_stack.ask(user, "bye")).lower()


def test_out_of_scope_is_declined(rasa_stack: Stack) -> None:
    reply = texts(rasa_stack.ask(sender(), "tell me a joke about penguins"))
    assert "outside what I can help with" in reply


def test_uncovered_product_question_is_not_answered_with_a_wrong_article(rasa_stack: Stack
                                                                         ) -> None:
    user = sender()
    replies = rasa_stack.ask(user, "how do I turn on closed captions in a webinar")
    assert "/kb/en/" not in texts(replies)
    assert "can't answer" in texts(replies) or any(r.get("buttons") for r in replies)


def test_two_stage_fallback_ends_honestly(rasa_stack: Stack) -> None:
    user = sender()
    first = rasa_stack.ask(user, "a participant keeps being rude to others")
    buttons = [b for r in first for b in r.get("buttons") or []]  # type: ignore[attr-defined]
    if buttons:  # stage one offered articles: refuse them
        assert buttons[-1]["payload"] == "/deny"
        final = rasa_stack.ask(user, buttons[-1]["payload"])
        assert "can't answer" in texts(final)
        # and a suggestion button, when clicked, answers with that article
        again = rasa_stack.ask(user, buttons[0]["payload"])
        assert "/kb/en/" in texts(again)
    else:
        assert "/kb/en/report-abuse" in texts(first)


BAD_INPUT = [
    "",
    "x" * 10_000,
    "🙂🎉👍",
    "Как мне позвонить в службу поддержки?",
    "<script>alert('x')</script><img src=x onerror=alert(1)>",
    "phone\x00\x07\x1b[31m number\u202e please",
]


@pytest.mark.parametrize("message", BAD_INPUT, ids=["empty", "10k", "emoji", "russian",
                                                     "html", "control"])
def test_bad_input_gets_a_sensible_reply_and_is_stored_as_text(
    rasa_stack: Stack, message: str
) -> None:
    user = sender()
    replies = rasa_stack.ask(user, message)
    assert replies and all(r.get("text") for r in replies)
    client = redis_lib.Redis(host=rasa_stack.redis.host, port=rasa_stack.redis.port,
                             password=rasa_stack.redis.password,
                             decode_responses=True)
    stored = json.loads(client.get(f"hc:tracker:{user}") or "{}")
    user_texts = [e.get("text") for e in stored.get("events", []) if e["event"] == "user"]
    assert user_texts == [message]
    # the stack is still alive for the next user
    assert rasa_stack.ask(sender(), "phone numbers")


def test_null_message_from_a_widget_opening_does_not_break_rasa(rasa_stack: Stack) -> None:
    status, _ = rasa_stack.send(sender(), None)
    assert status in (200, 400)
    assert rasa_stack.ask(sender(), "hi")


def test_long_chat_keeps_a_bounded_tracker(rasa_stack: Stack) -> None:
    user = sender()
    for n in range(40):
        assert rasa_stack.ask(user, "phone numbers" if n % 2 else "response times")
    client = redis_lib.Redis(host=rasa_stack.redis.host, port=rasa_stack.redis.port,
                             password=rasa_stack.redis.password,
                             decode_responses=True)
    window = json.loads(client.get(f"hc:tracker:{user}") or "{}")["events"]
    assert len(window) <= 80 + 10
    assert client.llen(f"hc:tracker:{user}:archive") > len(window)
    assert "/kb/en/response-times)" in texts(rasa_stack.ask(user, "response times"))
