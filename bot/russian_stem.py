"""The Snowball stemmer for Russian, in plain Python (stdlib only, so both environments
can import it): «заявки», «заявку», «заявкой» -> «заявк»; «позвонить», «позвоню» -> «позвон».

Search (bot/search.py) and the NLU tokenizer (rasa_ext/nlu.py) use it so that one
inflected form of a word finds the others. Algorithm: snowballstem.org/algorithms/russian.
"""

from __future__ import annotations

from functools import lru_cache

VOWELS = frozenset("аеиоуыэюя")

_PERFECTIVE_GERUND_1 = ("вшись", "вши", "в")  # preceded by а or я
_PERFECTIVE_GERUND_2 = ("ившись", "ывшись", "ивши", "ывши", "ив", "ыв")
_ADJECTIVE = (
    "ими", "ыми", "его", "ого", "ему", "ому", "ее", "ие", "ые", "ое", "ей", "ий", "ый", "ой",
    "ем", "им", "ым", "ом", "их", "ых", "ую", "юю", "ая", "яя", "ою", "ею",
)
_PARTICIPLE_1 = ("ем", "нн", "вш", "ющ", "щ")  # preceded by а or я
_PARTICIPLE_2 = ("ивш", "ывш", "ующ")
_REFLEXIVE = ("ся", "сь")
_VERB_1 = ("ете", "йте", "ешь", "нно", "ла", "на", "ли", "ем", "ло", "но", "ет", "ют", "ны",
           "ть", "й", "л", "н")  # preceded by а or я
_VERB_2 = (
    "ейте", "уйте", "ила", "ыла", "ена", "ите", "или", "ыли", "ило", "ыло", "ено", "ует", "уют",
    "ены", "ить", "ыть", "ишь", "ей", "уй", "ил", "ыл", "им", "ым", "ен", "ят", "ит", "ыт", "ую",
    "ю",
)
_NOUN = (
    "иями", "ями", "ами", "ией", "иям", "ием", "иях", "ев", "ов", "ие", "ье", "еи", "ии", "ей",
    "ой", "ий", "ям", "ем", "ам", "ом", "ах", "ях", "ию", "ью", "ия", "ья", "а", "е", "и", "й",
    "о", "у", "ы", "ь", "ю", "я",
)
_SUPERLATIVE = ("ейше", "ейш")
_DERIVATIONAL = ("ость", "ост")


def _regions(word: str) -> tuple[int, int]:
    """Start of RV (after the first vowel) and of R2 (Snowball's standard regions)."""
    rv = len(word)
    for i, ch in enumerate(word):
        if ch in VOWELS:
            rv = i + 1
            break

    def after_vowel_consonant(start: int) -> int:
        for i in range(start + 1, len(word)):
            if word[i] not in VOWELS and word[i - 1] in VOWELS:
                return i + 1
        return len(word)

    r1 = after_vowel_consonant(0)
    r2 = after_vowel_consonant(r1)
    return rv, r2


def _strip(word: str, rv: int, suffixes: tuple[str, ...], after_a: bool = False) -> str | None:
    """`word` without the longest of `suffixes` that lies in RV, or None.
    With `after_a`, the suffix must follow а or я (which stay)."""
    for suffix in sorted(suffixes, key=len, reverse=True):
        start = len(word) - len(suffix)
        if start < rv or not word.endswith(suffix):
            continue
        if after_a and (start - 1 < rv or word[start - 1] not in "ая"):
            continue
        return word[:start]
    return None


def _strip_either(word: str, rv: int, group1: tuple[str, ...], group2: tuple[str, ...]
                  ) -> str | None:
    """The longer match of a group-1 suffix (after а/я) and a group-2 suffix."""
    one = _strip(word, rv, group1, after_a=True)
    two = _strip(word, rv, group2)
    if one is None:
        return two
    if two is None:
        return one
    return one if len(one) < len(two) else two


def _adjectival(word: str, rv: int) -> str | None:
    base = _strip(word, rv, _ADJECTIVE)
    if base is None:
        return None
    participle = _strip_either(base, rv, _PARTICIPLE_1, _PARTICIPLE_2)
    return participle if participle is not None else base


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The stem of one lower-case Russian word (ё is folded to е)."""
    word = word.lower().replace("ё", "е")
    rv, r2 = _regions(word)
    # Step 1
    found = _strip_either(word, rv, _PERFECTIVE_GERUND_1, _PERFECTIVE_GERUND_2)
    if found is not None:
        word = found
    else:
        reflexive = _strip(word, rv, _REFLEXIVE)
        if reflexive is not None:
            word = reflexive
        found = _adjectival(word, rv)
        if found is None:
            found = _strip_either(word, rv, _VERB_1, _VERB_2)
        if found is None:
            found = _strip(word, rv, _NOUN)
        if found is not None:
            word = found
    # Step 2
    if word.endswith("и") and len(word) - 1 >= rv:
        word = word[:-1]
    # Step 3
    for suffix in _DERIVATIONAL:
        if word.endswith(suffix) and len(word) - len(suffix) >= r2:
            word = word[: -len(suffix)]
            break
    # Step 4
    if word.endswith("нн") and len(word) - 1 >= rv:
        return word[:-1]
    superlative = _strip(word, rv, _SUPERLATIVE)
    if superlative is not None:
        word = superlative
        return word[:-1] if word.endswith("нн") and len(word) - 1 >= rv else word
    if word.endswith("ь") and len(word) - 1 >= rv:
        return word[:-1]
    return word
