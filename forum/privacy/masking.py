"""Hide personal details: each one found is replaced by a bracketed placeholder, and the patient
is told in words what will be hidden. Pure Python, no Django."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from forum.privacy.detector import ADDRESS, EMAIL, KINDS, NAME, PHONE, Detail, find_personal_details

PLACEHOLDERS = {
    EMAIL: "[e-mail address]",
    PHONE: "[phone number]",
    ADDRESS: "[address]",
    NAME: "[name]",
}
# (one, several) in the words of the notice.
LABELS = {
    EMAIL: ("an e-mail address", "e-mail addresses"),
    PHONE: ("a phone number", "phone numbers"),
    ADDRESS: ("an address", "addresses"),
    NAME: ("a name", "names"),
}
NOTICE_LEAD = "Before your question is public we will hide:"


@dataclass(frozen=True)
class Masked:
    """A text with its personal details replaced, and what they were (offsets into the
    original text)."""

    text: str
    details: tuple[Detail, ...]


def mask(text: str) -> Masked:
    """`text` with every personal detail replaced by its placeholder ("[e-mail address]")."""
    details = tuple(find_personal_details(text))
    if not details:
        return Masked(text=text, details=())
    pieces: list[str] = []
    at = 0
    for detail in details:
        pieces.append(text[at : detail.start])
        pieces.append(PLACEHOLDERS[detail.kind])
        at = detail.end
    pieces.append(text[at:])
    return Masked(text="".join(pieces), details=details)


def summary(kinds: Iterable[str]) -> str:
    """ "an e-mail address, 2 names and a phone number": each kind once, in a fixed order."""
    counts = Counter(kinds)
    parts = []
    for kind in KINDS:
        n = counts.get(kind, 0)
        if n == 1:
            parts.append(LABELS[kind][0])
        elif n > 1:
            parts.append(f"{n} {LABELS[kind][1]}")
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def notice(kinds: Sequence[str]) -> str:
    """What the ask page tells the patient; empty when nothing will be hidden."""
    words = summary(kinds)
    return f"{NOTICE_LEAD} {words}." if words else ""


_PLACEHOLDER = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS.values()))


def markdown_safe(masked_text: str) -> str:
    """Escape the placeholders' brackets so Markdown shows them as written: "[name](x)" or
    "[name]: x" must not turn into a link or a link definition."""
    return _PLACEHOLDER.sub(lambda m: "\\[" + m.group(0)[1:-1] + "\\]", masked_text)


def warm_up() -> None:
    """Load the word lists the detector reads now rather than on the first text (a process
    that forks workers loads them once for all of them)."""
    from forum.privacy.words import english_counts

    english_counts()
    mask("My name is Anna Smith, I live at 12 High Street; anna@example.com, 020 7946 0958")
