"""The chat-language rule that the bot and the gateway share (bot/language.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot import language
from bot.language import DEFAULT, SUPPORTED, detect, next_language, requested_switch


def test_supported_languages_and_default() -> None:
    assert SUPPORTED == ("en", "ru")
    assert DEFAULT == "en"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("как позвонить в поддержку?", "ru"),
        ("Приоритет 1 это что", "ru"),
        ("привет", "ru"),
        ("ёлки, всё сломалось", "ru"),
        ("how do I open a ticket", "en"),
        ("hello", "en"),
        ("Germany", "en"),
        # Mixed: most letters decide, product names do not count.
        ("как сбросить password в Zoom", "ru"),
        ("what does «Срочный» mean?", "en"),
        ("мой Zoom API не работает", "ru"),
    ],
)
def test_detect_names_the_language_of_most_letters(text: str, expected: str) -> None:
    assert detect(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "   ", "123 456 789", "👍🙂", "ok", "OK!", "ок", "Zoom", "P1", "/affirm",
     '/choose{"article": "phone-support"}', "T-000001", "?!", "a"],
)
def test_detect_is_unsure_without_a_language_signal(text: str) -> None:
    assert detect(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("можно по-русски?", "ru"),
        ("а можно по русски", "ru"),
        ("порусски пжлст", "ru"),
        ("по-руски пожалуйста", "ru"),  # a common misspelling
        ("давай на русском", "ru"),
        ("Русский язык, пожалуйста", "ru"),
        ("русский", "ru"),
        ("Russian please", "ru"),
        ("can you answer in Russian?", "ru"),
        ("do you speak russian", "ru"),
        ("switch to russain", "ru"),
        ("in English please", "en"),
        ("English, please!", "en"),
        ("english", "en"),
        ("can we talk in english", "en"),
        ("Switch to English", "en"),
        ("говори по-английски", "en"),
        ("давайте на английском", "en"),
        ("английский язык пожалуйста", "en"),
        ("по англиски можно?", "en"),
        # Refusing one language asks for the other.
        ("I don't speak English", "ru"),
        ("я не говорю по-английски", "ru"),
        ("I do not understand Russian", "en"),
    ],
)
def test_requested_switch_understands_requests_in_either_language(text: str, expected: str
                                                                   ) -> None:
    assert requested_switch(text) == expected


@pytest.mark.parametrize(
    "text",
    ["how do I call support", "как позвонить в поддержку", "Do you have a Russian number?",
     "is there a number for Russia?", "the English Channel", "Беларусь", "/affirm", "",
     "who gets phone support in the UK?"],
)
def test_a_language_named_in_passing_is_not_a_request(text: str) -> None:
    assert requested_switch(text) is None


# (current, page, text) -> language
RULE_TABLE = [
    # 1. an explicit request wins over everything
    ("ru", "ru", "in English please", "en"),
    ("en", "en", "можно по-русски?", "ru"),
    ("en", None, "говори по-английски", "en"),
    (None, "en", "Russian please", "ru"),
    # 2. a message clearly in one language: answered in it
    ("en", "en", "как позвонить в поддержку?", "ru"),
    ("ru", "ru", "how do I call support?", "en"),
    (None, "ru", "what is the phone number in Japan", "en"),
    (None, "en", "какой номер телефона в Японии", "ru"),
    # 3. the current language holds for short, neutral or one-word messages
    ("ru", None, "ok", "ru"),
    ("ru", "en", "123456789", "ru"),
    ("ru", None, "yes", "ru"),
    ("en", None, "да", "en"),
    ("ru", "en", "/affirm", "ru"),
    ("ru", None, "Germany", "ru"),
    ("en", None, "👍", "en"),
    # 4. the page's language when the chat has none yet
    (None, "ru", "ok", "ru"),
    (None, "ru", "hi", "ru"),
    (None, "ru-RU", "👋", "ru"),
    (None, "RU", "", "ru"),
    # an unsupported page language is ignored
    (None, "de", "ok", "en"),
    (None, "de", "привет", "ru"),
    # 5. detection of a short message
    (None, None, "привет", "ru"),
    (None, None, "hello", "en"),
    (None, "fr", "Здравствуйте", "ru"),
    # 6. the default
    (None, None, "ok", DEFAULT),
    (None, None, "12345", DEFAULT),
    ("xx", "yy", "🙂", DEFAULT),
]


@pytest.mark.parametrize(("current", "page", "text", "expected"), RULE_TABLE)
def test_next_language_rule(current: str | None, page: str | None, text: str,
                            expected: str) -> None:
    assert next_language(current, page, text) == expected


def test_next_language_always_returns_a_supported_language() -> None:
    for current in (None, "en", "ru", "de", ""):
        for page in (None, "en", "ru", "zz", "ru_RU"):
            for text in ("", "ok", "привет", "hello there", "/restart", "in english"):
                assert next_language(current, page, text) in SUPPORTED


def test_a_conversation_keeps_its_language_through_neutral_turns() -> None:
    lang = None
    seen = []
    for text in ["Здравствуйте, как позвонить в поддержку?", "Франция", "123 456 7890", "ok",
                 "in English please", "yes", "France", "можно по-русски?", "да"]:
        lang = next_language(lang, "en", text)
        seen.append(lang)
    assert seen == ["ru", "ru", "ru", "ru", "en", "en", "en", "ru", "ru"]


def test_module_has_no_third_party_imports() -> None:
    tree = ast.parse(Path(language.__file__).read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom)}
    assert imported <= {"__future__", "re", "unicodedata"}
