"""'What support can I get?': the options of this user, nothing they do not have."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.context import asker, policy, source_line
from bot.entitlements import describe_support


class ActionSupportOptions(Action):
    def name(self) -> str:
        return "action_support_options"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        who = await asker(tracker)
        text = describe_support(policy(), who) + source_line(tracker, "support-options")
        dispatcher.utter_message(text=text)
        return []
