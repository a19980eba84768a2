"""`manage.py import_qa` and `manage.py similar`, to the contracts in docs/DESIGN.md."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forum.models import Answer, Question
from forum.similarity import lexical
from forum.similarity.models import SimilarityEntry
from tests.forum.similarity.helpers import CALF, EYELID, answered

pytestmark = pytest.mark.django_db


def _record(external_id: str, **overrides) -> dict:
    record = {
        "external_id": external_id,
        "title": "Calf twitching for a month",
        "body": "My calves twitch every evening and I am stressed about exams.",
        "asked_at": "2018-01-19",
        "age_band": "20-29",
        "sex": "female",
        "specialty": "neurology",
        "answer": {"body": "Usually benign.", "doctor_name": "Dr. A", "answered_at": "2018-01-20"},
    }
    record.update(overrides)
    return record


def _write(tmp_path, lines: list[str]):
    path = tmp_path / "archive.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_qa_imports_answered_public_and_indexed_qas(tmp_path):
    path = _write(tmp_path, [json.dumps(_record("a-1")), json.dumps(_record("a-2"))])
    out = StringIO()
    call_command("import_qa", str(path), stdout=out, stderr=StringIO())
    assert "Imported 2 Q&As (2 new, 0 updated)" in out.getvalue()
    assert Question.objects.public().count() == 2
    assert SimilarityEntry.objects.filter(is_public=True).count() == 2
    assert SimilarityEntry.objects.first().concepts


def test_import_qa_updates_on_reimport_and_never_duplicates(tmp_path):
    call_command(
        "import_qa", str(_write(tmp_path, [json.dumps(_record("a-1"))])), stdout=StringIO()
    )
    changed = _record("a-1", title="Eyelid twitching after coffee")
    out = StringIO()
    call_command("import_qa", str(_write(tmp_path, [json.dumps(changed)])), stdout=out)
    assert "(0 new, 1 updated)" in out.getvalue()
    assert Question.objects.get().title == "Eyelid twitching after coffee"
    assert Answer.objects.count() == 1
    assert SimilarityEntry.objects.count() == 1


def test_import_qa_names_each_bad_line_keeps_going_and_fails_at_the_end(tmp_path):
    lines = [
        json.dumps(_record("good-1")),
        "{not json",
        json.dumps(_record("bad-answer", answer={"doctor_name": "Dr. B"})),
        "",
        json.dumps(_record("bad-specialty", specialty="astrology")),
        json.dumps(_record("good-2")),
    ]
    err = StringIO()
    with pytest.raises(CommandError, match="3 line"):
        call_command("import_qa", str(_write(tmp_path, lines)), stdout=StringIO(), stderr=err)
    assert "archive.jsonl line 2: not valid JSON" in err.getvalue()
    assert "archive.jsonl line 3: 'body' is required" in err.getvalue()
    assert "archive.jsonl line 5: unknown specialty 'astrology'" in err.getvalue()
    assert set(Question.objects.values_list("external_id", flat=True)) == {"good-1", "good-2"}
    assert SimilarityEntry.objects.count() == 2


def test_import_qa_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_qa", str(tmp_path / "nope.jsonl"))


def test_similar_prints_the_json_contract():
    calf = answered(*CALF, external_id="ext-calf")
    answered(*EYELID)
    out = StringIO()
    call_command("similar", "--json", "-k", "1", "calves twitch when I'm stressed", stdout=out)
    data = json.loads(out.getvalue())
    assert list(data) == ["results"]
    assert len(data["results"]) == 1
    result = data["results"][0]
    assert list(result) == ["id", "external_id", "title", "score"]
    assert (result["id"], result["external_id"], result["title"]) == (
        calf.pk,
        "ext-calf",
        CALF[0],
    )
    assert 0 < result["score"] <= 1


def test_similar_reads_jsonl_and_prints_one_line_per_query(tmp_path):
    calf = answered(*CALF)
    path = tmp_path / "queries.jsonl"
    lines = [{"id": 7, "text": "my calves twitch"}, {"id": "b", "text": "jumping eyelid"}]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    out = StringIO()
    call_command("similar", "--jsonl", str(path), "-k", "3", stdout=out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["id"] for r in rows] == [7, "b"]
    assert rows[0]["results"][0]["id"] == calf.pk


def test_similar_names_a_bad_jsonl_line_and_fails(tmp_path):
    answered(*CALF)
    path = tmp_path / "queries.jsonl"
    path.write_text('{"id": 1, "text": "calves"}\n{"id": 2}\n', encoding="utf-8")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError):
        call_command("similar", "--jsonl", str(path), stdout=out, stderr=err)
    assert "queries.jsonl line 2: needs a string 'text'" in err.getvalue()
    assert len(out.getvalue().splitlines()) == 1


def test_similar_rebuilds_the_index():
    answered(*CALF)
    SimilarityEntry.objects.all().delete()
    out = StringIO()
    call_command("similar", "--rebuild-index", "--full", stdout=out, stderr=StringIO())
    assert "Indexed 1 public Q&As (1 embedded)" in out.getvalue()


def test_import_qa_and_the_rebuild_refresh_the_word_counts_lookups_read(tmp_path):
    """On PostgreSQL lookups read the counts these commands refresh; SQLite counts live."""
    on_postgresql = connection.vendor == "postgresql"
    lines = [json.dumps(_record("a-1")), json.dumps(_record("a-2", title="Calf cramps"))]
    call_command("import_qa", str(_write(tmp_path, lines)), stdout=StringIO())
    answered(*EYELID)  # indexed by the worker: counted at the next refresh
    if on_postgresql:
        assert (_stored_word_count("calf"), _stored_word_count("eyelid")) == (2, None)
    call_command("similar", "--rebuild-index", stdout=StringIO(), stderr=StringIO())
    lexical.forget_frequencies()
    with CaptureQueriesContext(connection) as queries:
        counts = lexical.document_frequencies(["calf", "exam", "eyelid"], cap=100, indexed=3)
    assert counts == {"calf": 2, "exam": 2, "eyelid": 1}
    counted_live = [q for q in queries if lexical.WORD_COUNTS_TABLE not in q["sql"]]
    assert len(counted_live) == (0 if on_postgresql else 1)
    if on_postgresql:
        assert _stored_word_count("") == 3  # questions indexed when counted


def _stored_word_count(word: str) -> int | None:
    """PostgreSQL's word-count table (`lexical.word_counts_refresh`): None when not stored."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT documents FROM {lexical.WORD_COUNTS_TABLE} WHERE word = %s",  # noqa: S608
            [word],
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])
