"""Okapi BM25 ranking over short passages, with a confidence signal for fallbacks.

Each passage has fields (its body, and what it is about: title, heading, tags); every
field is scored with BM25 on its own length statistics and the scores are summed with
field weights (a simple BM25F). The corpus is small (tens of passages), so a plain
in-memory inverted index answers in microseconds and keeps the ranking explainable: a hit
reports which query terms it matched and how much of the query's information (IDF mass)
that covers, which the fallback uses to decide between answering and asking.

People mistype ("tiket", «спосбы»): a query word the corpus does not have, of at least
`MIN_TYPO_LENGTH` letters, is read as the corpus word one edit away (a letter missing,
extra, changed or two swapped), the most common one if there are several. Candidates come
from an index of each corpus word's one-letter deletions, so this costs a few lookups.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.text import tokens

# Shorter words are too easily one edit from another word ("pro", "p1", "api").
MIN_TYPO_LENGTH = 4


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def _one_edit(a: str, b: str) -> bool:
    """Whether b is a, one letter inserted, deleted, changed, or two neighbours swapped."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return short in _deletions(long_)


@dataclass(frozen=True)
class Hit:
    doc: int
    score: float
    matched: tuple[str, ...]
    coverage: float  # share of the query's IDF mass that this document matches, 0..1


class _Field:
    def __init__(self, texts: Sequence[str]) -> None:
        self.terms = [Counter(tokens(t)) for t in texts]
        self.length = [sum(c.values()) for c in self.terms]
        self.avg = max(1.0, sum(self.length) / max(1, len(self.length)))


class BM25Index:
    def __init__(
        self,
        documents: Sequence[str | Mapping[str, str]],
        weights: Mapping[str, float] | None = None,
        k1: float = 1.2,
        b: float = 0.75,
    ) -> None:
        docs = [d if isinstance(d, Mapping) else {"body": d} for d in documents]
        names = sorted({name for d in docs for name in d})
        self.weights = {name: (weights or {}).get(name, 1.0) for name in names}
        self.fields = {name: _Field([d.get(name, "") for d in docs]) for name in names}
        self.k1, self.b = k1, b
        df: Counter[str] = Counter()
        for i in range(len(docs)):
            df.update({t for f in self.fields.values() for t in f.terms[i]})
        n = len(docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self.postings: dict[str, set[int]] = {}
        for field in self.fields.values():
            for i, terms in enumerate(field.terms):
                for t in terms:
                    self.postings.setdefault(t, set()).add(i)
        # An unseen query word counts as an average one: it lowers coverage (no passage
        # speaks of it) without letting filler words drown a question.
        self.unknown_idf = sum(self.idf.values()) / max(1, len(self.idf))
        self.df = df
        self.near: dict[str, set[str]] = {}
        for term in df:
            if len(term) >= MIN_TYPO_LENGTH and term.isalpha():
                for key in _deletions(term) | {term}:
                    self.near.setdefault(key, set()).add(term)

    def correct(self, term: str) -> str:
        """The term, or the corpus word one edit away that it is most likely a typo of."""
        if term in self.idf or len(term) < MIN_TYPO_LENGTH or not term.isalpha():
            return term
        found = {t for key in _deletions(term) | {term} for t in self.near.get(key, ())}
        found = {t for t in found if _one_edit(term, t)}
        return min(found, key=lambda t: (-self.df[t], t)) if found else term

    def _term_score(self, term: str, doc: int) -> float:
        total = 0.0
        for name, field in self.fields.items():
            tf = field.terms[doc].get(term, 0)
            if tf:
                norm = self.k1 * (1 - self.b + self.b * field.length[doc] / field.avg)
                total += self.weights[name] * tf * (self.k1 + 1) / (tf + norm)
        return self.idf[term] * total

    def search(self, query: str, limit: int = 5) -> list[Hit]:
        q_terms = list(dict.fromkeys(self.correct(t) for t in tokens(query)))
        if not q_terms:
            return []
        total_idf = sum(self.idf.get(t, self.unknown_idf) for t in q_terms)
        scores: dict[int, float] = {}
        matched: dict[int, list[str]] = {}
        for term in q_terms:
            for doc in self.postings.get(term, ()):
                scores[doc] = scores.get(doc, 0.0) + self._term_score(term, doc)
                matched.setdefault(doc, []).append(term)
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return [
            Hit(
                doc=doc,
                score=score,
                matched=tuple(matched[doc]),
                coverage=sum(self.idf[t] for t in matched[doc]) / total_idf,
            )
            for doc, score in ranked
        ]
