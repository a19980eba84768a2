"""Find the personal details a patient typed: e-mail addresses, phone numbers, street addresses
and the names of people.

Pure Python, no Django: `find_personal_details(text)` returns `Detail`s (kind, start, end,
text) in text order, never overlapping. Phone numbers are found by Google's libphonenumber
rules (the `phonenumbers` package) in the formats of many countries; e-mail addresses, also
written out ("john dot smith at gmail dot com", "jane(at)yahoo.com"), addresses and names by
the rules in this package. Measured on a labelled set: `python -m forum.privacy.evaluation`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import phonenumbers

from forum.privacy.addresses import find_addresses
from forum.privacy.names import find_names

EMAIL = "email"
PHONE = "phone"
ADDRESS = "address"
NAME = "name"
KINDS = (EMAIL, PHONE, ADDRESS, NAME)
# When two findings overlap the first kind here wins ("sarah.jones@…" is an e-mail, not a name).
_PRIORITY = {kind: rank for rank, kind in enumerate(KINDS)}

# National formats are read as in these countries; numbers written with + or 00 and a country
# code are read in every country's format whatever this list says.
DEFAULT_REGIONS: tuple[str, ...] = ("GB", "US", "IN", "AU", "FR", "DE", "NG", "IE")


@dataclass(frozen=True, slots=True)
class Detail:
    """One personal detail: its kind (see KINDS) and where it is in the text."""

    kind: str
    start: int
    end: int
    text: str


def find_personal_details(text: str, *, regions: Sequence[str] = DEFAULT_REGIONS) -> list[Detail]:
    """Every e-mail address, phone number, street address and person's name in `text`, in text
    order. Where findings overlap, the more specific kind wins (e-mail, phone, address, name)."""
    if not text or not text.strip():
        return []
    found: list[tuple[str, int, int]] = []
    found += [(EMAIL, s, e) for s, e in find_emails(text)]
    found += [(PHONE, s, e) for s, e in find_phones(text, regions=regions)]
    found += [(ADDRESS, s, e) for s, e in find_addresses(text)]
    taken = [(s, e) for _, s, e in found]
    found += [(NAME, s, e) for s, e in find_names(text, taken=taken)]
    return [Detail(kind, s, e, text[s:e]) for kind, s, e in _resolve(found)]


def _resolve(found: Iterable[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Keep the winner of each overlap: the higher-priority kind, then the longer span."""
    ranked = sorted(found, key=lambda f: (_PRIORITY[f[0]], -(f[2] - f[1]), f[1]))
    kept: list[tuple[str, int, int]] = []
    for kind, start, end in ranked:
        if start >= end:
            continue
        if any(start < e and s < end for _, s, e in kept):
            continue
        kept.append((kind, start, end))
    return sorted(kept, key=lambda f: f[1])


# --- E-mail addresses ---------------------------------------------------------------------------

_PLAIN_EMAIL = re.compile(
    r"(?<![\w.+%-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]*[A-Za-z0-9_%+-])?"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
    r"\.[A-Za-z]{2,24}\b"
)
_AT = r"(?:\s*[(\[{<]\s*(?i:at)\s*[)\]}>]\s*|\s+(?:at|AT|At)\s+|\s*@\s*)"
_DOT = r"(?:\s*[(\[{<]\s*(?i:dot)\s*[)\]}>]\s*|\s+(?:dot|DOT|Dot)\s+|\.)"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9_%+-]*[A-Za-z0-9])?"
_TLDS = (
    r"(?i:com|org|net|edu|gov|info|biz|io|me|co|uk|ie|de|fr|es|it|nl|be|ch|at|se|no|dk|fi|pl|pt"
    r"|gr|tr|ru|ua|cz|sk|hu|ro|bg|in|pk|bd|lk|np|cn|hk|tw|jp|kr|sg|my|th|vn|ph|id|au|nz|ca|us"
    r"|mx|br|ar|cl|za|ng|gh|ke|ug|tz|eg|ma|ae|sa|qa|il|ir|online|email|mail)"
)
_WRITTEN_EMAIL = re.compile(
    rf"(?<![\w.+%-])(?P<local>{_LABEL}(?:{_DOT}{_LABEL}){{0,4}}){_AT}"
    rf"(?P<domain>{_LABEL}(?:{_DOT}{_LABEL}){{0,3}}){_DOT}{_TLDS}\b"
)
_MAIL_PROVIDERS = frozenset(
    """
    gmail googlemail yahoo hotmail outlook live msn aol icloud me mac protonmail proton gmx web
    mail yandex zoho btinternet sky virginmedia talktalk ntlworld eircom rediffmail qq 163 126
    orange free wanadoo laposte libero tiscali onet wp interia seznam comcast verizon att
    """.split()
)


def find_emails(text: str) -> list[tuple[int, int]]:
    """E-mail addresses, also written out: "jane(at)yahoo.com", "john dot smith at gmail dot
    com", "chidi.okeke AT gmail DOT com"."""
    spans = [(m.start(), m.end()) for m in _PLAIN_EMAIL.finditer(text)]
    for m in _WRITTEN_EMAIL.finditer(text):
        if any(m.start() < e and s < m.end() for s, e in spans):
            continue
        local, domain = m.group("local"), m.group("domain")
        glued = "@" in m.group(0) or re.search(r"[(\[{<]\s*(?i:at)\s*[)\]}>]", m.group(0))
        first_label = re.split(r"\W+|dot|DOT|Dot", domain)[0].lower()
        plain_local = re.fullmatch(r"[A-Za-z]+", local) is not None
        if not glued and plain_local and first_label not in _MAIL_PROVIDERS:
            # "looked at example.com": a word, " at ", a web site. Not an address.
            continue
        spans.append((m.start(), m.end()))
    return sorted(spans)


