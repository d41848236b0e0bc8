"""English and Russian in the pages: a Russian-speaking paid admin on the demo
help-center page, handed to an agent and back; the chat's language switched mid-chat by
the user's words and by the page's language switch; the agent console in the language
the agent picks, showing and filtering by each chat's language. Elements are found by
role and accessible name, in the language the page shows; axe-core checks the new states
(injected as an init script, so the pages' CSP stays on)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import redis as redis_lib
from playwright.sync_api import Locator, Page, WebSocketRoute, expect

from tests.e2e.browser.conftest import Customer, PageProblems, WebStack, screenshot
from tests.e2e.browser.test_accessibility import RULES, axe_path
from tests.e2e.browser.widget_steps import OPEN_CHAT

SLOW = 30_000  # ms, for anything that waits on the bot


# -- helpers ------------------------------------------------------------------------------
def page_with_axe(new_page: Callable[..., Page], web_stack: WebStack, path: str,
                  **context: Any) -> Page:
    page = new_page("", **context)
    page.add_init_script(path=str(axe_path()))
    page.goto(web_stack.base + path)
    return page


def axe_violations(page: Page) -> list[str]:
    result: dict[str, Any] = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", RULES)
    return [f"{v['id']} ({v['impact']}): {v['help']}: "
            + "; ".join(str(n["target"]) for n in v["nodes"][:5])
            for v in result["violations"]]


def language_of(node: Locator) -> str:
    """The language assistive technology reads `node` in (the nearest lang attribute)."""
    return str(node.evaluate("n => n.closest('[lang]').getAttribute('lang')"))


def say(page: Page, text: str, label: str = "Сообщение") -> None:
    """Write in the widget's message box (named in the widget's language)."""
    box = page.get_by_role("textbox", name=label, exact=True)
    box.fill(text)
    box.press("Enter")
    expect(box).to_have_value("")


def sign_in_agent(page: Page, username: str = "agent1") -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(username)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_label("Status")).to_be_enabled()
    expect(page.get_by_label("Status")).to_have_value("online")


def agent_tab(page: Page, name: str) -> Locator:
    return page.get_by_role("tablist").get_by_role("tab", name=re.compile("^" + re.escape(name)))


def chats_in_redis(redis_url: str) -> list[dict[str, str]]:
    client = redis_lib.Redis.from_url(redis_url, decode_responses=True)
    try:
        return [client.hgetall(k) for k in client.scan_iter("hc:chat:*") if k.count(":") == 2]
    finally:
        client.close()


# -- tests --------------------------------------------------------------------------------
def test_russian_speaking_admin_handed_to_an_agent_and_back(
    new_page: Callable[..., Page], customer: Callable[[str], Customer], web_stack: WebStack
) -> None:
    # Alice is away, so the waiting chats stay in her queue; an English-speaking owner
    # waits there already, with the higher priority (service down, no workaround: P1)
    agent = page_with_axe(new_page, web_stack, "/agent")
    sign_in_agent(agent)
    agent.get_by_label("Status").select_option("away")
    expect(agent.get_by_label("Status")).to_have_value("away")
    priya = customer("pro-owner")
    priya.request_human("Nobody can start a meeting since this morning.", "down", "none")

    # Bo signs in on the (English) help-center page and writes in Russian
    user = page_with_axe(new_page, web_stack, "/")
    user.get_by_label("Sign in as").select_option("business-admin")
    expect(user.get_by_role("status").filter(has_text="Signed in as Bo Business")).to_be_visible()
    user.get_by_role("button", name=OPEN_CHAT).click()
    say(user, "Здравствуйте! Как отправить веб-заявку?", "Message")
    # the answer is Russian, and so are the widget's own texts, for screen readers too
    chat = user.get_by_role("region", name="Чат поддержки")
    expect(chat).to_be_visible(timeout=SLOW)
    log = chat.get_by_role("log", name="Разговор")
    expect(log.get_by_role("link", name="Веб-заявки")).to_be_visible(timeout=SLOW)
    expect(log).to_contain_text("Источник:")
    assert language_of(log) == "ru"
    expect(chat.get_by_role("textbox", name="Сообщение")).to_be_focused()
    expect(chat.get_by_role("button", name="Отправить", exact=True)).to_be_visible()
    expect(chat.get_by_role("button", name="Свернуть чат")).to_be_visible()
    expect(log.get_by_text("Ассистент", exact=True).first).to_be_visible()

    # a person, asked for in Russian; the triage in Russian
    say(user, "Хочу поговорить с человеком")
    expect(log).to_contain_text("что случилось?", timeout=SLOW)
    say(user, "Никто в компании не может подключиться к конференциям")
    expect(log).to_contain_text("Насколько это серьезно?", timeout=SLOW)
    log.get_by_role("button", name="Затронуто много людей").click()
    expect(log).to_contain_text("Есть ли пока обходное решение?", timeout=SLOW)
    log.get_by_role("button", name="Частичное").click()
    expect(log).to_contain_text("идентификатор", timeout=SLOW)
    log.get_by_role("button", name="Пропустить").click()
    waiting = chat.get_by_role("status").filter(has_text="Ожидаем свободного специалиста.")
    expect(waiting).to_contain_text("Сейчас нет специалистов в сети", timeout=SLOW)
    expect(chat.get_by_role("button", name="Выйти из очереди")).to_be_visible()
    expect(chat.get_by_role("button", name="Связаться со специалистом")).to_have_count(0)
    screenshot(user, "widget-russian-queued")
    problems = axe_violations(user)
    assert problems == [], "\n".join(problems)  # the Russian widget, queued

    # the queue shows each chat's language; the agent filters it to Russian
    queue = agent.get_by_role("region", name="Queue")
    rows = queue.get_by_role("listitem")
    expect(rows).to_have_count(2)
    bo_row = rows.filter(has_text="Никто в компании не может подключиться")
    priya_row = rows.filter(has_text="Nobody can start a meeting")
    expect(bo_row.get_by_role("img", name="Russian")).to_have_text("RU")
    expect(priya_row.get_by_role("img", name="English")).to_have_text("EN")
    expect(rows.first).to_contain_text("P1 Urgent")  # Priya first: the queue's order
    agent.get_by_label("Customer language").select_option("ru")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Никто в компании не может подключиться")
    expect(queue).to_contain_text("2 waiting · 1 shown")
    take_next = queue.get_by_role("button", name="Take next")
    expect(take_next).to_have_accessible_description(
        "The filter changes only this list: Take next still takes the first chat of the "
        "whole queue.")
    problems = axe_violations(agent)
    assert problems == [], "\n".join(problems)  # the queue, filtered

    # ... and, as the hint says, Take next still takes the whole queue's first chat
    take_next.click()
    expect(agent_tab(agent, "Priya Pro")).to_have_attribute("aria-selected", "true")
    expect(agent_tab(agent, "Priya Pro")).to_have_accessible_description("English")
    agent.get_by_label("Customer language").select_option("en")
    expect(rows).to_have_count(0)
    expect(queue).to_contain_text("No customers writing in English are waiting.")
    agent.get_by_label("Customer language").select_option("ru")
    rows.first.get_by_role("button", name="Accept").click()
    bo_tab = agent_tab(agent, "Bo Business")
    expect(bo_tab).to_have_attribute("aria-selected", "true")
    expect(bo_tab).to_have_accessible_name("Bo Business")  # the language is its description
    expect(bo_tab).to_have_accessible_description("Russian")
    panel = agent.get_by_role("tabpanel")
    expect(panel.get_by_role("img", name="Russian")).to_have_text("RU")
    expect(panel.get_by_role("region", name="Customer")).to_contain_text("Russian")
    expect(rows).to_have_count(0)
    expect(queue).to_contain_text("No customers are waiting.")

    # the widget: a person now, in Russian
    expect(log).to_contain_text("Alice из службы поддержки подключился к чату.", timeout=SLOW)
    expect(chat.get_by_role("status").filter(has_text="Вас консультирует Alice")).to_be_visible()

    # Alice switches the console to Russian: its texts follow, the chat's language too
    agent.get_by_label("Language", exact=True).select_option("ru")
    expect(agent.get_by_label("Язык", exact=True)).to_have_value("ru")
    assert agent.evaluate("() => document.documentElement.lang") == "ru"
    queue = agent.get_by_role("region", name="Очередь")
    expect(queue.get_by_role("button", name="Взять следующий")).to_be_disabled()
    expect(agent.get_by_label("Язык клиента")).to_have_value("ru")
    expect(queue).to_contain_text("Нет ожидающих клиентов.")
    bo_tab = agent_tab(agent, "Bo Business")
    expect(bo_tab).to_have_accessible_description("Русский")
    expect(agent_tab(agent, "Priya Pro")).to_have_accessible_description("Английский")
    panel = agent.get_by_role("tabpanel")
    expect(panel.get_by_role("img", name="Русский")).to_be_visible()
    customer_card = panel.get_by_role("region", name="Клиент")
    for text in ("«Бизнес»", "Администратор", "Русский", "acc-biz-300"):
        expect(customer_card).to_contain_text(text)
    triage = panel.get_by_role("region", name="Первичный опрос")
    expect(triage).to_contain_text("P2 Высокий")
    expect(triage).to_contain_text("Затронуто много людей")
    transcript = panel.get_by_role("log", name="Переписка")
    expect(transcript).to_contain_text("Никто в компании не может подключиться к конференциям")
    expect(transcript.get_by_text("Клиент", exact=True).first).to_be_visible()
    expect(transcript.get_by_text("Ассистент", exact=True).first).to_be_visible()

    # the console's new panels speak Russian too
    expect(panel.get_by_role("region", name="Подходящие статьи")).to_be_visible()
    expect(panel.get_by_role("region", name="Внутренние заметки")).to_be_visible()
    expect(panel.get_by_role("button", name="Вернуть боту")).to_be_visible()

    reply = panel.get_by_role("textbox", name="Ответ")
    reply.fill("Здравствуйте! Меня зовут Алиса. Из какого браузера вы подключаетесь?")
    reply.press("Enter")
    expect(log).to_contain_text("Из какого браузера вы подключаетесь?", timeout=SLOW)
    say(user, "Из Chrome, на Windows")
    expect(transcript).to_contain_text("Из Chrome, на Windows", timeout=SLOW)
    screenshot(user, "widget-russian-with-agent")
    screenshot(agent, "agent-console-russian")
    problems = axe_violations(agent)
    assert problems == [], "\n".join(problems)  # the Russian console with a chat open

    panel.get_by_label("Итог").select_option(label="Решено")
    panel.get_by_role("button", name="Закрыть чат").click()
    expect(agent_tab(agent, "Bo Business")).to_have_count(0, timeout=SLOW)
    expect(agent.get_by_role("status").filter(
        has_text="Чат с клиентом Bo Business закрыт (Решено).")).to_be_visible()

    # Bo rates the help, in Russian
    rating = chat.get_by_role("radiogroup", name="Оцените этот разговор")
    expect(rating).to_be_visible(timeout=SLOW)
    expect(log).to_contain_text("Специалист завершил этот чат", timeout=SLOW)
    rating.get_by_role("radio", name="5 — Отлично").check()
    chat.get_by_role("textbox", name="Комментарий (необязательно)").fill("Быстро и вежливо")
    chat.get_by_role("button", name="Отправить оценку").click()
    expect(log).to_contain_text("Спасибо за отзыв!", timeout=SLOW)
    expect(chat.get_by_role("status").filter(has_text="Оценка отправлена. Спасибо!")) \
        .to_be_visible()
    expect(rating).to_have_count(0)
    expect(chat.get_by_role("button", name="Связаться со специалистом")).to_be_visible()

    # Bo's copy of the chat, in Russian
    with user.expect_download() as info:
        chat.get_by_role("button", name="Скачать переписку").click()
    copy = Path(info.value.path()).read_text(encoding="utf-8")
    for line in ("Никто в компании не может подключиться к конференциям",
                 "Из какого браузера вы подключаетесь?", "Из Chrome, на Windows"):
        assert line in copy, line
    expect(chat.get_by_role("status").filter(has_text="Переписка скачана.")).to_be_visible()

    rated = [c for c in chats_in_redis(web_stack.redis_url) if c.get("csat_rating")]
    assert [(c["user_id"], c["language"], c["csat_rating"], c["csat_comment"],
             c["resolution"]) for c in rated] == \
        [("business-admin", "ru", "5", "Быстро и вежливо", "Resolved")]


def test_language_follows_the_page_then_the_users_words(
    new_page: Callable[..., Page], web_stack: WebStack
) -> None:
    page = new_page("")
    page.add_init_script(path=str(axe_path()))
    # the widget's first session_request is held until the page has switched its language
    asked: list[str] = []
    held: list[tuple[WebSocketRoute, str]] = []

    def route(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def from_page(message: str | bytes) -> None:
            if isinstance(message, str) and '"session_request"' in message:
                asked.append(message)
                if len(asked) == 1:
                    held.append((server, message))
                    return
            server.send(message)
        ws.on_message(from_page)
        server.on_message(ws.send)

    page.route_web_socket(re.compile(r"/socket\.io/"), route)
    page.goto(web_stack.base + "/")
    for _ in range(200):  # the widget has asked for its chat (10 s at most)
        if held:
            break
        page.wait_for_timeout(50)
    # the visitor switches the page to Russian before chatting, even before the chat is
    # open: the page, its article links and the widget follow; the chat is told once it
    # is open (one chat, no error), and starts in Russian
    page.get_by_label("Language", exact=True).select_option("ru")
    expect(page.get_by_role("heading", level=1, name="Центр справки и поддержки")).to_be_visible()
    assert held, "the widget never asked for its chat"
    server, first = held[0]
    server.send(first)
    assert page.evaluate("() => document.documentElement.lang") == "ru"
    expect(page.get_by_role("link", name=re.compile("^Веб-заявки "))).to_have_attribute(
        "href", "/kb/ru/web-tickets")
    expect(page.get_by_label("Войти как")).to_be_visible()
    page.get_by_role("searchbox", name="Поиск по статьям").fill("звонок")
    expect(page.get_by_role("status").filter(has_text="Найдена 1 статья")).to_be_visible()
    page.get_by_role("searchbox", name="Поиск по статьям").fill("")
    page.get_by_role("button", name=re.compile("^Открыть чат")).click()
    chat = page.get_by_role("region", name="Чат поддержки")
    log = chat.get_by_role("log", name="Разговор")
    assert language_of(log) == "ru"
    chat.get_by_role("button", name="Связаться со специалистом").click()
    # not signed in: told why not, in Russian (the button's title shown, not its payload)
    expect(log).to_contain_text("вошедших в систему", timeout=SLOW)
    expect(log.get_by_text("Связаться со специалистом", exact=True)).to_have_count(1)
    expect(chat.get_by_role("alert")).to_have_count(0)  # no error notice
    assert len(asked) == 2 and '"language":"en"' in asked[0]  # the page's first language
    assert '"language":"ru"' in asked[1] and '"session_id"' in asked[1]  # the same chat
    chat_id = page.evaluate(
        "(key) => JSON.parse(localStorage.getItem(key)).sid", "hc-chat:v1:" + web_stack.base)
    assert [c.get("language") for c in chats_in_redis(web_stack.redis_url)
            if c.get("user_id") is not None and c.get("created_at")] == ["ru"]
    client = redis_lib.Redis.from_url(web_stack.redis_url, decode_responses=True)
    try:
        assert client.hget(f"hc:chat:{chat_id}", "language") == "ru"
    finally:
        client.close()
    problems = axe_violations(page)
    assert problems == [], "\n".join(problems)  # the Russian page with the widget open
    screenshot(page, "help-center-russian")

    # "in English please": the chat and the widget's texts switch; the page stays Russian
    say(page, "in English please", "Сообщение")
    chat = page.get_by_role("region", name="Support chat")
    log = chat.get_by_role("log", name="Conversation")
    expect(chat.get_by_role("button", name="Talk to a person")).to_be_visible(timeout=SLOW)
    expect(chat.get_by_role("textbox", name="Message")).to_be_visible()
    assert language_of(log) == "en"
    expect(log).to_contain_text("Sure, let's continue in English.", timeout=SLOW)
    expect(page.get_by_role("heading", level=1, name="Центр справки и поддержки")).to_be_visible()

    # and Russian words bring Russian back
    say(page, "Спасибо! А кто может позвонить в поддержку?", "Message")
    chat = page.get_by_role("region", name="Чат поддержки")
    expect(chat.get_by_role("button", name="Связаться со специалистом")).to_be_visible(
        timeout=SLOW)
    log = chat.get_by_role("log", name="Разговор")
    expect(log.get_by_role("link", name="Поддержка по телефону")).to_be_visible(timeout=SLOW)

    # a reload keeps the page's choice and the chat's language
    page.reload()
    expect(page.get_by_role("heading", level=1, name="Центр справки и поддержки")).to_be_visible()
    page.get_by_role("button", name=re.compile("^Открыть чат")).click()
    log = page.get_by_role("log", name="Разговор")
    expect(log.get_by_role("link", name="Поддержка по телефону")).to_be_visible()
    expect(log).to_contain_text("Sure, let's continue in English.")

    # back to English on the page: the widget follows the page's newer choice
    page.get_by_label("Язык", exact=True).select_option("en")
    expect(page.get_by_role("heading", level=1, name="Help Center")).to_be_visible()
    expect(page.get_by_role("region", name="Support chat")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Web tickets "))).to_have_attribute(
        "href", "/kb/en/web-tickets")


def test_console_language_from_the_browser_then_the_agents_choice(
    new_page: Callable[..., Page], web_stack: WebStack, page_problems: PageProblems
) -> None:
    page_problems.allowed.append("status of 401")  # Chromium logs the refused sign-in
    page = page_with_axe(new_page, web_stack, "/agent", locale="ru-RU")
    expect(page.get_by_role("heading", name="Консоль специалиста")).to_be_visible()
    expect(page.get_by_label("Язык", exact=True)).to_have_value("ru")
    page.get_by_label("Имя пользователя").fill("agent1")
    page.get_by_label("Пароль").fill("wrong")
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_role("alert")).to_have_text("Неверное имя пользователя или пароль.")
    problems = axe_violations(page)
    assert problems == [], "\n".join(problems)  # the Russian sign-in form
    page.get_by_label("Пароль").fill("agent1")
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_label("Статус")).to_have_value("online")
    expect(page.get_by_role("region", name="Очередь")).to_contain_text("Нет ожидающих клиентов.")
    expect(page.get_by_role("button", name="Выйти", exact=True)).to_be_visible()
    expect(page.get_by_label("Язык клиента")).to_have_value("")

    # the agent's choice wins over the browser's, and is kept
    page.get_by_label("Язык", exact=True).select_option("en")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.get_by_role("region", name="Queue")).to_contain_text("No customers are waiting.")
    page.reload()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.get_by_label("Language", exact=True)).to_have_value("en")
    assert page.evaluate("() => document.documentElement.lang") == "en"
