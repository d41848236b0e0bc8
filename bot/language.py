"""Which language a chat is in: one pure rule shared by the bot and the gateway.

The bot answers every turn in `next_language(slot, page_language, text)`, and the gateway
calls the same function for its own texts (handoff status, errors), so the two always
agree without talking to each other. Standard library only: both Python environments
import it.

The rule, strongest first:

1. an explicit request ("можно по-русски?", "in English please", "говори по-английски");
2. a message written clearly in a supported language (two words or more, nearly all its
   letters in that language's script): people are answered in the language they write;
3. the chat's current language, once set;
4. the page's language (`language` in the message metadata), when supported;
5. what `detect` makes of a shorter message;
6. `DEFAULT`.

Button payloads ("/affirm"), numbers, meeting IDs, emoji and words used the same way in
both languages ("ok", "Zoom", "API") say nothing about the language and never switch it.
"""

from __future__ import annotations

import re
import unicodedata

SUPPORTED: tuple[str, ...] = ("en", "ru")
DEFAULT = "en"

# Words that Russian and English speakers type alike: they carry no language signal.
_NEUTRAL = frozenset(
    """
    ok okay ok. ок окей кк k kk zoom api id pro sso url faq web email e-mail p1 p2 p3 p4
    lol thx ty bolt hmm hm ммм хм
    """.split()  # noqa: SIM905 - a word list reads better as text
)
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")

# --- explicit requests -------------------------------------------------------------------
# A language named as the language of the conversation, in either language, with the
# common misspellings ("по руски", "порусски", "англиски", "russain", "inglish").
_RU_ADVERB = r"по[\s-]?русс?к(?:и|ий)\b"
_EN_ADVERB = r"по[\s-]?англ(?:ий|и)?ск(?:и|ий)\b|по[\s-]?англ\b"
_PLEASE = r"(?:пж|пожалуйста|плиз|pls|please)?"
_RU_ON = (
    r"на\s+русс?к(?:ом|ий)\b|русс?к(?:ий|ом|ого)\s+язык\w*"
    rf"|^\W*(?:рус|русс?кий)\W*{_PLEASE}\W*$"
)
_EN_ON = (
    r"на\s+англ(?:ий|и)?ск(?:ом|ий)\b|на\s+англ\b|англ(?:ий|и)?ск(?:ий|ом|ого)\s+язык\w*"
    rf"|^\W*англ(?:ий|и)?ский\W*{_PLEASE}\W*$"
)
_EN_NAME = r"(?:english|englsih|englis|engish|inglish|englsh|englich|eng)"
_RU_NAME = r"(?:russian|rusian|russain|rusain|russion)"
_CUE_BEFORE = (
    r"(?:in|into|to|speak|speaks|talk|write|answer|reply|respond|use|understand|know"
    r"|switch|change)\s+(?:(?:to|in|into)\s+)?"
)
_CUE_AFTER = r"[\s,]+(?:please|pls|plz|language|version|speaker|speaking|only)\b"


def _request_patterns(name: str) -> re.Pattern[str]:
    return re.compile(
        rf"(?:\b{_CUE_BEFORE}{name}\b|\b{name}{_CUE_AFTER}|^\W*{name}\W*$)", re.I
    )


_REQUESTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ru", re.compile(rf"(?:{_RU_ADVERB}|{_RU_ON})", re.I)),
    ("en", re.compile(rf"(?:{_EN_ADVERB}|{_EN_ON})", re.I)),
    ("ru", _request_patterns(_RU_NAME)),
    ("en", _request_patterns(_EN_NAME)),
)
# "I don't speak English", "я не говорю по-английски", "no english": the other language.
_NEGATION = re.compile(
    r"(?:\bне\b|\bdon'?t\b|\bdo\s+not\b|\bcan'?t\b|\bcannot\b|\bno\b|\bnot\b)[\w\s'-]{0,20}$",
    re.I,
)


def _script(ch: str) -> str | None:
    name = unicodedata.name(ch, "")
    if name.startswith("CYRILLIC"):
        return "ru"
    if name.startswith("LATIN"):
        return "en"
    return None


def _word_scripts(text: str) -> list[tuple[str, int]]:
    """(language of the script, letter count) of each word that carries a signal."""
    if text.lstrip().startswith("/"):  # a button payload, not words
        return []
    out = []
    for word in _WORD.findall(text.lower()):
        if word in _NEUTRAL:
            continue
        counts = {"ru": 0, "en": 0}
        for ch in word:
            script = _script(ch)
            if script:
                counts[script] += 1
        lang = max(counts, key=lambda k: counts[k])
        if counts[lang]:
            out.append((lang, counts[lang]))
    return out


def _shares(text: str) -> tuple[dict[str, int], dict[str, int]]:
    letters = {lang: 0 for lang in SUPPORTED}
    words = {lang: 0 for lang in SUPPORTED}
    for lang, n in _word_scripts(text):
        letters[lang] += n
        if n >= 2:
            words[lang] += 1
    return letters, words


def detect(text: str) -> str | None:
    """'ru' or 'en' for the language most of the letters are in; None when unsure.

    Unsure means no word with a signal: digits, emoji, punctuation, a button payload, or
    only words both languages use ("ok", "Zoom"). A single word counts ("привет",
    "hello"); Latin script counts as English, the assistant's other language.
    """
    letters, words = _shares(text)
    ru, en = letters["ru"], letters["en"]
    if ru == en or max(words.values()) == 0:
        return None
    return "ru" if ru > en else "en"


def _confident(text: str) -> str | None:
    """The language a message is clearly written in: two words or more, ~all one script."""
    letters, words = _shares(text)
    total = sum(letters.values())
    for lang in SUPPORTED:
        if words[lang] >= 2 and letters[lang] >= 0.8 * total:
            return lang
    return None


def requested_switch(text: str) -> str | None:
    """The language the user asks to be answered in, or None when they do not ask.

    "можно по-русски?", "давай на русском", "Russian please", "switch to English",
    "говори по-английски" all ask; a language named in passing ("a Russian number?") does
    not. "I don't speak English" asks for the other supported language.
    """
    if text.lstrip().startswith("/"):
        return None
    lowered = text.lower().replace("ё", "е")
    for lang, pattern in _REQUESTS:
        match = pattern.search(lowered)
        if match is None:
            continue
        if _NEGATION.search(lowered[: match.start()]):
            others = [other for other in SUPPORTED if other != lang]
            return others[0] if len(others) == 1 else None
        return lang
    return None


def _supported(code: str | None) -> str | None:
    """'ru' for 'ru', 'RU', 'ru-RU', 'ru_RU'; None for anything unsupported."""
    if not isinstance(code, str):
        return None
    base = code.strip().lower().replace("_", "-").split("-", 1)[0]
    return base if base in SUPPORTED else None


def next_language(current: str | None, page: str | None, text: str) -> str:
    """The language of the chat after the user's message `text` (see the module doc)."""
    return (
        requested_switch(text)
        or _confident(text)
        or _supported(current)
        or _supported(page)
        or detect(text)
        or DEFAULT
    )
