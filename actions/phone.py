"""Phone numbers: entitled users get their country's number (from the page's metadata,
their words, or by asking), with the extension and what to have ready. A country without
a local number gets "there is no local number for Germany" and the numbers there are.
Everyone else hears why not, and still gets the general advice (what to prepare).

Questions *about* phone support (who gets it, what to prepare, which extension) are
answered from the article by actions/faq.py, for everyone.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import (
    asker,
    entitled,
    kb_for,
    language,
    metadata,
    policy,
    refusal,
    source_line,
    user_text,
)
from actions.forms import answer
from actions.interruptions import side_turn
from bot import countries, entitlements
from bot.messages import say

ALL = "ALL"
_ALL_WORDS = re.compile(
    r"\b(all|every|each|list of)\b.*\bnumbers?\b|^all$|\bвсе\b.*\bномер|\bсписок\b.*\bномер"
    r"|^все$",
    re.I,
)


def country_in(text: str) -> str | None:
    if _ALL_WORDS.search(text.strip()):
        return ALL
    code = countries.find(text)
    return code if code in policy().phone_numbers or code is None else f"OTHER:{code}"


def prepare_line(tracker: Tracker) -> str:
    """'Before you call, have ... ready', from the phone article in the chat's language."""
    article = kb_for(tracker).get("phone-support")
    return article.answer("faq_phone_prepare") if article else ""


def numbers_text(codes: list[str], lang: str) -> str:
    ext = policy().phone_extension
    lines = []
    for code in codes:
        numbers = say(lang, "phone.or").join(
            say(lang, "phone.number", number=n, ext=ext) for n in policy().phone_numbers[code])
        lines.append(f"- {policy().name('countries', code, lang)}: {numbers}")
    return "\n".join(lines)


def numbers_for(tracker: Tracker, country: str) -> str:
    lang = language(tracker)
    if country in policy().phone_numbers:
        head, codes = say(lang, "phone.one"), [country]
    elif country.startswith("OTHER:"):
        code = country.removeprefix("OTHER:")
        name = countries.name(code, lang)
        head = (say(lang, "phone.no_local", country=name) if name != code
                else say(lang, "phone.no_local_unknown"))
        codes = list(policy().phone_numbers)
    else:
        head, codes = say(lang, "phone.all"), list(policy().phone_numbers)
    return (f"{head}\n{numbers_text(codes, lang)}\n{prepare_line(tracker)}"
            + source_line(tracker, "phone-support"))


def wanted_country(tracker: Tracker) -> str | None:
    country = country_in(user_text(tracker))
    return country or countries.from_metadata(metadata(tracker).get("country"))


async def numbers_reply(tracker: Tracker) -> dict[str, Any]:
    """The numbers (for the country asked about, else all), or why not and the advice."""
    who, lang = await asker(tracker), language(tracker)
    decision = entitlements.decide(policy(), who, "phone", lang)
    if not decision.allowed:
        return refusal(tracker, decision, "phone-support", prepare_line(tracker))
    country = wanted_country(tracker) or ALL
    if country != ALL and not country.startswith("OTHER:") and \
            country not in policy().phone_numbers:
        country = f"OTHER:{country}"
    return {"text": numbers_for(tracker, country)}


class ActionCheckPhone(Action):
    def name(self) -> str:
        return "action_check_phone"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if await entitled(dispatcher, tracker, "phone", "phone-support",
                          prepare_line(tracker)) is None:
            return [SlotSet("phone_allowed", False)]
        country = wanted_country(tracker)
        if country is not None and country != ALL and not country.startswith("OTHER:") \
                and country not in policy().phone_numbers:
            country = f"OTHER:{country}"
        return [SlotSet("phone_allowed", True), SlotSet("phone_country", country)]


class ActionAskPhoneCountry(Action):
    def name(self) -> str:
        return "action_ask_phone_country"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        lang = language(tracker)
        # Payloads are country codes: the same in every language, and never read as one.
        buttons = [{"title": policy().name("countries", c, lang), "payload": c}
                   for c in policy().phone_numbers]
        buttons.append({"title": say(lang, "phone.all_numbers"), "payload": ALL})
        dispatcher.utter_message(text=say(lang, "phone.ask_country"), buttons=buttons)
        return []


class ValidatePhoneForm(FormValidationAction):
    def name(self) -> str:
        return "validate_phone_form"

    @answer
    async def validate_phone_country(self, value: Any, dispatcher: CollectingDispatcher,
                                     tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        text = str(value or "")
        if text == ALL or text in policy().phone_numbers or text.startswith("OTHER:"):
            return {"phone_country": text}
        country = country_in(text) or countries.from_metadata(text.strip())
        if country is None:
            if not await side_turn(dispatcher, tracker):
                dispatcher.utter_message(text=say(language(tracker), "phone.unknown_country"))
        elif country not in policy().phone_numbers and country != ALL and \
                not country.startswith("OTHER:"):
            country = f"OTHER:{country}"
        return {"phone_country": country}


class ActionPhoneNumbers(Action):
    def name(self) -> str:
        return "action_phone_numbers"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        country = str(tracker.get_slot("phone_country") or ALL)
        dispatcher.utter_message(text=numbers_for(tracker, country))
        return [SlotSet("phone_country", None)]
