"""Set a request's priority from the triage answers, by the guidelines' definitions.

- P1 Urgent: the service is down or critically degraded, and there is no workaround.
- P2 High: significant parts are affected (down, or many people), and the workaround is
  partial or missing.
- P3 Normal: a problem with a feature without degraded service (or down with a full
  workaround).
- P4 Low: a question, installation/configuration help or a feature request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Answers to "How bad is it?" and "Is there a workaround?", as button payload values.
IMPACTS = ("down", "many", "few", "question")
WORKAROUNDS = ("none", "partial", "full")
MEETING_ID = re.compile(r"^\d{9,11}$")

# English and Russian keywords; a Russian keyword ending in "*" matches any case ending.
_IMPACT_WORDS = {
    "down": ("down", "outage", "nobody", "no one", "everyone", "everybody", "all users",
             "entire", "whole", "completely", "at all", "critical", "service is down",
             "не работает", "ничего не работает", "никто", "никого", "все", "всех", "весь",
             "вся", "полностью", "упал*", "лежит", "недоступ*", "критич*", "сбой*",
             "нельзя пользоваться"),
    "many": ("many", "most", "lots", "several teams", "department", "half", "significant",
             "large", "a lot", "много", "многие", "многих", "большинств*", "половин*",
             "отдел*", "значительн*", "несколько команд", "целая команда"),
    "few": ("me", "just me", "only me", "one", "a few", "few", "single", "couple", "some",
            "я", "только я", "у меня", "только у меня", "один", "одна", "одного",
            "несколько человек", "пара", "пару", "некоторые", "некоторых"),
    "question": ("question", "information", "how to", "feature request", "install", "setup",
                 "set up", "configure", "configuration", "no impact", "not urgent",
                 "вопрос*", "информаци*", "как настроить", "установк*", "настройк*",
                 "запрос*", "просьб*", "не срочно"),
}
_PARTIAL_WORDS = ("partial", "partly", "sort of", "kind of", "somewhat", "sometimes",
                  "частичн*", "частично", "отчасти", "иногда", "не всегда", "кое как",
                  "более менее")
_NEGATIONS = ("no", "nope", "none", "not", "cant", "cannot", "dont", "doesnt", "isnt",
              "nothing", "never", "without", "нет", "не", "никак*", "ничего", "без",
              "отсутств*")
_FULL_WORDS = ("yes", "yep", "we can", "works fine", "fully", "full", "fine", "да", "есть",
               "полн*", "работает")


def _normalise(text: str) -> str:
    """Lower case, ё as е, apostrophes dropped ("can't" -> "cant"), other punctuation
    (hyphens too: «кое-как») to spaces."""
    lowered = text.lower().replace("ё", "е").replace("'", "").replace("’", "")
    return " " + " ".join(re.sub(r"[^a-z0-9а-я ]+", " ", lowered).split()) + " "


def _find(padded: str, word: str) -> int:
    """Position of `word` as a whole word ("word*": a word starting so), or -1."""
    if word.endswith("*"):
        return padded.find(f" {word[:-1]}")
    return padded.find(f" {word} ")


def _match(text: str, table: dict[str, tuple[str, ...]]) -> str | None:
    """The value whose keyword appears first in the text (the longer keyword on a tie):
    "just me, everyone else is fine" is about one person, not everyone."""
    padded = _normalise(text)
    best: tuple[int, int, str] | None = None
    for value, words in table.items():
        for word in words:
            pos = _find(padded, word)
            if pos >= 0 and (best is None or (pos, -len(word)) < (best[0], best[1])):
                best = (pos, -len(word), value)
    return best[2] if best else None


def parse_impact(text: str) -> str | None:
    """Map a free-text or button answer to one of IMPACTS, or None if unclear."""
    value = text.strip().lower()
    return value if value in IMPACTS else _match(text, _IMPACT_WORDS)


def parse_workaround(text: str) -> str | None:
    """A partial workaround wins, then any negation ("we can't") means none."""
    value = text.strip().lower()
    if value in WORKAROUNDS:
        return value
    padded = _normalise(text)
    for words, meaning in ((_PARTIAL_WORDS, "partial"), (_NEGATIONS, "none"),
                           (_FULL_WORDS, "full")):
        if any(_find(padded, w) >= 0 for w in words):
            return meaning
    return None


def parse_meeting_id(text: str) -> str | None:
    digits = re.sub(r"[\s-]", "", text)
    return digits if MEETING_ID.match(digits) else None


@dataclass(frozen=True)
class Triage:
    problem: str
    impact: str
    workaround: str
    meeting_id: str | None = None

    @property
    def priority(self) -> str:
        return priority_for(self.impact, self.workaround)

    def as_dict(self) -> dict[str, str | None]:
        return {"problem": self.problem, "impact": self.impact, "workaround": self.workaround,
                "meeting_id": self.meeting_id}


def priority_for(impact: str, workaround: str) -> str:
    if impact not in IMPACTS or workaround not in WORKAROUNDS:
        raise ValueError(f"unknown triage answer: impact={impact!r}, workaround={workaround!r}")
    if impact == "question":
        return "P4"
    if impact == "down":
        return {"none": "P1", "partial": "P2", "full": "P3"}[workaround]
    if impact == "many":
        return "P3" if workaround == "full" else "P2"
    return "P3"
