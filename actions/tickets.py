"""Web tickets: entitlement check, the ticket form, creation in Redis, status lookup."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import (
    asker,
    entitled,
    language,
    policy,
    redis_client,
    source_line,
    user_text,
)
from actions.forms import answer
from actions.interruptions import side_turn
from actions.triage import TriageValidation, priority_line
from bot import text, tickets, triage
from bot.entitlements import sign_in_note
from bot.messages import TEXTS, say
from bot.messages import hours as hours_text

FORM_SLOTS = ("ticket_subject", "ticket_description", "impact", "workaround")
MIN_SUBJECT_WORDS = 2
MIN_DESCRIPTION_WORDS = 12


def when(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


class ActionCheckTicket(Action):
    def name(self) -> str:
        return "action_check_ticket"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if await entitled(dispatcher, tracker, "web_ticket", "web-tickets") is None:
            return [SlotSet("ticket_allowed", False)]
        return [SlotSet("ticket_allowed", True), *[SlotSet(s, None) for s in FORM_SLOTS]]


class ValidateTicketForm(TriageValidation, FormValidationAction):
    def name(self) -> str:
        return "validate_ticket_form"

    @answer
    async def validate_ticket_subject(self, value: Any, dispatcher: CollectingDispatcher,
                                      tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if await side_turn(dispatcher, tracker, free_text=True):
            return {"ticket_subject": None}
        subject = " ".join(str(value or "").split())
        if len(subject.split()) < MIN_SUBJECT_WORDS:
            dispatcher.utter_message(response="utter_subject_too_short")
            return {"ticket_subject": None}
        return {"ticket_subject": subject[: tickets.MAX_SUBJECT]}

    @answer
    async def validate_ticket_description(self, value: Any, dispatcher: CollectingDispatcher,
                                          tracker: Tracker, domain: DomainDict
                                          ) -> dict[str, Any]:
        if await side_turn(dispatcher, tracker, free_text=True):
            return {"ticket_description": None}
        description = str(value or "").strip()
        if len(description.split()) < MIN_DESCRIPTION_WORDS:
            dispatcher.utter_message(response="utter_description_too_short")
            return {"ticket_description": None}
        return {"ticket_description": description[: tickets.MAX_DESCRIPTION]}


class ActionCreateTicket(Action):
    def name(self) -> str:
        return "action_create_ticket"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        who = await entitled(dispatcher, tracker, "web_ticket", "web-tickets")
        if who is None or who.account is None:
            return [SlotSet("ticket_allowed", False)]
        priority = triage.priority_for(str(tracker.get_slot("impact")),
                                       str(tracker.get_slot("workaround")))
        hours = policy().target_hours[priority]
        ticket = await tickets.TicketStore(redis_client()).create(
            user_id=who.account.user_id, account_id=who.account.account_id,
            plan=who.account.plan, role=who.account.role,
            subject=str(tracker.get_slot("ticket_subject")),
            description=str(tracker.get_slot("ticket_description")),
            priority=priority, target_hours=hours, now=time.time(),
        )
        lang = language(tracker)
        target = (say(lang, "ticket.target", hours=hours_text(hours, lang),
                      due=when(ticket.due_at))
                  if policy().has_response_targets(who.plan, who.role) else "")
        dispatcher.utter_message(
            text=say(lang, "ticket.done", id=ticket.id, priority=priority_line(priority, lang),
                     target=target) + source_line(tracker, "response-times"))
        return [SlotSet(s, None) for s in FORM_SLOTS]


class ActionTicketStatus(Action):
    def name(self) -> str:
        return "action_ticket_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        who, lang = await asker(tracker), language(tracker)
        if not who.signed_in or who.account is None:
            dispatcher.utter_message(
                text=say(lang, "ticket.sign_in", note=sign_in_note(who, lang)))
            return []
        store = tickets.TicketStore(redis_client())
        wanted = tickets.parse_ticket_id(user_text(tracker))
        if wanted is None:
            mine = await store.list_for(who.account.user_id)
            if not mine:
                dispatcher.utter_message(text=say(lang, "ticket.none"))
            else:
                dispatcher.utter_message(
                    text=say(lang, "ticket.which"),
                    buttons=[{"title": t, "payload": say(lang, "ticket.status_of", id=t)}
                             for t in mine])
            return []
        try:
            ticket = await store.get(wanted, who.account.user_id)
        except tickets.TicketNotFound:
            dispatcher.utter_message(text=say(lang, "ticket.not_found", id=wanted))
            return []
        status = (say(lang, f"ticket.status.{ticket.status}")
                  if f"ticket.status.{ticket.status}" in TEXTS else ticket.status)
        dispatcher.utter_message(
            text=say(lang, "ticket.found", id=ticket.id, subject=text.quoted(ticket.subject),
                     status=status,
                     priority=priority_line(ticket.priority, lang),
                     opened=when(ticket.created_at), due=when(ticket.due_at)))
        return []
