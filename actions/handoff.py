"""'I want to talk to a person': entitlement check, triage form, handoff payload.

The handoff itself is the gateway's job: this feature ends with a bot message carrying
`{"handoff": {...}}` (DESIGN.md), which the gateway re-checks before queueing.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import entitled, policy
from actions.forms import answer
from actions.triage import TriageValidation, priority_line
from bot import handoff, triage

FORM_SLOTS = ("problem", "impact", "workaround", "meeting_id")
SKIP_WORDS = {"skip", "no", "none", "n/a", "na", "no meeting", "not about a meeting", "-"}
MIN_PROBLEM_CHARS = 8


class ActionCheckHandoff(Action):
    def name(self) -> str:
        return "action_check_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if await entitled(dispatcher, tracker, "live_chat", "live-chat") is None:
            return [SlotSet("handoff_allowed", False)]
        return [SlotSet("handoff_allowed", True), *[SlotSet(s, None) for s in FORM_SLOTS]]


class ValidateHandoffForm(TriageValidation, FormValidationAction):
    def name(self) -> str:
        return "validate_handoff_form"

    @answer
    def validate_problem(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                         domain: DomainDict) -> dict[str, Any]:
        problem = str(value or "").strip()
        if len(problem) < MIN_PROBLEM_CHARS or not any(c.isalpha() for c in problem):
            dispatcher.utter_message(text="Please tell me in a few words what's going wrong.")
            return {"problem": None}
        return {"problem": problem[:1000]}

    @answer
    def validate_meeting_id(self, value: Any, dispatcher: CollectingDispatcher,
                            tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        answer = str(value or "").strip().lower().strip(".!")
        if answer in SKIP_WORDS:
            return {"meeting_id": "none"}
        parsed = triage.parse_meeting_id(answer)
        if parsed is None:
            dispatcher.utter_message(response="utter_invalid_meeting_id")
        return {"meeting_id": parsed}


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        who = await entitled(dispatcher, tracker, "live_chat", "live-chat")
        if who is None:  # e.g. the sign-in expired during triage
            return [SlotSet("handoff_allowed", False)]
        meeting = tracker.get_slot("meeting_id")
        answers = triage.Triage(
            problem=str(tracker.get_slot("problem") or ""),
            impact=str(tracker.get_slot("impact")),
            workaround=str(tracker.get_slot("workaround")),
            meeting_id=meeting if meeting and meeting != "none" else None,
        )
        payload = handoff.build(who, answers, policy())
        dispatcher.utter_message(
            text=(f"Thanks. I'm connecting you with a support specialist now, priority "
                  f"{priority_line(answers.priority)}. They'll see this conversation and "
                  f"your answers, so you won't have to repeat yourself."),
            json_message=payload,
        )
        return []
