"""The knowledge base: Markdown articles with YAML front matter under `data/kb/<lang>/`.

Articles are the single source of every fact the bot tells. Each one has an `id`, a
`title`, `tags`, the `plans` it concerns and, optionally, the NLU `intent` (or list of
`intents`) it answers with its lead, and `answers`: intents answered by one section
(`{faq_phone_prepare: Before you call}`), for questions narrower than the whole article.
The lead (text before the first `##` heading) is the short answer; the lead and every
section are the passages that search ranks. Every language has the same articles under
the same ids (`data/kb/en/phone-support.md`, `data/kb/ru/phone-support.md`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from bot.paths import data_dir
from bot.search import BM25Index, Hit

DEFAULT_LANGUAGE = "en"
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n(.*)\Z", re.S)
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# What a passage is about (title, heading, tags) weighs more than a word in passing.
ABOUT_WEIGHTS = {"about": 1.5, "body": 1.0}
PLANS = frozenset({"all", "basic", "pro", "business", "education", "enterprise", "api"})


class ArticleError(ValueError):
    """An article file that cannot be loaded; the message names the file and the problem."""


@dataclass(frozen=True)
class Passage:
    article_id: str
    heading: str  # "" for the lead
    text: str


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    tags: tuple[str, ...]
    plans: tuple[str, ...]
    intents: tuple[str, ...]
    language: str
    lead: str
    sections: tuple[tuple[str, str], ...] = field(default=())
    answers: tuple[tuple[str, str], ...] = field(default=())  # (intent, section heading)

    def section(self, heading: str) -> str | None:
        return next((body for h, body in self.sections if h == heading), None)

    def answer(self, intent: str) -> str:
        """The text that answers `intent`: its section if it names one, else the lead."""
        heading = dict(self.answers).get(intent)
        return (self.section(heading) if heading else None) or self.lead

    def passages(self) -> list[Passage]:
        out = [Passage(self.id, "", self.lead)]
        out.extend(Passage(self.id, heading, body) for heading, body in self.sections)
        return out

    def url(self, base_url: str | None = None) -> str:
        base = (base_url if base_url is not None else help_center_url()).rstrip("/")
        return f"{base}/kb/{self.language}/{self.id}"


def help_center_url() -> str:
    """Base URL of the help center that serves the articles (`HELP_CENTER_URL`)."""
    return os.environ.get("HELP_CENTER_URL", "http://127.0.0.1:8080")


def parse_article(path: Path, language: str) -> Article:
    raw = path.read_text(encoding="utf-8")
    match = _FRONT_MATTER.match(raw)
    if not match:
        raise ArticleError(f"{path}: missing YAML front matter between '---' lines")
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise ArticleError(f"{path}: front matter is not valid YAML: {exc}") from exc
    if not isinstance(meta, dict):
        raise ArticleError(f"{path}: front matter must be a mapping")
    for key in ("id", "title", "tags", "plans"):
        if key not in meta:
            raise ArticleError(f"{path}: front matter lacks '{key}'")
    article_id = str(meta["id"])
    if not _ID.match(article_id) or path.stem != article_id:
        raise ArticleError(f"{path}: id '{article_id}' must be kebab-case and match the file name")
    plans = tuple(str(p) for p in meta["plans"])
    unknown = set(plans) - PLANS
    if unknown:
        raise ArticleError(f"{path}: unknown plans {sorted(unknown)}")
    body = match.group(2).strip()
    parts = re.split(r"^## +(.+)$", body, flags=re.M)
    lead = parts[0].strip()
    if not lead:
        raise ArticleError(f"{path}: the article needs a lead paragraph before the first '##'")
    sections = tuple(
        (parts[i].strip(), parts[i + 1].strip()) for i in range(1, len(parts) - 1, 2)
    )
    intents = meta.get("intents", [meta["intent"]] if meta.get("intent") else [])
    if not isinstance(intents, list):
        raise ArticleError(f"{path}: 'intents' must be a list of intent names")
    answers_raw = meta.get("answers") or {}
    if not isinstance(answers_raw, dict):
        raise ArticleError(f"{path}: 'answers' must map intents to section headings")
    headings = {heading for heading, _ in sections}
    for intent, heading in answers_raw.items():
        if heading not in headings:
            raise ArticleError(f"{path}: answers.{intent}: no section '## {heading}'")
    return Article(
        id=article_id,
        title=str(meta["title"]),
        tags=tuple(str(t) for t in meta["tags"]),
        plans=plans,
        intents=tuple(str(i) for i in intents),
        language=language,
        lead=lead,
        sections=sections,
        answers=tuple((str(i), str(h)) for i, h in answers_raw.items()),
    )


class KnowledgeBase:
    """All articles of one language, indexed by id and intent, with passage search."""

    def __init__(self, articles: list[Article]) -> None:
        self.articles = {a.id: a for a in articles}
        if len(self.articles) != len(articles):
            raise ArticleError("two articles share an id")
        self.by_intent: dict[str, Article] = {}
        for article in articles:
            for intent in (*article.intents, *(i for i, _ in article.answers)):
                if intent in self.by_intent:
                    raise ArticleError(f"intent '{intent}' is answered by two articles")
                self.by_intent[intent] = article
        self.passages = [p for a in articles for p in a.passages()]
        documents = []
        for passage in self.passages:
            article = self.articles[passage.article_id]
            about = " ".join([article.title, passage.heading, *article.tags])
            documents.append({"about": about, "body": passage.text})
        self.index = BM25Index(documents, weights=ABOUT_WEIGHTS)

    def get(self, article_id: str) -> Article | None:
        return self.articles.get(article_id)

    def for_intent(self, intent: str) -> Article | None:
        return self.by_intent.get(intent)

    def plan_article(self, plan: str) -> Article | None:
        """The article about support on `plan` (of those answering a `faq_plan_*`
        intent, the narrowest that covers the plan): where "my plan" questions point."""
        fitting = [a for a in self.articles.values()
                   if plan in a.plans and any(i.startswith("faq_plan_") for i in a.intents)]
        return min(fitting, key=lambda a: (len(a.plans), a.id)) if fitting else None

    def search(self, query: str, limit: int = 3) -> list[tuple[Passage, Hit]]:
        """Best passages for `query`, at most one per article, best first."""
        seen: set[str] = set()
        out: list[tuple[Passage, Hit]] = []
        for hit in self.index.search(query, limit=len(self.passages)):
            passage = self.passages[hit.doc]
            if passage.article_id in seen:
                continue
            seen.add(passage.article_id)
            out.append((passage, hit))
            if len(out) >= limit:
                break
        return out


def load(language: str = DEFAULT_LANGUAGE, root: Path | None = None) -> KnowledgeBase:
    folder = (root or data_dir() / "kb") / language
    files = sorted(folder.glob("*.md"))
    if not files:
        raise ArticleError(f"{folder}: no articles found")
    return KnowledgeBase([parse_article(f, language) for f in files])


@lru_cache(maxsize=4)
def cached(language: str = DEFAULT_LANGUAGE) -> KnowledgeBase:
    """The knowledge base of `language`, loaded once per process."""
    return load(language)
