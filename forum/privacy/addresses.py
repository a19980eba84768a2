"""Street addresses: a house or flat number and a street, then any town, state and postcode.

Forms read: "14 Elm Street, Leeds LS6 2AB", "Flat 7, Wellington House, 31 Park Road, Cardiff
CF10 3AT" (UK); "1600 Elm Ave, Apt 12, Austin, TX 78701" (US); "301-455 Granville St,
Vancouver BC V6C 1T2" (Canada); "8 Wattle Crescent, Parramatta NSW 2150" (Australia);
"45 avenue des Frères Lumière, 69008 Lyon", "Hauptstraße 5, 10115 Berlin" (Europe);
"House No. 221, Sector 15, Gurgaon, Haryana 122001" (India); "Blk 123 Ang Mo Kio Ave 3,
#05-12, Singapore 560123"; "12 Jalan Ampang, 50450 Kuala Lumpur". A postcode written after a
number and a few capitalised words also makes an address ("45 Kingsway, Manchester M19 2LL").
"""

from __future__ import annotations

import re

from forum.privacy.words import FUNCTION_WORDS, MONTHS

_CAP = r"[A-ZÀ-ÖØ-Þ][\wÀ-ÖØ-öø-ÿ'’.-]*"
_PARTICLE = r"(?:de|des|du|la|le|les|del|della|di|da|do|dos|das|van|von|der|den|ter|al|el|of)"
_NUMBER = r"\d{1,5}[A-Za-z]?(?:\s?[-/]\s?\d{1,5}[A-Za-z]?)?"
# Street types that make an address on their own after a number and a name.
_STRONG_SUFFIX = (
    r"(?:Street|St|Str|Road|Rd|Avenue|Ave|Av|Lane|Ln|Close|Crescent|Cres|Drive|Boulevard|Blvd"
    r"|Highway|Hwy|Terrace|Tce|Grove|Gardens|Gdns|Square|Sq|Parade|Pde|Mews|Court|Ct|Place|Pl"
    r"|Way|Circle|Cir|Parkway|Pkwy|Esplanade|Marg|Nagar|Salai|Estate)"
)
# Street types that are also ordinary words: an address only with a town or postcode after.
_WEAK_SUFFIX = r"(?:Park|Green|Hill|View|Walk|Row|Rise|Quay|Wharf|Broadway|Trail|Path|Loop)"
_PREFIX_STREET = (
    r"(?i:rue|avenue|av\.|boulevard|bd|chemin|allée|allee|impasse|quai|place|calle|avenida|avda"
    r"|carrer|paseo|via|viale|piazza|corso|largo|rua|travessa|jalan|jln|lorong|soi|ulica|ul\.)"
)
_GLUED_STREET = (
    r"[A-ZÄÖÜ][\wäöüß-]*(?:straße|strasse|str\.|weg|gasse|allee|platz|ring|damm|laan|straat"
    r"|gracht|plein|vej|gade|gatan|gata|veien)\s+\d{1,4}[a-z]?\b"
)
_UNIT = (
    r"(?:(?i:flat|apt|apartment|unit|suite|ste|room|rm|floor|fl|level|lvl|blk|block|house\s+no"
    r"|h\.?\s?no|plot\s+no|door\s+no|flat\s+no|no)\.?\s*#?\s*[\w-]*\d[\w-]*|#\s?\d[\w-]*)"
)
_BUILDING = (
    rf"(?:{_CAP}\s+){{1,3}}(?:House|Court|Building|Tower|Towers|Mansions|Lodge|Apartments"
    r"|Heights|Residency|Block|Hall|Villas|Plaza|Complex|Chambers)"
)

_STREET_WORDS = rf"(?:(?:{_CAP}|{_PARTICLE})\s+){{0,3}}{_CAP}\s+"
_CORE = re.compile(
    rf"(?<![\w/.-])(?P<number>{_NUMBER}),?\s+(?:"
    rf"(?P<street>{_STREET_WORDS}(?:{_STRONG_SUFFIX}\b\.?(?:\s+\d{{1,3}}\b)?))"
    rf"|(?P<weak>{_STREET_WORDS}{_WEAK_SUFFIX}\b)"
    rf"|(?P<prefix>{_PREFIX_STREET}\s+(?:(?:{_CAP}|{_PARTICLE})\s+){{0,4}}{_CAP})"
    r")"
    rf"|(?P<glued>{_GLUED_STREET})"
    rf"|(?P<pobox>\b(?i:p\.?\s?o\.?\s?box)\s+\d{{1,6}}\b)"
    rf"|(?P<unitonly>\b(?i:house|plot|door|flat)\s+(?i:no)\.?\s*\d[\w/-]*)"
)

