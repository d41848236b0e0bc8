"""Recognise a country in a user's words or page metadata, for the phone directory."""

from __future__ import annotations

import re

ALIASES = {
    "US": ("us", "the us", "usa", "u.s", "u.s.a", "united states", "america", "the states"),
    "AU": ("australia", "aus", "au"),
    "FR": ("france", "fr", "french"),
    "IN": ("india", "in"),
    "JP": ("japan", "jp", "japanese"),
    "NZ": ("new zealand", "nz"),
    "SG": ("singapore", "sg"),
    "GB": ("uk", "u.k", "united kingdom", "britain", "great britain", "england", "scotland",
           "wales", "gb", "london"),
}
# Two-letter words that are also English words only count when the whole answer is the code.
_AMBIGUOUS = {"in", "us", "au", "fr", "jp", "sg", "gb", "nz"}


def find(text: str) -> str | None:
    """ISO code of the first directory country named in `text`, or None."""
    lowered = text.lower().strip()
    if lowered.strip(" .!?").upper() in ALIASES:
        return lowered.strip(" .!?").upper()
    # Keep dots inside abbreviations (u.s.a) but not at the end of a word ("Japan.").
    padded = " " + re.sub(r"\.(?![a-z])|[^a-z. ]+", " ", lowered) + " "
    best: tuple[int, str] | None = None
    for code, names in ALIASES.items():
        for name in names:
            if name in _AMBIGUOUS:
                continue
            pos = padded.find(f" {name} ")
            if pos >= 0 and (best is None or pos < best[0]):
                best = (pos, code)
    return best[1] if best else None


def from_metadata(value: object) -> str | None:
    if isinstance(value, str) and len(value) == 2 and value.isalpha():
        code = value.upper()
        return "GB" if code == "UK" else code
    return None
