"""Every sentence the custom actions say, in each language the assistant speaks.

Facts never live here: numbers, plans, roles, channels and times are filled in from the
support policy (data/support_policy.yml) and the knowledge base (data/kb/). These are the
sentences around them. `tests/bot/test_messages.py` checks that every message exists in
every language with the same placeholders.
"""

from __future__ import annotations

import string

from bot.language import DEFAULT, SUPPORTED

TEXTS: dict[str, dict[str, str]] = {
    # --- answers and links ----------------------------------------------------------------
    "source": {"en": "Source: [{title}]({url})", "ru": "Источник: [{title}]({url})"},
    # --- who is asking -----------------------------------------------------------------------
    "sign_in.expired": {
        "en": "Your sign-in has expired, so I can't confirm your account.",
        "ru": "Срок действия вашего входа истек, поэтому я не могу подтвердить вашу "
              "учетную запись.",
    },
    "sign_in.invalid": {
        "en": "I couldn't confirm your sign-in, so I can't see your account.",
        "ru": "Мне не удалось подтвердить ваш вход, поэтому я не вижу вашу учетную запись.",
    },
    "sign_in.unknown": {
        "en": "I couldn't find your account, so I can only offer what every visitor gets.",
        "ru": "Я не нашел вашу учетную запись, поэтому могу предложить только то, что "
              "доступно всем посетителям.",
    },
    "sign_in.missing": {
        "en": "You're not signed in, so I can only offer what every visitor gets.",
        "ru": "Вы не вошли в систему, поэтому я могу предложить только то, что доступно "
              "всем посетителям.",
    },
    # --- why not (one sentence) --------------------------------------------------------------
    "refuse.not_signed_in": {
        "en": "{note} Only signed-in owners and admins of {plans} accounts can use {channel}.",
        "ru": "{note} {Channel}: только для владельцев и администраторов учетных записей "
              "{plans}, вошедших в систему.",
    },
    "refuse.unlicensed": {
        "en": "To use {channel} you need a licence on your {plan} account, and you don't "
              "have one.",
        "ru": "{Channel}: нужна лицензия в вашей учетной записи {plan}, а у вас ее нет.",
    },
    "refuse.free_plan": {
        "en": "Licensed paid plans ({plans}) include {channel}; your account is on {plan}.",
        "ru": "{Channel}: только в лицензированных платных тарифах ({plans}); ваша учетная "
              "запись — на тарифе {plan}.",
    },
    "refuse.role": {
        "en": "On {plan} accounts, only {roles} can use {channel}, and you're {a_role}.",
        "ru": "В учетных записях {plan} {channel} — только для {roles}, а вы — {role}.",
    },
    "refuse.plan": {
        "en": "Only owners and admins of {plans} accounts can use {channel}; yours is on {plan}.",
        "ru": "{Channel}: только для владельцев и администраторов учетных записей {plans}; "
              "ваша — на тарифе {plan}.",
    },
    # --- what they can do instead ------------------------------------------------------------
    "alternatives": {"en": "Here's what you can do: {items}.",
                     "ru": "Что вы можете сделать: {items}."},
    "alt.live_chat": {
        "en": "ask me to connect you with a support specialist by live chat",
        "ru": "попросить меня соединить вас со специалистом поддержки в чате",
    },
    "alt.web_ticket": {"en": "open a web ticket", "ru": "отправить веб-заявку"},
    "alt.phone": {"en": "call phone support", "ru": "позвонить в поддержку по телефону"},
    "alt.knowledge_base": {
        "en": "search the knowledge base (just ask me your question)",
        "ru": "искать ответ в базе знаний (просто задайте мне вопрос)",
    },
    "alt.self_service": {
        "en": "use self-service to report abuse, a billing discrepancy or contact sales",
        "ru": "через самообслуживание сообщить об оскорбительных действиях или о "
              "расхождении в оплате, обратиться в отдел продаж",
    },
    "alt.sign_in": {
        "en": "sign in to the Help Center and ask again",
        "ru": "войти в Центр справки и поддержки и спросить снова",
    },
    "alt.ask_owner": {
        "en": "ask your account owner or an admin, who can contact support",
        "ru": "попросить владельца или администратора учетной записи: они могут обратиться "
              "в поддержку",
    },
    "alt.contact_sales": {"en": "contact sales", "ru": "обратиться в отдел продаж"},
    # --- "what support can I get?" -----------------------------------------------------------
    "support.anonymous": {"en": "You're not signed in", "ru": "Вы не вошли в систему"},
    "support.who": {
        "en": "You're {a_role} on a {plan} account",
        "ru": "Вы — {role} учетной записи {plan}",
    },
    "support.unlicensed": {"en": " without a licence", "ru": " без лицензии"},
    "support.you_can_use": {"en": "{who}. You can use:", "ru": "{who}. Вам доступны:"},
    "support.targets": {
        "en": "Target response times for your requests: {hours}.",
        "ru": "Целевое время предоставления ответа на ваши запросы: {hours}.",
    },
    # --- response times as they apply to the asker ---------------------------------------
    "targets.yours": {"en": "For you ({role} on {plan}): {hours}.",
                      "ru": "Для вас ({role}, {plan}): {hours}."},
    "targets.plan": {"en": "Your account is on {plan}.",
                     "ru": "Ваша учетная запись — на тарифе {plan}."},
    "targets.role": {"en": "You're {a_role}.", "ru": "Вы — {role}."},
    "targets.who_has": {
        "en": "{why} Target response times apply to owners and admins of {plans} accounts.",
        "ru": "{why} Целевое время предоставления ответа действует для владельцев и "
              "администраторов учетных записей {plans}.",
    },
    # --- the asker's own access to a channel (added to channel answers) ------------------
    "access.yes.live_chat": {
        "en": "You ({role} on {plan}) have live chat: say \"talk to a person\" and I'll "
              "connect you.",
        "ru": "Вам ({role}, {plan}) доступен чат со специалистом: напишите «соедините с "
              "человеком», и я вас соединю.",
    },
    "access.yes.web_ticket": {
        "en": "You ({role} on {plan}) can submit web tickets: say \"open a ticket\" and I'll "
              "take it down.",
        "ru": "Вы ({role}, {plan}) можете отправлять веб-заявки: напишите «создать "
              "заявку», и я ее оформлю.",
    },
    "access.yes.phone": {
        "en": "You ({role} on {plan}) have phone support: ask me for the number for your "
              "country.",
        "ru": "Вам ({role}, {plan}) доступна поддержка по телефону: спросите номер для "
              "вашей страны.",
    },
    # --- a person ------------------------------------------------------------------------
    "offer.person": {
        "en": "Yes, you can. As {a_role} on a {plan} account you have live chat with a "
              "support specialist, available around the clock. Shall I connect you now?",
        "ru": "Да, можно. Вам ({role}, {plan}) доступен чат со специалистом группы "
              "поддержки, круглосуточно. Соединить вас сейчас?",
    },
    "button.connect": {"en": "Yes, connect me", "ru": "Да, соедините"},
    "button.not_now": {"en": "No, thanks", "ru": "Нет, спасибо"},
    "button.live_chat": {"en": "Talk to a person", "ru": "Связаться с человеком"},
    "button.web_ticket": {"en": "Open a web ticket", "ru": "Отправить веб-заявку"},
    "button.phone": {"en": "Phone support", "ru": "Поддержка по телефону"},
    "button.self_service": {"en": "Self-service", "ru": "Самообслуживание"},
    "button.contact_sales": {"en": "Contact sales", "ru": "Отдел продаж"},
    "button.none_of_these": {"en": "None of these", "ru": "Ничего из этого"},
    "handoff.problem_short": {
        "en": "Please tell me in a few words what's going wrong.",
        "ru": "Пожалуйста, опишите в нескольких словах, что не так.",
    },
    "handoff.connecting": {
        "en": "Thanks. I'm connecting you with a support specialist now, priority "
              "{priority}. They'll see this conversation and your answers, so you won't have "
              "to repeat yourself.",
        "ru": "Спасибо. Соединяю вас со специалистом группы поддержки, приоритет {priority}. "
              "Специалист увидит этот разговор и ваши ответы, повторять ничего не придется.",
    },
    "priority": {"en": "{id} {name}", "ru": "{id} («{name}»)"},
    # --- phone ---------------------------------------------------------------------------
    "phone.ask_country": {"en": "Which country are you calling from?",
                          "ru": "Из какой страны вы звоните?"},
    "phone.all_numbers": {"en": "All numbers", "ru": "Все номера"},
    "phone.unknown_country": {
        "en": "Sorry, I didn't recognise that country. Pick one of the buttons, or say "
              "\"all numbers\".",
        "ru": "Не удалось распознать страну. Выберите кнопку или напишите «все номера».",
    },
    "phone.one": {"en": "Call phone support on:", "ru": "Номер поддержки по телефону:"},
    "phone.no_local": {
        "en": "There is no local number for {country}; these are the numbers we have:",
        "ru": "Для страны «{country}» местного номера нет; вот номера, которые есть:",
    },
    "phone.no_local_unknown": {
        "en": "There is no local number for your country; these are the numbers we have:",
        "ru": "Для вашей страны местного номера нет; вот номера, которые есть:",
    },
    "phone.all": {"en": "Phone support numbers:", "ru": "Номера поддержки по телефону:"},
    "phone.number": {"en": "{number}, ext. {ext}", "ru": "{number}, доб. {ext}"},
    "phone.or": {"en": " or ", "ru": " или "},
    "phone.sign_in": {
        "en": "Sign in as the account's owner or admin and ask again, and I'll give you "
              "the number for your country.",
        "ru": "Войдите как владелец или администратор учетной записи и спросите снова — я "
              "дам номер для вашей страны.",
    },
    # --- tickets -------------------------------------------------------------------------
    "ticket.target": {
        "en": "Target response time: {hours}, so you'll be notified that it's registered "
              "by {due}.",
        "ru": "Целевое время предоставления ответа: {hours}, то есть уведомление о "
              "регистрации заявки придет до {due}.",
    },
    "ticket.done": {
        "en": "Done: ticket {id}, priority {priority}. {target}\nAsk me \"status of ticket "
              "{id}\" any time.",
        "ru": "Готово: заявка {id}, приоритет {priority}. {target}\nСпросите «статус "
              "заявки {id}» в любой момент.",
    },
    "ticket.sign_in": {
        "en": "{note} Sign in to the Help Center to see your tickets.",
        "ru": "{note} Войдите в Центр справки и поддержки, чтобы увидеть свои заявки.",
    },
    "ticket.none": {"en": "You have no tickets with us yet.", "ru": "У вас пока нет заявок."},
    "ticket.which": {"en": "Which ticket? Your latest ones:",
                     "ru": "Какая заявка? Ваши последние:"},
    "ticket.status_of": {"en": "status of ticket {id}", "ru": "статус заявки {id}"},
    "ticket.not_found": {
        "en": "I can't find ticket {id} among your tickets. Check the number, or ask "
              "\"my tickets\" to see them.",
        "ru": "Я не нахожу заявку {id} среди ваших. Проверьте номер или спросите «мои "
              "заявки».",
    },
    "ticket.found": {
        "en": "Ticket {id} {subject}: {status}, priority {priority}, opened {opened}, "
              "target to be registered by {due}.",
        "ru": "Заявка {id} {subject}: {status}, приоритет {priority}, открыта {opened}, "
              "целевой срок уведомления о регистрации — {due}.",
    },
    "ticket.status.open": {"en": "open", "ru": "открыта"},
    "ticket.status.closed": {"en": "closed", "ru": "закрыта"},
}

_AND = {"en": " and ", "ru": " и "}


def say(language: str, key: str, **values: object) -> str:
    """The message `key` in `language` (English if that language lacks it)."""
    variants = TEXTS[key]
    template = variants.get(language) or variants[DEFAULT]
    return template.format(**values)


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def join(words: list[str], language: str) -> str:
    """'a, b and c' / 'a, b и c'."""
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + _AND.get(language, _AND[DEFAULT]) + words[-1]


def hours(n: int, language: str) -> str:
    """'1 hour', '4 hours'; '1 час', '4 часа', '24 часа', '5 часов'."""
    if language == "ru":
        if n % 10 == 1 and n % 100 != 11:
            word = "час"
        elif n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
            word = "часа"
        else:
            word = "часов"
        return f"{n} {word}"
    return f"{n} hour" if n == 1 else f"{n} hours"


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


__all__ = ["SUPPORTED", "TEXTS", "capital", "hours", "join", "placeholders", "say"]
