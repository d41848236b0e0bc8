"""Text helpers shared by search and the actions: normalising, tokenising, language guess."""

from __future__ import annotations

import re
import unicodedata

_TOKEN = re.compile(r"[a-z0-9]+(?:[.'][a-z0-9]+)*")
_CONTROL = {"Cc", "Cf", "Cs", "Co", "Cn"}

STOPWORDS = frozenset(
    """
    a about above after again all am an and any are as at be been being below between
    both but by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its
    itself just me more most my myself no nor not now of off on once only or other our
    ours ourselves out over own same she should so some such than that the their theirs
    them themselves then there these they this those through to too under until up very
    was we were what when where which while who whom why will with would you your yours
    yourself yourselves im ive id dont cant wont pls please hi hello hey thanks thank
    get got want need tell know let lets us s t u ur r ok okay yes
    """.split()  # noqa: SIM905 - a word list reads better as text
)


def clean(text: str, limit: int = 4000) -> str:
    """Drop control and format characters (keeping newlines and tabs), trim, bound length."""
    kept = []
    for ch in text[: limit * 2]:
        if ch in "\n\t" or unicodedata.category(ch) not in _CONTROL:
            kept.append(ch)
    return "".join(kept).strip()[:limit]


def stem(word: str) -> str:
    """A deliberately light English stemmer: enough to match ticket/tickets, call/calling."""
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            if suffix == "es" and not word.endswith(("ches", "shes", "xes", "sses")):
                continue
            return word[: -len(suffix)] + repl
    return word


def tokens(text: str) -> list[str]:
    """Lower-cased, accent-folded word tokens with stop words removed and light stemming."""
    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return [stem(t) for t in _TOKEN.findall(folded) if t not in STOPWORDS and len(t) > 1]


def has_letters(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def looks_non_english(text: str) -> bool:
    """True when most letters are outside the Latin script (Cyrillic, CJK, Arabic...)."""
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) < 3:
        return False
    latin = sum(1 for ch in letters if "LATIN" in unicodedata.name(ch, ""))
    return latin / len(letters) < 0.5
