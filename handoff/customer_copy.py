"""The customer's copy of a chat: its messages as plain text or Markdown, in the chat's
language, for the widget to offer as a download. Made from the chat's log only (what the
customer was sent); internal notes live in another key and are never read here. Bounded:
the newest `MAX_MESSAGES` messages."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from handoff import texts
from handoff import vocabulary as v
from handoff.transcript import Message

MAX_MESSAGES: Final = 2000
FORMATS: Final = ("text", "markdown")


@dataclass(frozen=True)
class Copy:
    filename: str
    content_type: str
    text: str


def _clock(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(ts))


def _who(message: Message, language: str) -> str:
    if message.sender == v.AGENT:
        name = str(message.extra.get("agent") or "")
        return texts.text("sender_agent", language, agent=name) if name else \
            texts.text("sender_agent_unnamed", language)
    key = {v.USER: "sender_user", v.BOT: "sender_bot"}.get(message.sender, "sender_system")
    return texts.text(key, language)


def _markdown_text(text: str) -> str:
    """The message as Markdown that shows it as written (no markup of the customer's or
    anyone's becomes headings, links or HTML)."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!<>|~])", r"\\\1", text)


def render(chat_id: str, messages: Sequence[Message], language: str, fmt: str,
           omitted: bool, now: float | None = None) -> Copy:
    """The copy of `messages` (oldest first) in `fmt` ("text" or "markdown")."""
    now = now if now is not None else time.time()
    language = language or texts.DEFAULT
    markdown = fmt == "markdown"
    title = texts.text("transcript_title", language)
    lines = [f"# {title}" if markdown else title]
    if messages:
        lines.append(texts.text("transcript_started", language, time=_clock(messages[0].ts)))
    lines.append(texts.text("transcript_saved", language, time=_clock(now)))
    if omitted:
        lines.append(texts.text("transcript_omitted", language, n=len(messages)))
    lines.append("")
    for message in messages:
        shown = str(message.extra.get("title") or message.text)  # a clicked button's title
        who = _who(message, language)
        if markdown:
            lines.append(f"**{_markdown_text(who)}** · {_clock(message.ts)}  ")
            lines.extend(_markdown_text(line) + "  " for line in shown.splitlines() or [""])
        else:
            lines.append(f"[{_clock(message.ts)}] {who}:")
            lines.extend("  " + line for line in shown.splitlines() or [""])
        lines.append("")
    day = time.strftime("%Y-%m-%d", time.gmtime(now))
    extension, content_type = ("md", "text/markdown") if markdown else ("txt", "text/plain")
    return Copy(f"chat-{day}-{chat_id[:8]}.{extension}", f"{content_type}; charset=utf-8",
                "\n".join(lines))
