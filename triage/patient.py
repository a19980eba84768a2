"""Facts about the patient read from the text: age, sex, how long, and measured values.

Intake answers given with the question take precedence; these parsers fill the gaps, because
patients often write "my 3 week old son" or "58M" and skip the form fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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

_DURATION_PATTERNS = (
    re.compile(
        rf"\b(?:for |over |in |during )?(?:the )?(?:past|last|previous) (?:{_NUM} )?{_UNIT}"
    ),
    re.compile(rf"\b(?:for|over|lasting|lasted|lasts|been) {_QUAL}{_NUM} {_UNIT}"),
    re.compile(rf"\b{_NUM} {_UNIT} (?:now|already|straight|in a row|running)\b"),
    re.compile(
        rf"\b(?:started|began|begun|start|since|noticed|onset|came on) {_QUAL}{_NUM} {_UNIT} ago\b"
    ),
    re.compile(rf"\b{_NUM} (?P<unit>minute|min|hour|hr|day|night|week)s? ago\b"),
)
_VAGUE_DURATIONS = (
    (re.compile(r"\bfor (?:many |several )?years\b"), 365.0),
    (re.compile(r"\bfor (?:many |several )?months\b"), 60.0),
    (re.compile(r"\bfor (?:many |several |a few )?weeks\b"), 21.0),
    (re.compile(r"\bfor (?:ages|a long time|a while)\b"), 30.0),
    (re.compile(r"\bsince last (?:year)\b"), 180.0),
    (re.compile(r"\bsince last (?:month)\b"), 30.0),
    (re.compile(r"\bsince last (?:week)\b"), 7.0),
    (re.compile(r"\bsince (?:yesterday|last night)\b"), 1.0),
    (re.compile(r"\bsince (?:this morning|i woke up|today)\b"), 0.3),
)

_AGE_OLD = re.compile(r"\b(?P<n>\d{1,3})[\s-]*(?P<unit>day|week|wk|month|mo|year|yr)s?[\s-]*old\b")
_AGE_SELF = re.compile(
    r"\b(?:i am|i'm|i’m|im|aged|age)\s+(?:a\s+|only\s+|now\s+)?(?P<n>\d{1,3})\b"
    r"(?!\s*(?:weeks?|days?|months?|kg|kilos?|lbs?|pounds|%|cm|hours?|mins?|minutes?|times?)\b)",
)
_AGE_SHORT = re.compile(r"\b(?P<n>\d{1,3})\s?(?:yo|y/o|yrs?|years?)\b(?!\s*ago)")
_AGE_SEX = re.compile(r"\b(?P<n>\d{1,3})\s?(?P<sex>m|f|male|female)\b")
_AGE_THIRD = re.compile(
    r"\b(?:he's|she's|he is|she is|(?:son|daughter|boy|girl) is)\s+(?:only\s+)?(?P<n>\d{1,2})\b"
    r"|\((?P<p>\d{1,2})\)",
)
_AGE_BARE = re.compile(r"(?:^|[,.]\s*)(?P<n>\d{2})\s*(?:$|[,.])")
_NEWBORN = re.compile(r"\bnewborn\b")
_AGE_UNIT_YEARS = {"day": 1 / 365, "week": 7 / 365, "wk": 7 / 365, "month": 1 / 12, "mo": 1 / 12}

_FEMALE_SELF = re.compile(
    r"\b(?:i am|i'm|i’m|im)\s+(?:a\s+)?(?:\d+\s*(?:year old|yo)?\s*)?"
    r"(?:woman|female|girl|lady|mum|mom)\b"
    r"|\b(?:pregnant|my period|my periods|menopause|my vagina|breastfeeding)\b",
)
_MALE_SELF = re.compile(
    r"\b(?:i am|i'm|i’m|im)\s+(?:a\s+)?(?:\d+\s*(?:year old|yo)?\s*)?(?:man|male|guy|dad|boy)\b"
    r"|\b(?:my penis|my testicles?|my prostate|my scrotum)\b",
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

_TEMPERATURE = re.compile(
    r"\b(?:temp(?:erature)?|fever|pyrexia|running|thermometer)\D{0,15}?(?P<v>\d{2,3}(?:[.,]\d+)?)"
    r"\s*(?:°\s*)?(?P<unit>c\b|f\b|celsius|fahrenheit)?",
)
_BLOOD_PRESSURE = re.compile(
    r"\b(?:bp|blood pressure|pressure|reading)\D{0,25}?(?P<sys>\d{2,3})\s*/\s*(?P<dia>\d{2,3})"
)
_GLUCOSE = re.compile(
    r"\b(?:sugars?|glucose|bg|bm|bs)\D{0,25}?(?P<v>\d{1,3}(?:\.\d+)?)\s*(?P<unit>mmol|mg)?"
)


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
_VAGUE_HINT = re.compile(r"\b(?:for|since)\b")


def _lower(text: str) -> str:
    # Matching lower-cased text without re.IGNORECASE is markedly faster; offsets stay valid
    # unless lower-casing changes the length (a few non-ASCII letters), then the rare slow path.
    low = text.lower()
    return low if len(low) == len(text) else text


def parse_duration(text: str) -> Duration | None:
    """The longest duration the text states, in days, with its span."""
    original = text
    text = _lower(text)
    best: Duration | None = None
    # The full patterns are costly to try at every position, so they run only on short
    # windows around the unit words they all end with.
    windows: list[tuple[int, str]] = []
    last_end = -1
    for unit in _UNIT_WORD.finditer(text):
        start = max(0, unit.start() - 48, last_end)
        end = min(len(text), unit.end() + 16)
        windows.append((start, text[start:end]))
        last_end = unit.end()
    for offset, window in windows:
        best = _best_in_window(window, offset, best)
    if _VAGUE_HINT.search(text):
        for pattern, days in _VAGUE_DURATIONS:
            for m in pattern.finditer(text):
                if best is None or days > best.days:
                    best = Duration(days, Evidence(m.group(), m.start(), m.end()))
    if best is not None and best.evidence is not None:
        ev = best.evidence
        best = Duration(best.days, Evidence(original[ev.start : ev.end], ev.start, ev.end))
    return best


def _best_in_window(window: str, offset: int, best: Duration | None) -> Duration | None:
    for pattern in _DURATION_PATTERNS:
        for m in pattern.finditer(window):
            unit = m.group("unit").lower()
            count = _count(m.group("num")) if m.group("num") else 1.0
            if count is None:
                continue
            days = count * _UNIT_DAYS[unit]
            if best is None or days > best.days:
                best = Duration(days, Evidence(m.group(), m.start() + offset, m.end() + offset))
    return best


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
    ages: list[AgeMention] = []
    for m in _AGE_OLD.finditer(text):
        n = float(m.group("n"))
        unit = m.group("unit").lower()
        years = n * _AGE_UNIT_YEARS.get(unit, 1.0)
        ages.append(AgeMention(years, m.start(), "either"))
    for m in _AGE_SELF.finditer(text):
        ages.append(AgeMention(float(m.group("n")), m.start(), "self"))
    for m in _AGE_SEX.finditer(text):
        ages.append(AgeMention(float(m.group("n")), m.start(), "either"))
    for m in _AGE_SHORT.finditer(text):
        ages.append(AgeMention(float(m.group("n")), m.start(), "either"))
    for m in _AGE_THIRD.finditer(text):
        ages.append(AgeMention(float(m.group("n") or m.group("p")), m.start(), "other"))
    for m in _NEWBORN.finditer(text):
        ages.append(AgeMention(0.02, m.start(), "other"))
    for m in _AGE_BARE.finditer(text):
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
    m = _AGE_SEX.search(text)
    if m:
        return "male" if m.group("sex").lower().startswith("m") else "female"
    if _FEMALE_SELF.search(text):
        return "female"
    if _MALE_SELF.search(text):
        return "male"
    return None


def find_readings(text: str) -> list[Reading]:
    """Temperatures, blood pressures and glucose values past the thresholds triage uses."""
    out: list[Reading] = []
    original = text
    text = _lower(text)
    for m in _TEMPERATURE.finditer(text):
        value = float(m.group("v").replace(",", "."))
        unit = (m.group("unit") or "").lower()
        celsius = (value - 32) * 5 / 9 if unit.startswith("f") or value > 50 else value
        if 38.0 <= celsius <= 44.0:
            out.append(Reading("fever", _span(original, m.start("v"), m.end("v"))))
    for m in _BLOOD_PRESSURE.finditer(text):
        systolic, diastolic = int(m.group("sys")), int(m.group("dia"))
        span = _span(original, m.start("sys"), m.end("dia"))
        if systolic >= 180 or diastolic >= 120:
            out.append(Reading("bp_very_high", span))
        elif systolic >= 160 or diastolic >= 100:
            out.append(Reading("bp_high", span))
    for m in _GLUCOSE.finditer(text):
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


def _span(text: str, start: int, end: int) -> Evidence:
    return Evidence(text[start:end], start, end)
