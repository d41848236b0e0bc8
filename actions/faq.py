"""Answer a recognised support question with the lead of the article for its intent."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.context import article_reply, kb_for


class ActionAnswerFaq(Action):
    def name(self) -> str:
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        article = kb_for(tracker).for_intent(intent)
        if article is None:
            dispatcher.utter_message(response="utter_cannot_answer")
        else:
            dispatcher.utter_message(text=article_reply(article.title, article.lead, article.url()))
        return [SlotSet("kb_suggested", None)] if tracker.get_slot("kb_suggested") else []
