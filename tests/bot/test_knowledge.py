from pathlib import Path

import pytest
import yaml

from bot import knowledge
from bot.knowledge import ArticleError
from scripts.stack import ROOT

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text())
FAQ_INTENTS = [i for i in DOMAIN["intents"] if i.startswith("faq_")] + ["bot_challenge"]
LANGUAGES = ["en", "ru"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_faq_intent_is_answered_by_exactly_one_article(language: str) -> None:
    kb = knowledge.load(language)
    assert sorted(kb.by_intent) == sorted(FAQ_INTENTS)


def test_both_languages_have_the_same_articles_answering_the_same_intents() -> None:
    en, ru = knowledge.load("en"), knowledge.load("ru")
    assert sorted(en.articles) == sorted(ru.articles)
    for article_id, article in en.articles.items():
        other = ru.articles[article_id]
        assert (article.intents, article.plans) == (other.intents, other.plans), article_id
        assert dict(article.answers).keys() == dict(other.answers).keys(), article_id
        assert len(article.sections) == len(other.sections), article_id


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_article_has_a_short_lead_and_a_link(language: str) -> None:
    kb = knowledge.load(language)
    assert len(kb.articles) >= 16
    for article in kb.articles.values():
        assert 40 <= len(article.lead) <= 1300, article.id
        assert article.url("https://help.example").endswith(f"/kb/{language}/{article.id}")


def test_a_narrow_intent_is_answered_by_its_section() -> None:
    for language in LANGUAGES:
        kb = knowledge.load(language)
        phone = kb.articles["phone-support"]
        assert phone.answer("faq_phone_support") == phone.lead
        assert phone.answer("faq_phone_extension") != phone.lead
        assert "2" in phone.answer("faq_phone_extension")
        assert kb.for_intent("faq_fix_time") is kb.articles["response-times"]


@pytest.mark.parametrize(
    ("question", "article"),
    [
        ("phone number for the UK", "phone-support"),
        ("how fast do you answer a P1 request", "response-times"),
        ("how do I report abusive actions", "report-abuse"),
        ("I was overcharged on my invoice", "billing-discrepancy"),
        ("how do I submit a web ticket", "web-tickets"),
        ("what does priority 3 normal mean", "priority-levels"),
        ("номер телефона поддержки в Японии", "phone-support"),
        ("как отправить веб-заявку", "web-tickets"),
        ("что такое приоритет срочный", "priority-levels"),
        ("с меня списали лишнее, расхождение в оплате", "billing-discrepancy"),
        ("целевое время ответа на запрос", "response-times"),
    ],
)
def test_search_ranks_the_right_article_first(question: str, article: str) -> None:
    language = "ru" if any("а" <= ch <= "я" for ch in question.lower()) else "en"
    passage, hit = knowledge.load(language).search(question, limit=1)[0]
    assert passage.article_id == article
    assert hit.coverage > 0.5


def test_russian_search_copes_with_inflection_and_yo() -> None:
    kb = knowledge.load("ru")
    for question in ("заявку", "заявкой", "заявки", "ключом организатора", "ключ организатора",
                     "приоритеты", "приоритетом"):
        (passage, _), *_ = kb.search(question, limit=1)
        assert passage.article_id in {"web-tickets", "phone-support", "priority-levels"}
    assert kb.search("всё ещё") == kb.search("все еще")


def test_search_finds_nothing_for_unrelated_or_unsupported_text() -> None:
    kb = knowledge.load()
    assert kb.search("weather in paris tomorrow") == []
    assert kb.search("サポートに連絡する方法") == []
    assert kb.search("") == []
    assert knowledge.load("ru").search("погода в париже завтра") == []


def test_search_returns_one_passage_per_article() -> None:
    results = knowledge.load().search("phone support number plans", limit=5)
    ids = [p.article_id for p, _ in results]
    assert len(ids) == len(set(ids))


def _write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def test_broken_articles_are_refused_with_the_file_named(tmp_path: Path) -> None:
    lang = tmp_path / "en"
    lang.mkdir()
    _write(lang, "no-front.md", "Just text\n")
    with pytest.raises(ArticleError, match=r"no-front\.md: missing YAML front matter"):
        knowledge.load("en", tmp_path)


def test_article_id_must_match_file_name(tmp_path: Path) -> None:
    lang = tmp_path / "en"
    lang.mkdir()
    _write(lang, "a.md", "---\nid: b\ntitle: T\ntags: []\nplans: [all]\n---\nLead text.\n")
    with pytest.raises(ArticleError, match="must be kebab-case and match the file name"):
        knowledge.load("en", tmp_path)


def test_unknown_plan_is_refused(tmp_path: Path) -> None:
    lang = tmp_path / "en"
    lang.mkdir()
    _write(lang, "a.md", "---\nid: a\ntitle: T\ntags: []\nplans: [gold]\n---\nLead.\n")
    with pytest.raises(ArticleError, match=r"unknown plans \['gold'\]"):
        knowledge.load("en", tmp_path)


def test_answer_must_name_an_existing_section(tmp_path: Path) -> None:
    lang = tmp_path / "en"
    lang.mkdir()
    _write(lang, "a.md", "---\nid: a\ntitle: T\ntags: []\nplans: [all]\n"
           "answers: {faq_x: Missing}\n---\nLead.\n\n## Other\nText.\n")
    with pytest.raises(ArticleError, match=r"answers\.faq_x: no section '## Missing'"):
        knowledge.load("en", tmp_path)


def test_sections_become_passages(tmp_path: Path) -> None:
    lang = tmp_path / "ru"
    lang.mkdir()
    _write(lang, "a.md", "---\nid: a\ntitle: T\ntags: [x]\nplans: [all]\n"
           "intents: [faq_a, faq_b]\n---\nLead.\n\n## First\nOne.\n\n## Second\nTwo.\n")
    kb = knowledge.load("ru", tmp_path)
    article = kb.for_intent("faq_a")
    assert article is not None and article.language == "ru"
    assert kb.for_intent("faq_b") is article
    assert [(p.heading, p.text) for p in article.passages()] == [
        ("", "Lead."), ("First", "One."), ("Second", "Two.")]
