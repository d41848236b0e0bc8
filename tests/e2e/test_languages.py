"""Both languages through Rasa's REST channel, with the page context in the metadata as the
gateway sends it (token, country, language): real Rasa, action server and Redis."""

from __future__ import annotations

import uuid
from typing import Any

from tests.conftest import Stack
from tests.helpers import token


def new_sender() -> str:
    return f"lang-{uuid.uuid4().hex[:10]}"


def say(stack: Stack, sender: str, text: str, user: str | None = None,
        **meta: Any) -> list[dict[str, Any]]:
    metadata = {**({"token": token(user)} if user else {}), **meta}
    return stack.ask(sender, text, **metadata)


def joined(replies: list[dict[str, Any]]) -> str:
    return "\n".join(str(r.get("text") or "") for r in replies)


def test_a_russian_question_is_answered_in_russian_from_the_russian_article(
    rasa_stack: Stack
) -> None:
    text = joined(say(rasa_stack, new_sender(), "как отправить веб-заявку в поддержку?"))
    assert "/kb/ru/web-tickets)" in text and "Источник:" in text


def test_the_page_language_holds_for_neutral_first_messages(rasa_stack: Stack) -> None:
    me = new_sender()
    assert "Здравствуйте" in joined(say(rasa_stack, me, "hi", language="ru"))
    assert "/kb/ru/" in joined(say(rasa_stack, me, "/faq_response_time", language="ru"))


def test_switching_language_mid_chat_and_back(rasa_stack: Stack) -> None:
    me = new_sender()
    first = joined(say(rasa_stack, me, "who can use live chat"))
    assert "/kb/en/live-chat)" in first
    switched = joined(say(rasa_stack, me, "можно по-русски?"))
    assert "по-русски" in switched
    assert "/kb/ru/" in joined(say(rasa_stack, me, "/faq_priority_levels"))
    back = joined(say(rasa_stack, me, "in English please"))
    assert "English" in back
    assert "/kb/en/" in joined(say(rasa_stack, me, "/faq_priority_levels"))


def test_russian_paid_owner_is_triaged_in_russian_and_handed_off(rasa_stack: Stack) -> None:
    me, user = new_sender(), "pro-owner"
    asked = joined(say(rasa_stack, me, "соедините меня со специалистом", user, language="ru"))
    assert "что случилось?" in asked
    impact = joined(say(rasa_stack, me, "никто в компании не может войти в конференции", user))
    assert "Насколько это серьезно?" in impact
    assert "Есть ли пока обходное решение?" in joined(say(rasa_stack, me, "down", user))
    assert "идентификатор" in joined(say(rasa_stack, me, "нет", user))
    final = say(rasa_stack, me, "пропустить", user)
    payloads = [r["custom"]["handoff"] for r in final if "handoff" in (r.get("custom") or {})]
    assert payloads and payloads[0]["priority"] == "P1" and payloads[0]["language"] == "ru"
    assert "Соединяю вас со специалистом" in joined(final)


def test_a_question_in_the_middle_of_triage_is_answered_and_triage_resumes(
    rasa_stack: Stack
) -> None:
    me, user = new_sender(), "business-admin"
    say(rasa_stack, me, "I want to talk to a person", user)
    say(rasa_stack, me, "Recordings fail for everyone in the company", user)
    side = joined(say(rasa_stack, me, "wait, what do I need to have ready before calling?",
                      user))
    assert "host key" in side and "How bad is it?" in side
    assert "workaround" in joined(say(rasa_stack, me, "down", user))


def test_entitled_user_asking_for_a_person_is_offered_and_connected_on_yes(
    rasa_stack: Stack
) -> None:
    me, user = new_sender(), "enterprise-admin"
    offer = joined(say(rasa_stack, me, "is it possible to chat with a live person?", user))
    assert offer.startswith("Yes, you can.") and "Shall I connect you now?" in offer
    assert "what's going wrong?" in joined(say(rasa_stack, me, "yes", user))


def test_germany_gets_the_numbers_we_have(rasa_stack: Stack) -> None:
    me = new_sender()
    asked = joined(say(rasa_stack, me, "what number do I call for support", "api-admin"))
    assert "Which country" in asked
    text = joined(say(rasa_stack, me, "Germany", "api-admin"))
    assert text.startswith("There is no local number for Germany; these are the numbers")
    assert "+1.888.799.9666, ext. 2" in text


def test_anonymous_visitor_gets_the_general_phone_advice(rasa_stack: Stack) -> None:
    text = joined(say(rasa_stack, new_sender(), "what should I prepare before calling support"))
    assert "personal meeting ID" in text and "host key" in text
    ru = joined(say(rasa_stack, new_sender(), "какой номер телефона поддержки?"))
    assert "ключ организатора" in ru and "+1.888" not in ru
