"""Changing one's mind: cancelling any form clears its answers."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

FORM_SLOTS = ("problem", "impact", "workaround", "meeting_id", "ticket_subject",
              "ticket_description", "phone_country")


class ActionCancelForm(Action):
    def name(self) -> str:
        return "action_cancel_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_cancelled")
        return [SlotSet(s, None) for s in FORM_SLOTS if tracker.get_slot(s) is not None]
