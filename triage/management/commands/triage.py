"""``manage.py triage``: triage one post (``--json TEXT`` or ``--json -``) or a JSONL batch.

In a batch a bad line (not UTF-8, not JSON, a field of the wrong kind) is named on stderr with
its number and skipped; stdout stays one valid JSON result per good line, and the command exits
non-zero at the end when any line was bad.
"""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from config.jsonl import BadLine, json_line, numbered_lines
from triage import assess


class Command(BaseCommand):
    help = (
        "Triage a post and print the result as JSON. --json TEXT (or - for stdin) for one post; "
        '--jsonl FILE for one {"id": ..., "text": ...} per line (- reads stdin).'
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--json", metavar="TEXT", help="the post text, or - to read stdin")
        group.add_argument("--jsonl", metavar="FILE", help="a JSONL file of {id, text} lines")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["json"] is not None:
            text = _read_stdin() if options["json"] == "-" else options["json"]
            try:
                result = assess(text)
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False))
            return
        failures = self._batch(options["jsonl"])
        if failures:
            raise CommandError(f"{failures} line(s) could not be triaged")

    def _batch(self, path: str) -> int:
        if path == "-":
            return self._batch_lines(sys.stdin.buffer, "stdin")
        try:
            lines = open(path, "rb")  # noqa: SIM115 - closed below; decoded line by line
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from exc
        with lines:
            return self._batch_lines(lines, Path(path).name)

    def _batch_lines(self, lines: Iterable[bytes], label: str) -> int:
        failures = 0
        for number, line in numbered_lines(lines):
            try:
                record = _parse_record(json_line(line))
                result = assess(
                    record["text"],
                    age=record.get("age"),
                    sex=record.get("sex"),
                    subject=record.get("subject", "self"),
                    duration=record.get("duration"),
                )
            except ValueError as exc:
                failures += 1
                self.stderr.write(f"{label} line {number}: {exc}")
                continue
            out = {"id": record["id"], **result.to_dict()}
            self.stdout.write(json.dumps(out, ensure_ascii=False))
        return failures


def _read_stdin() -> str:
    try:
        return sys.stdin.buffer.read().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CommandError(f"input is not valid UTF-8 (byte {exc.start})") from exc


def _parse_record(record: Any) -> dict[str, Any]:
    """The line's object with an "id" to echo and a "text"; `assess` checks the other fields."""
    if not isinstance(record, dict):
        raise BadLine('expected an object like {"id": ..., "text": ...}')
    if "id" not in record:
        raise BadLine('missing "id"')
    if isinstance(record["id"], dict | list):
        raise BadLine('"id" must be a string or a number')
    if not isinstance(record.get("text"), str):
        raise BadLine('missing "text" (a string)')
    return record
