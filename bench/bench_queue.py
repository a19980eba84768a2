"""Post -> triaged-in-queue latency through a real Celery worker and Redis, and the queue's cost.

A burst of posts goes through the ask form (Django's test client, the whole request stack); each
post's latency runs from the start of its request to the `queued_at` the worker stamps inside
the triage transaction. The same posts triaged in-process (no broker: the task runs inside the
request, the embedded default) give the baseline, measured in the same run, so the ratio of the
two stays meaningful on a busy machine. Goal: p95 under 1 s through the queue.

Everything is its own and removed at the end: a SQLite file, or a throwaway PostgreSQL database
on the server DATABASE_URL names; a redis-server on a free port; a prefork worker (2 children).

    python bench/bench_queue.py [--posts 100]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.live_services import CeleryWorker, RedisServer, service_env, wait_for

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "tests" / "triage" / "data" / "eval_posts.jsonl"
WARM_UP = 10


def make_posts(count: int) -> list[dict[str, str]]:
    """Ask-form data from the triage evaluation set: real-looking posts, every urgency."""
    texts = [json.loads(line)["text"] for line in EVAL.read_text(encoding="utf-8").splitlines()]
    texts = [text for text in texts if len(text) >= 30]  # the form's minimum
    rng = random.Random(11)
    posts = []
    for n in range(count):
        text = rng.choice(texts)
        posts.append(
            {
                "title": f"{' '.join(text.split()[:8])[:180]} ({n})",
                "body": text,
                "asking_for": "self",
                "age_years": str(rng.randint(18, 80)),
                "sex": rng.choice(["female", "male"]),
                "duration": "",
                "medicines": "",
                "specialty": "",
            }
        )
    return posts


@contextmanager
def bench_database(directory: Path) -> Iterator[str]:
    """A DATABASE_URL of an empty database of our own, dropped afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{directory / 'bench.sqlite3'}"
        return
    import psycopg
    from psycopg import sql

    name = f"openconsult_bench_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as server:
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(url, autocommit=True) as server:
            server.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def post_burst(client: Any, posts: list[dict[str, str]]) -> list[tuple[datetime, float]]:
    """Post one after another as fast as the site answers: (request start, request seconds)."""
    from django.utils import timezone

    sent = []
    for data in posts:
        started_at, start = timezone.now(), time.perf_counter()
        response = client.post("/ask/", data)
        if response.status_code != 302:
            raise RuntimeError(f"post failed: {response.status_code}")
        sent.append((started_at, time.perf_counter() - start))
    return sent


def latencies(
    first_id: int, sent: list[tuple[datetime, float]], worker: CeleryWorker
) -> list[float]:
    """Seconds from each request's start to its question's `queued_at`, once all are queued."""
    from forum.models import Question, Status

    questions = Question.objects.filter(pk__gt=first_id).order_by("pk")

    def all_queued() -> bool:
        return questions.filter(status=Status.QUEUED).count() == len(sent)

    wait_for(all_queued, timeout=120, what=f"{len(sent)} posts to be queued", details=worker.log)
    queued_at = list(questions.values_list("queued_at", flat=True))
    return [(q - s).total_seconds() for q, (s, _) in zip(queued_at, sent, strict=True)]


def last_id() -> int:
    from forum.models import Question

    return Question.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def run(count: int, directory: Path) -> None:
    redis_server = RedisServer(directory)
    redis_server.start()
    worker: CeleryWorker | None = None
    try:
        with bench_database(directory) as database_url:
            env = service_env(database_url=database_url, broker_url=redis_server.url)
            os.environ.update(env)
            os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
            os.environ["DJANGO_LOG_LEVEL"] = "WARNING"  # not a line per in-process task
            import django

            django.setup()
            from django.core.management import call_command
            from django.db import connections
            from django.test import Client
            from django.test.utils import override_settings

            from accounts.models import User
            from config.celery import app

            try:
                call_command("migrate", verbosity=0)
                patient = User.objects.create_user(email="bench@example.test")
                client = Client()
                client.force_login(patient)
                worker = CeleryWorker(env=env, log_path=directory / "worker.log", concurrency=2)
                worker.start()
                posts = make_posts(2 * (count + WARM_UP))

                # In-process: what a site without a broker does, the baseline.
                app.conf.task_always_eager = True
                with override_settings(CELERY_TASK_ALWAYS_EAGER=True):
                    post_burst(client, posts[:WARM_UP])
                    first = last_id()
                    sent = post_burst(client, posts[WARM_UP : WARM_UP + count])
                    inline = latencies(first, sent, worker)
                inline_requests = [seconds for _, seconds in sent]

                # Through Redis and the worker; its children warm up on the first posts.
                app.conf.task_always_eager = False
                rest = posts[WARM_UP + count :]
                first = last_id()
                latencies(first, post_burst(client, rest[:WARM_UP]), worker)
                first = last_id()
                started = time.perf_counter()
                sent = post_burst(client, rest[WARM_UP:])
                burst_seconds = time.perf_counter() - started
                queued = latencies(first, sent, worker)
                queued_requests = [seconds for _, seconds in sent]
            finally:
                if worker is not None:
                    worker.stop()
                connections.close_all()
    finally:
        redis_server.stop()

    def ms(seconds: float) -> str:
        return f"{seconds * 1000:.0f} ms"

    database = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    print(f"database: {database}; worker: prefork, 2 children; broker: redis-server")
    print(f"burst: {count} posts in {burst_seconds:.2f} s ({count / burst_seconds:.0f} posts/s)")
    print(
        f"post -> queued through the worker: p50 {ms(statistics.median(queued))}  "
        f"p95 {ms(percentile(queued, 0.95))}  max {ms(max(queued))}  (goal: p95 < 1000 ms)"
    )
    print(
        f"post -> queued in-process:         p50 {ms(statistics.median(inline))}  "
        f"p95 {ms(percentile(inline, 0.95))}"
    )
    print(
        f"queue overhead: p50 x{statistics.median(queued) / statistics.median(inline):.1f} "
        f"(+{ms(statistics.median(queued) - statistics.median(inline))}), "
        f"p95 x{percentile(queued, 0.95) / percentile(inline, 0.95):.1f}"
    )
    print(
        f"the patient's wait for the page: p50 {ms(statistics.median(queued_requests))} queued, "
        f"{ms(statistics.median(inline_requests))} in-process"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100, help="posts in the measured burst")
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="openconsult-bench-queue-"))
    try:
        run(args.posts, directory)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
