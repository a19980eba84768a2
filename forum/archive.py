"""Archive import: one answered Q&A per record, in the format of docs/contracts.md.

`qa_validate` checks a record completely before anything is written, so a bad record writes
nothing; `ArchiveImport` writes valid records a batch at a time (`import_qa`), and
`qa_import_record` one at a time.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import Sex
from forum.models import (
    PRIORITY,
    Answer,
    AskingFor,
    Assessment,
    AssessmentSource,
    Duration,
    Question,
    Specialty,
    Status,
)
from forum.similarity.services import PreparedEntry

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


@dataclass(frozen=True)
class ArchiveRecord:
    """A record that passed every check, with the values the Q&A is written with."""

    external_id: str
    title: str
    body: str
    age_band: str
    sex: str
    asking_for: str
    duration: str
    medicines: str
    specialty: str
    answer_body: str
    doctor_name: str
    answer_specialty: str
    asked_at: dt.datetime
    answered_at: dt.datetime

    def question_fields(self, specialties: dict[str, Specialty]) -> dict[str, Any]:
        return {
            "title": self.title,
            "body": self.body,
            "age_band": self.age_band,
            "sex": self.sex,
            "asking_for": self.asking_for,
            "duration": self.duration,
            "medicines": self.medicines,
            "specialty": specialties.get(self.specialty) if self.specialty else None,
            "status": Status.ANSWERED,
            "created_at": self.asked_at,
            "answered_at": self.answered_at,
        }

    def answer_fields(self, specialties: dict[str, Specialty]) -> dict[str, Any]:
        return {
            "body": self.answer_body,
            "doctor_name": self.doctor_name,
            "specialty": specialties.get(self.answer_specialty) if self.answer_specialty else None,
            "created_at": self.answered_at,
        }


def qa_validate(record: Any, *, specialties: dict[str, Specialty]) -> ArchiveRecord:
    """Check a record completely, writing nothing. Raises RecordError on bad input."""
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
    slug = _text(record, "specialty", limit=40)
    if slug and slug not in specialties:
        raise RecordError(f"unknown specialty {slug!r}")
    answer_slug = _text(answer, "specialty", limit=40) or slug
    if answer_slug and answer_slug not in specialties:
        raise RecordError(f"unknown answer specialty {answer_slug!r}")
    asked_at = _date(record, "asked_at") or timezone.now()
    answered_at = _date(answer, "answered_at") or asked_at
    return ArchiveRecord(
        external_id=external_id,
        title=title or body[:120],
        body=body or title,
        age_band=age_band,
        sex=sex,
        asking_for=asking_for,
        duration=duration,
        medicines=_text(record, "medicines", limit=2000),
        specialty=slug,
        answer_body=answer_body,
        doctor_name=doctor_name,
        answer_specialty=answer_slug,
        asked_at=asked_at,
        answered_at=answered_at,
    )


def qa_import_record(
    record: Any, *, specialties: dict[str, Specialty] | None = None
) -> ImportOutcome:
    """Create or update the Q&A with this `external_id`. Raises RecordError on bad input.

    One record at a time (the demo data, the similarity evaluation); `import_qa` writes whole
    batches with `ArchiveImport`."""
    if specialties is None:
        specialties = {s.slug: s for s in Specialty.objects.all()}
    valid = qa_validate(record, specialties=specialties)
    with transaction.atomic():
        question, created = Question.objects.update_or_create(
            external_id=valid.external_id, defaults=valid.question_fields(specialties)
        )
        Answer.objects.update_or_create(
            question=question, defaults=valid.answer_fields(specialties)
        )
    return ImportOutcome(question=question, created=created)


# --------------------------------------------------------------------------------------------
# Batches: the work of each record that needs no database (masking, triage, the similarity
# concepts and the embedding) runs in a few processes at once; the writes are a handful of bulk
# queries per batch, in one transaction.


@dataclass(frozen=True)
class _Task:
    record: ArchiveRecord
    age_years: int | None  # of a question already stored (imports set none)
    triage: bool  # False: the newest assessment already holds this text and knowledge base
    indexed_hash: str  # the text hash its similarity entry was embedded from ("": none)


@dataclass(frozen=True)
class _Prepared:
    question_masked: dict[str, Any]  # public copies and personal_details
    answer_masked: dict[str, Any]
    assessment: dict[str, Any] | None  # the triage's fields, when triaged
    index: PreparedEntry | None  # None: the stored entry is for this text already


def _masked(instance: Any) -> dict[str, Any]:
    instance.mask_personal_details()
    fields = [*instance.MASKED_FIELDS.values(), "personal_details"]
    return {name: getattr(instance, name) for name in fields}


def _prepare(task: _Task) -> _Prepared:
    """What a record needs before it is written; no database. Runs in a pool process."""
    from forum.similarity.concepts import concepts_of, to_json
    from forum.similarity.embedding import get_embedder
    from forum.similarity.text import document_text, text_hash
    from forum.triage_adapter import assess_fields

    record = task.record
    question = _masked(Question(title=record.title, body=record.body, medicines=record.medicines))
    answer = _masked(Answer(body=record.answer_body))
    assessment = None
    if task.triage:
        result = assess_fields(
            title=record.title,
            body=record.body,
            age=task.age_years,
            sex=record.sex,
            asking_for=record.asking_for,
            duration=record.duration,
        )
        assessment = {
            "urgency": result.urgency,
            "specialty": result.specialty,
            "result": result.to_dict(),
            "engine_version": result.engine_version,
            "kb_version": result.kb_version,
        }
    text = document_text(question["public_title"], question["public_body"])
    digest = text_hash(text)
    index = None
    if digest != task.indexed_hash:
        # One text per model run, as the worker embeds it: the same vector.
        index = PreparedEntry(
            text_hash=digest,
            vector=get_embedder().embed([text])[0],
            concepts=to_json(concepts_of(text)),
        )
    return _Prepared(
        question_masked=question, answer_masked=answer, assessment=assessment, index=index
    )


def _warm_up() -> None:
    """Load the model, the knowledge base and the name lists once, before the pool forks, so
    its processes share them instead of loading a copy each."""
    from forum.privacy import masking
    from forum.similarity.concepts import concepts_of
    from forum.similarity.embedding import get_embedder

    get_embedder().embed(["warm up"])
    concepts_of("warm up")
    masking.warm_up()


def default_jobs() -> int:
    """Processes that prepare records: one per CPU this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class ArchiveImport:
    """Writes validated records batch by batch (`write`); close it when done.

    With `jobs` > 1, records are prepared by a pool of that many processes, forked from this
    one after the model is loaded (they share it). Use as a context manager."""

    # Below this many records a batch is prepared here: forking costs more than it saves.
    POOL_MIN = 16

    def __init__(self, *, specialties: dict[str, Specialty], jobs: int = 1) -> None:
        self.specialties = specialties
        self.jobs = max(1, jobs)
        self._pool: Any = None

    def __enter__(self) -> ArchiveImport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def _map(self, tasks: list[_Task]) -> list[_Prepared]:
        if self.jobs == 1 or len(tasks) < self.POOL_MIN:
            return [_prepare(task) for task in tasks]
        if self._pool is None:
            import multiprocessing

            _warm_up()
            # Forked, not spawned: the children start with the model loaded, copy-on-write.
            # They never touch the database connection they inherit.
            self._pool = multiprocessing.get_context("fork").Pool(self.jobs)
        chunk = max(1, len(tasks) // (self.jobs * 4))
        return list(self._pool.map(_prepare, tasks, chunksize=chunk))

    def write(self, records: list[ArchiveRecord]) -> list[ImportOutcome]:
        """Create or update these Q&As (distinct external_ids), triage the new and changed
        ones and index them for similarity, in one transaction: the batch is written whole or
        not at all. Outcomes in the order of `records`."""
        from forum.similarity.models import SimilarityEntry
        from forum.similarity.services import entries_index
        from forum.triage_adapter import question_text

        ids = [r.external_id for r in records]
        if len(set(ids)) != len(ids):
            raise ValueError("a batch holds one record per external_id")
        with transaction.atomic():
            existing = {
                q.external_id: q
                for q in Question.objects.select_for_update()
                .filter(external_id__in=ids)
                .only("pk", "external_id", "age_years", "urgency", "priority")
            }
            pks = [q.pk for q in existing.values()]
            latest: dict[int, tuple[str, str]] = {}
            for question_id, kb_version, text in (
                Assessment.objects.filter(question_id__in=pks)
                .order_by("question_id", "-created_at", "-id")
                .values_list("question_id", "kb_version", "text")
            ):
                latest.setdefault(question_id, (kb_version, text))
            indexed = dict(
                SimilarityEntry.objects.filter(
                    question_id__in=pks, model_version=_model_version()
                ).values_list("question_id", "text_hash")
            )
            current_kb = _kb_version()
            tasks = []
            for record in records:
                stored = existing.get(record.external_id)
                if stored is None:
                    tasks.append(_Task(record, None, True, ""))
                    continue
                before = latest.get(stored.pk)
                typed = question_text(Question(title=record.title, body=record.body))
                tasks.append(
                    _Task(
                        record,
                        stored.age_years,
                        before != (current_kb, typed),
                        indexed.get(stored.pk, ""),
                    )
                )
            prepared = self._map(tasks)

            # One upsert per table on the unique key: new rows are inserted, stored ones get
            # the record's fields (and nothing else: a hidden Q&A stays hidden).
            questions: list[Question] = []
            for record, ready in zip(records, prepared, strict=True):
                stored = existing.get(record.external_id)
                question = Question(
                    external_id=record.external_id,
                    **record.question_fields(self.specialties),
                    **ready.question_masked,
                )
                if ready.assessment is not None:
                    question.urgency = ready.assessment["urgency"]
                    question.priority = PRIORITY[question.urgency]
                elif stored is not None:
                    question.urgency, question.priority = stored.urgency, stored.priority
                questions.append(question)
            Question.objects.bulk_create(
                questions,
                update_conflicts=True,
                unique_fields=["external_id"],
                update_fields=_QUESTION_FIELDS,
            )
            Answer.objects.bulk_create(
                [
                    Answer(
                        question=question,
                        **record.answer_fields(self.specialties),
                        **ready.answer_masked,
                    )
                    for question, record, ready in zip(questions, records, prepared, strict=True)
                ],
                update_conflicts=True,
                unique_fields=["question"],
                update_fields=_ANSWER_FIELDS,
            )
            Assessment.objects.bulk_create(
                Assessment(
                    question=question,
                    source=(
                        AssessmentSource.RETRIAGE
                        if question.pk in latest
                        else AssessmentSource.ENGINE
                    ),
                    text=question_text(question),
                    **ready.assessment,
                )
                for question, ready in zip(questions, prepared, strict=True)
                if ready.assessment is not None
            )
            entries_index(
                question_ids=[q.pk for q in questions],
                prepared={
                    q.pk: ready.index
                    for q, ready in zip(questions, prepared, strict=True)
                    if ready.index is not None
                },
            )
        return [ImportOutcome(question=q, created=q.external_id not in existing) for q in questions]


_QUESTION_FIELDS = [
    "title",
    "body",
    "age_band",
    "sex",
    "asking_for",
    "duration",
    "medicines",
    "specialty",
    "status",
    "created_at",
    "answered_at",
    *Question.MASKED_FIELDS.values(),
    "personal_details",
    "urgency",
    "priority",
    "updated_at",
]
_ANSWER_FIELDS = [
    "body",
    "doctor_name",
    "specialty",
    "created_at",
    *Answer.MASKED_FIELDS.values(),
    "personal_details",
]


def _model_version() -> str:
    from forum.similarity.embedding import MODEL_VERSION

    return MODEL_VERSION


def _kb_version() -> str:
    import triage

    return triage.kb_version()
