"""Facts about the patient read from the text: age, sex, how long, and measured values.

Intake answers given with the question take precedence; these parsers fill the gaps, because
patients often write "my 3 week old son" or "58M" and skip the form fields.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from operator import methodcaller

from triage.result import Evidence

_NUMBER_WORDS = {
    "a": 1.0,
    "an": 1.0,
    "one": 1.0,
    "two": 2.0,
    "three": 3.0,
    "four": 4.0,
    "five": 5.0,
    "six": 6.0,
    "seven": 7.0,
    "eight": 8.0,
    "nine": 9.0,
    "ten": 10.0,
    "eleven": 11.0,
    "twelve": 12.0,
    "few": 3.0,
    "a few": 3.0,
    "couple": 2.0,
    "a couple": 2.0,
    "a couple of": 2.0,
    "couple of": 2.0,
    "several": 4.0,
    "many": 6.0,
}
_UNIT_DAYS = {
    "min": 1 / 1440,
    "minute": 1 / 1440,
    "hour": 1 / 24,
    "hr": 1 / 24,
    "day": 1.0,
    "night": 1.0,
    "week": 7.0,
    "wk": 7.0,
    "month": 30.0,
    "year": 365.0,
    "yr": 365.0,
}
_NUM = (
    r"(?P<num>\d+(?:\.\d+)?|a couple of|couple of|a couple|a few|few|several|many|an|a|one|two|"
    r"three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
)
_UNIT = r"(?P<unit>minute|min|hour|hr|day|night|week|wk|month|year|yr)s?\b"
_QUAL = r"(?:about |around |almost |nearly |over |more than |at least |roughly |approximately )?"
_WORD = r"[^\W\d_]+(?:'[^\W\d_]+)?"

# Patterns named *_W below must start at a word boundary but are written without the leading
# ``\b``: a full regex scan of a post costs about as much as the rest of the pipeline's steps, so
# rather than one scan per pattern, one scan (_cues) finds where any of them can start and each is
# tried only there (_matches_at), or _word_matches() checks the boundary itself.
_DURATION_PATTERNS = (
    re.compile(
        rf"\b(?:for |over |in |during )?(?:the )?(?:past|last|previous) (?:{_NUM} )?{_UNIT}"
    ),
    re.compile(rf"\b(?:for|over|lasting|lasted|lasts|been) {_QUAL}{_NUM} {_UNIT}"),
    re.compile(rf"\b{_NUM} {_UNIT} (?:now|already|straight|in a row|running)\b"),
    # "started the pill a month ago", "since I got back from Ghana ten days ago": a few words may
    # sit between the onset word and the time
    re.compile(
        rf"\b(?:started|began|begun|start|since|noticed|onset|came on) (?:{_WORD} ){{0,6}}?"
        rf"{_QUAL}{_NUM} {_UNIT} ago\b"
    ),
    re.compile(rf"\b{_NUM} (?P<unit>minute|min|hour|hr|day|night|week)s? ago\b"),
)
# The last pattern dates an event, which is not when the symptoms began when the event is a
# journey: "back from Nigeria a week ago, fever since yesterday".
_UNDATED_PATTERN = 4
_JOURNEY = re.compile(
    r"\b(?:back from|home from|returned|got back|flew|flight|arrived|landed|trip|holiday"
    r"|vacation|travell?ed|travell?ing|visiting|visited|abroad)\b"
)
_CLAUSE_END = re.compile(r"[.;!?\n,]")
# How far before its unit word a duration can start; the longest is an onset word, six words
# and a count ("since I got back from Ghana about ten days ago").
_LOOK_BACK = 48
_ONSET_LOOK_BACK = 120
_ONSET_PATTERN = 3
_COUNT_ENDINGS = tuple(
    f"{word} " for word in [*_NUMBER_WORDS, "of", "past", "last", "previous"] if " " not in word
)
# Words each duration pattern cannot match without; a window lacking them skips the pattern.
_DURATION_CUES = (
    ("past", "last", "previous"),
    ("for ", "over ", "last", "been "),
    ("now", "already", "straight", "in a row", "running"),
    ("ago",),
    ("ago",),
)
# The vague durations, one alternative per named group; the group gives the days and its order
# among the alternatives breaks ties, first wins.
_VAGUE_DURATION_W = re.compile(
    r"(?:for (?:(?P<y>(?:many |several )?years)|(?P<m>(?:many |several )?months)"
    r"|(?P<w>(?:many |several |a few )?weeks)|(?P<a>ages|a long time|a while))"
    r"|since (?:last (?:(?P<ly>year)|(?P<lm>month)|(?P<lw>week)|(?P<ln>night))"
    r"|(?P<yd>yesterday)|(?P<td>this morning|i woke up|today)))\b"
)
_VAGUE_DAYS = {
    "y": (365.0, 0),
    "m": (60.0, 1),
    "w": (21.0, 2),
    "a": (30.0, 3),
    "ly": (180.0, 4),
    "lm": (30.0, 5),
    "lw": (7.0, 6),
    "ln": (1.0, 7),
    "yd": (1.0, 7),
    "td": (0.3, 8),
}

_AGE_OLD_W = re.compile(r"(?P<n>\d{1,3})[\s-]*(?P<unit>day|week|wk|month|mo|year|yr)s?[\s-]*old\b")
_AGE_SELF_W = re.compile(
    r"(?:i am|i'm|i’m|im|aged|age)\s+(?:a\s+|only\s+|now\s+)?(?P<n>\d{1,3})\b"
    r"(?!\s*(?:weeks?|days?|months?|kg|kilos?|lbs?|pounds|%|cm|hours?|mins?|minutes?|times?)\b)",
)
_AGE_SHORT_W = re.compile(r"(?P<n>\d{1,3})\s?(?:yo|y/o|yrs?|years?)\b(?!\s*ago)")
_AGE_SEX_W = re.compile(r"(?P<n>\d{1,3})\s?(?P<sex>m|f|male|female)\b")
_AGE_THIRD_W = re.compile(
    r"(?:he's|she's|he is|she is|son is|daughter is|boy is|girl is)\s+(?:only\s+)?"
    r"(?P<n>\d{1,2})\b"
)
_AGE_BRACKETED = re.compile(r"\((?P<n>\d{1,2})(?:\)|,)")
# "she's 6 weeks", "bub's 7 months", "he is 10 days": a baby's age without "old"
_AGE_IS_UNIT = re.compile(
    r"(?:'s|’s| is| was) (?P<n>\d{1,2}) (?P<unit>day|week|wk|month|mo)s?\b(?! pregnant| ago| later)"
)
# A bare two-digit age at the start of the post or between commas or full stops ("34, f").
_AGE_BARE = re.compile(r"(?:^|[,.]\s*)(?P<n>\d{2})\s*(?:$|[,.])")
# "my two week old", "a six-month-old": counts in words, for babies and young children.
_AGE_OLD_WORDS_W = re.compile(
    r"(?P<n>one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a few|a couple of|a)"
    r"[\s-]+(?P<unit>day|week|month|year)s?[\s-]*old\b"
)
_VAGUE_COUNTS = frozenset({"a", "a few", "a couple of"})
_NEWBORN = re.compile(r"\b(?:newborn|neonate)\b")
_DIGIT_RUN = re.compile(r"\d+")
_AGE_UNIT_YEARS = {"day": 1 / 365, "week": 7 / 365, "wk": 7 / 365, "month": 1 / 12, "mo": 1 / 12}

_FEMALE_SELF_W = (
    re.compile(
        r"(?:i am|i'm|i’m|im)\s+(?:a\s+)?(?:\d+\s*(?:year old|yo)?\s*)?"
        r"(?:woman|female|girl|lady|mum|mom)\b"
    ),
    re.compile(r"(?:pregnant|my period|my periods|menopause|my vagina|breastfeeding)\b"),
)
_MALE_SELF_W = (
    re.compile(
        r"(?:i am|i'm|i’m|im)\s+(?:a\s+)?(?:\d+\s*(?:year old|yo)?\s*)?(?:man|male|guy|dad|boy)\b"
    ),
    re.compile(r"(?:my penis|my testicles?|my prostate|my scrotum)\b"),
)
_MALE_WORDS = frozenset(
    {
        "son",
        "husband",
        "father",
        "dad",
        "daddy",
        "brother",
        "boy",
        "grandfather",
        "grandpa",
        "grandad",
        "uncle",
        "boyfriend",
        "grandson",
        "nephew",
    }
)
_FEMALE_WORDS = frozenset(
    {
        "daughter",
        "wife",
        "mother",
        "mum",
        "mom",
        "mummy",
        "sister",
        "girl",
        "grandmother",
        "grandma",
        "gran",
        "nan",
        "aunt",
        "girlfriend",
        "granddaughter",
        "niece",
    }
)

_TEMPERATURE_W = re.compile(
    r"(?:temp(?:erature)?|fever|pyrexia|running|thermometer)\D{0,15}?(?P<v>\d{2,3}(?:[.,]\d+)?)"
    r"\s*(?:°\s*)?(?P<unit>c\b|f\b|celsius|fahrenheit)?",
)
_BLOOD_PRESSURE_W = re.compile(
    r"(?:bp|blood pressure|pressure|reading)\D{0,45}?(?P<sys>\d{2,3})\s*/\s*(?P<dia>\d{2,3})"
)
_GLUCOSE_W = re.compile(
    r"(?:sugars?|glucose|bg|bm|bs)\b\D{0,25}?(?P<v>\d{1,3}(?:\.\d+)?)\s*(?P<unit>mmol|mg)?"
)
# The words the *_W patterns above open with, by the set of patterns tried where they start.
_CUE_WORDS = {
    "i": ("i am", "i'm", "i’m", "im"),
    "age": ("aged", "age"),
    "third": ("he's", "she's", "he is", "she is", "son is", "daughter is", "boy is", "girl is"),
    "temp": ("temp", "fever", "pyrexia", "running", "thermometer"),
    "bp": ("bp", "blood pressure", "pressure", "reading"),
    "sugar": ("sugar", "glucose", "bg", "bm", "bs"),
    "female": ("pregnant", "my period", "menopause", "my vagina", "breastfeeding"),
    "male": ("my penis", "my testicle", "my prostate", "my scrotum"),
}
_CUE_GROUP = {word: group for group, words in _CUE_WORDS.items() for word in words}


def _word_alternatives(words: Iterable[str]) -> str:
    """``words`` as a regex alternation factored by first letter, longest first.

    Without groups the regex engine can skip straight to the first letters, and factoring spares
    it trying every word at each of them.
    """
    by_first: dict[str, list[str]] = {}
    for word in words:
        by_first.setdefault(word[0], []).append(word[1:])
    return "|".join(
        re.escape(first)
        + "(?:"
        + "|".join(re.escape(rest) for rest in sorted(rests, key=len, reverse=True))
        + ")"
        for first, rests in by_first.items()
    )


# A hit can only hide another start inside itself after a space or apostrophe, and the one such
# case ("pressure" in "blood pressure") fails wherever the longer one failed.
_CUE_SCAN = re.compile(_word_alternatives(_CUE_GROUP))


@dataclass(frozen=True, slots=True)
class Duration:
    days: float
    evidence: Evidence | None


@dataclass(frozen=True, slots=True)
class Reading:
    """A measured value that crossed a threshold, reported as a concept mention."""

    concept: str
    evidence: Evidence


def _count(text: str) -> float | None:
    text = text.lower()
    if text in _NUMBER_WORDS:
        return _NUMBER_WORDS[text]
    try:
        return float(text)
    except ValueError:
        return None


_UNIT_WORD = re.compile(r"(?:minute|min|hour|hr|day|night|week|wk|month|year|yr)s?\b")


def _is_word_char(char: str) -> bool:
    # The regex engine's definition of \w for str patterns.
    return char.isalnum() or char == "_"


def _word_matches(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """``finditer`` of ``\b`` + ``pattern``; the pattern's first character is a word character.

    A candidate that starts inside a word is rejected and the search resumes one character
    later, exactly where ``finditer`` of the ``\b`` pattern would have looked next.
    """
    search = pattern.search
    pos = 0
    while True:
        m = search(text, pos)
        if m is None:
            return
        start = m.start()
        if start and _is_word_char(text[start - 1]):
            pos = start + 1
            continue
        yield m
        pos = m.end()


@dataclass(frozen=True, slots=True)
class _Cues:
    """Where the fact patterns can start in one lower-cased post."""

    numbers: tuple[int, ...]  # digit runs that start a word
    words: dict[str, list[int]]  # _CUE_SCAN group -> word-start positions


_match_start = methodcaller("start")


@lru_cache(maxsize=4)
def _cues(text: str) -> _Cues:
    numbers = tuple(
        start
        for start in map(_match_start, _DIGIT_RUN.finditer(text))
        if not start or not _is_word_char(text[start - 1])
    )
    words: dict[str, list[int]] = {}
    for m in _CUE_SCAN.finditer(text):
        start = m.start()
        if not start or not _is_word_char(text[start - 1]):
            words.setdefault(_CUE_GROUP[m.group()], []).append(start)
    return _Cues(numbers, words)


def _matches_at(
    pattern: re.Pattern[str], text: str, starts: Iterable[int]
) -> Iterator[re.Match[str]]:
    """``finditer`` of ``pattern`` for a pattern that can only match at ``starts`` (sorted)."""
    end = -1
    for start in starts:
        if start < end:
            continue
        m = pattern.match(text, start)
        if m is not None:
            yield m
            end = m.end()


def _cue_starts(cues: _Cues, *groups: str) -> list[int]:
    if len(groups) == 1:
        return cues.words.get(groups[0], [])
    return sorted(start for group in groups for start in cues.words.get(group, ()))


def _bare_age_starts(text: str, numbers: Iterable[int]) -> Iterator[int]:
    """Where _AGE_BARE can start for each number: the text's start or the comma or full stop."""
    for number in numbers:
        if number == 0:
            yield 0
            continue
        i = number - 1
        while i >= 0 and text[i].isspace():
            i -= 1
        if i >= 0 and text[i] in ",.":
            yield i


