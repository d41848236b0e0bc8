"""Triage questions shared by the handoff and ticket forms: impact and workaround."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import policy
from actions.forms import answer
from actions.interruptions import side_turn
from bot import triage
from bot.messages import say


class TriageValidation:
    """Mixin for FormValidationAction subclasses: re-ask until the answer is clear."""

    @answer
    async def validate_impact(self, value: Any, dispatcher: CollectingDispatcher,
                              tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        parsed = triage.parse_impact(str(value or ""))
        if parsed is None:
            if await side_turn(dispatcher, tracker):
                return {"impact": None}
            dispatcher.utter_message(response="utter_invalid_impact")
        return {"impact": parsed}

    @answer
    async def validate_workaround(self, value: Any, dispatcher: CollectingDispatcher,
                                  tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        parsed = triage.parse_workaround(str(value or ""))
        if parsed is None:
            if await side_turn(dispatcher, tracker):
                return {"workaround": None}
            dispatcher.utter_message(response="utter_invalid_workaround")
        return {"workaround": parsed}


def priority_line(priority: str, language: str = "en") -> str:
    return say(language, "priority", id=priority,
               name=policy().name("priorities", priority, language))