_UK_POSTCODE = r"(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2})"
_CA_POSTCODE = r"(?:[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z]\s\d[ABCEGHJ-NPRSTV-Z]\d)"
_US_STATE = (
    r"(?:AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV"
    r"|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY)"
)
_CA_PROVINCE = r"(?:AB|BC|MB|NB|NL|NS|NT|NU|ON|PE|QC|SK|YT)"
_AU_STATE = r"(?:NSW|VIC|QLD|SA|WA|TAS|NT|ACT)"
_POSTCODE = (
    rf"(?:{_UK_POSTCODE}|{_CA_POSTCODE}|{_US_STATE}\s+\d{{5}}(?:-\d{{4}})?"
    rf"|{_AU_STATE}\s+\d{{4}}|{_CA_PROVINCE}\s+{_CA_POSTCODE})"
)
_STATE = rf"(?:{_US_STATE}|{_CA_PROVINCE}|{_AU_STATE})"
# A town: capitalised words of letters ("LS6" is half a postcode, not a town).
_PLACE_WORD = r"[A-ZÀ-ÖØ-Þ](?:[^\W\d_]|['’.-](?=[^\W\d_]))*"
_PLACE = rf"{_PLACE_WORD}(?:\s+{_PLACE_WORD}){{0,2}}"
_AREA = r"(?:Sector|Phase|Block|Stage|Zone|Ward|Layout|Extension)\s+[\w-]+"
# One more part of the address after the street: a unit, an area, a town, a state, a postcode.
_COMPONENT = re.compile(
    rf"(?P<sep>\s*,\s*|\s+)(?P<part>{_UNIT}|{_AREA}|{_POSTCODE}(?:\s+{_PLACE})?"
    rf"|\d{{4,6}}\s+{_PLACE}|{_PLACE}(?:\s+{_STATE})?(?:\s+(?:{_POSTCODE}|\d{{4,6}}))?"
    rf"|{_STATE})(?![\w'’-])"
)
_BEFORE = re.compile(
    rf"(?:(?:{_UNIT}),?\s+)?(?:{_BUILDING},?\s+)?(?:{_UNIT}\s+)?"
    r"(?:(?i:blk|block|lot|plot|bldg|building)\.?\s*)?$"  # "Blk 123 Ang Mo Kio Ave 3"
)
_ANCHOR = re.compile(rf"(?<![\w-])(?:{_POSTCODE})(?![\w-])")
_ANCHOR_START = re.compile(rf"(?<![\w/.-])(?:{_UNIT},?\s+)?{_NUMBER},?\s+{_CAP}")

_NOT_PLACE = FUNCTION_WORDS | MONTHS | frozenset({"dr", "mr", "mrs", "ms"})


def _words_ok(part: str) -> bool:
    """A town or street name: capitalised words, none of them a function word or a month."""
    words = re.findall(r"[^\W\d_][\w'’.-]*", part)
    return all(w.lower().strip(".") not in _NOT_PLACE or w.isupper() for w in words)


def find_addresses(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for m in _CORE.finditer(text):
        start, end = m.start(), m.end()
        core = m.group(0)
        if m.group("number") and not _words_ok(core[len(m.group("number")) :]):
            continue
        end, parts = _extend(text, end)
        if (m.group("weak") or m.group("unitonly")) and not parts:
            continue
        start = _extend_back(text, start)
        spans.append((start, end))
    for m in _ANCHOR.finditer(text):
        # A postcode inside or just after an address found already lengthens it (merged).
        spans.append(_anchored(text, m.start(), m.end()))
    return _merge(spans)


def _extend(text: str, end: int) -> tuple[int, int]:
    """Take the unit, town, state and postcode parts that follow the street."""
    parts = 0
    while parts < 6:
        m = _COMPONENT.match(text, end)
        if m is None:
            break
        part = m.group("part")
        comma = "," in m.group("sep")
        strong = re.fullmatch(rf"{_POSTCODE}.*|\d{{4,6}}\s+.*|{_STATE}|.*\d", part) is not None
        if not comma and not strong:
            break  # "… Road Tsim" without a comma is the next sentence, not a town
        if not _words_ok(part):
            break
        end = m.end()
        parts += 1
    return end, parts


def _extend_back(text: str, start: int) -> int:
    """Take a flat, building or block written before the number."""
    window = text[max(0, start - 80) : start]
    m = _BEFORE.search(window)
    if m is None or not m.group(0).strip():
        return start
    return start - len(window) + m.start()


def _anchored(text: str, start: int, end: int) -> tuple[int, int]:
    """A postcode: reach back, in the same sentence, to a house number before it."""
    window_start = max(0, start - 90)
    window = text[window_start:start]
    for m in _ANCHOR_START.finditer(window):
        between = window[m.start() :]
        if re.search(r"[.!?;:\n]\s", between) or not _words_ok(between):
            continue
        if re.search(r"\b[a-z]{3,}\b", between.replace("No", "")):
            continue  # lower-case words: a sentence, not an address
        return window_start + m.start(), end
    return start, end


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
