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
