"""A question asked in the middle of a form is answered, and the form asks its question
again; "can we speak Russian?" switches the language and the question is asked again in it.

The form's slots are filled from the user's text (`from_text`), so without this any
message would be taken as the answer ("what should I prepare before I call?" as the
problem description). Each validator calls `side_turn` first: if the message is a
language switch, or a support question NLU is sure about, it is handled here and the slot
stays empty, so the form repeats its question.

Free-text answers (a problem description, a ticket subject) often sound like support
topics ("my phone support call dropped"), so for those only a message shaped like a
question counts as one.
"""

from __future__ import annotations

import re

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.context import user_text
from actions.faq import reply_for
from bot.language import requested_switch

SIDE_CONFIDENCE = 0.7
ANSWERABLE = frozenset({
    "faq_help_center", "faq_chatbot", "faq_support_options", "faq_plan_basic",
    "faq_plan_paid", "faq_plan_business", "faq_live_chat", "faq_web_ticket",
    "faq_phone_support", "faq_phone_prepare", "faq_phone_extension", "phone_number",
    "faq_priority_levels", "faq_response_time", "faq_fix_time", "faq_self_service",
    "faq_report_abuse", "faq_billing_discrepancy", "faq_contact_sales", "faq_social_media",
    "bot_challenge", "ask_capabilities",
})
_QUESTION_START = re.compile(
    r"^(?:what|what's|whats|how|who|whom|which|where|when|why|is|are|am|do|does|did|can|"
    r"could|will|would|should|may|must|что|чем|как|кто|кому|какой|какая|какое|какие|каков|"
    r"где|куда|когда|почему|зачем|сколько|можно|могу|можем|нужно|надо|есть|входит|будет|"
    r"а|и|подскажите|скажите|объясните)\b",
    re.I,
)


def looks_like_question(text: str) -> bool:
    stripped = text.strip()
    return stripped.endswith("?") or bool(_QUESTION_START.match(stripped.lower()))


async def side_turn(dispatcher: CollectingDispatcher, tracker: Tracker,
                    free_text: bool = False) -> bool:
    """True when the latest message is not an answer to the form's question: a language
    switch, or a support question (answered here)."""
    text = user_text(tracker)
    if requested_switch(text):
        return True
    intent = tracker.latest_message.get("intent") or {}
    name = str(intent.get("name") or "")
    if name not in ANSWERABLE or float(intent.get("confidence") or 0.0) < SIDE_CONFIDENCE:
        return False
    if free_text and not looks_like_question(text):
        return False
    if name == "ask_capabilities":
        dispatcher.utter_message(response="utter_capabilities")
        return True
    if name == "phone_number":
        from actions.phone import numbers_reply  # phone imports this module

        dispatcher.utter_message(**await numbers_reply(tracker))
        return True
    reply = await reply_for(tracker, name)
    if reply is None:
        return False
    dispatcher.utter_message(text=reply)
    return True
