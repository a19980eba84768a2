"""`manage.py import_qa` writes whole batches: masked public copies, one triage per new or changed
record, the same vectors as the worker, a bounded number of queries, nothing of a failed batch."""

from __future__ import annotations

import json
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forum.models import Answer, Assessment, AssessmentSource, Question
from forum.similarity import services
from forum.similarity.concepts import concepts_of, to_json
from forum.similarity.embedding import get_embedder
from forum.similarity.models import SimilarityEntry
from forum.similarity.text import document_text
from forum.triage_adapter import assess_question

pytestmark = pytest.mark.django_db

SYMPTOMS = ["twitching", "cramps", "numbness", "a rash", "tingling", "swelling", "stiffness"]
PLACES = ["calf", "eyelid", "left shoulder", "lower back", "wrist", "jaw"]


def _record(n: int, **overrides) -> dict:
    symptom, place = SYMPTOMS[n % len(SYMPTOMS)], PLACES[n % len(PLACES)]
    record = {
        "external_id": f"r-{n}",
        "title": f"{symptom.capitalize()} in my {place}",
        "body": f"I have had {symptom} in my {place} for {n % 5 + 1} weeks. Should I worry?",
        "asked_at": "2019-03-04",
        "sex": ["female", "male", ""][n % 3],
        "specialty": "neurology",
        "answer": {"body": f"Usually benign (case {n}).", "doctor_name": "Dr. A"},
    }
    record.update(overrides)
    return record


def _import(tmp_path, records: list[dict], *args: str) -> str:
    path = tmp_path / "archive.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    out = StringIO()
    call_command("import_qa", str(path), *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_an_imported_record_with_an_email_and_a_phone_number_is_public_only_masked(tmp_path):
    record = _record(
        1,
        title="Rash after swimming, write to jo.bloggs@example.com",
        body="A red rash on my wrist since Monday. Call me on 07700 900123 in the evening.",
        medicines="Cetirizine; my pharmacist is on 020 7946 0958",
        answer={"body": "Likely contact dermatitis. Mail me at dr.a@example.org if it spreads."},
    )
    _import(tmp_path, [record])
    question = Question.objects.get()
    assert "jo.bloggs@example.com" in question.title  # as typed, for the asker and doctors
    assert question.public_title == "Rash after swimming, write to [e-mail address]"
    assert "07700 900123" not in question.public_body
    assert "[phone number]" in question.public_body
    assert "[phone number]" in question.public_medicines
    assert {d["kind"] for d in question.personal_details} >= {"email", "phone"}
    answer = Answer.objects.get()
    assert answer.public_body == (
        "Likely contact dermatitis. Mail me at [e-mail address] if it spreads."
    )
    assert answer.personal_details
    # Only the public copy is indexed and embedded.
    entry = SimilarityEntry.objects.get()
    expected = get_embedder().embed([document_text(question.public_title, question.public_body)])
    assert np.array_equal(
        np.frombuffer(entry.vector, dtype=np.float16), expected[0].astype(np.float16)
    )


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_batches_store_what_the_worker_would_one_question_at_a_time(tmp_path, jobs):
    """With a pool of processes (`--jobs 2`) or without, each question gets the vector and
    concepts the worker computes for it alone, and the triage of its own page."""
    records = [_record(n) for n in range(40)]
    output = _import(tmp_path, records, "--jobs", jobs, "--batch-size", "20")
    assert "Imported 40 Q&As (40 new, 0 updated)" in output
    entries = {e.question_id: e for e in SimilarityEntry.objects.all()}
    questions = list(Question.objects.order_by("pk"))
    texts = [document_text(q.public_title, q.public_body) for q in questions]
    alone = np.stack([get_embedder().embed([text])[0] for text in texts]).astype(np.float16)
    stored = np.stack([np.frombuffer(entries[q.pk].vector, dtype=np.float16) for q in questions])
    assert np.array_equal(stored, alone)
    for question, text in zip(questions, texts, strict=True):
        assert entries[question.pk].concepts == to_json(concepts_of(text))
        assessment = question.assessments.get()
        assert assessment.source == AssessmentSource.ENGINE
        assert assessment.result == assess_question(question).to_dict()
        assert question.urgency == assessment.urgency
        assert question.priority > 0


def test_reimport_triages_only_what_changed_and_a_repeated_id_is_an_update(tmp_path):
    records = [_record(n) for n in range(5)]
    _import(tmp_path, records)
    assert Assessment.objects.count() == 5
    changed = [*records[:4], _record(4, body="Now my calf is hot, red and swollen."), records[0]]
    output = _import(tmp_path, changed)
    assert "Imported 6 Q&As (0 new, 6 updated)" in output
    assert Question.objects.count() == 5
    # Only the changed record was triaged again; the unchanged ones keep their one assessment.
    assert Assessment.objects.count() == 6
    retriaged = Question.objects.get(external_id="r-4")
    assert retriaged.assessments.first().source == AssessmentSource.RETRIAGE
    assert retriaged.body == "Now my calf is hot, red and swollen."
    entry = SimilarityEntry.objects.get(question=retriaged)
    assert entry.text_hash == services.text_hash(
        document_text(retriaged.public_title, retriaged.public_body)
    )


def test_a_batch_costs_a_handful_of_queries_not_a_few_per_record(tmp_path):
    records = [_record(n) for n in range(60)]
    with CaptureQueriesContext(connection) as queries:
        _import(tmp_path, records, "--batch-size", "60", "--jobs", "1")
    assert Question.objects.count() == 60
    # Specialties, the look-ups, the bulk writes and the index: far fewer than one per record.
    assert len(queries) < 30, [q["sql"][:80] for q in queries]


def test_a_batch_that_fails_while_writing_writes_nothing(tmp_path, monkeypatch):
    _import(tmp_path, [_record(0)])

    def broken(**kwargs):
        raise RuntimeError("the index is gone")

    monkeypatch.setattr(services, "entries_index", broken)
    with pytest.raises(RuntimeError, match="the index is gone"):
        _import(tmp_path, [_record(0, title="Changed"), *[_record(n) for n in range(1, 5)]])
    assert list(Question.objects.values_list("external_id", "title")) == [
        ("r-0", "Twitching in my calf")
    ]
    assert (Answer.objects.count(), Assessment.objects.count()) == (1, 1)
