"""action_answer_faq on tracker snapshots: the whole event list and the message sent, in
both languages, with the line about the asker's own plan and role."""

from __future__ import annotations

import pytest

from actions.fallback import ActionKbSearch
from actions.faq import ActionAnswerFaq
from bot import knowledge
from tests.helpers import run, tracker

KB = {"en": knowledge.load("en"), "ru": knowledge.load("ru")}
CLEAR = {"event": "slot", "timestamp": None, "name": "kb_suggested", "value": None}


async def test_confident_intent_gets_the_article_lead_and_its_link() -> None:
    messages, events = await run(ActionAnswerFaq(), tracker(
        "how do I report abuse in a meeting", "faq_report_abuse", 0.97))
    article = KB["en"].articles["report-abuse"]
    assert events == []
    (message,) = messages
    assert message["text"] == f"{article.lead}\nSource: [Report abuse]({article.url()})"


async def test_russian_chat_gets_the_russian_article() -> None:
    messages, _ = await run(ActionAnswerFaq(), tracker(
        "как пожаловаться на участника", "faq_report_abuse", 0.97, slots={"language": "ru"}))
    article = KB["ru"].articles["report-abuse"]
    assert messages[0]["text"] == (
        f"{article.lead}\nИсточник: [{article.title}]({article.url()})")
    assert "/kb/ru/report-abuse)" in messages[0]["text"]


async def test_language_comes_from_the_rule_when_the_slot_is_not_set_yet() -> None:
    page_ru, _ = await run(ActionAnswerFaq(), tracker(
        "/faq_self_service", "faq_self_service", 1.0, metadata={"language": "ru"}))
    assert "/kb/ru/self-service)" in page_ru[0]["text"]
    typed_ru, _ = await run(ActionAnswerFaq(), tracker(
        "что такое самообслуживание", "faq_self_service", 0.95))
    assert "/kb/ru/self-service)" in typed_ru[0]["text"]
    unsupported_page, _ = await run(ActionAnswerFaq(), tracker(
        "what is self-service", "faq_self_service", 0.95, metadata={"language": "de"}))
    assert "/kb/en/self-service)" in unsupported_page[0]["text"]


async def test_button_payload_answers_even_without_words() -> None:
    messages, _ = await run(ActionAnswerFaq(), tracker("/faq_web_ticket", "faq_web_ticket", 1.0))
    assert "/kb/en/web-tickets" in messages[0]["text"]


async def test_answer_clears_a_pending_did_you_mean() -> None:
    _, events = await run(ActionAnswerFaq(), tracker(
        "/faq_live_chat", "faq_live_chat", 1.0, slots={"kb_suggested": True}))
    assert events == [CLEAR]


async def test_unsure_intent_without_lexical_support_goes_to_search_instead() -> None:
    # NLU guessed report-abuse for a product question; nothing in the text backs it up.
    messages, _ = await run(ActionAnswerFaq(), tracker(
        "how to record a meeting", "faq_report_abuse", 0.62,
        ranking=[("faq_report_abuse", 0.62), ("faq_billing_discrepancy", 0.05)]))
    assert "/kb/en/report-abuse" not in (messages[0].get("text") or "")
    assert messages[0]["response"] in {"utter_did_you_mean", "utter_cannot_answer"}


async def test_unsure_intent_backed_by_the_words_is_answered() -> None:
    messages, _ = await run(ActionAnswerFaq(), tracker(
        "who may phone support", "faq_phone_support", 0.55))
    assert "/kb/en/phone-support" in messages[0]["text"]


# --- phone questions other than "the number": answered for everyone, no country asked ---

@pytest.mark.parametrize(("lang", "question", "intent", "must"), [
    ("en", "what should I have ready before I call", "faq_phone_prepare",
     ["personal meeting ID", "host key"]),
    ("ru", "что приготовить перед звонком", "faq_phone_prepare",
     ["персональный идентификатор конференции", "ключ организатора"]),
    ("en", "which extension do I dial", "faq_phone_extension", ["extension 2"]),
    ("ru", "какой добавочный набирать", "faq_phone_extension", ["добавочный номер 2"]),
])
@pytest.mark.parametrize("user", [None, "basic-owner", "pro-member", "enterprise-admin"])
async def test_general_phone_facts_for_everyone(lang: str, question: str, intent: str,
                                                must: list[str], user: str | None) -> None:
    messages, _ = await run(ActionAnswerFaq(), tracker(
        question, intent, 0.95, user=user, slots={"language": lang}))
    (message,) = messages
    for fact in must:
        assert fact in message["text"]
    assert f"/kb/{lang}/phone-support)" in message["text"]
    assert "+1.888" not in message["text"]  # a question about calling, not the number
    assert "buttons" not in message or not message["buttons"]


