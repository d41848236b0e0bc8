"""'What support can I get?': the options of this user, nothing they do not have."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.faq import reply_for


class ActionSupportOptions(Action):
    def name(self) -> str:
        return "action_support_options"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(text=await reply_for(tracker, "faq_support_options"))
        return []
