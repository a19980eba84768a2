"""Tokenising and normalising patient text.

Every token keeps the character offsets of the word it came from, so evidence can always be
highlighted in the original post. Normalisation (spelling variants, contractions, a light stemmer)
is applied identically to the knowledge base phrases and to the text, which is what makes the
phrase matcher tolerant of "twitching" / "twitches" / "twitchy" without listing every form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple

_WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_SENTENCE_GAP_RE = re.compile(r"[.!?;\n]")
_SOFT_GAP_RE = re.compile(r"[,:()\[\]/–—-]")
_DOUBLE_CONSONANT_KEEP = frozenset("lsz")
_VOWELS = frozenset("aeiou")


class Token(NamedTuple):
    """One normalised token; a raw word may expand into several (``chestpain``)."""

    norm: str
    start: int
    end: int
    sentence: int
    # A comma, colon or bracket separated this token from the previous one.
    soft_break: bool


def stem(word: str) -> str:
    """A deliberately small suffix stripper.

    It only has to map the inflections patients use onto one key, and it is applied to the
    knowledge base as well, so consistency matters more than linguistic accuracy.
    """
    w = word
    if len(w) <= 3 or w.isdigit():
        return w
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("sses") or w.endswith(("ches", "shes", "xes", "zes", "sses")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is", "as")):
        w = w[:-1]
    for suffix, keep in (("ness", 3), ("ing", 3), ("ful", 4), ("ly", 4), ("ed", 3)):
        if w.endswith(suffix) and len(w) - len(suffix) >= keep:
            if suffix == "ed" and w.endswith("eed"):
                break
            w = w[: -len(suffix)]
            if (
                suffix in ("ing", "ed")
                and len(w) > 3
                and w[-1] == w[-2]
                and w[-1] not in _VOWELS
                and w[-1] not in _DOUBLE_CONSONANT_KEEP
            ):
                w = w[:-1]
            break
    if len(w) > 3 and w.endswith("y"):
        w = w[:-1] + "i"
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    return w


def fold(word: str) -> str:
    """Lower-case and drop apostrophes, so "Can't" and "cant" meet."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    return w.replace("'", "")


class Normaliser:
    """Maps a raw word to normalised tokens, with a cache: posts repeat the same words."""

    def __init__(self, replacements: Mapping[str, str], fuzzy_vocabulary: frozenset[str]) -> None:
        self._replacements = {fold(k): tuple(v.split()) for k, v in replacements.items()}
        self._cache: dict[str, tuple[str, ...]] = {}
        self._vocabulary = fuzzy_vocabulary
        # One deletion from any long vocabulary word -> that word. Catches a dropped or doubled
        # letter ("numbnes", "vomitting") without a dictionary of the whole language.
        deletions: dict[str, str] = {}
        for v in sorted(fuzzy_vocabulary):
            for i in range(len(v)):
                deletions.setdefault(v[:i] + v[i + 1 :], v)
        self._deletions = deletions

    def __call__(self, raw: str) -> tuple[str, ...]:
        cached = self._cache.get(raw)
        if cached is not None:
            return cached
        folded = fold(raw)
        words = self._replacements.get(folded)
        if words is None:
            words = (self._correct(folded),)
        result = tuple(stem(w) for w in words)
        if len(self._cache) < 200_000:
            self._cache[raw] = result
        return result

    def _correct(self, word: str) -> str:
        if len(word) < 7 or word in self._vocabulary or not word.isalpha():
            return word
        hit = self._deletions.get(word)
        if hit is not None:
            return hit
        for i in range(len(word)):
            candidate = word[:i] + word[i + 1 :]
            if candidate in self._vocabulary:
                return candidate
        return word


def tokenize(text: str, normalise: Normaliser) -> list[Token]:
    tokens: list[Token] = []
    sentence = 0
    previous_end = 0
    for match in _WORD_RE.finditer(text):
        start, end = match.span()
        gap = text[previous_end:start]
        soft = False
        if tokens and gap and gap != " ":
            if _SENTENCE_GAP_RE.search(gap) and not _is_decimal_point(text, gap, start):
                sentence += 1
            elif _SOFT_GAP_RE.search(gap):
                soft = True
        for i, norm in enumerate(normalise(match.group())):
            tokens.append(Token(norm, start, end, sentence, soft and i == 0))
        previous_end = end
    return tokens


def _is_decimal_point(text: str, gap: str, start: int) -> bool:
    return gap == "." and start >= 2 and text[start - 2].isdigit() and text[start].isdigit()


def phrase_tokens(phrase: str, normalise: Normaliser) -> tuple[str, ...]:
    """Normalise a knowledge base phrase; ``*`` stays as the gap marker."""
    out: list[str] = []
    for part in phrase.split():
        if part == "*":
            out.append("*")
            continue
        for match in _WORD_RE.finditer(part):
            out.extend(normalise(match.group()))
    return tuple(out)
