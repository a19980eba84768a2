"""The rule for free text a person types (titles, bodies, messages, reasons), one home for the
site's forms (forum/forms.py) and the API (forum/api/inputs.py).

- A NUL character is refused: PostgreSQL cannot store one, and no one types it.
- The length limit counts the text as sent.
- Blank characters at either end are trimmed: whitespace, control and format characters and the
  letters that draw nothing (zero-width spaces, the Hangul fillers, the blank Braille cell, …).
  A required text with nothing left is refused, however long it was: a title or a body made only
  of zero-width spaces says nothing. The minimum length counts what is left.
- Bidirectional embedding, override and isolate characters (U+202A to U+202E, U+2066 to U+2069) are
  removed from what is stored: they can make a text read differently from what it says (a file
  name or a dose written backwards).

The API's schema carries the same rule as patterns (`json_schema`), so a client can tell before
sending whether the text will be taken.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError

# Characters that draw nothing, as (first, last) code points: whitespace (str.isspace), control
# (Cc) and format (Cf) characters (not the visible Arabic and Kaithi number signs), the letters
# and symbols that render blank (U+115F, U+1160, U+3164, U+FFA0 Hangul fillers, U+2800 blank
# Braille, U+17B4/5 Khmer inherent vowels) and the variation selectors and the combining grapheme
# joiner. tests/forum/test_text.py derives the list again from the Unicode database.
BLANK_RANGES: tuple[tuple[int, int], ...] = (
    (0x0000, 0x0020),
    (0x007F, 0x00A0),
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x1680, 0x1680),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x2000, 0x200F),
    (0x2028, 0x202F),
    (0x205F, 0x2064),
    (0x2066, 0x206F),
    (0x2800, 0x2800),
    (0x3000, 0x3000),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF9, 0xFFFB),
    (0x13430, 0x13438),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
    (0xE0100, 0xE01EF),
)
BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))

NUL_MESSAGE = "Null characters are not allowed."
BLANK_MESSAGE = "This has only spaces or invisible characters: write some text."


def _escape(code: int) -> str:
    # \uXXXX reads the same in JavaScript, Python's re and the Rust engines that validate JSON
    # Schema patterns; JavaScript has no escape for a character beyond it, so that one is
    # written as itself.
    return f"\\u{code:04X}" if code <= 0xFFFF else chr(code)


def _class(ranges: tuple[tuple[int, int], ...], *, skip_nul: bool = False) -> str:
    parts = []
    for first, last in ranges:
        first = max(first, 1) if skip_nul else first
        parts.append(_escape(first) if first == last else f"{_escape(first)}-{_escape(last)}")
    return "".join(parts)


_BLANK_CLASS = _class(BLANK_RANGES)
_BLANK_EDGES = re.compile(f"^[{_BLANK_CLASS}]+|[{_BLANK_CLASS}]+$")
_BIDI = re.compile("[" + "".join(sorted(BIDI_CONTROLS)) + "]")

# For the schema: no NUL anywhere, and (as a `not`) a text whose trimmed length is under n.
NO_NUL_PATTERN = "^[^\\u0000]*$"
NONEMPTY_NO_NUL_PATTERN = "^[^\\u0000]+$"


def _short_pattern(min_length: int) -> str:
    blank = f"[{_class(BLANK_RANGES, skip_nul=True)}]*"
    return f"^{blank}[^\\u0000]{{0,{min_length - 1}}}{blank}$" if min_length > 1 else f"^{blank}$"


def trim(value: str) -> str:
    """`value` without blank characters at either end."""
    return _BLANK_EDGES.sub("", value)


def strip_bidi(value: str) -> str:
    """`value` without bidirectional embedding, override and isolate characters."""
    return _BIDI.sub("", value)


def has_nul(value: str) -> bool:
    return "\x00" in value


def clean_text(
    value: str, *, required: bool, min_length: int | None = None, max_length: int | None = None
) -> str:
    """The text as stored, or a ValidationError with the field's message. An optional text made
    only of blank characters is stored empty."""
    if has_nul(value):
        raise ValidationError(NUL_MESSAGE, code="null_characters_not_allowed")
    if max_length is not None and len(value) > max_length:
        raise ValidationError(
            f"Write at most {max_length} characters (this has {len(value)}).", code="max_length"
        )
    trimmed = trim(value)
    if not trimmed:
        if required:
            raise ValidationError(
                BLANK_MESSAGE if value else "This field is required.", code="blank"
            )
        return ""
    if min_length is not None and len(trimmed) < min_length:
        raise ValidationError(f"Write at least {min_length} characters.", code="min_length")
    return strip_bidi(trimmed)


def json_schema(
    *, required: bool, min_length: int | None = None, max_length: int | None = None
) -> dict[str, Any]:
    """The JSON Schema of the texts `clean_text` takes. A text that may be blank is given as the
    non-empty texts it takes; the API's schema adds the empty one beside it."""
    schema: dict[str, Any] = {"type": "string", "pattern": NO_NUL_PATTERN}
    if required:
        least = max(min_length or 0, 1)
        schema["minLength"] = least
        schema["not"] = {"pattern": _short_pattern(least)}
    else:
        schema["pattern"] = NONEMPTY_NO_NUL_PATTERN
    if max_length is not None:
        schema["maxLength"] = max_length
    return schema
