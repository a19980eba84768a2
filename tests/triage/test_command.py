from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command


class _Stdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


def test_it_prints_one_result_as_json() -> None:
    out = io.StringIO()
    call_command("triage", "--json", "Crushing chest pain spreading to my arm", stdout=out)
    data = json.loads(out.getvalue())
    assert data["urgency"] == "emergency"


def test_it_reads_text_from_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", _Stdin(b"my eyelid twitches"))
    out = io.StringIO()
    call_command("triage", "--json", "-", stdout=out)
    assert json.loads(out.getvalue())["specialty"] == "neurology"


def test_it_rejects_empty_text() -> None:
    with pytest.raises(CommandError, match="empty"):
        call_command("triage", "--json", "  ")


def test_it_rejects_non_utf8_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", _Stdin(b"\xff\xfe bad"))
    with pytest.raises(CommandError, match="UTF-8"):
        call_command("triage", "--json", "-")


def test_a_batch_continues_past_a_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "posts.jsonl"
    path.write_bytes(
        b'{"id": 1, "text": "I cannot breathe"}\n'
        b"not json\n"
        b'{"id": 3, "text": ""}\n'
        b'{"id": 4, "text": "eyelid twitch"}\n'
    )
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="2 line"):
        call_command("triage", "--jsonl", str(path), stdout=out, stderr=err)
    results = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["id"] for r in results] == [1, 4]
    assert "line 2" in err.getvalue()
    assert "line 3" in err.getvalue()


def test_a_batch_names_each_bad_field_and_triages_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "posts.jsonl"
    path.write_bytes(
        b'{"id": 1, "text": "my eyelid twitches", "age": 34, "duration": "2 weeks"}\n'
        b'{"id": 2, "text": "my eyelid twitches", "age": "thirty"}\n'
        b'{"id": 3, "text": "my eyelid twitches", "duration": 5}\n'
        b'{"id": 4, "text": "my eyelid twitches", "age": true}\n'
        b'{"id": 5, "text": "my eyelid twitches", "sex": ["female"]}\n'
        b'{"id": 6, "text": "my eyelid twitches", "subject": {"who": "me"}}\n'
        b'{"id": 7, "text": "my eyelid twitches", "age": 400}\n'
        b'{"id": {"nested": 1}, "text": "my eyelid twitches"}\n'
        b'{"id": 9, "text": "Crushing chest pain spreading to my arm", "age": 61.5}\n'
    )
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match=r"^7 line\(s\) could not be triaged$") as failed:
        call_command("triage", "--jsonl", str(path), stdout=out, stderr=err)
    assert failed.value.returncode == 1
    results = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["id"] for r in results] == [1, 9]
    assert results[1]["urgency"] == "emergency"
    assert err.getvalue().splitlines() == [
        "posts.jsonl line 2: age must be a number of years between 0 and 130, not 'thirty'",
        "posts.jsonl line 3: duration must be text such as '3 days', not 5",
        "posts.jsonl line 4: age must be a number of years between 0 and 130, not True",
        "posts.jsonl line 5: sex must be one of female, male, other, not ['female']",
        "posts.jsonl line 6: subject must be one of self, child, adult, not {'who': 'me'}",
        "posts.jsonl line 7: age must be a number of years between 0 and 130, not 400",
        'posts.jsonl line 8: "id" must be a string or a number',
    ]


def test_a_batch_names_lines_that_are_not_utf8_or_cannot_be_written_out(tmp_path: Path) -> None:
    path = tmp_path / "posts.jsonl"
    path.write_bytes(
        b'{"id": 1, "text": "caf\xe9 made my heart race"}\n'
        b'{"id": 2, "text": "a rash \\ud83d on my arm"}\n'
        b"\n"
        b'{"id": 4, "text": "my eyelid twitches"}\n'
    )
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="2 line"):
        call_command("triage", "--jsonl", str(path), stdout=out, stderr=err)
    assert [json.loads(line)["id"] for line in out.getvalue().splitlines()] == [4]
    assert err.getvalue().splitlines() == [
        "posts.jsonl line 1: not valid UTF-8 (byte 0xe9 at column 23)",
        "posts.jsonl line 2: a string holds an unpaired surrogate (\\ud83d)",
    ]


def test_a_batch_from_stdin_names_its_bad_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "sys.stdin", _Stdin(b'{"id": 1, "text": "eyelid twitch", "age": "x"}\n\xff\n')
    )
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="2 line"):
        call_command("triage", "--jsonl", "-", stdout=out, stderr=err)
    assert out.getvalue() == ""
    assert err.getvalue().splitlines() == [
        "stdin line 1: age must be a number of years between 0 and 130, not 'x'",
        "stdin line 2: not valid UTF-8 (byte 0xff at column 1)",
    ]
