"""Whether a post is written in English, and if not, in which language.

The knowledge base reads English. A post in another language, or one with no words at all
(emoji only), cannot be assessed from its words; the engine says so instead of calling it
suitable for self-care. Script settles most languages at once (Chinese, Arabic, Devanagari,
Cyrillic); for Latin-script text, py3langid decides only when the post has few English
function words, so English posts pay a set lookup per word and nothing more.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import py3langid

# The commonest English function words: a sentence of English without any is rare.
# The commonest English function words that other languages written in Latin letters do not
# share ("me", "no", "a", "in", "was", "so" are Spanish, Italian or German words too).
_ENGLISH_FUNCTION_WORDS = frozenset(
    "the and i my is it to of for have has with at but not he she his her this that be are "
    "been had do does can im ive dont cant if or you your we our they what how when from up out "
    "just about after since would could should there its him them their any all some now very "
    "really please help got been it's i'm i’m it’s don't can't dont cant".split()
)
# English words that are not also everyday words of the languages listed in kb/languages.yaml
# ("i" is Italian, "do" Portuguese, "he" and "has" Spanish): one of them in a post in another
# language means the writer mixes in English.
_ONLY_ENGLISH = frozenset(
    "the and my is it to of for have with but not she his this that be are been had does can "
    "im ive dont cant if you your we they what how when from just about after since would could "
    "should there its him them their any all some now very really please help got".split()
)
_SCRIPT_LANGUAGES = (
    ("CJK", "zh"),
    ("HIRAGANA", "ja"),
    ("KATAKANA", "ja"),
    ("HANGUL", "ko"),
    ("ARABIC", "ar"),
    ("DEVANAGARI", "hi"),
    ("CYRILLIC", "ru"),
    ("HEBREW", "he"),
    ("THAI", "th"),
    ("GREEK", "el"),
    ("BENGALI", "bn"),
    ("TAMIL", "ta"),
    ("GURMUKHI", "pa"),
)
# Latin-script text with fewer English function words than this share is checked by py3langid.
_ENGLISH_SHARE = 0.2
_MIN_WORDS_FOR_DETECTION = 4
# A post of fewer words than this, with at least as many emoji as words, is read as emoji.
_MIN_WORDS_FOR_MEANING = 6


@dataclass(frozen=True, slots=True)
class Readability:
    """``language`` is an ISO 639-1 code ("en" when readable); ``no_words`` for emoji only."""

    language: str
    no_words: bool = False

    @property
    def readable(self) -> bool:
        return self.language == "en" and not self.no_words


def _script_language(char: str) -> str | None:
    name = unicodedata.name(char, "")
    for script, language in _SCRIPT_LANGUAGES:
        if name.startswith(script):
            return language
    return None


_CLAUSE_BREAK = re.compile(r"[.,;:!?¿¡\n，。；！？、]")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


_ASCII_LETTER = re.compile(r"[A-Za-z]")


def detect(text: str) -> Readability:
    """The language of ``text``, or that it has no words."""
    if text.isascii():
        # the common case, kept cheap: no other script, no emoji
        if not _ASCII_LETTER.search(text):
            return Readability("und", no_words=True)
        return _latin_language(text, _WORD.findall(text.lower()))
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return Readability("und", no_words=True)
    words = _WORD.findall(text.lower())
    symbols = sum(1 for ch in text if unicodedata.category(ch) == "So")
    if len(words) < _MIN_WORDS_FOR_MEANING and 2 * symbols >= len(words):
        # the emoji carry the meaning: "🐝➡️🦶😣 little 🔴 swollen", "my baby 🤒🤒 hot"
        return Readability("und", no_words=True)
    counts: dict[str, int] = {}
    latin = 0
    for ch in letters:
        if ch.isascii():
            latin += 1
            continue
        language = _script_language(ch)
        if language is None:
            latin += 1  # accented Latin letters
        else:
            counts[language] = counts.get(language, 0) + 1
    if counts:
        language, count = max(counts.items(), key=lambda item: item[1])
        if count > latin:
            return Readability(language)
    return _latin_language(text, words)


def _latin_language(text: str, words: list[str]) -> Readability:
    if len(words) < _MIN_WORDS_FOR_DETECTION:
        return Readability("en")
    sample = words[:80]  # enough to tell, and a long post costs no more
    english = sum(map(_ENGLISH_FUNCTION_WORDS.__contains__, sample))
    if english >= _ENGLISH_SHARE * len(sample):
        return Readability("en")
    language, _ = py3langid.classify(text)
    return Readability(str(language))


def fold_accents(text: str) -> str:
    """Lower case without accents, for matching phrases in languages written with them."""
    return _fold_with_origin(text)[0]


def _fold_with_origin(text: str) -> tuple[str, list[int]]:
    out: list[str] = []
    origin: list[int] = []
    for i, char in enumerate(text):
        for part in unicodedata.normalize("NFKD", char.lower()):
            if not unicodedata.combining(part):
                out.append(part)
                origin.append(i)
    origin.append(len(text))
    return "".join(out), origin


def find_phrases(
    text: str, phrases: tuple[str, ...], negation: tuple[str, ...] = ()
) -> list[tuple[int, int]]:
    """``(start, end)`` in ``text`` of each accent-folded phrase found in it, in text order.

    A phrase may join parts with ``+``; it is found when every part is. A part preceded by one
    of the ``negation`` words (within the two words before it: "keine Atemnot", "pas de
    fievre") does not count there.
    """
    folded, origin = _fold_with_origin(text)
    spans = set()
    for phrase in phrases:
        # "poitrine+bras gauche": every part must be there, in any order
        found = []
        for part in phrase.split("+"):
            part = part.strip()
            at = _find_affirmed(folded, part, negation)
            if at < 0:
                break
            found.append((origin[at], origin[at + len(part) - 1] + 1))
        else:
            spans.update(found)
    return sorted(spans)


def _find_affirmed(folded: str, part: str, negation: tuple[str, ...]) -> int:
    at = folded.find(part)
    while at >= 0 and negation and _negated_before(folded, at, negation):
        at = folded.find(part, at + 1)
    return at


def _negated_before(folded: str, at: int, negation: tuple[str, ...]) -> bool:
    # within the clause: "no se, me duele el pecho" is not "no ... dolor"
    clause = _CLAUSE_BREAK.split(folded[max(0, at - 40) : at])[-1]
    before = _WORD.findall(clause)[-2:]
    words = " ".join(before)
    return (
        any(w in negation for w in before)
        or any(" " in n and words.endswith(n) for n in negation)
        # a script written without spaces: the negation runs into the phrase ("没有胸痛")
        or any(not n.isascii() and clause.rstrip().endswith(n) for n in negation)
    )


def mixes_in_english(text: str) -> bool:
    """Whether a post in another language also has English words in it ("mi bebe is choking")."""
    return any(map(_ONLY_ENGLISH.__contains__, _WORD.findall(text.lower())))
