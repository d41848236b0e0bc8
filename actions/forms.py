"""Changing one's mind: cancelling any form clears its answers."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

FORM_SLOTS = ("problem", "impact", "workaround", "meeting_id", "ticket_subject",
              "ticket_description", "phone_country", "person_offered")


Validator = Callable[[Any, Any, CollectingDispatcher, Tracker, Any],
                     Awaitable[dict[str, Any]]]


def answer(validate: Validator) -> Validator:
    """Validate only what the user answered. rasa_sdk validates every SlotSet at the end
    of the tracker, and the check actions clear the form's slots (SlotSet None) just
    before the form asks its first question: without this, each cleared slot got a "Sorry,
    I didn't get that" for a question not asked yet."""
    slot = validate.__name__.removeprefix("validate_")

    @functools.wraps(validate)
    async def checked(self: Any, value: Any, dispatcher: CollectingDispatcher,
                      tracker: Tracker, domain: Any) -> dict[str, Any]:
        if value is None:
            return {slot: None}
        return await validate(self, value, dispatcher, tracker, domain)
    return checked


class ActionCancelForm(Action):
    def name(self) -> str:
        return "action_cancel_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_cancelled")
        return [SlotSet(s, None) for s in FORM_SLOTS if tracker.get_slot(s) is not None]
