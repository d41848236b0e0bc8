"""The two-stage knowledge-base fallback on tracker snapshots."""

from __future__ import annotations

import pytest

from actions.fallback import ActionHandleDeny, ActionKbSearch
from bot import knowledge
from tests.helpers import run, tracker

KB = knowledge.load()
KB_RU = knowledge.load("ru")
SET = {"event": "slot", "timestamp": None, "name": "kb_suggested", "value": True}
CLEAR = {"event": "slot", "timestamp": None, "name": "kb_suggested", "value": None}


async def test_strong_match_quotes_the_best_passage_with_its_article() -> None:
    messages, events = await run(ActionKbSearch(), tracker(
        "which extension number do the phone lines use", "nlu_fallback", 0.45))
    assert events == []
    (message,) = messages
    section = dict(KB.articles["phone-support"].sections)["Extension"]
    assert message["text"].startswith(section)
    assert "Source: [Phone support](" in message["text"]


async def test_strong_match_in_russian_quotes_the_russian_article() -> None:
    messages, _ = await run(ActionKbSearch(), tracker(
        "добавочный номер поддержки", "nlu_fallback", 0.45))
    (message,) = messages
    section = dict(KB_RU.articles["phone-support"].sections)["Добавочный номер"]
    assert message["text"].startswith(section)
    assert "Источник: [Поддержка по телефону](" in message["text"]
    assert "/kb/ru/phone-support)" in message["text"]


async def test_partial_match_offers_did_you_mean_buttons_and_none() -> None:
    messages, events = await run(ActionKbSearch(), tracker(
        "a participant keeps being rude", "nlu_fallback", 0.45,
        ranking=[("nlu_fallback", 0.45), ("faq_report_abuse", 0.4),
                 ("faq_billing_discrepancy", 0.05)]))
    assert events == [SET]
    (message,) = messages
    assert message["response"] == "utter_did_you_mean"
    payloads = [b["payload"] for b in message["buttons"]]
    assert payloads[0] == "/faq_report_abuse"
    assert payloads[-1] == "/deny"
    assert len(payloads) <= 4


async def test_second_miss_after_suggestions_is_an_honest_cannot_answer() -> None:
    messages, events = await run(ActionKbSearch(), tracker(
        "a participant keeps being rude", "nlu_fallback", 0.45,
        ranking=[("faq_report_abuse", 0.4)], slots={"kb_suggested": True}))
    assert [m["response"] for m in messages] == ["utter_cannot_answer"]
    assert events == [CLEAR]


async def test_nothing_found_is_an_honest_cannot_answer() -> None:
    messages, events = await run(ActionKbSearch(), tracker(
        "what is the airspeed of a swallow", "nlu_fallback", 0.3))
    assert [m["response"] for m in messages] == ["utter_cannot_answer"]
    assert events == []


@pytest.mark.parametrize("text", ["", "   ", "🙂🙂🙂", "???!!!", "\x00\x01\x02"])
async def test_no_words_asks_to_rephrase(text: str) -> None:
    messages, events = await run(ActionKbSearch(), tracker(text, "nlu_fallback", 1.0))
    assert [m["response"] for m in messages] == ["utter_ask_rephrase"]
    assert events == []


@pytest.mark.parametrize("text", ["サポートに電話する方法は何ですか", "كيف أتصل بالدعم الفني"])
async def test_other_language_is_told_which_languages_the_bot_speaks(text: str) -> None:
    messages, _ = await run(ActionKbSearch(), tracker(text, "nlu_fallback", 1.0))
    assert [m["response"] for m in messages] == ["utter_unsupported_language"]


async def test_did_you_mean_in_russian_has_russian_titles_and_none_button() -> None:
    messages, _ = await run(ActionKbSearch(), tracker(
        "участник постоянно грубит", "nlu_fallback", 0.45,
        ranking=[("nlu_fallback", 0.45), ("faq_report_abuse", 0.4)],
        slots={"language": "ru"}))
    (message,) = messages
    titles = [b["title"] for b in message["buttons"]]
    assert titles[0] == KB_RU.articles["report-abuse"].title
    assert titles[-1] == "Ничего из этого"


async def test_huge_message_is_bounded_and_answered() -> None:
    messages, _ = await run(ActionKbSearch(), tracker("phone number " * 800, "nlu_fallback", 0.4))
    assert len(messages) == 1


async def test_deny_after_suggestions_ends_the_fallback_honestly() -> None:
    messages, events = await run(ActionHandleDeny(), tracker(
        "none of these", "deny", 0.99, slots={"kb_suggested": True}))
    assert [m["response"] for m in messages] == ["utter_cannot_answer"]
    assert events == [CLEAR]


async def test_plain_no_is_acknowledged() -> None:
    messages, events = await run(ActionHandleDeny(), tracker("no", "deny", 0.99))
    assert [m["response"] for m in messages] == ["utter_no_problem"]
    assert events == []
