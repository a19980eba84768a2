"""Tokenising and normalising patient text.

Every token keeps the character offsets of the word it came from, so evidence can always be
highlighted in the original post. Normalisation (spelling variants, contractions, a light stemmer)
is applied identically to the knowledge base phrases and to the text, which is what makes the
phrase matcher tolerant of "twitching" / "twitches" / "twitchy" without listing every form.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import accumulate, compress
from operator import itemgetter
from typing import NamedTuple, cast

import lemminflect
from symspellpy import SymSpell, Verbosity

_WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
# The same words as a capturing split: [gap, word, gap, word, ..., gap], one C call per post.
_SPLIT_RE = re.compile(r"([^\W_]+(?:['’][^\W_]+)*)")
# The same split for ASCII text, where the explicit classes run about a quarter faster.
_SPLIT_ASCII_RE = re.compile(r"([A-Za-z0-9]+(?:'[A-Za-z0-9]+)*)")
_SENTENCE_GAP_RE = re.compile(r"[.!?;\n]")
_SOFT_GAP_RE = re.compile(r"[,:()\[\]/–—-]")
_DOUBLE_CONSONANT_KEEP = frozenset("lsz")
_VOWELS = frozenset("aeiou")


# Quotes and dashes patients paste from phones and word processors, as their ASCII twins.
_TYPOGRAPHIC = str.maketrans({"‘": "'", "’": "'", "ʼ": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


@dataclass(frozen=True, slots=True)
class CleanText:
    """A post with its characters put in standard form, and the way back to the original.

    ``origin[i]`` is the index in the original text of cleaned character ``i`` (one past the end
    for ``i == len(text)``), so evidence found in the cleaned text points into what was typed.
    ``origin`` is None when cleaning changed nothing.
    """

    text: str
    origin: tuple[int, ...] | None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original text's ``(start, end)`` for a cleaned span."""
        if self.origin is None:
            return start, end
        return self.origin[start], self.origin[end - 1] + 1 if end > start else self.origin[start]


def clean(text: str) -> CleanText:
    """NFKC per character (fullwidth letters, ligatures, non-breaking spaces), invisible
    characters removed (zero-width spaces and joiners, soft hyphens, variation selectors),
    typographic quotes and dashes made plain. ASCII text is returned as it is."""
    if text.isascii():
        return CleanText(text, None)
    out: list[str] = []
    origin: list[int] = []
    changed = False
    for i, char in enumerate(text):
        if unicodedata.category(char) == "Cf" or "\ufe00" <= char <= "\ufe0f":
            changed = True
            continue
        norm = unicodedata.normalize("NFKC", char).translate(_TYPOGRAPHIC)
        if norm != char:
            changed = True
        out.append(norm)
        origin.extend([i] * len(norm))
    if not changed:
        return CleanText(text, None)
    origin.append(len(text))
    return CleanText("".join(out), tuple(origin))


class Token(NamedTuple):
    """One normalised token; a raw word may expand into several (``chestpain``)."""

    norm: str
    start: int
    end: int
    sentence: int
    # A comma, colon or bracket separated this token from the previous one.
    soft_break: bool


@dataclass(frozen=True, slots=True)
class Tokens:
    """A post's tokens as parallel lists, index ``i`` being the ``i``-th :class:`Token`.

    The engine reads one attribute of many tokens at a time, which lists make cheap.
    """

    norms: list[str]
    starts: list[int]
    ends: list[int]
    sentences: list[int]
    soft_breaks: list[bool]
    # per sentence number, the index of the first token after that sentence
    sentence_ends: list[int]

    def __len__(self) -> int:
        return len(self.norms)

    def token(self, i: int) -> Token:
        return Token(
            self.norms[i], self.starts[i], self.ends[i], self.sentences[i], self.soft_breaks[i]
        )


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


# Irregular forms whose lemma is taken although the word also has another reading: "fell" (the
# noun is a hill), "felt" (the fabric), "broken" and "swollen" (adjectives of the same verb).
_LEMMA_ALLOWED = frozenset({"fell", "felt", "broke", "broken", "swollen", "spoke", "frozen"})
# Forms of be, have and do stay as they are: the context rules read them ("is fine", "had").
_AUXILIARIES = frozenset(
    {"is", "are", "was", "were", "am", "be", "been", "being", "has", "had", "does", "did", "done"}
)


def irregular_lemma(word: str) -> str:
    """The verb lemma of an irregular form ("went" -> "go", "bled" -> "bleed"), else ``word``.

    Regular inflections are the stemmer's job; only a word lemminflect reads as a verb alone
    (or one of ``_LEMMA_ALLOWED``) is replaced, so "left arm", "a bit" and "a wound" stay put.
    """
    if word in _AUXILIARIES or not word.isalpha():
        return word
    readings = lemminflect.getAllLemmas(word)
    verb = readings.get("VERB")
    if not verb or (len(readings) > 1 and word not in _LEMMA_ALLOWED):
        return word
    lemma = verb[0]
    return lemma if stem(lemma) != stem(word) else word


