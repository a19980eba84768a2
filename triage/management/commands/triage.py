"""``manage.py triage``: triage one post (``--json TEXT`` or ``--json -``) or a JSONL batch."""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

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
        try:
            raw = sys.stdin.buffer.read() if path == "-" else open(path, "rb").read()  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from exc
        failures = 0
        for number, line in enumerate(raw.splitlines(), 1):
            if not line.strip():
                continue
            try:
                record = _parse_line(line)
                result = assess(
                    record["text"],
                    age=record.get("age"),
                    sex=record.get("sex"),
                    subject=record.get("subject", "self"),
                    duration=record.get("duration"),
                )
            except ValueError as exc:
                failures += 1
                self.stderr.write(f"line {number}: {exc}")
                continue
            out = {"id": record["id"], **result.to_dict()}
            self.stdout.write(json.dumps(out, ensure_ascii=False))
        return failures


def _read_stdin() -> str:
    try:
        return sys.stdin.buffer.read().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CommandError(f"input is not valid UTF-8 (byte {exc.start})") from exc


def _parse_line(line: bytes) -> dict[str, Any]:
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not valid UTF-8 (byte {exc.start})") from exc
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg} at column {exc.colno})") from exc
    if not isinstance(record, dict):
        raise ValueError('expected an object like {"id": ..., "text": ...}')
    if "id" not in record:
        raise ValueError('missing "id"')
    if not isinstance(record.get("text"), str):
        raise ValueError('missing "text" (a string)')
    return record