@lru_cache(maxsize=4)
def _lower(text: str) -> str:
    # Matching lower-cased text without re.IGNORECASE is markedly faster; offsets stay valid
    # unless lower-casing changes the length (a few non-ASCII letters), then the rare slow path.
    # Cached because each parser asks for the same post, and the one lower-cased copy keeps the
    # hash that _cues() is cached by.
    low = text.lower()
    return low if len(low) == len(text) else text


def parse_duration(text: str) -> Duration | None:
    """The longest duration the text states, in days, with its span."""
    original = text
    text = _lower(text)
    best: Duration | None = None
    # The full patterns are costly to try at every position, so they run only on short
    # windows around the unit words they all end with.
    last_end = -1
    for unit in _UNIT_WORD.finditer(text):
        unit_start = unit.start()
        # Every pattern puts a count or "past"/"last" and one space before its unit word, so
        # without them ("today", "every week") the window cannot hold this unit's duration.
        before = text[max(0, unit_start - 9) : unit_start]
        if before.endswith(" ") and (before[-2:-1].isdigit() or before.endswith(_COUNT_ENDINGS)):
            end = min(len(text), unit.end() + 16)
            best = _best_in_window(text, unit_start, last_end, end, best)
        last_end = unit.end()
    if "for" in text or "since" in text:
        vague: list[tuple[int, int, float, re.Match[str]]] = []
        for m in _word_matches(_VAGUE_DURATION_W, text):
            days, order = _VAGUE_DAYS[m.lastgroup or ""]
            vague.append((order, m.start(), days, m))
        for _, _, days, m in sorted(vague, key=lambda item: item[:2]):
            if best is None or days > best.days:
                best = Duration(days, Evidence(m.group(), m.start(), m.end()))
    if best is not None and best.evidence is not None:
        ev = best.evidence
        best = Duration(best.days, Evidence(original[ev.start : ev.end], ev.start, ev.end))
    return best


