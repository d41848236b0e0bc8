"""'I want to talk to a person': entitlement check, triage form, handoff payload; and
'can I talk to a person?', which entitled users answer with yes and an offer to connect.

The handoff itself is the gateway's job: this feature ends with a bot message carrying
`{"handoff": {...}}` (DESIGN.md), which the gateway re-checks before queueing. The payload
also names the chat's `language`, for the agent console.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import asker, button, cleared, entitled, language, policy, refusal
from actions.forms import answer
from actions.interruptions import side_turn
from actions.triage import TriageValidation, priority_line
from bot import entitlements, handoff, triage
from bot.messages import say

FORM_SLOTS = ("problem", "impact", "workaround", "meeting_id")
SKIP_WORDS = {"skip", "no", "none", "n/a", "na", "no meeting", "not about a meeting", "-",
              "пропустить", "пропусти", "пропуск", "нет", "не", "не про конференцию", "без"}
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


class ActionOfferPerson(Action):
    """'Can I talk to a live person?': yes and an offer to connect now, or why not."""

    def name(self) -> str:
        return "action_offer_person"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        who, lang = await asker(tracker), language(tracker)
        decision = entitlements.decide(policy(), who, "live_chat", lang)
        if not decision.allowed:
            dispatcher.utter_message(**refusal(tracker, decision, "live-chat"))
            return [*cleared(tracker), SlotSet("handoff_allowed", False)]
        role = policy().name("roles", who.role, lang)
        dispatcher.utter_message(
            text=say(lang, "offer.person", role=role, a_role=entitlements.a(role),
                     plan=policy().name("plans", who.plan, lang)),
            buttons=[button(lang, "connect", "/request_human"),
                     button(lang, "not_now", "/deny")])
        return [*cleared(tracker, "kb_suggested"), SlotSet("handoff_allowed", True),
                SlotSet("person_offered", True)]


class ValidateHandoffForm(TriageValidation, FormValidationAction):
    def name(self) -> str:
        return "validate_handoff_form"

    @answer
    async def validate_problem(self, value: Any, dispatcher: CollectingDispatcher,
                               tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if await side_turn(dispatcher, tracker, free_text=True):
            return {"problem": None}
        problem = str(value or "").strip()
        if len(problem) < MIN_PROBLEM_CHARS or not any(c.isalpha() for c in problem):
            dispatcher.utter_message(text=say(language(tracker), "handoff.problem_short"))
            return {"problem": None}
        return {"problem": problem[:1000]}

    @answer
    async def validate_meeting_id(self, value: Any, dispatcher: CollectingDispatcher,
                                  tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        answer = str(value or "").strip().lower().strip(".!")
        if answer in SKIP_WORDS:
            return {"meeting_id": "none"}
        parsed = triage.parse_meeting_id(answer)
        if parsed is None:
            if await side_turn(dispatcher, tracker):
                return {"meeting_id": None}
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
        lang = language(tracker)
        payload = handoff.build(who, answers, policy())
        payload["handoff"]["language"] = lang
        dispatcher.utter_message(
            text=say(lang, "handoff.connecting", priority=priority_line(answers.priority, lang)),
            json_message=payload,
        )
        return cleared(tracker, "person_offered")
