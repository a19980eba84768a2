"""`manage.py import_qa` and `manage.py similar`, to the contracts in docs/contracts.md."""

from __future__ import annotations

import json
from io import BytesIO, StringIO
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forum.models import Answer, Assessment, Question
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


def _write_bytes(tmp_path, lines: list[bytes]):
    path = tmp_path / "archive.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def _good(external_id: str) -> bytes:
    return json.dumps(_record(external_id)).encode()


def _imported() -> dict[str, int]:
    """How many rows of each kind the import wrote: a record is all or nothing."""
    return {
        "questions": Question.objects.count(),
        "answers": Answer.objects.count(),
        "assessments": Assessment.objects.count(),
        "indexed": SimilarityEntry.objects.count(),
    }


def test_import_qa_names_a_line_that_is_not_utf8_and_imports_the_rest(tmp_path):
    latin1 = json.dumps(_record("latin-1", title="Caf\u00e9 and palpitations"), ensure_ascii=False)
    lines = [_good("good-1"), latin1.encode("latin-1"), _good("good-2")]
    column = latin1.encode("latin-1").index(b"\xe9") + 1
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match=r"1 line\(s\) were not imported: 2$"):
        call_command("import_qa", str(_write_bytes(tmp_path, lines)), stdout=out, stderr=err)
    assert err.getvalue() == (
        f"archive.jsonl line 2: not valid UTF-8 (byte 0xe9 at column {column})\n"
    )
    assert "Imported 2 Q&As (2 new, 0 updated)" in out.getvalue()
    assert "1 line(s) failed." in out.getvalue()
    assert set(Question.objects.values_list("external_id", flat=True)) == {"good-1", "good-2"}
    assert _imported() == {"questions": 2, "answers": 2, "assessments": 2, "indexed": 2}


def test_import_qa_names_lines_no_database_can_store_and_writes_nothing_of_them(tmp_path):
    lines = [
        _good("good-1"),
        json.dumps(_record("nul", body="Calf pain\u0000 at night")).encode(),
        json.dumps(_record("surrogate", title="Rash \ud83d on my arm")).encode(),
        b"[" * 100_000 + b"]" * 100_000,
        b'{"external_id": ' + b"9" * 5000 + b"}",
        b"\xff\xfe\x00{",
        _good("good-2"),
    ]
    err = StringIO()
    with pytest.raises(CommandError, match=r"5 line\(s\) were not imported: 2, 3, 4, 5, 6$"):
        call_command("import_qa", str(_write_bytes(tmp_path, lines)), stdout=StringIO(), stderr=err)
    assert err.getvalue().splitlines() == [
        "archive.jsonl line 2: a string holds a NUL character (\\u0000)",
        "archive.jsonl line 3: a string holds an unpaired surrogate (\\ud83d)",
        "archive.jsonl line 4: not valid JSON (nested too deeply)",
        "archive.jsonl line 5: not valid JSON (a number too long to read)",
        "archive.jsonl line 6: not valid UTF-8 (byte 0xff at column 1)",
    ]
    assert set(Question.objects.values_list("external_id", flat=True)) == {"good-1", "good-2"}
    assert _imported() == {"questions": 2, "answers": 2, "assessments": 2, "indexed": 2}


def test_import_qa_reads_a_file_saved_with_a_byte_order_mark(tmp_path):
    path = _write_bytes(tmp_path, [b"\xef\xbb\xbf" + _good("bom-1"), _good("bom-2")])
    out = StringIO()
    call_command("import_qa", str(path), stdout=out, stderr=StringIO())
    assert "Imported 2 Q&As (2 new, 0 updated)" in out.getvalue()


def test_import_qa_from_stdin_names_a_bad_byte_and_imports_the_rest(monkeypatch):
    stdin = SimpleNamespace(buffer=BytesIO(_good("in-1") + b"\n\x80\n" + _good("in-2") + b"\n"))
    monkeypatch.setattr("sys.stdin", stdin)
    err = StringIO()
    with pytest.raises(CommandError, match="1 line"):
        call_command("import_qa", "-", stdout=StringIO(), stderr=err)
    assert err.getvalue() == "stdin line 2: not valid UTF-8 (byte 0x80 at column 1)\n"
    assert _imported() == {"questions": 2, "answers": 2, "assessments": 2, "indexed": 2}


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


def test_similar_names_a_line_that_is_not_utf8_and_answers_the_rest(tmp_path):
    answered(*CALF)
    path = tmp_path / "queries.jsonl"
    path.write_bytes(
        b'{"id": 1, "text": "calves"}\n{"id": 2, "text": "caf\xe9"}\n{"id": 3, "text": "calf"}\n'
    )
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 line"):
        call_command("similar", "--jsonl", str(path), stdout=out, stderr=err)
    assert err.getvalue() == "queries.jsonl line 2: not valid UTF-8 (byte 0xe9 at column 23)\n"
    assert [json.loads(line)["id"] for line in out.getvalue().splitlines()] == [1, 3]


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
