"""Similar public Q&As for a text (docs/contracts.md), or rebuild the similarity index.

manage.py similar --json -k 5 "my calves twitch at night"
manage.py similar --jsonl queries.jsonl       # {"id": ..., "text": ...} per line
manage.py similar --rebuild-index             # re-embed and re-index every question
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from config.jsonl import BadLine, json_line, numbered_lines
from forum.similarity.selectors import SimilarItem, similar_to_text
from forum.similarity.services import index_rebuild


def _result(item: SimilarItem) -> dict[str, Any]:
    question = item.question
    return {
        "id": question.pk,
        "external_id": question.external_id,
        "title": question.public_title,
        "score": item.score,
    }


class Command(BaseCommand):
    help = "Print the public doctor-answered Q&As most similar to TEXT, best first."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("text", nargs="*", help="the text to match ('-' reads stdin)")
        parser.add_argument("-k", type=int, default=5, help="how many results (default 5)")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument(
            "--jsonl", metavar="FILE", help='read {"id", "text"} lines; print one result per line'
        )
        parser.add_argument(
            "--rebuild-index",
            action="store_true",
            help="re-index every question (after an upgrade or a bulk change outside the site)",
        )
        parser.add_argument(
            "--full", action="store_true", help="with --rebuild-index: drop the index first"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        k = int(options["k"])
        if k < 1:
            raise CommandError("-k must be at least 1")
        if options["rebuild_index"]:
            self._rebuild(full=options["full"])
        elif options["jsonl"]:
            self._jsonl(options["jsonl"], k=k)
        else:
            text = " ".join(options["text"])
            if text == "-":
                text = sys.stdin.read()
            if not text.strip():
                raise CommandError("give a TEXT, --jsonl FILE or --rebuild-index")
            items = similar_to_text(text, limit=k)
            if options["json"]:
                self.stdout.write(json.dumps({"results": [_result(i) for i in items]}))
            else:
                for item in items:
                    why = f"  ({item.explanation})" if item.shared else ""
                    self.stdout.write(
                        f"{item.score:.3f}  #{item.question.pk}  {item.question}{why}"
                    )

    def _jsonl(self, name: str, *, k: int) -> None:
        if name == "-":
            self._jsonl_lines(sys.stdin.buffer, "stdin", k=k)
            return
        path = Path(name)
        if not path.is_file():
            raise CommandError(f"{name}: no such file")
        with path.open("rb") as lines:  # decoded line by line: a bad byte costs one line
            self._jsonl_lines(lines, path.name, k=k)

    def _jsonl_lines(self, lines: Iterable[bytes], label: str, *, k: int) -> None:
        failed: list[int] = []
        for number, line in numbered_lines(lines):
            try:
                record = json_line(line)
            except BadLine as exc:
                failed.append(number)
                self.stderr.write(f"{label} line {number}: {exc}")
                continue
            if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                failed.append(number)
                self.stderr.write(f"{label} line {number}: needs a string 'text'")
                continue
            items = similar_to_text(record["text"], limit=k)
            self.stdout.write(
                json.dumps({"id": record.get("id"), "results": [_result(i) for i in items]})
            )
        if failed:
            raise CommandError(f"{len(failed)} line(s) failed: {', '.join(map(str, failed[:20]))}")

    def _rebuild(self, *, full: bool) -> None:
        with tqdm(desc="Indexing", unit="Q&A", disable=not sys.stderr.isatty()) as progress:

            def advance(done: int, total: int) -> None:
                progress.total = total
                progress.update(done - progress.n)

            outcome = index_rebuild(full=full, progress=advance)
        self.stdout.write(
            f"Indexed {outcome.public} public Q&As ({outcome.embedded} embedded); "
            f"{outcome.removed} not public."
        )
