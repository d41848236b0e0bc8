"""What every action needs from the tracker: the user's text, the page's metadata, the KB."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from bot import knowledge, text
from bot.knowledge import KnowledgeBase

MAX_TEXT = 4000


def user_text(tracker: Tracker) -> str:
    """The latest user message, without control characters and bounded in length."""
    raw = tracker.latest_message.get("text") or ""
    return text.clean(str(raw), limit=MAX_TEXT)


def metadata(tracker: Tracker) -> dict[str, Any]:
    meta = tracker.latest_message.get("metadata") or {}
    return meta if isinstance(meta, dict) else {}


def kb_for(tracker: Tracker) -> KnowledgeBase:
    """The knowledge base in the page's language, falling back to English."""
    language = str(metadata(tracker).get("language") or knowledge.DEFAULT_LANGUAGE)[:2].lower()
    try:
        return knowledge.cached(language)
    except knowledge.ArticleError:
        return knowledge.cached(knowledge.DEFAULT_LANGUAGE)


def article_reply(title: str, body: str, url: str) -> str:
    """An answer followed by a link to the article it came from, as one message (Rasa
    splits a text on blank lines into several)."""
    return f"{body}\nSource: [{title}]({url})"
