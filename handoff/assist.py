"""Agent assist: the knowledge-base articles that match what the customer wrote, for the
agent beside the chat. The same search the bot answers with (`bot.knowledge`, BM25 over
the articles' passages), in the chat's language, over the customer's last few messages,
so the suggestions follow the conversation. At most three, each with a short answer the
agent can put into a reply and the article's link (the page the bot links to)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from bot import knowledge
from handoff import vocabulary as v
from handoff.transcript import Message

MAX_SUGGESTIONS: Final = 3
ANSWER_CHARS: Final = 400  # the short answer, cut at a word
CUSTOMER_TURNS: Final = 3  # the customer's messages the query is made of, newest first
LOOKBACK: Final = 30  # messages of the chat read to find them
MIN_SCORE: Final = 1.0  # below it a hit is a word in passing (e.g. "the", "zoom")


def short(text: str, limit: int = ANSWER_CHARS) -> str:
    """About `limit` characters of `text`, its lines kept (the passage's Markdown lists
    stay lists), cut after a whole line, else at a word, with an ellipsis."""
    lines = [" ".join(line.split()) for line in text.strip().splitlines()]
    flat = "\n".join(line for n, line in enumerate(lines) if line or (n and lines[n - 1]))
    if len(flat) <= limit:
        return flat
    head = flat[:limit]
    cut = head.rsplit("\n", 1)[0] if "\n" in head[limit // 2:] else \
        head.rsplit(" ", 1)[0].rstrip(",;:")
    cut = cut.rstrip()
    return cut + ("…" if cut[-1:].isalnum() else " …")


def is_words(text: str) -> bool:
    """A customer's message that says something: not a button's payload
    ("/request_human") or a bare rating."""
    stripped = text.strip()
    return bool(stripped) and not stripped.startswith("/") and not stripped.isdigit()


def customer_said(messages: Sequence[Message]) -> list[str]:
    """What the customer wrote lately (newest first): their last few messages that are
    words."""
    said = [m.text for m in reversed(messages) if m.sender == v.USER and is_words(m.text)]
    return said[:CUSTOMER_TURNS]


def suggestions(query: str, language: str) -> list[dict[str, Any]]:
    """The best articles for `query` in `language` (English when it has none):
    `[{article_id, title, heading, answer, url, score}]`, best first, at most three."""
    try:
        kb = knowledge.cached(language or knowledge.DEFAULT_LANGUAGE)
    except knowledge.ArticleError:
        kb = knowledge.cached(knowledge.DEFAULT_LANGUAGE)
    out = []
    for passage, hit in kb.search(query, limit=MAX_SUGGESTIONS):
        if hit.score < MIN_SCORE:
            continue
        article = kb.articles[passage.article_id]
        out.append({"article_id": article.id, "title": article.title,
                    "heading": passage.heading, "answer": short(passage.text),
                    "url": article.url(), "score": round(hit.score, 2)})
    return out


def payload(chat_id: str, language: str, messages: Sequence[Message]) -> dict[str, Any]:
    """The `assist_suggestions` event (and the `assist` acknowledgement) of one chat,
    from its latest messages."""
    users = [m.seq for m in messages if m.sender == v.USER]
    return payload_from_words(chat_id, language, customer_said(messages),
                              users[-1] if users else 0)


def payload_from_words(chat_id: str, language: str, said: Sequence[str], seq: int
                       ) -> dict[str, Any]:
    """The same event from the customer's latest messages kept in memory (`said`,
    newest first; `seq` the newest one's): no transcript read."""
    query = "\n".join(list(said)[:CUSTOMER_TURNS])
    return {"chat_id": chat_id, "language": language, "based_on_seq": seq,
            "suggestions": suggestions(query, language) if query else []}
