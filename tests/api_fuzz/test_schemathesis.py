"""Schemathesis against a live server, every check on: every operation in `/api/schema/`,
fuzzed as a patient and as a verified doctor, must give no server error, no response outside its
schema (status, content type, headers, body) and no authorization failure, must reject bad input
and must accept what the schema allows.

The server is pytest-django's `live_server` (a real threaded HTTP server) on the test database,
SQLite or PostgreSQL, whatever DATABASE_URL says. Schemathesis runs as a subprocess, so a failure
prints its own report with a `curl` line that reproduces it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.servers.basehttp import ThreadedWSGIServer
from rest_framework.throttling import ScopedRateThrottle

from accounts.models import ApiToken, User
from forum import services
from forum.models import Answer, FollowUp, Question, Status
from tests.factories import make_doctor, make_followup, make_question, make_user

pytestmark = [
    # Fresh sequences: the seeded objects get small ids, the values Hypothesis tries first.
    pytest.mark.django_db(transaction=True, serialized_rollback=True, reset_sequences=True),
    pytest.mark.usefixtures("specialties"),
]

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
# Per operation in the fuzzing phase; the coverage phase adds its boundary and wrong-type cases
# (about 2,100 requests a run in all). Generation is deterministic (Hypothesis derandomized, no
# example database): every run sends the same cases, so a failure in CI reproduces locally.
MAX_EXAMPLES = 25
# Every check Schemathesis has, as a client that trusts the schema would want: no server error;
# status, content type, headers and body as the schema says; bad input refused with a 4xx and
# input the schema allows accepted; a missing required header refused; a method the schema
# lacks a 405 with `Allow`; no operation that needs a token answering without one.
CHECKS = ["all"]
# What positive_data_acceptance takes for input the schema allows (its default): the API may still
# say who may not do it (401, 403), that there is no such object (404), that the question's state
# does not allow it (409) or to wait (429), but never that the input is bad (400).
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
# Operations that may refuse input the schema allows, with a 400:
# - questions_create: the ask rules (forum/asking.py) depend on whether the text reads as an
#   emergency (then a short text with no age or sex is taken), which no schema can say.
# - auth_token_create: a wrong e-mail address or password is a 400 until forum/api/auth.py
#   answers it with a 401.
REFUSES_SOME_VALID_INPUT = ["questions_create"]
# Left out of the run: revoking the caller's own token (DELETE /api/auth/token/). Its first
# success would turn every later request of the run into a 401. Its behaviour is covered by
# tests/forum/api/test_token.py.
EXCLUDED_OPERATION_IDS = ["auth_token_destroy", "auth_tokens_revoke_all"]

TWITCH = (
    "My left calf has been twitching for three weeks, mostly in the evening when I rest. "
    "No weakness and no numbness; I drink a lot of coffee before exams."
)


@dataclass(frozen=True)
class Seeded:
    patient: User
    doctor: User
    ids: list[int]


def _ask(author: User, title: str, **fields: object) -> Question:
    """A question posted as the API does: submitted, then triaged into the neurology queue."""
    question = services.question_create(
        author=author, title=title, body=TWITCH, age_years=30, sex="female", **fields
    )
    question.refresh_from_db()  # triaged on commit (tasks run in-process in the tests)
    assert question.status == Status.QUEUED, question.status
    return question


def _seed() -> Seeded:
    """Objects in every state a path id can reach: the patient's own questions (queued, claimed,
    waiting for information, answered, private), another patient's private one, and public
    answered Q&As from the archive."""
    patient = make_user(email="fuzz-patient@example.test")
    other = make_user(email="fuzz-other@example.test")
    doctor = make_doctor(email="fuzz-doctor@example.test")

    archive = [
        make_question(status=Status.ANSWERED, title=f"Archived twitching question {n}", index=True)
        for n in range(3)
    ]
    make_followup(question=archive[0], author=make_user(), body="Thanks, that helped.")

    queued = [_ask(patient, f"Calf twitching question {n}") for n in range(4)]
    _ask(patient, "Private calf twitching question", is_private=True)
    _ask(other, "Someone else's private twitching", is_private=True)

    claimed, needs_info, answered = queued[1], queued[2], queued[3]
    for question in (claimed, needs_info, answered):
        services.question_claim(doctor=doctor, question_id=question.pk)
    services.question_request_info(
        doctor=doctor,
        question_id=needs_info.pk,
        message="Do you notice any weakness when climbing stairs?",
    )
    services.answer_create(
        doctor=doctor,
        question=Question.objects.get(pk=answered.pk),
        body="Twitching like this with no weakness is very often benign; cut down on coffee.",
    )
    make_followup(question=answered, author=patient, body="Thank you, doctor.")
    assert Question.objects.filter(status=Status.QUEUED).exists()
    ids = {
        *Question.objects.values_list("pk", flat=True),
        *Answer.objects.values_list("pk", flat=True),
        *FollowUp.objects.values_list("pk", flat=True),
    }
    return Seeded(patient=patient, doctor=doctor, ids=sorted(ids))


@pytest.fixture
def fast_live_server(live_server, monkeypatch: pytest.MonkeyPatch) -> str:
    """The live server's URL, with Nagle's algorithm off on its connections. Django's server
    writes a response's headers and body in separate packets; on a kept-alive connection the
    second waits for the client's delayed ACK, 40 ms a request, which would be most of the run.
    """
    accept = ThreadedWSGIServer.get_request

    def get_request(server: ThreadedWSGIServer) -> tuple[socket.socket, object]:
        connection, address = accept(server)
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection, address

    monkeypatch.setattr(ThreadedWSGIServer, "get_request", get_request)
    # The address, not "localhost": no name lookup, no IPv6 attempt first.
    return str(live_server.url).replace("://localhost:", "://127.0.0.1:")


@pytest.fixture
def seeded(monkeypatch: pytest.MonkeyPatch) -> Iterator[Seeded]:
    # The real rates would answer most writes with a 429 after the first twenty; 429 is in the
    # schema of every throttled operation, but the run is meant to exercise the endpoints.
    monkeypatch.setattr(
        ScopedRateThrottle,
        "THROTTLE_RATES",
        {"post": "100000/hour", "preview": "100000/min", "login": "100000/min"},
    )
    cache.clear()
    seeded = _seed()
    yield seeded
    cache.clear()


def _config(directory: Path, ids: list[int]) -> Path:
    """Most path ids are drawn from the seeded objects' (the rest are random), so requests reach
    real questions, answers and follow-ups rather than a 404 each time. No cache in the work
    tree: every run starts from the same state."""
    path = directory / "schemathesis.toml"
    path.write_text(
        "[cache]\nenabled = false\n\n"
        f"[dictionaries.ids]\nvalues = {ids}\n\n"
        '[parameters]\n"path.id" = { dictionary = "ids", probability = 0.75 }\n'
        + "".join(
            f'\n[[operations]]\ninclude-operation-id = "{operation}"\n'
            f"checks.positive_data_acceptance.expected-statuses = {[*ACCEPTED, '400']}\n"
            for operation in REFUSES_SOME_VALID_INPUT
        )
    )
    return path


def _fuzz(base_url: str, user: User, ids: list[int], directory: Path) -> tuple[int, str, float]:
    _, token = ApiToken.objects.create(user=user)
    command = [
        str(SCHEMATHESIS),
        "--no-color",
        "--config-file",
        str(_config(directory, ids)),
        "run",
        f"{base_url}/api/schema/?format=json",
        "--header",
        f"Authorization: Token {token}",
        "--checks",
        ",".join(CHECKS),
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--generation-deterministic",
        "--workers",
        "1",
        "--request-timeout",
        "30",
        # Django's development server now and then drops a kept-alive connection; one retry on
        # a new one. A server error is a response, not a network failure: it is never retried.
        "--request-retries",
        "1",
        "--report",
        "junit",
        "--report-dir",
        str(directory),
        *[arg for op in EXCLUDED_OPERATION_IDS for arg in ("--exclude-operation-id", op)],
        # Narrows a run while debugging, e.g. FUZZ_ARGS="--include-path /api/me/".
        *os.environ.get("FUZZ_ARGS", "").split(),
    ]
    started = time.monotonic()
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=900,
        cwd=directory,  # Hypothesis keeps its caches in the working directory
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )
    return result.returncode, result.stdout + result.stderr, time.monotonic() - started


@pytest.mark.parametrize("who", ["patient", "doctor"])
def test_fuzzing_finds_no_server_error_schema_violation_or_ignored_auth(
    fast_live_server: str, seeded: Seeded, who: str, tmp_path: Path
):
    user = seeded.patient if who == "patient" else seeded.doctor
    code, output, seconds = _fuzz(fast_live_server, user, seeded.ids, tmp_path)
    print(f"schemathesis as the {who}: exit {code} in {seconds:.0f} s")
    assert code == 0, output
