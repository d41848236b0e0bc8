"""Canned replies for agents (data/canned.yml): checked when the gateway starts, so a
typo in the file stops start-up with the file and entry named instead of reaching agents."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.paths import data_dir

SHORTCUT = re.compile(r"^[a-z0-9-]{1,32}$")
MAX_TITLE, MAX_TEXT, MAX_REPLIES = 80, 2000, 200


class CannedError(ValueError):
    """data/canned.yml is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class CannedReply:
    shortcut: str  # typed as "/<shortcut>" in the console's reply box
    title: str
    text: str  # may hold {agent} and {customer}, filled in by the console

    def as_dict(self) -> dict[str, str]:
        return {"shortcut": self.shortcut, "title": self.title, "text": self.text}


def load_canned(path: Path | None = None) -> tuple[CannedReply, ...]:
    path = path or data_dir() / "canned.yml"
    if not path.exists():
        return ()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise CannedError(f"{path}: not valid YAML: {exc}") from exc
    entries = raw.get("canned") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        raise CannedError(f"{path}: expected a top-level 'canned:' list")
    if len(entries) > MAX_REPLIES:
        raise CannedError(f"{path}: at most {MAX_REPLIES} canned replies")
    replies: list[CannedReply] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        where = f"{path}: canned[{index}]"
        if not isinstance(entry, dict):
            raise CannedError(f"{where}: expected a mapping with shortcut, title, text")
        shortcut, title, text = entry.get("shortcut"), entry.get("title"), entry.get("text")
        if not isinstance(shortcut, str) or not SHORTCUT.match(shortcut):
            raise CannedError(f"{where}: shortcut must be 1-32 of a-z, 0-9, '-'")
        if shortcut in seen:
            raise CannedError(f"{where}: shortcut {shortcut!r} is used twice")
        if not isinstance(title, str) or not title.strip() or len(title) > MAX_TITLE:
            raise CannedError(f"{where} ({shortcut}): title must be 1-{MAX_TITLE} characters")
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
            raise CannedError(f"{where} ({shortcut}): text must be 1-{MAX_TEXT} characters")
        seen.add(shortcut)
        replies.append(CannedReply(shortcut, title.strip(), text.strip()))
    return tuple(replies)