class Normaliser:
    """Maps a raw word to normalised tokens, with a cache: posts repeat the same words.

    A word passes through, in order: the replacement table (British spellings, text-speak,
    known misspellings, run-together words), spelling correction towards the knowledge base's
    vocabulary, the irregular-verb lemma and the stemmer.
    """

    def __init__(
        self,
        replacements: Mapping[str, str],
        vocabulary: frozenset[str],
        dictionary: frozenset[str] = frozenset(),
    ) -> None:
        self._replacements = {fold(k): tuple(v.split()) for k, v in replacements.items()}
        # raw word -> its tokens; read directly by split_tokens() to save a call per word
        self.cache: dict[str, tuple[str, ...]] = {}
        self._vocabulary = vocabulary
        # Real English words are never "corrected" ("swearing" is not "sweating").
        self._dictionary = dictionary
        self._speller = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
        for word in sorted(vocabulary):
            self._speller.create_dictionary_entry(word, 1)

    def __call__(self, raw: str) -> tuple[str, ...]:
        cached = self.cache.get(raw)
        if cached is not None:
            return cached
        folded = fold(raw)
        words = self._replacements.get(folded)
        if words is None:
            words = (self._correct(folded),)
        result = tuple(stem(irregular_lemma(w)) for w in words)
        if len(self.cache) < 200_000:
            self.cache[raw] = result
        return result

    def _correct(self, word: str) -> str:
        """A misspelling of a knowledge-base word, corrected; any other word unchanged.

        Only words that are neither in the vocabulary nor in the English dictionary are tried:
        a dropped final g ("gaspin"), then one edit for words of five to seven letters and two
        for longer ones (insertions, deletions, substitutions, swapped letters), keeping the
        first letter, which misspellings rarely change.
        """
        if (
            len(word) < 5
            or word in self._vocabulary
            or word in self._dictionary
            or not word.isalpha()
        ):
            return word
        if word.endswith("in") and (
            word + "g" in self._vocabulary or word + "g" in self._dictionary
        ):
            return word + "g"
        distance = 1 if len(word) <= 7 else 2
        for suggestion in self._speller.lookup(word, Verbosity.CLOSEST, distance):
            if suggestion.term[0] == word[0]:
                return str(suggestion.term)
        return word


def tokenize(text: str, normalise: Normaliser) -> list[Token]:
    tokens = split_tokens(text, normalise)
    return [tokens.token(i) for i in range(len(tokens))]


_SENTENCE_GAP = 1
_SOFT_GAP = 2
# gap text -> _SENTENCE_GAP, _SOFT_GAP or 0; posts reuse a handful of gaps (", ", ". ", "\n")
_GAP_KINDS: dict[str, int] = {}


def _gap_kind(gap: str) -> int:
    kind = _GAP_KINDS.get(gap)
    if kind is None:
        if _SENTENCE_GAP_RE.search(gap):
            kind = _SENTENCE_GAP
        elif _SOFT_GAP_RE.search(gap):
            kind = _SOFT_GAP
        else:
            kind = 0
        if len(_GAP_KINDS) < 10_000:
            _GAP_KINDS[gap] = kind
    return kind


def split_tokens(text: str, normalise: Normaliser) -> Tokens:
    """Tokenise ``text``; the lists are built with as few per-word Python steps as possible."""
    pieces = (_SPLIT_ASCII_RE if text.isascii() else _SPLIT_RE).split(text)
    words = pieces[1::2]
    n = len(words)
    offsets = list(accumulate(map(len, pieces)))
    starts = offsets[0:-1:2]
    ends = offsets[1::2]
    soft_breaks = [False] * n
    sentence_starts = [0]  # word indices
    gaps = pieces[2:-1:2]  # gaps[j - 1] precedes word j
    for j in compress(range(1, n), map(" ".__ne__, gaps)):
        gap = gaps[j - 1]
        kind = _gap_kind(gap)
        if kind == _SENTENCE_GAP:
            if not _is_decimal_point(text, gap, starts[j]):
                sentence_starts.append(j)
        elif kind == _SOFT_GAP:
            soft_breaks[j] = True
    sentence_starts.append(n)
    sentences: list[int] = []
    for number in range(len(sentence_starts) - 1):
        sentences.extend([number] * (sentence_starts[number + 1] - sentence_starts[number]))

    cached = list(map(normalise.cache.get, words))
    normalised: list[tuple[str, ...]]
    if None in cached:
        normalised = [known or normalise(word) for known, word in zip(cached, words, strict=True)]
    else:
        normalised = cast(list[tuple[str, ...]], cached)
    if sum(map(len, normalised)) == n:  # one token per word, the usual case
        norms = list(map(itemgetter(0), normalised))
        return Tokens(norms, starts, ends, sentences, soft_breaks, sentence_starts[1:])
    # A word became several tokens ("chestpain"): each copies its word's offsets and sentence.
    token_starts = [0] * (n + 1)  # word index -> index of its first token
    out = Tokens([], [], [], [], [], [])
    for k, group in enumerate(normalised):
        token_starts[k + 1] = token_starts[k] + len(group)
        for i, norm in enumerate(group):
            out.norms.append(norm)
            out.starts.append(starts[k])
            out.ends.append(ends[k])
            out.sentences.append(sentences[k])
            out.soft_breaks.append(soft_breaks[k] and i == 0)
    out.sentence_ends.extend(token_starts[k] for k in sentence_starts[1:])
    return out


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
