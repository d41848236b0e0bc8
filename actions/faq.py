"""Answer a recognised support question with the lead of the article for its intent.

Intent classifiers are confidently wrong on questions from outside their training data
("how do I record a meeting" scored 0.9 as report-abuse). Unless NLU is very sure, the
article must also be among the passages that search finds for the question's own words;
if not, the question goes to the knowledge-base fallback instead of a wrong answer.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.context import article_reply, asker, kb_for, policy, user_text
from actions.fallback import search_and_answer
from bot.entitlements import response_note

# NLU confidence above which the intent alone is enough (button payloads score 1.0).
TRUSTED_CONFIDENCE = 0.8
# Answers that depend on the asker's own plan and role get a personal line.
PERSONAL = {"faq_response_time", "faq_priority_levels"}


class ActionAnswerFaq(Action):
    def name(self) -> str:
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = tracker.latest_message.get("intent") or {}
        kb = kb_for(tracker)
        article = kb.for_intent(intent.get("name") or "")
        query = user_text(tracker)
        if article is None:
            return await search_and_answer(dispatcher, tracker, kb, query)
        if (intent.get("confidence") or 0.0) < TRUSTED_CONFIDENCE and not query.startswith("/"):
            found = {p.article_id for p, _ in kb.search(query, limit=3)}
            if article.id not in found:
                return await search_and_answer(dispatcher, tracker, kb, query)
        body = article.lead
        if intent.get("name") in PERSONAL:
            body += "\n" + response_note(policy(), await asker(tracker))
        dispatcher.utter_message(text=article_reply(article.title, body, article.url()))
        return [SlotSet("kb_suggested", None)] if tracker.get_slot("kb_suggested") else []
