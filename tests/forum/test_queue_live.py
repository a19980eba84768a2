"""The review queue against real services: questions posted over HTTP to a live server, a real
`celery worker` process (prefork, two children) and a private redis-server that the tests stop,
freeze and restart. The same tests run on SQLite and on PostgreSQL (whatever DATABASE_URL says).
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.db.models import Count
from django.test import Client

from config.celery import app as celery_app
from forum import services
from forum.models import Assessment, AssessmentSource, Question, Status
from forum.tasks import sweep_submitted
from tests.factories import make_user
from tests.live_services import (
    CeleryWorker,
    RedisServer,
    attempts,
    celery_sends_to,
    database_url,
    loaded_at_start,
    paused_pid,
    process_memory,
    service_env,
    wait_for,
)

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("specialties"),
]

# The broker's socket timeouts are 2 s with one retry: a post must answer well within this.
POST_DEADLINE = 10.0
TRIAGE_DEADLINE = 90.0

POSTS = [
    (
        "Calf twitching for a month",
        "For the past month my calves twitch at rest. I have exams and drink lots of coffee. "
        "No weakness, no numbness.",
    ),
    (
        "Headache every morning this week",
        "I wake up with a dull headache every morning this week. It fades after breakfast. "
        "No fever and my vision is fine.",
    ),
    (
        "Crushing chest pain right now",
        "I have crushing chest pain spreading to my left arm and jaw, I am sweating and feel "
        "sick. It started twenty minutes ago.",
    ),
]


@dataclass(frozen=True)
class Posted:
    status: int
    location: str
    seconds: float

    @property
    def question_id(self) -> int:
        match = re.fullmatch(r".*/questions/(\d+)/", self.location)
        assert match, f"not redirected to a question page: {self.status} {self.location!r}"
        return int(match[1])


class Patient:
    """A logged-in patient's browser, reduced to what posting the ask form needs."""

    def __init__(self, base_url: str, session_id: str) -> None:
        url = urlsplit(base_url)
        self.host, self.port = url.hostname or "127.0.0.1", url.port or 80
        self.cookies = {django_settings.SESSION_COOKIE_NAME: session_id}
        status, headers, body = self._request("GET", "/ask/")
        assert status == 200, status
        for header, value in headers:
            if header.lower() == "set-cookie" and value.startswith(
                f"{django_settings.CSRF_COOKIE_NAME}="
            ):
                self.cookies[django_settings.CSRF_COOKIE_NAME] = value.split(";")[0].split("=")[1]
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        assert match, "no CSRF token in the ask form"
        self.csrf_token = match[1]

    def _request(
        self, method: str, path: str, body: str | None = None
    ) -> tuple[int, list[tuple[str, str]], str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        # A client-side timeout too: a hanging server fails the test instead of stalling it.
        conn = http.client.HTTPConnection(self.host, self.port, timeout=POST_DEADLINE * 3)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response.getheaders(), response.read().decode()
        finally:
            conn.close()

    def ask(self, n: int) -> Posted:
        title, body = POSTS[n % len(POSTS)]
        form = {
            "csrfmiddlewaretoken": self.csrf_token,
            "title": f"{title} (#{n})",
            "body": body,
            "asking_for": "self",
            "age_years": str(20 + n % 50),
            "sex": "female" if n % 2 else "male",
            "duration": "",
            "medicines": "",
            "specialty": "",
        }
        start = time.monotonic()
        status, headers, _ = self._request("POST", "/ask/", urlencode(form))
        location = next((v for k, v in headers if k.lower() == "location"), "")
        return Posted(status=status, location=location, seconds=time.monotonic() - start)

    def ask_many(self, count: int, *, at_once: int) -> list[Posted]:
        with ThreadPoolExecutor(max_workers=at_once) as pool:
            return list(pool.map(self.ask, range(count)))


@pytest.fixture
def live_dir(tmp_path: Path) -> Path:
    """Where the worker records its triage attempts (see tests/live_services.py)."""
    path = tmp_path / "live"
    path.mkdir()
    return path


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def broker(redis_server: RedisServer, settings) -> Iterator[RedisServer]:
    """This process (and its live server) sends tasks to the private Redis, none run here."""
    # Switch Celery first: it saves the configuration it restores afterwards.
    with celery_sends_to(celery_app, redis_server.url):
        settings.CELERY_BROKER_URL = redis_server.url
        settings.CELERY_TASK_ALWAYS_EAGER = False
        yield redis_server


@pytest.fixture
def start_worker(broker: RedisServer, live_dir: Path) -> Iterator[Callable[..., CeleryWorker]]:
    """Start a real worker on the test database and the private Redis; stopped after the test."""
    workers: list[CeleryWorker] = []

    def start(**extra_env: str) -> CeleryWorker:
        env = service_env(
            database_url=database_url(connection.settings_dict),
            broker_url=broker.url,
            OPENCONSULT_LIVE_DIR=str(live_dir),
            **extra_env,
        )
        worker = CeleryWorker(
            env=env,
            log_path=live_dir.parent / f"worker-{len(workers)}.log",
            concurrency=2,
            include=("tests.live_services",),
        )
        workers.append(worker)
        worker.start()
        return worker

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def patient(live_server) -> Patient:
    client = Client()
    client.force_login(make_user(email="live-patient@example.test"))
    return Patient(live_server.url, client.cookies[django_settings.SESSION_COOKIE_NAME].value)


def queued(ids: list[int]) -> int:
    return Question.objects.filter(pk__in=ids, status=Status.QUEUED).count()


def wait_until_queued(ids: list[int], worker: CeleryWorker) -> None:
    wait_for(
        lambda: queued(ids) == len(ids),
        timeout=TRIAGE_DEADLINE,
        what=f"{len(ids)} questions to be queued",
        details=lambda: f"{queued(ids)} queued\n{worker.log()}",
    )


def assert_triaged_exactly_once(ids: list[int]) -> None:
    per_question = dict(
        Assessment.objects.filter(question_id__in=ids, source=AssessmentSource.ENGINE)
        .values_list("question_id")
        .annotate(n=Count("id"))
    )
    assert sorted(per_question) == sorted(ids)
    assert set(per_question.values()) == {1}
    # What the worker stored is what the doctors' queue sorts on.
    assert not Question.objects.filter(pk__in=ids).exclude(status=Status.QUEUED).exists()
    assert not Question.objects.filter(pk__in=ids, priority=None).exists()
    assert not Question.objects.filter(pk__in=ids, specialty=None).exists()


def test_fifty_questions_posted_over_http_are_triaged_by_the_worker(
    patient: Patient, start_worker, live_dir: Path
):
    worker = start_worker()

    posted = patient.ask_many(50, at_once=5)

    assert [p.status for p in posted] == [302] * 50
    ids = [p.question_id for p in posted]
    assert len(set(ids)) == 50
    wait_until_queued(ids, worker)
    assert_triaged_exactly_once(ids)
    # Triaged in the worker's children, each once: nothing ran in this process.
    triaged_by = attempts(live_dir)
    assert sorted(question_id for question_id, _ in triaged_by) == sorted(ids)
    assert {pid for _, pid in triaged_by} <= set(worker.children())


def test_the_pool_processes_start_with_the_model_and_index_the_main_process_loaded(
    start_worker, live_dir: Path
):
    """config/celery.py loads them before the pool forks: each child has them at start, before
    any task, and holds little of its own (the pages are shared copy-on-write)."""
    worker = start_worker()
    children = wait_for(
        lambda: len(loaded_at_start(live_dir)) >= 2 and loaded_at_start(live_dir),
        timeout=30,
        what="both pool processes to report",
        details=worker.log,
    )
    assert set(children) == set(worker.children())
    for row in children.values():
        assert (row["embedder"], row["knowledge_base"], row["index"]) == (True, True, True)
    main = process_memory(worker.pid)
    for row in children.values():
        # The model alone is over 60 MB; a child that loaded its own copy would hold it privately.
        assert row["private_mb"] < min(60.0, main["rss_mb"] / 3), (row, main)


def test_nothing_is_lost_while_redis_is_down(
    patient: Patient, start_worker, broker: RedisServer, live_dir: Path
):
    worker = start_worker()
    broker.stop()

    posted = patient.ask_many(100, at_once=10)

    assert [p.status for p in posted] == [302] * 100, "every post succeeds, none is a 500"
    assert max(p.seconds for p in posted) < POST_DEADLINE
    ids = [p.question_id for p in posted]
    assert len(set(ids)) == 100
    assert Question.objects.filter(pk__in=ids, status=Status.SUBMITTED).count() == 100
    assert attempts(live_dir) == []

    broker.start()
    # What beat's sweeper runs: every question left `submitted` goes to the worker again.
    assert services.questions_sweep_submitted(older_than_seconds=0) == 100

    wait_until_queued(ids, worker)
    assert_triaged_exactly_once(ids)


def test_a_frozen_redis_neither_hangs_nor_fails_a_post(
    patient: Patient, start_worker, broker: RedisServer
):
    # The sweeper run by the worker takes every question still `submitted`, however new.
    worker = start_worker(OPENCONSULT_SWEEP_AFTER_SECONDS="0")
    broker.freeze()
    try:
        posted = patient.ask_many(20, at_once=10)
        assert [p.status for p in posted] == [302] * 20
        assert max(p.seconds for p in posted) < POST_DEADLINE
        ids = [p.question_id for p in posted]
        assert Question.objects.filter(pk__in=ids, status=Status.SUBMITTED).count() == 20
    finally:
        broker.thaw()

    # A send that timed out may still land once Redis wakes up, and the sweeper sends it again:
    # the second triage must change nothing.
    sweep_submitted.delay()

    wait_until_queued(ids, worker)
    assert_triaged_exactly_once(ids)


@pytest.mark.parametrize(
    "moment",
    [
        pytest.param("in_transaction", id="killed-before-commit"),
        pytest.param("after_commit", id="killed-after-commit-before-ack"),
    ],
)
def test_a_task_whose_worker_child_is_killed_is_redelivered_and_takes_effect_once(
    moment: str, start_worker, live_dir: Path
):
    worker = start_worker(OPENCONSULT_LIVE_PAUSE=moment)
    title, body = POSTS[0]
    question = services.question_create(
        author=make_user(), title=title, body=body, age_years=30, sex="female"
    )

    pid = wait_for(
        lambda: paused_pid(live_dir),
        timeout=30,
        what="the triage to start",
        details=worker.log,
    )
    assert pid in worker.children()
    question.refresh_from_db()
    if moment == "in_transaction":
        assert question.status == Status.SUBMITTED
        assert not question.assessments.exists()
    else:
        assert question.status == Status.QUEUED
        assert question.assessments.count() == 1

    os.kill(pid, signal.SIGKILL)

    wait_for(
        lambda: any(q == question.pk and p != pid for q, p in attempts(live_dir, "end")),
        timeout=TRIAGE_DEADLINE,
        what="the task to be redelivered",
        details=worker.log,
    )
    assert [q for q, _ in attempts(live_dir)] == [question.pk, question.pk]
    question.refresh_from_db()
    assert question.status == Status.QUEUED
    assert question.assessments.filter(source=AssessmentSource.ENGINE).count() == 1
