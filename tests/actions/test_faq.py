"""action_answer_faq on tracker snapshots: the whole event list and the message sent."""

from __future__ import annotations

from actions.faq import ActionAnswerFaq
from bot import knowledge
from tests.helpers import run, tracker

KB = knowledge.load()


async def test_confident_intent_gets_the_article_lead_and_its_link() -> None:
    messages, events = await run(ActionAnswerFaq(), tracker(
        "what's the number to call in japan", "faq_phone_support", 0.97))
    article = KB.articles["phone-support"]
    assert events == []
    assert len(messages) == 1
    text = messages[0]["text"]
    assert text.startswith(article.lead)
    assert text.endswith(f"Source: [Phone support]({article.url()})")
    assert "+81.053.132.0070, ext. 2" in text


async def test_button_payload_answers_even_without_words() -> None:
    messages, _ = await run(ActionAnswerFaq(), tracker("/faq_web_ticket", "faq_web_ticket", 1.0))
    assert "/kb/en/web-tickets" in messages[0]["text"]


async def test_answer_clears_a_pending_did_you_mean() -> None:
    _, events = await run(ActionAnswerFaq(), tracker(
        "/faq_live_chat", "faq_live_chat", 1.0, slots={"kb_suggested": True}))
    assert events == [{"event": "slot", "timestamp": None, "name": "kb_suggested",
                       "value": None}]


async def test_unsure_intent_without_lexical_support_goes_to_search_instead() -> None:
    # NLU guessed report-abuse for a product question; nothing in the text backs it up.
    messages, _ = await run(ActionAnswerFaq(), tracker(
        "how to record a meeting", "faq_report_abuse", 0.62,
        ranking=[("faq_report_abuse", 0.62), ("faq_billing_discrepancy", 0.05)]))
    assert "/kb/en/report-abuse" not in (messages[0].get("text") or "")
    assert messages[0]["response"] in {"utter_did_you_mean", "utter_cannot_answer"}


async def test_unsure_intent_backed_by_the_words_is_answered() -> None:
    messages, _ = await run(ActionAnswerFaq(), tracker(
        "which phone number for singapore", "faq_phone_support", 0.55))
    assert "/kb/en/phone-support" in messages[0]["text"]


async def test_language_from_metadata_falls_back_to_english() -> None:
    messages, _ = await run(ActionAnswerFaq(), tracker(
        "phone?", "faq_phone_support", 0.99, metadata={"language": "ru"}))
    assert "/kb/en/phone-support" in messages[0]["text"]
