"""Import an archive of answered Q&As: `manage.py import_qa FILE.jsonl` (docs/contracts.md, 'Archive
import'). Idempotent on `external_id`; a bad line is reported with its number and skipped; the
command exits non-zero when any line failed. Imported Q&As are tagged and indexed for similarity.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from config.jsonl import BadLine, json_line, numbered_lines
from forum.archive import ArchiveImport, ArchiveRecord, RecordError, default_jobs, qa_validate
from forum.models import Specialty
from forum.similarity.services import INDEX_BATCH, word_counts_refresh


class Command(BaseCommand):
    help = "Import answered Q&As from a JSON Lines file (one Q&A per line; '-' reads stdin)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="JSON Lines file, or - for standard input")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=INDEX_BATCH,
            help="Q&As written, embedded and indexed together (default %(default)s)",
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=default_jobs(),
            help="processes that mask, triage and embed (default: one per CPU, %(default)s)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["file"]
        batch_size = max(1, int(options["batch_size"]))
        self.jobs = max(1, int(options["jobs"]))
        if name == "-":
            self._import(sys.stdin.buffer, "stdin", total=None, batch_size=batch_size)
            return
        path = Path(name)
        if not path.is_file():
            raise CommandError(f"{name}: no such file")
        # Bytes, not text: each line is decoded on its own, so one bad byte costs one line.
        with path.open("rb") as counting:
            total = sum(1 for _ in numbered_lines(counting))
        with path.open("rb") as lines:
            self._import(lines, path.name, total=total, batch_size=batch_size)

    def _import(
        self, lines: Iterable[bytes], label: str, *, total: int | None, batch_size: int
    ) -> None:
        self.specialties = {s.slug: s for s in Specialty.objects.all()}
        self.label = label
        self.progress = tqdm(
            total=total, desc="Importing", unit="Q&A", disable=not sys.stderr.isatty()
        )
        started = time.monotonic()
        self.created = self.updated = 0
        failed: list[int] = []
        # Valid records waiting to be written, by external_id: a second record with the same
        # id is written after the first, as an update, in the next batch.
        batch: dict[str, ArchiveRecord] = {}
        with ArchiveImport(specialties=self.specialties, jobs=self.jobs) as writer:
            for number, line in numbered_lines(lines):
                try:
                    record = qa_validate(json_line(line), specialties=self.specialties)
                except (BadLine, RecordError) as exc:
                    failed.append(number)
                    self.stderr.write(f"{self.label} line {number}: {exc}")
                    self.progress.update(1)
                    continue
                if record.external_id in batch:
                    self._write(writer, batch)
                batch[record.external_id] = record
                if len(batch) >= batch_size:
                    self._write(writer, batch)
            if batch:
                self._write(writer, batch)
        if self.created or self.updated:
            word_counts_refresh()
        created, updated, progress = self.created, self.updated, self.progress
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

    def _write(self, writer: ArchiveImport, batch: dict[str, ArchiveRecord]) -> None:
        """Write the batch whole (one transaction: triaged, embedded and indexed) and empty it."""
        outcomes = writer.write(list(batch.values()))
        for outcome in outcomes:
            self.created += outcome.created
            self.updated += not outcome.created
        self.progress.update(len(outcomes))
        batch.clear()
