import pytest

from bot import text


def test_clean_drops_control_characters_but_keeps_newlines() -> None:
    assert text.clean("a\x00b\x07c\u200bd\ne\tf ") == "abcd\ne\tf"


def test_clean_bounds_length() -> None:
    assert len(text.clean("x" * 10_000, limit=4000)) == 4000


def test_tokens_stem_and_drop_stop_words() -> None:
    assert text.tokens("What are the Phone Numbers?") == ["phone", "number"]
    assert text.tokens("tickets calling") == ["ticket", "call"]


def test_language_guess() -> None:
    assert text.looks_non_english("как связаться с поддержкой")
    assert text.looks_non_english("サポートに連絡する方法")
    assert not text.looks_non_english("how do I call support in Japan?")
    assert not text.looks_non_english("café")  # accents are still Latin
    assert not text.looks_non_english("🙂🙂")


def test_a_users_words_echoed_by_the_bot_stay_literal() -> None:
    """A ticket subject echoed by the bot was rendered as Markdown in the agent console:
    a customer could plant a link inside an "Assistant" bubble."""
    from bot.text import quoted

    assert quoted("[Reset here](https://evil.example) now") == \
        "`[Reset here](https://evil.example) now`"
    assert quoted("a `b` c\n**d**") == "`a 'b' c **d**`"  # cannot close the code span
    assert quoted("") == "``" and len(quoted("x" * 500)) == 202


@pytest.mark.parametrize(("message", "plans"), [
    ("we're on Enterprise, what do admins get", {"enterprise"}),
    ("у нас тариф «Профессиональный»", {"pro"}),
    ("я на бесплатном тарифе", {"basic"}),
    ("we don't pay for Zoom", {"basic"}),
    ("мы не платим за подписку", {"basic"}),
    ("free vs pro", {"basic", "pro"}),
    ("the free tier and the paid tiers", {"basic", "pro", "business", "education",
                                          "enterprise", "api"}),
    ("платные учетные записи", {"pro", "business", "education", "enterprise", "api"}),
    ("бесплатные учетные записи", {"basic"}),
    ("our API plan", {"api"}),
    ("Образование и Бизнес", {"education", "business"}),
    ("is a P2 worked on outside business hours", set()),
    ("how bad is the problem", set()),
])
def test_named_plans(message: str, plans: set[str]) -> None:
    assert text.named_plans(message) == plans
