"""Archive import: one answered Q&A per record, in the format of docs/contracts.md.

`qa_import_record` validates a record completely before writing, so a bad record writes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import Sex
from forum.models import Answer, AskingFor, Duration, Question, Specialty, Status

_AGE_BANDS = {f"{d}-{d + 9}" for d in range(0, 90, 10)} | {"90+"}


class RecordError(ValueError):
    """A record that cannot be imported; the message says which field and why."""


@dataclass(frozen=True)
class ImportOutcome:
    question: Question
    created: bool


def _text(record: dict[str, Any], key: str, *, limit: int, required: bool = False) -> str:
    value = record.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise RecordError(f"'{key}' must be a string")
    value = value.strip()
    if required and not value:
        raise RecordError(f"'{key}' is required")
    if len(value) > limit:
        raise RecordError(f"'{key}' is longer than {limit} characters")
    return value


def _date(record: dict[str, Any], key: str) -> dt.datetime | None:
    value = record.get(key)
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise RecordError(f"'{key}' must be a date such as 2018-01-19")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise RecordError(f"'{key}' is not a date such as 2018-01-19: {value!r}") from None
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


def qa_import_record(
    record: Any, *, specialties: dict[str, Specialty] | None = None
) -> ImportOutcome:
    """Create or update the Q&A with this `external_id`. Raises RecordError on bad input."""
    if not isinstance(record, dict):
        raise RecordError("a record must be a JSON object")
    external_id = _text(record, "external_id", limit=100, required=True)
    title = _text(record, "title", limit=200)
    body = _text(record, "body", limit=10000)
    if not title and not body:
        raise RecordError("'title' or 'body' is required")
    answer = record.get("answer")
    if not isinstance(answer, dict):
        raise RecordError("'answer' must be an object with a 'body'")
    answer_body = _text(answer, "body", limit=20000, required=True)
    doctor_name = _text(answer, "doctor_name", limit=120)
    age_band = _text(record, "age_band", limit=8)
    if age_band and age_band not in _AGE_BANDS:
        raise RecordError(f"'age_band' must be one of 0-9 … 80-89, 90+: {age_band!r}")
    sex = _text(record, "sex", limit=8).lower()
    if sex and sex not in Sex.values:
        raise RecordError(f"'sex' must be female, male or other: {sex!r}")
    asking_for = _text(record, "asking_for", limit=8) or AskingFor.SELF
    if asking_for not in AskingFor.values:
        raise RecordError(f"'asking_for' must be self, child or adult: {asking_for!r}")
    duration = _text(record, "duration", limit=20)
    if duration and duration not in Duration.values:
        raise RecordError(f"'duration' must be one of {', '.join(Duration.values)}")
    if specialties is None:
        specialties = {s.slug: s for s in Specialty.objects.all()}
    slug = _text(record, "specialty", limit=40)
    if slug and slug not in specialties:
        raise RecordError(f"unknown specialty {slug!r}")
    answer_slug = _text(answer, "specialty", limit=40) or slug
    if answer_slug and answer_slug not in specialties:
        raise RecordError(f"unknown answer specialty {answer_slug!r}")
    asked_at = _date(record, "asked_at") or timezone.now()
    answered_at = _date(answer, "answered_at") or asked_at

    with transaction.atomic():
        question, created = Question.objects.update_or_create(
            external_id=external_id,
            defaults={
                "title": title or body[:120],
                "body": body or title,
                "age_band": age_band,
                "sex": sex,
                "asking_for": asking_for,
                "duration": duration,
                "medicines": _text(record, "medicines", limit=2000),
                "specialty": specialties.get(slug) if slug else None,
                "status": Status.ANSWERED,
                "created_at": asked_at,
                "answered_at": answered_at,
            },
        )
        Answer.objects.update_or_create(
            question=question,
            defaults={
                "body": answer_body,
                "doctor_name": doctor_name,
                "specialty": specialties.get(answer_slug) if answer_slug else None,
                "created_at": answered_at,
            },
        )
    return ImportOutcome(question=question, created=created)