def _best_in_window(
    text: str, unit_start: int, last_end: int, end: int, best: Duration | None
) -> Duration | None:
    start = max(0, unit_start - _LOOK_BACK, last_end)
    window = text[start:end]
    for index, (pattern, cues) in enumerate(zip(_DURATION_PATTERNS, _DURATION_CUES, strict=True)):
        if index == _ONSET_PATTERN:
            # Only this pattern reaches far back: it alone gets the long window.
            if "ago" not in window:
                continue
            offset = max(0, unit_start - _ONSET_LOOK_BACK, last_end)
            searched = text[offset:end]
        else:
            if not any(map(window.__contains__, cues)):
                continue
            offset, searched = start, window
        for m in pattern.finditer(searched):
            unit = m.group("unit").lower()
            count = _count(m.group("num")) if m.group("num") else 1.0
            if count is None:
                continue
            days = count * _UNIT_DAYS[unit]
            if best is not None and days <= best.days:
                continue
            if index == _UNDATED_PATTERN and _dates_a_journey(text, m.start() + offset):
                continue
            best = Duration(days, Evidence(m.group(), m.start() + offset, m.end() + offset))
    return best


def _dates_a_journey(text: str, position: int) -> bool:
    clause_start = max(text.rfind(c, 0, position) for c in ".;!?\n,") + 1
    found = _CLAUSE_END.search(text, position)
    clause_end = found.start() if found else len(text)
    return _JOURNEY.search(text, clause_start, clause_end) is not None