# --- Phone numbers ------------------------------------------------------------------------------

# Numbers to call that are no one's personal number: emergency and health lines.
EMERGENCY_NUMBERS = frozenset({"999", "911", "112", "111", "000", "110", "119", "120", "101"})
_PHONE_CUE = re.compile(
    r"\b(?i:phone|tel|telephone|mobile|mob|cell|call|ring|text|txt|sms|whats\s?app|number|num|"
    r"contact|ph|fone|landline|reach\s+me|dial|a\s+bell|no\.|no:)\W{0,6}(?:\w+\W+){0,3}$"
)
_NOT_PHONE_CUE = re.compile(
    r"(?i:\b(?:ref|reference|code|lot|batch|order|invoice|account|acct|nhs\s+(?:no|number)|"
    r"policy|id|serial|tracking|case|hospital\s+(?:no|number)|mrn|isbn|product|booking|"
    r"confirmation|claim|patient\s+(?:no|number))\b)\W{0,6}(?:\w+\W+){0,2}$"
)
_UNIT_AFTER = re.compile(
    r"\s*(?i:mg|mcg|µg|ug|ml|mls|l|mmol|mol|kg|g|lbs?|units?|iu|steps|%|bpm|mm|cm|km|miles?|"
    r"cells|copies|k|x)\b"
)
_DATE_LIKE = re.compile(
    r"(?:\d{1,4}[-./]\d{1,2}[-./]\d{2,4}|(?:19|20)\d\d\s*[-–]\s*(?:19|20)\d\d|\d{1,2}:\d\d)"
)
_LETTER_O = re.compile(r"(?<![A-Za-z])[0-9oO][0-9oO\s().+-]{5,}[0-9oO](?![A-Za-z])")


def _with_o_as_zero(text: str) -> str:
    """ "o7700 9oo 345" written with letters: read as digits, keeping every offset."""

    def swap(m: re.Match[str]) -> str:
        chunk = m.group(0)
        if sum(ch.isdigit() for ch in chunk) < 4:
            return chunk
        return chunk.replace("o", "0").replace("O", "0")

    return _LETTER_O.sub(swap, text)


def find_phones(text: str, *, regions: Sequence[str] = DEFAULT_REGIONS) -> list[tuple[int, int]]:
    """Phone numbers in international and national formats; emergency numbers, doses, lab
    values, blood pressures, dates, years and reference numbers are left alone."""
    readable = _with_o_as_zero(text)
    candidates: dict[tuple[int, int], None] = {}
    for region in regions:
        matcher = phonenumbers.PhoneNumberMatcher(
            readable, region, leniency=phonenumbers.Leniency.POSSIBLE, max_tries=200
        )
        for match in matcher:
            start, end = _trim(readable, match.start, match.end)
            if start < end:
                candidates[(start, end)] = None
    kept: list[tuple[int, int]] = []
    # The shortest reading of a number wins: "07700 900 654" rather than "07700 900 654 - 5".
    for start, end in sorted(candidates, key=lambda se: (se[1] - se[0], se[0])):
        if any(start < e and s < end for s, e in kept):
            continue
        if _is_phone(readable, start, end):
            kept.append((start, end))
    return sorted(kept)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop a trailing " - 5" (a dash and a one- or two-digit number is the next phrase)."""
    chunk = text[start:end]
    trimmed = re.sub(r"\s+[-–]\s*\d{1,2}$", "", chunk)
    return start, start + len(trimmed.rstrip(" -–."))


def _is_phone(text: str, start: int, end: int) -> bool:
    raw = text[start:end]
    digits = re.sub(r"\D", "", raw)
    before = text[max(0, start - 40) : start]
    after = text[end : end + 12]
    cued = _PHONE_CUE.search(before) is not None
    if digits in EMERGENCY_NUMBERS or len(digits) > 15 or len(digits) < 7:
        return False
    if len(digits) == 7 and not cued:
        return False
    if start > 0 and (text[start - 1].isalnum() or text[start - 1] in "/.,"):
        return False  # part of a code ("B0CX12345") or of a number ("1.234567")
    if end < len(text) and (text[end].isalnum() or text[end] == "/"):
        return False
    if _NOT_PHONE_CUE.search(before):
        return False  # "NHS number 943 476 5919", "ref 2024/0456/7812"
    if _UNIT_AFTER.match(after):
        return False
    if "/" in raw and not cued:
        return False  # blood pressures, dates, references ("2024/0456/7812")
    if _DATE_LIKE.fullmatch(raw.strip()):
        return False
    international = raw.startswith("+") or raw.startswith("00")
    grouped = re.search(r"\d[\s().-]+\d", raw) is not None
    if not (international or grouped or cued):
        # A bare run of digits is a count or a code unless it reads as a dialled number.
        return raw.startswith("0") and len(digits) >= 10
    if raw.count(".") and not re.fullmatch(r"\(?\d{2,4}\)?\.\d{3,4}\.\d{3,4}", raw):
        return cued  # "1.234.567" is a count; "780.555.0164" is a number
    return True