@pytest.mark.parametrize(("user", "lang", "line"), [
    ("enterprise-admin", "en", "You (admin on Enterprise) have phone support"),
    ("enterprise-admin", "ru", "Вам (администратор, «Предприятие») доступна поддержка по телефону"),
    ("pro-owner", "en", "Only owners and admins of Business, Education, Enterprise and API "
                        "accounts can use phone support; yours is on Pro."),
    ("pro-owner", "ru", "ваша — на тарифе «Профессиональный»"),
    ("business-member", "en", "On Business accounts, only owners and admins can use phone "
                              "support, and you're a member."),
    (None, "en", "You're not signed in"),
    (None, "ru", "Вы не вошли в систему"),
])
async def test_who_gets_phone_support_names_the_plans_and_the_askers_own_access(
    user: str | None, lang: str, line: str
) -> None:
    messages, _ = await run(ActionAnswerFaq(), tracker(
        "who gets phone support", "faq_phone_support", 0.95, user=user,
        slots={"language": lang}))
    text = messages[0]["text"]
    assert text.startswith(KB[lang].articles["phone-support"].lead)
    assert line in text


async def test_is_p1_fixed_within_an_hour_corrects_the_misconception() -> None:
    for lang, must in (("en", ["not a time to fix", "notified that your request is "
                                                    "registered", "1 hour"]),
                       ("ru", ["не срок устранения проблемы", "уведомление о регистрации",
                               "1 час"])):
        messages, _ = await run(ActionAnswerFaq(), tracker(
            "is P1 fixed within an hour?", "faq_fix_time", 0.95, slots={"language": lang}))
        text = messages[0]["text"]
        for fact in must:
            assert fact in text
        assert f"/kb/{lang}/response-times)" in text


@pytest.mark.parametrize(("user", "has"), [
    ("pro-owner", True), ("business-admin", True), ("pro-member", False),
    ("basic-owner", False), (None, False)])
async def test_live_chat_answer_says_whether_the_asker_has_it(user: str | None,
                                                                has: bool) -> None:
    messages, _ = await run(ActionAnswerFaq(), tracker(
        "who can use live chat", "faq_live_chat", 0.95, user=user))
    text = messages[0]["text"]
    assert ('say "talk to a person"' in text) == has


@pytest.mark.parametrize(("user", "intent", "lang", "article"), [
    ("pro-owner", "faq_plan_paid", "ru", "paid-plan-support"),
    ("enterprise-admin", "faq_plan_basic", "en", "business-plan-support"),
    ("basic-owner", "faq_support_options", "en", "basic-plan-support"),
])
async def test_unsure_personal_support_question_of_a_signed_in_asker_gets_their_plan(
    user: str, intent: str, lang: str, article: str
) -> None:
    # NLU may hesitate between the plan intents and "support options": for a signed-in
    # asker they all lead to the article of their own plan
    question = {"en": "so what do I get", "ru": "а мне что положено"}[lang]
    messages, _ = await run(ActionAnswerFaq(), tracker(
        question, intent, 0.45, user=user, slots={"language": lang}))
    assert f"/kb/{lang}/{article})" in messages[0]["text"]


@pytest.mark.parametrize(("question", "lang", "article"), [
    ("and for owners on the Education plan?", "en", "business-plan-support"),
    ("а если у нас тариф «Профессиональный»?", "ru", "paid-plan-support"),
    ("what about free accounts", "en", "basic-plan-support"),
])
async def test_unsure_support_question_naming_a_plan_gets_that_plans_article(
    question: str, lang: str, article: str
) -> None:
    messages, _ = await run(ActionAnswerFaq(), tracker(
        question, "faq_plan_paid", 0.4, slots={"language": lang},
        ranking=[("faq_plan_paid", 0.4), ("faq_support_options", 0.3)]))
    assert f"/kb/{lang}/{article})" in messages[0]["text"]


async def test_unsure_support_question_of_an_anonymous_visitor_still_needs_the_words() -> None:
    # no plan named and nobody signed in: search decides, as before
    messages, _ = await run(ActionAnswerFaq(), tracker(
        "so what do I get", "faq_plan_paid", 0.45,
        ranking=[("faq_plan_paid", 0.45), ("faq_support_options", 0.2)]))
    assert "/kb/en/paid-plan-support)" not in (messages[0].get("text") or "")