def parse_duration_answer(answer: str) -> float | None:
    """An intake answer such as "3 months", "a few days" or "since last week"."""
    found = parse_duration(answer)
    if found is not None:
        return found.days
    m = re.match(rf"\s*{_NUM}\s*{_UNIT}", answer)
    if m:
        count = _count(m.group("num"))
        if count is not None:
            return count * _UNIT_DAYS[m.group("unit").lower()]
    if re.search(r"\b(?:less than a day|today|hours?|just now|minutes?)\b", answer):
        return 0.5
    return None


@dataclass(frozen=True, slots=True)
class AgeMention:
    years: float
    position: int
    owner: str  # "self", "other" or "either"


def find_ages(text: str) -> list[AgeMention]:
    text = _lower(text)
    cues = _cues(text)
    ages: list[AgeMention] = []
    if cues.numbers:
        for m in _matches_at(_AGE_OLD_W, text, cues.numbers):
            n = float(m.group("n"))
            unit = m.group("unit").lower()
            years = n * _AGE_UNIT_YEARS.get(unit, 1.0)
            ages.append(AgeMention(years, m.start(), "either"))
        for m in _matches_at(_AGE_SELF_W, text, _cue_starts(cues, "i", "age")):
            ages.append(AgeMention(float(m.group("n")), m.start(), "self"))
        for m in _matches_at(_AGE_SEX_W, text, cues.numbers):
            ages.append(AgeMention(float(m.group("n")), m.start(), "either"))
        for m in _matches_at(_AGE_SHORT_W, text, cues.numbers):
            ages.append(AgeMention(float(m.group("n")), m.start(), "either"))
        third = list(_matches_at(_AGE_THIRD_W, text, _cue_starts(cues, "third")))
        if "(" in text:
            third.extend(_AGE_BRACKETED.finditer(text))
            third.sort(key=lambda m: m.start())
        for m in third:
            ages.append(AgeMention(float(m.group("n")), m.start(), "other"))
    if " old" in text or "-old" in text:
        for m in _word_matches(_AGE_OLD_WORDS_W, text):
            if m.group("unit") == "year" and m.group("n") in _VAGUE_COUNTS:
                continue  # "a couple of years old" is as often a thing's age as a child's
            count = _NUMBER_WORDS[m.group("n")]
            years = count * _AGE_UNIT_YEARS.get(m.group("unit"), 1.0)
            ages.append(AgeMention(years, m.start(), "either"))
    if " weeks" in text or " months" in text or " days" in text or " week" in text:
        for m in _AGE_IS_UNIT.finditer(text):
            years = float(m.group("n")) * _AGE_UNIT_YEARS.get(m.group("unit"), 1.0)
            ages.append(AgeMention(years, m.start(), "either"))
    if "newborn" in text or "neonate" in text:
        for m in _NEWBORN.finditer(text):
            ages.append(AgeMention(0.02, m.start(), "other"))
    if cues.numbers:
        for m in _matches_at(_AGE_BARE, text, _bare_age_starts(text, cues.numbers)):
            ages.append(AgeMention(float(m.group("n")), m.start(), "either"))
    return sorted((a for a in ages if 0 <= a.years <= 115), key=lambda a: a.position)


