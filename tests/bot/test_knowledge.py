from pathlib import Path

import pytest
import yaml

from bot import knowledge
from bot.knowledge import ArticleError
from scripts.stack import ROOT

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text())
FAQ_INTENTS = [i for i in DOMAIN["intents"] if i.startswith("faq_")] + ["bot_challenge"]


def test_every_faq_intent_is_answered_by_exactly_one_article() -> None:
    kb = knowledge.load()
    assert sorted(kb.by_intent) == sorted(FAQ_INTENTS)


def test_every_article_has_a_short_lead_and_a_link() -> None:
    kb = knowledge.load()
    assert len(kb.articles) >= 16
    for article in kb.articles.values():
        assert 40 <= len(article.lead) <= 900, article.id
        assert article.url("https://help.example").endswith(f"/kb/en/{article.id}")


@pytest.mark.parametrize(
    ("question", "article"),
    [
        ("phone number for the UK", "phone-support"),
        ("how fast do you answer a P1 request", "response-times"),
        ("someone is zoombombing my meetings", "report-abuse"),
        ("I was overcharged on my invoice", "billing-discrepancy"),
        ("what should I include in a web ticket", "web-tickets"),
        ("what does priority 3 normal mean", "priority-levels"),
    ],
)
def test_search_ranks_the_right_article_first(question: str, article: str) -> None:
    passage, hit = knowledge.load().search(question, limit=1)[0]
    assert passage.article_id == article
    assert hit.coverage > 0.5


def test_search_finds_nothing_for_unrelated_or_foreign_text() -> None:
    kb = knowledge.load()
    assert kb.search("weather in paris tomorrow") == []
    assert kb.search("как связаться с поддержкой") == []
    assert kb.search("") == []


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
