"""Phone support: entitled users get their country's number (from the page's metadata,
their words, or by asking), with the extension and what to have ready."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import entitled, metadata, policy, source_line, user_text
from actions.forms import answer
from bot import countries

ALL = "ALL"
_ALL_WORDS = re.compile(r"\b(all|every|each|list of)\b.*\bnumbers?\b|^all$", re.I)


def country_in(text: str) -> str | None:
    if _ALL_WORDS.search(text.strip()):
        return ALL
    code = countries.find(text)
    return code if code in policy().phone_numbers or code is None else f"OTHER:{code}"


class ActionCheckPhone(Action):
    def name(self) -> str:
        return "action_check_phone"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if await entitled(dispatcher, tracker, "phone", "phone-support") is None:
            return [SlotSet("phone_allowed", False)]
        country = country_in(user_text(tracker))
        if country is None:
            country = countries.from_metadata(metadata(tracker).get("country"))
        return [SlotSet("phone_allowed", True), SlotSet("phone_country", country)]


class ActionAskPhoneCountry(Action):
    def name(self) -> str:
        return "action_ask_phone_country"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        names = policy().country_names
        buttons = [{"title": names[c], "payload": names[c]} for c in policy().phone_numbers]
        buttons.append({"title": "All numbers", "payload": "all numbers"})
        dispatcher.utter_message(text="Which country are you calling from?", buttons=buttons)
        return []


class ValidatePhoneForm(FormValidationAction):
    def name(self) -> str:
        return "validate_phone_form"

    @answer
    def validate_phone_country(self, value: Any, dispatcher: CollectingDispatcher,
                               tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        text = str(value or "")
        if text == ALL or text in policy().phone_numbers or text.startswith("OTHER:"):
            return {"phone_country": text}
        country = country_in(text) or countries.from_metadata(text.strip())
        if country is None:
            dispatcher.utter_message(text="Sorry, I didn't recognise that country. Pick one "
                                          "of the buttons, or say \"all numbers\".")
        elif country not in policy().phone_numbers and country != ALL:
            country = f"OTHER:{country}"
        return {"phone_country": country}


def numbers_text(codes: list[str]) -> str:
    ext = policy().phone_extension
    lines = []
    for code in codes:
        numbers = " or ".join(f"{n}, ext. {ext}" for n in policy().phone_numbers[code])
        lines.append(f"- {policy().country_names[code]}: {numbers}")
    return "\n".join(lines)


class ActionPhoneNumbers(Action):
    def name(self) -> str:
        return "action_phone_numbers"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        country = str(tracker.get_slot("phone_country") or ALL)
        prepare = " and ".join(f"your {p}" for p in policy().phone_prepare)
        if country in policy().phone_numbers:
            head = "Call phone support on:"
            codes = [country]
        elif country.startswith("OTHER:"):
            head = ("We don't have a local number for your country; call the number "
                    "nearest you:")
            codes = list(policy().phone_numbers)
        else:
            head = "Phone support numbers:"
            codes = list(policy().phone_numbers)
        dispatcher.utter_message(
            text=(f"{head}\n{numbers_text(codes)}\nBefore you call, have {prepare} ready."
                  + source_line(tracker, "phone-support")))
        return [SlotSet("phone_country", None)]
