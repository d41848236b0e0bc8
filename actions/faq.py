"""Answer a recognised support question with the article (or article section) for its
intent, plus a line about the asker's own plan and role where that changes the answer.

Intent classifiers are confidently wrong on questions from outside their training data
("how do I record a meeting" scored 0.9 as report-abuse). Unless NLU is very sure, the
article must also be among the passages that search finds for the question's own words;
if not, the question goes to the knowledge-base fallback instead of a wrong answer.

"What support does a plan give" is one question asked four ways (`SUPPORT_FAMILY`), and
NLU often hesitates between them: when it does, the asker (signed in, asking about
themselves) or the plan the question names decides the article; and when it hesitates
between asking about a channel and asking for it, the question is answered
(`unsure_reply`, here and when NLU fell back altogether).

`reply_for` is also what a form uses to answer a question asked in the middle of it
(actions/interruptions.py).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.context import (
    article_reply,
    asker,
    cleared,
    kb_for,
    language,
    policy,
    user_text,
)
from actions.fallback import search_and_answer
from bot import text
from bot.entitlements import Asker, access_note, decide, describe_support, response_note
from bot.knowledge import Article, KnowledgeBase

# NLU confidence above which the intent alone is enough (button payloads score 1.0).
TRUSTED_CONFIDENCE = 0.65
# Answers that depend on the asker's own plan and role get a personal line.
TARGETS = {"faq_response_time", "faq_priority_levels", "faq_fix_time"}
CHANNEL_OF = {"faq_live_chat": "live_chat", "faq_web_ticket": "web_ticket",
              "faq_phone_support": "phone"}
# "What support do I get?" has one answer for a signed-in asker, whichever of these NLU
# picked: the article of their own plan and what it gives them.
SUPPORT_FAMILY = {"faq_support_options", "faq_plan_basic", "faq_plan_paid",
                  "faq_plan_business"}


def named_plan_article(kb: KnowledgeBase, query: str) -> Article | None:
    """The one plan article that covers every plan the question names, if there is one."""
    named = {kb.plan_article(plan) for plan in text.named_plans(query)}
    return named.pop() if len(named) == 1 else None


async def reply_for(tracker: Tracker, intent: str) -> str | None:
    """The answer to a question of this intent, with its source; None if no article."""
    kb, lang, query = kb_for(tracker), language(tracker), user_text(tracker)
    named = named_plan_article(kb, query) if intent in SUPPORT_FAMILY else None
    personal = intent.startswith("faq_plan_") and text.is_personal(query)
    who = await asker(tracker) if intent in SUPPORT_FAMILY else None
    own_named = named is not None and who is not None and who.signed_in \
        and named is kb.plan_article(who.plan)
    if named is not None and not own_named:
        # "what support does Enterprise get" (not the asker's own plan): the article of
        # the plan it names, whichever of the family NLU chose
        intent = next(i for i in named.intents if i.startswith("faq_plan_"))
    elif who is not None and (intent == "faq_support_options"
                              or ((personal or own_named) and who.signed_in)):
        # what this asker gets ("what does my plan include" from a signed-in user too):
        # signed in, it points at the article of their own plan
        article = (kb.plan_article(who.plan) if who.signed_in else None) or \
            kb.get("support-options")
        body = describe_support(policy(), who, lang)
        return article_reply(article.title, body, article.url(), lang) if article else body
    article = kb.for_intent(intent)
    if article is None:
        return None
    body = article.answer(intent)
    if intent in TARGETS:
        body += "\n" + response_note(policy(), await asker(tracker), lang)
    elif intent in CHANNEL_OF:
        who = await asker(tracker)
        body += "\n" + access_note(policy(), who, CHANNEL_OF[intent], lang)
        if intent == "faq_phone_support":
            body += own_number(tracker, who)
    return article_reply(article.title, body, article.url(), lang)


def own_number(tracker: Tracker, who: Asker) -> str:
    """For an entitled asker whose country is known (their words or the page), the number
    to call: "can I call support?" is answered with the number they would dial."""
    from actions.phone import numbers_text, wanted_country  # phone imports this module

    country = wanted_country(tracker)
    if country not in policy().phone_numbers or not decide(policy(), who, "phone").allowed:
        return ""
    return "\n" + numbers_text([str(country)], language(tracker))


def backed_by_words(tracker: Tracker, intent: str, confidence: float, query: str) -> bool:
    """True when NLU is sure, the message is a button, or search agrees with the intent."""
    if confidence >= TRUSTED_CONFIDENCE or query.startswith("/"):
        return True
    kb = kb_for(tracker)
    article = kb.for_intent(intent)
    if article is None:
        return intent == "faq_support_options"
    return article.id in {p.article_id for p, _ in kb.search(query, limit=3)}


# The least NLU must give a "what support" intent for the family to be considered.
FAMILY_CONFIDENCE = 0.2
# "How do web tickets work / can I file one" and "file one for me" are one topic; when NLU
# cannot tell the question from the request, the question is answered (how it works and
# whether the asker may, with the way to start it), never an action started on a guess.
TOPIC_QUESTION = {"open_ticket": "faq_web_ticket", "request_human": "faq_live_chat",
                  "ask_human_possible": "faq_live_chat", "phone_number": "faq_phone_support"}
# The least the two readings of one topic must reach together.
TOPIC_CONFIDENCE = 0.5


async def unsure_reply(tracker: Tracker) -> str | None:
    """An answer NLU's hesitation does not change, or None:

    - its best guess is one of the "what support does a plan give" intents: a signed-in
      asker asking about themselves gets their own plan, and a question naming plans
      that one article covers gets that article;
    - its two best guesses are the question and the request of one topic (a web ticket,
      live chat, phone support): the question is answered;
    - its two best guesses are a channel and a plan ("does Education get phone
      support?"): the channel's answer says which plans have it, and whether the asker
      does, which the plan's article does not.
    """
    latest = tracker.latest_message
    ranking = [(str(r.get("name") or ""), float(r.get("confidence") or 0.0))
               for r in latest.get("intent_ranking") or [latest.get("intent") or {}]
               if r.get("name") != "nlu_fallback"]
    if not ranking:
        return None
    (best, confidence), query = ranking[0], user_text(tracker)
    two_close = len(ranking) > 1 and confidence + ranking[1][1] >= TOPIC_CONFIDENCE
    if two_close:
        channels = [i for i, _ in ranking[:2] if i in CHANNEL_OF]
        plans = [i for i, _ in ranking[:2] if i in SUPPORT_FAMILY]
        if len(channels) == 1 and len(plans) == 1:
            return await reply_for(tracker, channels[0])
    if best in SUPPORT_FAMILY and confidence >= FAMILY_CONFIDENCE:
        if named_plan_article(kb_for(tracker), query) is not None:
            return await reply_for(tracker, best)
        if text.is_personal(query) and (await asker(tracker)).signed_in:
            return await reply_for(tracker, "faq_support_options")
        return None
    if two_close:
        topic = TOPIC_QUESTION.get(best, best)
        second = ranking[1][0]
        if topic in TOPIC_QUESTION.values() and topic == TOPIC_QUESTION.get(second, second):
            return await reply_for(tracker, topic)
    return None


class ActionAnswerFaq(Action):
    def name(self) -> str:
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = tracker.latest_message.get("intent") or {}
        name = str(intent.get("name") or "")
        query = user_text(tracker)
        kb = kb_for(tracker)
        confidence = float(intent.get("confidence") or 0.0)
        text = None
        if confidence < TRUSTED_CONFIDENCE and not query.startswith("/"):
            text = await unsure_reply(tracker)
        if text is None and backed_by_words(tracker, name, confidence, query):
            text = await reply_for(tracker, name)
        if text is None:
            return await search_and_answer(dispatcher, tracker, kb, query)
        dispatcher.utter_message(text=text)
        return cleared(tracker)