async def test_nlu_fallback_between_plan_intents_still_answers_a_signed_in_asker() -> None:
    messages, _ = await run(ActionKbSearch(), tracker(
        "а мне что положено", "nlu_fallback", 0.35, user="pro-owner",
        slots={"language": "ru"},
        ranking=[("nlu_fallback", 0.35), ("faq_plan_basic", 0.33), ("faq_plan_paid", 0.3)]))
    assert "/kb/ru/paid-plan-support)" in messages[0]["text"]


async def test_nlu_fallback_elsewhere_still_searches() -> None:
    messages, _ = await run(ActionKbSearch(), tracker(
        "а мне что положено", "nlu_fallback", 0.35, user="pro-owner",
        slots={"language": "ru"},
        ranking=[("nlu_fallback", 0.35), ("faq_live_chat", 0.33), ("faq_plan_paid", 0.3)]))
    assert "/kb/ru/paid-plan-support)" not in (messages[0].get("text") or "")


@pytest.mark.parametrize(("ranking", "article"), [
    ([("faq_web_ticket", 0.43), ("open_ticket", 0.37)], "web-tickets"),
    ([("request_human", 0.3), ("faq_live_chat", 0.28)], "live-chat"),
    ([("phone_number", 0.33), ("faq_phone_support", 0.3)], "phone-support"),
])
async def test_torn_between_asking_about_a_channel_and_asking_for_it_answers_the_question(
    ranking: list[tuple[str, float]], article: str
) -> None:
    messages, events = await run(ActionKbSearch(), tracker(
        "hmm, that thing with support", "nlu_fallback", 0.35, user="enterprise-admin",
        ranking=[("nlu_fallback", 0.35), *ranking]))
    assert f"/kb/en/{article})" in messages[0]["text"]
    assert "form" not in str(events)  # nothing started on a guess


async def test_torn_between_two_topics_still_searches() -> None:
    messages, _ = await run(ActionKbSearch(), tracker(
        "hmm, that thing with support", "nlu_fallback", 0.35, user="enterprise-admin",
        ranking=[("nlu_fallback", 0.35), ("faq_web_ticket", 0.4), ("request_human", 0.35)]))
    assert "Source:" not in (messages[0].get("text") or "")


@pytest.mark.parametrize("ranking", [
    [("faq_phone_support", 0.45), ("faq_plan_business", 0.4)],
    [("faq_plan_business", 0.45), ("faq_phone_support", 0.4)],
])
async def test_torn_between_a_channel_and_a_plan_answers_the_channel(
    ranking: list[tuple[str, float]]
) -> None:
    messages, _ = await run(ActionKbSearch(), tracker(
        "education owners and the phone", "nlu_fallback", 0.35, user="education-owner",
        ranking=[("nlu_fallback", 0.35), *ranking]))
    assert "/kb/en/phone-support)" in messages[0]["text"]


async def test_torn_between_two_channels_still_searches() -> None:
    messages, _ = await run(ActionKbSearch(), tracker(
        "support, the phone or the chat", "nlu_fallback", 0.35, user="education-owner",
        ranking=[("nlu_fallback", 0.35), ("faq_phone_support", 0.4), ("faq_live_chat", 0.38)]))
    assert "Source:" not in (messages[0].get("text") or "")


@pytest.mark.parametrize(("user", "question", "intent", "article", "personal"), [
    # a plan named, NLU sure of the wrong member of the family: the named plan's article
    (None, "what do Enterprise admins get from support", "faq_plan_paid",
     "business-plan-support", False),
    (None, "support options on the free plan", "faq_support_options", "basic-plan-support",
     False),
    # signed in, another plan named: that plan, not theirs
    ("pro-owner", "what support does the API plan give", "faq_support_options",
     "business-plan-support", False),
    # signed in, their own plan named: what they themselves get
    ("pro-owner", "what support does Pro give", "faq_plan_business", "paid-plan-support", True),
    # several plans' articles named: as before
    (None, "free or paid: how does support compare", "faq_support_options", "support-options",
     False),
])
async def test_the_plan_a_question_names_decides_among_the_support_intents(
    user: str | None, question: str, intent: str, article: str, personal: bool
) -> None:
    messages, _ = await run(ActionAnswerFaq(), tracker(question, intent, 0.95, user=user))
    assert f"/kb/en/{article})" in messages[0]["text"]
    assert ("You can use:" in messages[0]["text"]) is (personal or article == "support-options")
