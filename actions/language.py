"""The chat's language, decided on every user turn before anything answers.

`action_set_language` is the custom slot mapping of the `language` slot, so Rasa's
`action_extract_slots` runs it after each user message: responses and actions of that
turn already see the new language. The rule itself is `bot.language.next_language`,
which the gateway uses too, so both always agree.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.context import metadata, user_text
from bot.language import next_language


class ActionSetLanguage(Action):
    def name(self) -> str:
        return "action_set_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        current = tracker.get_slot("language")
        page = metadata(tracker).get("language")
        chosen = next_language(current if isinstance(current, str) else None,
                               page if isinstance(page, str) else None, user_text(tracker))
        return [] if chosen == current else [SlotSet("language", chosen)]