def infer_age(text: str, about_self: bool) -> float | None:
    for age in find_ages(text):
        if age.owner == "either" or (age.owner == "self") == about_self:
            return age.years
    return None


def infer_sex(text: str, about_self: bool, subject_word: str | None) -> str | None:
    if not about_self:
        if subject_word in _MALE_WORDS:
            return "male"
        if subject_word in _FEMALE_WORDS:
            return "female"
        return None
    text = _lower(text)
    cues = _cues(text)
    m = next(_matches_at(_AGE_SEX_W, text, cues.numbers), None)
    if m:
        return "male" if m.group("sex").lower().startswith("m") else "female"
    female, male = _FEMALE_SELF_W, _MALE_SELF_W
    if next(_matches_at(female[0], text, _cue_starts(cues, "i")), None) or next(
        _matches_at(female[1], text, _cue_starts(cues, "female")), None
    ):
        return "female"
    if next(_matches_at(male[0], text, _cue_starts(cues, "i")), None) or next(
        _matches_at(male[1], text, _cue_starts(cues, "male")), None
    ):
        return "male"
    return None


def find_readings(text: str) -> list[Reading]:
    """Temperatures, blood pressures and glucose values past the thresholds triage uses."""
    original = text
    text = _lower(text)
    out = _vital_signs(original, text)
    cues = _cues(text)
    if not cues.numbers:
        return out
    for m in _matches_at(_TEMPERATURE_W, text, _cue_starts(cues, "temp")):
        value = float(m.group("v").replace(",", "."))
        unit = (m.group("unit") or "").lower()
        celsius = (value - 32) * 5 / 9 if unit.startswith("f") or value > 50 else value
        if 38.0 <= celsius <= 44.0:
            out.append(Reading("fever", _span(original, m.start("v"), m.end("v"))))
    for m in _matches_at(_BLOOD_PRESSURE_W, text, _cue_starts(cues, "bp")):
        systolic, diastolic = int(m.group("sys")), int(m.group("dia"))
        span = _span(original, m.start("sys"), m.end("dia"))
        if systolic >= 180 or diastolic >= 120:
            out.append(Reading("bp_very_high", span))
        elif systolic >= 160 or diastolic >= 100:
            out.append(Reading("bp_high", span))
    for m in _matches_at(_GLUCOSE_W, text, _cue_starts(cues, "sugar")):
        value = float(m.group("v"))
        unit = (m.group("unit") or "").lower()
        mmol = value if unit == "mmol" or (unit != "mg" and value <= 35) else value / 18.0
        span = _span(original, m.start("v"), m.end("v"))
        if mmol >= 20:
            out.append(Reading("glucose_very_high", span))
        elif mmol >= 13.9:
            out.append(Reading("glucose_high", span))
        elif mmol < 3.5:
            out.append(Reading("glucose_low", span))
    return out


