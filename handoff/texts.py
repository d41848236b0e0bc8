"""What the gateway itself says in a chat (queue, agents joining, ratings, the bot being
unavailable), in every language of the product. The bot's own answers come from Rasa;
these are the gateway's, in the chat's language (English when unknown)."""

from __future__ import annotations

from typing import Any, Final

DEFAULT: Final = "en"

CATALOGUE: Final[dict[str, dict[str, str]]] = {
    "en": {
        "joined": "{agent} from support joined the chat.",
        "took_over": "{agent} from support took over the chat.",
        "closed": "The specialist has closed this chat, and I'm back. Is there anything "
                  "else I can help you with?",
        "rate": "How would you rate the help you got, from 1 (poor) to 5 (excellent)?",
        "thanks": "Thank you for your feedback!",
        "handed_back": "The specialist handed the conversation back to me: I can take it "
                       "from here. What else can I help you with?",
        "transcript_title": "Conversation with Help Center support",
        "transcript_started": "Started: {time} UTC",
        "transcript_saved": "Saved: {time} UTC",
        "transcript_omitted": "(earlier messages omitted: the copy holds the newest {n})",
        "sender_user": "You",
        "sender_bot": "Assistant",
        "sender_agent": "{agent} (support)",
        "sender_agent_unnamed": "Support specialist",
        "sender_system": "Notice",
        "requeued": "The specialist was disconnected. You're back at the front of the "
                    "queue; the next available specialist will continue with you.",
        "abandoned": "You left the queue because this chat was closed for more than "
                     "{seconds} seconds. Ask for a person again any time.",
        "cancelled": "You've left the queue. I'm here if you need anything else.",
        "nobody_online": "No support specialist is online right now. You keep your place "
                         "in the queue and we'll connect you as soon as someone is free, "
                         "any time of day. If you'd rather not wait, open a web ticket "
                         "instead: for priority {priority} the target response time is "
                         "{target}.",
        "ticket_instead": "Open a web ticket instead",
        "while_waiting": "While you wait, this may help: {text}\nSource: [{title}]({url})",
        "handoff_refused": "I can't connect you with a specialist from this chat. Ask me "
                           "what support your plan includes.",
        "bot_unavailable": "Sorry, the assistant can't answer right now. Your message is "
                           "saved; please try again in a moment.",
        "bot_unavailable_person": "Sorry, the assistant can't answer right now. Your "
                                  "message is saved; please try again in a moment, or "
                                  "talk to a support specialist.",
        "try_again": "Try again",
        "talk_to_person": "Talk to a person",
        "connecting": "Connecting you with a support specialist.",
        "not_entitled": "Live chat with a support specialist is for owners and admins of "
                        "paid accounts. Please try the assistant again in a moment.",
        "busy_handoff": "You already have a conversation with a support specialist open "
                        "(in another window or tab). Please continue there.",
        "too_many_handoffs": "You've asked for a person several times in the last hour. "
                             "Please continue in your open conversation, or open a web "
                             "ticket.",
        "hours": "{n} hour",
        "hours_plural": "{n} hours",
    },
    "ru": {
        "joined": "{agent} из службы поддержки подключился к чату.",
        "took_over": "Чат продолжит {agent} из службы поддержки.",
        "closed": "Специалист завершил этот чат, и я снова с вами. Могу ли я помочь "
                  "чем-то ещё?",
        "rate": "Как вы оцените полученную помощь — от 1 (плохо) до 5 (отлично)?",
        "thanks": "Спасибо за отзыв!",
        "handed_back": "Специалист передал разговор мне — дальше я помогу сам. Чем ещё "
                       "могу помочь?",
        "transcript_title": "Разговор со службой поддержки",
        "transcript_started": "Начат: {time} UTC",
        "transcript_saved": "Сохранён: {time} UTC",
        "transcript_omitted": "(ранние сообщения опущены: в копии последние {n})",
        "sender_user": "Вы",
        "sender_bot": "Ассистент",
        "sender_agent": "{agent} (поддержка)",
        "sender_agent_unnamed": "Специалист поддержки",
        "sender_system": "Уведомление",
        "requeued": "Связь со специалистом прервалась. Вы снова в начале очереди; "
                    "следующий свободный специалист продолжит разговор с вами.",
        "abandoned": "Вы покинули очередь, потому что чат был закрыт дольше {seconds} "
                     "секунд. Попросите соединить вас со специалистом в любое время.",
        "cancelled": "Вы покинули очередь. Если понадобится что-то ещё, я здесь.",
        "nobody_online": "Сейчас нет свободных специалистов поддержки. Ваше место в "
                         "очереди сохраняется, и мы соединим вас, как только кто-то "
                         "освободится, в любое время суток. Если не хотите ждать, "
                         "отправьте веб-заявку: для приоритета {priority} целевое время "
                         "ответа — {target}.",
        "ticket_instead": "Отправить веб-заявку",
        "while_waiting": "Пока вы ждёте, это может помочь: {text}\nИсточник: [{title}]({url})",
        "handoff_refused": "Из этого чата я не могу соединить вас со специалистом. "
                           "Спросите меня, какая поддержка входит в ваш план.",
        "bot_unavailable": "Извините, ассистент сейчас не может ответить. Ваше сообщение "
                           "сохранено; попробуйте ещё раз через минуту.",
        "bot_unavailable_person": "Извините, ассистент сейчас не может ответить. Ваше "
                                  "сообщение сохранено; попробуйте ещё раз через минуту "
                                  "или обратитесь к специалисту поддержки.",
        "try_again": "Попробовать ещё раз",
        "talk_to_person": "Связаться со специалистом",
        "connecting": "Соединяю вас со специалистом поддержки.",
        "not_entitled": "Чат со специалистом поддержки доступен владельцам и "
                        "администраторам платных аккаунтов. Попробуйте обратиться к "
                        "ассистенту ещё раз через минуту.",
        "busy_handoff": "У вас уже открыт разговор со специалистом поддержки (в другом "
                        "окне или вкладке). Пожалуйста, продолжите его там.",
        "too_many_handoffs": "За последний час вы несколько раз просили соединить вас со "
                             "специалистом. Продолжите открытый разговор или отправьте "
                             "веб-заявку.",
        "hours": "{n} час",
        "hours_few": "{n} часа",
        "hours_plural": "{n} часов",
    },
}


def text(key: str, language: str | None, **values: Any) -> str:
    """The message `key` in `language` (English when the language or key is missing)."""
    table = CATALOGUE.get(language or DEFAULT) or CATALOGUE[DEFAULT]
    template = table.get(key) or CATALOGUE[DEFAULT][key]
    return template.format(**values)


def hours(n: int, language: str | None) -> str:
    """"1 hour" / "4 hours"; "1 час" / "4 часа" / "24 часа" / "5 часов"."""
    if (language or DEFAULT) == "ru":
        if n % 10 == 1 and n % 100 != 11:
            key = "hours"
        elif 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
            key = "hours_few"
        else:
            key = "hours_plural"
        return text(key, "ru", n=n)
    return text("hours" if n == 1 else "hours_plural", language, n=n)
