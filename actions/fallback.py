"""Two-stage fallback over the knowledge base.

When NLU is not confident, search the articles (BM25 over passages, in `bot/`):
1. a strong match: quote the passage and link its article;
2. a partial match: "did you mean" buttons for the likeliest articles, plus "none";
3. nothing, or a second miss right after suggestions: say honestly that the bot cannot
   answer, and what it can help with.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.context import article_reply, button, cleared, kb_for, language, user_text
from bot import text as textutil
from bot.knowledge import Article, KnowledgeBase
from bot.search_thresholds import STRONG_COVERAGE, STRONG_SCORE

# Below the confident-answer thresholds (bot/search_thresholds.py) a passage is only
# worth suggesting.
SUGGEST_SCORE = 2.5
SUGGEST_INTENT_CONFIDENCE = 0.2
MAX_SUGGESTIONS = 3


def suggestions(kb: KnowledgeBase, tracker: Tracker, query: str) -> list[Article]:
    """Likely articles, from the NLU intent ranking and from search, best first."""
    found: list[Article] = []
    for ranked in tracker.latest_message.get("intent_ranking") or []:
        name = ranked.get("name") or ""
        article = kb.for_intent(name)
        if article and (ranked.get("confidence") or 0) >= SUGGEST_INTENT_CONFIDENCE:
            found.append(article)
    for passage, hit in kb.search(query, limit=MAX_SUGGESTIONS):
        article = kb.get(passage.article_id)
        if article and hit.score >= SUGGEST_SCORE:
            found.append(article)
    unique = list({a.id: a for a in found}.values())
    return [a for a in unique if a.intents][:MAX_SUGGESTIONS]


async def search_and_answer(
    dispatcher: CollectingDispatcher, tracker: Tracker, kb: KnowledgeBase, query: str
) -> list[EventType]:
    """Answer from the best passage, offer suggestions, or say the bot cannot answer."""
    if not textutil.has_letters(query):
        dispatcher.utter_message(response="utter_ask_rephrase")
        return []
    if textutil.looks_unsupported(query):
        dispatcher.utter_message(response="utter_unsupported_language")
        return []
    lang = language(tracker)
    hits = kb.search(query, limit=1)
    if hits:
        passage, hit = hits[0]
        if hit.score >= STRONG_SCORE and hit.coverage >= STRONG_COVERAGE:
            article = kb.articles[passage.article_id]
            dispatcher.utter_message(
                text=article_reply(article.title, passage.text, article.url(), lang))
            return _clear_suggested(tracker)
    if tracker.get_slot("kb_suggested"):
        dispatcher.utter_message(response="utter_cannot_answer")
        return cleared(tracker)
    options = suggestions(kb, tracker, query)
    if not options:
        dispatcher.utter_message(response="utter_cannot_answer")
        return _clear_suggested(tracker)
    buttons = [{"title": a.title, "payload": f"/{a.intents[0]}"} for a in options]
    buttons.append(button(lang, "none_of_these", "/deny"))
    dispatcher.utter_message(response="utter_did_you_mean", buttons=buttons)
    return [*cleared(tracker, "person_offered"), SlotSet("kb_suggested", True)]


class ActionKbSearch(Action):
    def name(self) -> str:
        return "action_kb_search"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        from actions.faq import unsure_reply  # faq imports this module

        reply = await unsure_reply(tracker)
        if reply is not None:
            dispatcher.utter_message(text=reply)
            return cleared(tracker)
        return await search_and_answer(dispatcher, tracker, kb_for(tracker), user_text(tracker))


class ActionHandleDeny(Action):
    """"No" after suggestions is the second stage of the fallback; otherwise a plain no."""

    def name(self) -> str:
        return "action_handle_deny"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if tracker.get_slot("kb_suggested"):
            dispatcher.utter_message(response="utter_cannot_answer")
            return cleared(tracker)
        dispatcher.utter_message(response="utter_no_problem")
        return cleared(tracker)


def _clear_suggested(tracker: Tracker) -> list[EventType]:
    return cleared(tracker)