_NUMBER_WORD_VALUES = {
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "a hundred": 100,
    "a dozen": 12,
    "dozen": 12,
    "two dozen": 24,
    "twenty five": 25,
    "twenty-five": 25,
    "thirty odd": 30,
    "forty odd": 40,
}
_COUNT = (
    r"(?P<n>\d{1,3}|"
    + "|".join(sorted(map(re.escape, _NUMBER_WORD_VALUES), key=len, reverse=True))
    + r")"
)
_PULSE_W = re.compile(
    r"\b(?:pulse|heart rate|heartrate|hr|heart(?:beat)? (?:is |was )?(?:going|racing|beating|at)"
    r"|heart\W{1,3}s going|bpm)\D{0,30}?(?P<v>\d{2,3})\b|\b(?P<w>\d{2,3})\s?bpm\b"
)
_OXYGEN_W = re.compile(
    r"\b(?:sats?|spo2|sp02|o2|oxygen(?: level| levels| saturation)?|saturation|pulse ox\w*"
    r"|oximeter|probe)"
    r"(?P<gap>\D{0,40}?)(?P<v>[5-9]\d)\s?(?P<pct>%?)"
)
_BREATHING_RATE_W = re.compile(
    r"\b(?:rr|resp(?:iratory)? rate|breathing rate)\D{0,10}?(?P<v>\d{2})\b"
    r"|\b(?P<w>\d{2}) breaths (?:a|per) min"
)
_SEIZURE_MINUTES_W = re.compile(
    r"\b(?:fitting|seizing|seizure|seizures|fit|convulsing|convulsion|shaking|jerking)"
    r"\D{0,25}?(?P<v>\d{1,2})\s?(?:mins?|minutes)\b"
)
_SLOW_BREATHING_W = re.compile(
    r"\bbreathing (?:maybe |about |only |like )?(?P<v>\d{1,2}) (?:times|breaths) (?:a|per) min"
)
_TABLETS_A_DAY_W = re.compile(
    r"\b(?P<v>\d{1,2})(?:\s?-\s?\d{1,2})? (?:tablets|pills|caps|capsules) a day\b"
)
_PARACETAMOL_WORDS = (
    "paracetamol",
    "acetaminophen",
    "tylenol",
    "panadol",
    "co-codamol",
    "cocodamol",
)
_PARACETAMOL_PER_DAY_W = re.compile(
    r"\b(?P<v>\d{1,2})(?:\s?-\s?\d{1,2})?\s(?:or so\s)?(?:a day|per day|in a day|today)\b"
)
_KETONES_W = re.compile(r"\bketones?\D{0,45}?(?P<v>\d(?:\.\d)?)\b")
# A glucose value with its unit and no cue word before it ("my meter read 612 mg/dL").
_GLUCOSE_UNIT_W = re.compile(
    r"\b(?P<v>\d{1,3}(?:\.\d)?)\s?(?P<unit>mmol(?:/l)?|mg/dl|mg/dL)\b(?!/mol)"
)
# A bare temperature: 38.0 to 42.9 with one decimal and no unit, which in a post about being
# unwell is nearly always degrees Celsius ("tonight he's 39.8"). Weights, BMIs and prices are not.
_BARE_TEMPERATURE_W = re.compile(r"(?<![\d.£$€/])\b(?P<v>3[89]|4[0-2])[.,](?P<d>\d)\b(?![.,/]?\d)")
_NOT_TEMPERATURE_BEFORE = re.compile(r"(?:bmi|weigh\w*|weight|kg|£|\$|€|size|score)\W*$")
_NOT_TEMPERATURE_AFTER = re.compile(
    r"^\s*(?:kg|kilos?|lbs?|%|cm|mm|kg/m|years?|weeks?|mmol|mg|ml|hours?|mins?)\b"
)
_TEMPERATURE_UNIT_W = re.compile(
    r"\b(?P<v>(?:3[5-9]|4[0-3])(?:[.,]\d)?|(?:9[5-9]|10[0-9])(?:\.\d)?)\s?"
    r"(?:°\s?(?P<u1>[cf])?|degrees?(?: (?P<u2>c|f|celsius|fahrenheit))?|(?P<u3>c|f)\b)"
)
_PILL_WORDS = (
    r"(?:pills?|tablets?|tabs?|caps(?:ules)?|paracetamol|paracetamols|acetaminophen|tylenol"
    r"|ibuprofen|aspirin|codeine|co-codamol|cocodamol|sertraline|citalopram|fluoxetine"
    r"|amitriptyline|zopiclone|diazepam|valium|sleeping pills|sleepers|painkillers|meds"
    r"|medication|antidepressants|insulin|them|of them|of those|of these|ones|packets?|box(?:es)?"
    r"|bottles?|strips?)"
)
_INGEST = (
    r"(?:took|taken|take|taking|swallowed|swallow|ate|eaten|had|downed|necked|popped|chewed"
    r"|ingested|ingesting|ingestion of|consumed|consuming|overdosed on|od'?d on|od on)"
)
_PILL_AMOUNT_W = re.compile(
    _INGEST + r"\W+(?:about |around |like |maybe |roughly |nearly |almost |over |at least "
    r"|probably |approximately |approx\.? |~)?(?:" + _COUNT + r"|(?P<all>a whole|the whole|whole"
    r"|all|an entire|the entire|a full|half a|a handful of|handful of|loads of|a load of"
    r"|a bunch of|a lot of|lots of|a pile of|the rest of|most of|nearly all of|almost all of))"
    r"\W+(?:x\W*\d+\s?mg\W+)?(?:\w+\W+){0,4}?" + _PILL_WORDS + r"\b"
)
_POTASSIUM_W = re.compile(r"\b(?:potassium|k\+?)\D{0,40}?(?P<v>\d(?:\.\d)?)\b")
_SODIUM_W = re.compile(r"\b(?:sodium|na\+?)\D{0,30}?(?P<v>\d{2,3})\b")
_GESTATION_WEEKS_W = re.compile(
    r"(?:^|[.!?\n]\s*)(?P<v>[1-4]\d)\s?(?:\+\s?\d\s?)?(?:wks|wk|weeks)\b"
    r"(?!\s*(?:old|ago|of|now|later|after|since|straight|in)\b)"
)
_GESTATION_W = re.compile(r"\b(?P<v>[1-4]\d)\s*/\s*40\b")
_INR_W = re.compile(r"\binr\D{0,35}?(?P<v>\d{1,2}(?:\.\d)?)\b")
_GRAMS_W = re.compile(r"\b(?P<v>\d{1,3})\s?(?:g|grams)\b(?: of)? (?:paracetamol|acetaminophen)")


