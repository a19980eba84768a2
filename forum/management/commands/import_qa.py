"""Import an archive of answered Q&As: `manage.py import_qa FILE.jsonl` (DESIGN.md, 'Archive
import'). Idempotent on `external_id`; a bad line is reported with its number and skipped; the
command exits non-zero when any line failed. Imported Q&As are tagged and indexed for similarity.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from forum.archive import RecordError, qa_import_record
from forum.models import Specialty
from forum.services import question_assess_archived
from forum.similarity.services import INDEX_BATCH, entries_index


class Command(BaseCommand):
    help = "Import answered Q&As from a JSON Lines file (one Q&A per line; '-' reads stdin)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="JSON Lines file, or - for standard input")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=INDEX_BATCH,
            help="Q&As embedded and indexed together (default %(default)s)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["file"]
        batch_size = max(1, int(options["batch_size"]))
        if name == "-":
            self._import(sys.stdin, "stdin", total=None, batch_size=batch_size)
            return
        path = Path(name)
        if not path.is_file():
            raise CommandError(f"{name}: no such file")
        with path.open(encoding="utf-8") as counting:
            total = sum(1 for line in counting if line.strip())
        with path.open(encoding="utf-8") as lines:
            self._import(lines, path.name, total=total, batch_size=batch_size)

    def _import(self, lines: IO[str], label: str, *, total: int | None, batch_size: int) -> None:
        specialties = {s.slug: s for s in Specialty.objects.all()}
        progress = tqdm(total=total, desc="Importing", unit="Q&A", disable=not sys.stderr.isatty())
        started = time.monotonic()
        created = updated = done = 0
        failed: list[int] = []
        pending: list[int] = []
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                outcome = qa_import_record(record, specialties=specialties)
            except json.JSONDecodeError as exc:
                failed.append(number)
                self.stderr.write(f"{label} line {number}: not valid JSON ({exc.msg})")
            except RecordError as exc:
                failed.append(number)
                self.stderr.write(f"{label} line {number}: {exc}")
            else:
                created += outcome.created
                updated += not outcome.created
                question_assess_archived(question_id=outcome.question.pk)
                pending.append(outcome.question.pk)
                if len(pending) >= batch_size:
                    entries_index(question_ids=pending)
                    pending = []
            done += 1
            progress.update(1)
        if pending:
            entries_index(question_ids=pending)
        progress.close()
        seconds = time.monotonic() - started
        imported = created + updated
        self.stdout.write(
            f"Imported {imported} Q&As ({created} new, {updated} updated) "
            f"in {seconds:.1f} s ({imported / max(seconds, 1e-6):.1f}/s); "
            f"{len(failed)} line(s) failed."
        )
        if failed:
            shown = ", ".join(str(n) for n in failed[:20])
            more = f" and {len(failed) - 20} more" if len(failed) > 20 else ""
            raise CommandError(f"{len(failed)} line(s) were not imported: {shown}{more}")
