"""Re-run the triage engine over stored questions, e.g. after the knowledge base changed."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

import triage
from forum.models import Question, Specialty, Status
from forum.services import question_retriage


class Command(BaseCommand):
    help = (
        "Re-triage questions (all, or filtered). Each run adds an assessment row; doctors' "
        "corrections are kept and never overridden."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--status", choices=Status.values, help="only questions in this status")
        parser.add_argument("--specialty", help="only questions filed under this specialty slug")
        parser.add_argument(
            "--kb-version",
            help="only questions whose latest assessment used this knowledge-base version",
        )
        parser.add_argument(
            "--outdated",
            action="store_true",
            help="only questions never assessed with the current knowledge base",
        )
        parser.add_argument("--no-progress", action="store_true", help="never draw a progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        questions = Question.objects.all()
        if options["status"]:
            questions = questions.filter(status=options["status"])
        if options["specialty"]:
            if not Specialty.objects.filter(slug=options["specialty"]).exists():
                raise CommandError(f"Unknown specialty {options['specialty']!r}.")
            questions = questions.filter(specialty__slug=options["specialty"])
        if options["kb_version"]:
            questions = questions.filter(assessments__kb_version=options["kb_version"]).distinct()
        if options["outdated"]:
            questions = questions.exclude(assessments__kb_version=triage.kb_version())
        ids = list(questions.order_by("pk").values_list("pk", flat=True))
        show = not options["no_progress"] and sys.stderr.isatty()
        changed = 0
        for pk in tqdm(ids, desc="Re-triaging", unit="q", disable=not show):
            before = Question.objects.filter(pk=pk).values_list("urgency", flat=True).first()
            question_retriage(question_id=pk)
            after = Question.objects.filter(pk=pk).values_list("urgency", flat=True).first()
            changed += before != after
        self.stdout.write(
            f"Re-triaged {len(ids)} question(s) with knowledge base {triage.kb_version()}; "
            f"urgency changed for {changed}."
        )
