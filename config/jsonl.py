"""JSON Lines input for the management commands (`import_qa`, `triage --jsonl`, `similar --jsonl`).

Files are read as bytes and each line is decoded on its own, so one line that is not UTF-8, not
JSON, or holds text no database or terminal can take is reported by number and skipped while the
rest of the file goes on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any


class BadLine(ValueError):
    """A line that cannot be read; the message says what is wrong with it."""


def numbered_lines(raw: Iterable[bytes]) -> Iterator[tuple[int, bytes]]:
    """Each non-blank line with its 1-based number in the file (blank lines keep their number)."""
    for number, line in enumerate(raw, start=1):
        if line.strip():
            yield number, line


def json_line(line: bytes) -> Any:
    """The JSON value on one line. Raises BadLine naming the fault: bytes that are not UTF-8 (with
    the byte and its column), JSON that does not parse, or a string holding a NUL character or an
    unpaired surrogate escape, which PostgreSQL and UTF-8 output refuse."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadLine(
            f"not valid UTF-8 (byte 0x{line[exc.start]:02x} at column {exc.start + 1})"
        ) from None
    text = text.removeprefix("\ufeff")  # a byte-order mark some editors put first
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadLine(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise BadLine("not valid JSON (nested too deeply)") from None
    except ValueError:  # an integer of thousands of digits
        raise BadLine("not valid JSON (a number too long to read)") from None
    if "\\u" in text:  # NUL and surrogates only arrive as escapes in valid UTF-8
        try:
            _check_strings(value)
        except RecursionError:
            raise BadLine("not valid JSON (nested too deeply)") from None
    return value


def _check_strings(value: Any) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise BadLine("a string holds a NUL character (\\u0000)")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise BadLine(
                f"a string holds an unpaired surrogate (\\u{ord(value[exc.start]):04x})"
            ) from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_strings(key)
            _check_strings(item)
    elif isinstance(value, list):
        for item in value:
            _check_strings(item)