# Cheap look-ups that tell whether a pattern can match at all, so most posts skip most patterns.
_TEMPERATURE_CUES = re.compile(r"\d ?[cf]\b")
_DECIMAL = re.compile(r"(?:3[89]|4[0-2])[.,]\d")
_INGEST_STEMS = (
    "took",
    "take",
    "swallow",
    "ate ",
    "eaten",
    "had ",
    "downed",
    "necked",
    "popped",
    "chewed",
    "overdosed",
    "od ",
    "od'",
    "ingest",
    "consum",
)
_SEIZURE_STEMS = ("fit", "seiz", "convuls", "shak", "jerk")


_ANY_DIGIT = re.compile(r"\d")
_AMOUNT_WORDS = (
    "dozen",
    "hundred",
    "whole",
    "all ",
    "handful",
    "load",
    "bunch",
    "lot of",
    "pile",
    "rest of",
    "entire",
    "full",
    "half a",
    "most of",
    "ty ",
)


def _tablet_amounts(original: str, text: str) -> list[Reading]:
    """Ten tablets or more, or a whole packet, taken: "took about thirty of my paracetamol"."""
    out = []
    for m in _PILL_AMOUNT_W.finditer(text):
        count = m.group("n")
        if count is not None:
            value = int(count) if count.isdigit() else _NUMBER_WORD_VALUES[count]
            if value < 10:
                continue
        out.append(Reading("tablets_large_amount", _span(original, m.start(), m.end())))
    return out


def _vital_signs(original: str, text: str) -> list[Reading]:
    """Pulse, oxygen saturation, breathing rate, low blood pressure, seizure length, ketones,
    temperatures written with their unit, and tablet counts that amount to an overdose."""
    out: list[Reading] = []
    if _ANY_DIGIT.search(text) is None:
        # every value read here has a digit, but for amounts in words
        if any(word in text for word in _AMOUNT_WORDS) and any(w in text for w in _INGEST_STEMS):
            out.extend(_tablet_amounts(original, text))
        return out
    if "bpm" in text or "pulse" in text or "heart" in text or "hr " in text:
        for m in _PULSE_W.finditer(text):
            group = "v" if m.group("v") else "w"
            value = int(m.group(group))
            span = _span(original, m.start(group), m.end(group))
            if value >= 150:
                out.append(Reading("pulse_very_fast", span))
            elif value >= 110:
                out.append(Reading("pulse_fast", span))
            elif 20 <= value < 45:
                out.append(Reading("pulse_very_slow", span))
    oxygen = any(cue in text for cue in ("sat", "o2", "oxygen", "pulse ox", "oximeter", "probe"))
    for m in _OXYGEN_W.finditer(text) if oxygen else ():
        value = int(m.group("v"))
        if len(m.group("gap")) > 25 and not m.group("pct"):
            continue  # "the oxygen thing on my finger reads 87%" needs its per cent sign
        if value < 92:
            out.append(Reading("oxygen_low", _span(original, m.start("v"), m.end("v"))))
    breaths = "rr" in text or "resp" in text or "breathing rate" in text or "breaths" in text
    for m in _BREATHING_RATE_W.finditer(text) if breaths else ():
        group = "v" if m.group("v") else "w"
        if int(m.group(group)) >= 30:
            out.append(
                Reading("breathing_very_fast", _span(original, m.start(group), m.end(group)))
            )
    for m in _BLOOD_PRESSURE_W.finditer(text) if "/" in text else ():
        if int(m.group("sys")) < 90:
            out.append(Reading("bp_low", _span(original, m.start("sys"), m.end("dia"))))
    seizing = "min" in text and any(w in text for w in _SEIZURE_STEMS)
    for m in _SEIZURE_MINUTES_W.finditer(text) if seizing else ():
        if int(m.group("v")) >= 5:
            out.append(Reading("seizure_prolonged", _span(original, m.start(), m.end())))
    if "breathing" in text:
        for m in _SLOW_BREATHING_W.finditer(text):
            if int(m.group("v")) < 9:
                out.append(Reading("breathing_very_slow", _span(original, m.start(), m.end())))
    if "a day" in text:
        for m in _TABLETS_A_DAY_W.finditer(text):
            if int(m.group("v")) >= 10:
                out.append(Reading("tablets_large_amount", _span(original, m.start(), m.end())))
    if any(word in text for word in _PARACETAMOL_WORDS):
        # well over the 8 tablets a day of paracetamol: "about 12-14 a day", "20 or so today"
        for m in _PARACETAMOL_PER_DAY_W.finditer(text):
            if int(m.group("v")) >= 12:
                out.append(Reading("tablets_large_amount", _span(original, m.start(), m.end())))
    if "ketone" in text:
        for m in _KETONES_W.finditer(text):
            if float(m.group("v")) >= 3:
                out.append(Reading("ketones_high", _span(original, m.start("v"), m.end("v"))))
    has_degrees = "°" in text or "degree" in text or _TEMPERATURE_CUES.search(text) is not None
    for m in _TEMPERATURE_UNIT_W.finditer(text) if has_degrees else ():
        degrees = float(m.group("v").replace(",", "."))
        unit = (m.group("u1") or m.group("u2") or m.group("u3") or "").lower()
        celsius = (degrees - 32) * 5 / 9 if unit.startswith("f") or degrees > 50 else degrees
        if 38.0 <= celsius <= 44.0:
            out.append(Reading("fever", _span(original, m.start("v"), m.end("v"))))
    bare = ("." in text or "," in text) and _DECIMAL.search(text) is not None
    for m in _BARE_TEMPERATURE_W.finditer(text) if bare else ():
        before = text[max(0, m.start() - 12) : m.start()]
        if _NOT_TEMPERATURE_BEFORE.search(before) or _NOT_TEMPERATURE_AFTER.match(text[m.end() :]):
            continue
        out.append(Reading("fever", _span(original, m.start(), m.end())))
    for m in _GLUCOSE_UNIT_W.finditer(text) if ("mmol" in text or "mg/dl" in text) else ():
        level = float(m.group("v"))
        mmol = level if m.group("unit").startswith("mmol") else level / 18.0
        span = _span(original, m.start("v"), m.end("v"))
        if mmol >= 20:
            out.append(Reading("glucose_very_high", span))
        elif mmol < 3.5:
            out.append(Reading("glucose_low", span))
    if any(w in text for w in _INGEST_STEMS):
        out.extend(_tablet_amounts(original, text))
    if "potassium" in text:
        for m in _POTASSIUM_W.finditer(text):
            if 6.5 <= float(m.group("v")) < 10:
                out.append(Reading("potassium_high", _span(original, m.start("v"), m.end("v"))))
    if "sodium" in text:
        for m in _SODIUM_W.finditer(text):
            if 90 <= int(m.group("v")) < 125:
                out.append(Reading("sodium_very_low", _span(original, m.start("v"), m.end("v"))))
    if "/40" in text or "/ 40" in text:
        for m in _GESTATION_W.finditer(text):
            out.append(Reading("pregnant", _span(original, m.start(), m.end())))
    if "wk" in text or "week" in text:
        # "34wks pounding headache", "36 weeks, bleeding": weeks of pregnancy opening a sentence
        for m in _GESTATION_WEEKS_W.finditer(text):
            out.append(Reading("pregnant", _span(original, m.start("v"), m.end())))
    if "inr" in text:
        for m in _INR_W.finditer(text):
            if float(m.group("v")) >= 5:
                out.append(Reading("inr_high", _span(original, m.start("v"), m.end("v"))))
    for m in _GRAMS_W.finditer(text) if ("paracetamol" in text or "acetaminophen" in text) else ():
        if int(m.group("v")) >= 8:
            out.append(Reading("tablets_large_amount", _span(original, m.start(), m.end())))
    return out


def _span(text: str, start: int, end: int) -> Evidence:
    return Evidence(text[start:end], start, end)
