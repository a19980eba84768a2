"""Public pages and the API list at N Q&As: p50 / p95 against a bare view, and served requests/s.

Run from the repository root: `.venv/bin/python bench/bench_pages.py` (`make bench` runs it).
By default it builds 1,000 and then 10,000 public answered Q&As on SQLite and on PostgreSQL (a
scratch database on postgres://postgres@127.0.0.1:5432, `bench_pages` unless BENCH_PAGES_PG_DB
names another, created and dropped; BENCH_PG_URL names another server) and takes a few minutes.

    --sizes 1000,10000,100000     or BENCH_PAGES_SIZES; each size grows the same archive
    --databases sqlite            or BENCH_PAGES_DATABASES (sqlite,postgresql)
    --requests 200                timed requests per page and size
    --wrk-seconds 10              wrk per page at the largest size (0: not served)

1,000,000 on PostgreSQL: `--databases postgresql --sizes 1000,100000,1000000` (about 20 minutes
to build on a 2-core machine).

The archive is built with bulk inserts (questions and answers with the public copies `save()`
writes, assessments, similarity entries and the full-text index of the public copies, as the
worker would leave them), not through the services one by one: 88 %
public answered Q&As, the rest private, hidden or still waiting. Each question's vector is the
normalised sum of its sentences' vectors, from a pool embedded once by the real model.

Every page is requested through Django's test client (the whole middleware stack) alternately
with the bare view of `pages_site.py` (one indexed query, a one-line template), so the ratio of
their medians holds on a shared, busy machine. At the largest size the site is also served by
gunicorn with the project's config (`config/gunicorn.py`, three workers) and loaded with wrk
(8 connections), and each worker's memory is read from /proc/<pid>/smaps_rollup.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
PG_DB = os.environ.get("BENCH_PAGES_PG_DB", "bench_pages")
SAMPLE = 100  # questions whose pages are visited
BATCH = 5000

sys.path.insert(0, str(BENCH))
from bench_similar import ASKS, CONTEXTS, DURATIONS, PLACES, SYMPTOMS  # noqa: E402

ANSWERS = [
    "Thanks for the clear description. **Most cases like this are benign** and settle within a "
    "few weeks with rest, sleep and less caffeine.\n\n**See your doctor if**\n- it spreads or "
    "gets worse;\n- you notice weakness, numbness or wasting;\n- it lasts more than a month.\n\n"
    "Call emergency services for sudden weakness of one side, trouble speaking or breathing.",
    "What you describe is common after new exercise or a long day at a desk. Stretch gently, "
    "keep moving, and use a warm compress.\n\nIf there is **swelling, redness and heat**, or a "
    "fever, see a doctor within a day or two. Any chest pain or breathlessness: call now.",
    "This is worth a check with your GP, who can examine you and order simple blood tests "
    "(blood count, thyroid, B12, electrolytes).\n\nUntil then keep a short diary of when it "
    "happens, what you ate and how you slept: it helps the doctor a lot.",
]


def _percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return round(statistics.median(ordered), 2), round(ordered[int(0.95 * len(ordered)) - 1], 2)


# --------------------------------------------------------------------------------------------
# The parent: the sentence pool, then one child process per database.


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=os.environ.get("BENCH_PAGES_SIZES", "1000,10000"))
    parser.add_argument(
        "--databases", default=os.environ.get("BENCH_PAGES_DATABASES", "sqlite,postgresql")
    )
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--wrk-seconds", type=int, default=10)
    args = parser.parse_args()
    sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]

    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    import random

    import django

    django.setup()
    import numpy as np

    from forum.similarity.concepts import concepts_of, to_json
    from forum.similarity.embedding import get_embedder
    from forum.triage_adapter import assess_fields

    rng = random.Random(20260514)
    # Distinct texts in the order drawn (sorting would keep the first letters' symptoms only).
    titles = list(
        dict.fromkeys(
            f"{rng.choice(SYMPTOMS).capitalize()} in my {rng.choice(PLACES)} "
            f"{rng.choice(DURATIONS)}"
            for _ in range(1500)
        )
    )[:800]
    sentences = list(
        dict.fromkeys(
            f"I have {rng.choice(SYMPTOMS)} in my {rng.choice(PLACES)} {rng.choice(DURATIONS)} "
            f"and {rng.choice(CONTEXTS)}."
            for _ in range(3000)
        )
    )[:1600]
    tmp = Path(tempfile.mkdtemp(prefix="bench_pages_"))
    started = time.perf_counter()
    vectors = get_embedder().embed([*titles, *sentences])
    print(
        f"pool: {len(titles) + len(sentences)} texts embedded in "
        f"{time.perf_counter() - started:.1f} s",
        flush=True,
    )
    np.save(tmp / "pool.npy", vectors)
    triaged = []
    for n in range(60):
        title, body = titles[n * 7 % len(titles)], f"{sentences[n]} {sentences[n + 60]}"
        result = assess_fields(title=title, body=body, age=30, sex="female").to_dict()
        triaged.append({"result": result, "concepts": to_json(concepts_of(f"{title} {body}"))})
    (tmp / "pool.json").write_text(
        json.dumps({"titles": titles, "sentences": sentences, "triaged": triaged})
    )
    failed = False
    reports = []
    try:
        for database in databases:
            report = _run_child(database, tmp, sizes, args)
            if report is None:
                failed = True
            else:
                reports.append(report)
                _print_report(report)
    finally:
        shutil.rmtree(tmp)
    return 1 if failed else 0


def _run_child(database: str, tmp: Path, sizes: list[int], args: Any) -> dict[str, Any] | None:
    if database == "postgresql":
        _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB}")
        _pg_admin(f"CREATE DATABASE {PG_DB}")
    command = [
        sys.executable,
        __file__,
        "--child",
        database,
        str(tmp),
        ",".join(map(str, sizes)),
        str(args.requests),
        str(args.wrk_seconds),
    ]
    try:
        proc = subprocess.run(
            command, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False, env=_child_env()
        )
    finally:
        if database == "postgresql":
            _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB}")
    if proc.returncode != 0:
        print(f"{database}: the bench failed (exit status {proc.returncode})")
        return None
    report: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return report


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("CELERY_BROKER_URL", None)
    env["DJANGO_SETTINGS_MODULE"] = "pages_site"
    env["PYTHONPATH"] = os.pathsep.join([str(BENCH), str(ROOT), env.get("PYTHONPATH", "")])
    return env


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _print_report(report: dict[str, Any]) -> None:
    database = report["database"]
    sizes = [int(s) for s in report["sizes"]]
    pages = list(report["pages"][str(sizes[0])])
    print(f"\n{database}: p50 / p95 in ms (p50 as a multiple of the bare view's, same run)")
    head = " | ".join(f"{size:,}" for size in sizes)
    print(f"| page | {head} | growth {sizes[0]:,} → {sizes[-1]:,} |")
    print("|---" * (len(sizes) + 2) + "|")
    for page in pages:
        cells = []
        for size in sizes:
            figures = report["pages"][str(size)][page]
            cells.append(f"{figures['p50']} / {figures['p95']} (×{figures['ratio']})")
        first = report["pages"][str(sizes[0])][page]["p50"]
        last = report["pages"][str(sizes[-1])][page]["p50"]
        growth = f"×{last / first:.2f}" if first else "–"
        print(f"| {page} | {' | '.join(cells)} | {growth} |")
    for size in sizes:
        print(f"{database} {size:,}: built in {report['built_s'][str(size)]} s")
    served = report.get("served")
    if served:
        print(f"\n{database} at {sizes[-1]:,}, gunicorn (config/gunicorn.py) + wrk, 8 connections:")
        for page, figures in served["pages"].items():
            print(
                f"  {page:<22} {figures['rps']:>8.1f} requests/s, latency p50 "
                f"{figures['p50_ms']} ms, p99 {figures['p99_ms']} ms"
            )
        for row in served["memory"]:
            print(
                f"  {row['role']:<8} pid {row['pid']}: RSS {row['rss_mb']} MB, "
                f"PSS {row['pss_mb']} MB, private {row['private_mb']} MB"
            )
    if "database_mb" in report:
        print(f"{database} at {sizes[-1]:,}: database {report['database_mb']} MB on disk")


# --------------------------------------------------------------------------------------------
# The child: one database, grown size by size.


def child(database: str, tmp: Path, sizes: list[int], requests: int, wrk_seconds: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="bench_pages_db_"))
    if database == "sqlite":
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    else:
        os.environ["DATABASE_URL"] = f"{PG_URL}/{PG_DB}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    pool = json.loads((tmp / "pool.json").read_text())
    import numpy as np

    builder = Builder(pool, np.load(tmp / "pool.npy"))
    report: dict[str, Any] = {
        "database": database,
        "sizes": sizes,
        "pages": {},
        "built_s": {},
    }
    try:
        for size in sizes:
            started = time.perf_counter()
            builder.grow_to(size)
            builder.prepare()
            report["built_s"][str(size)] = round(time.perf_counter() - started, 1)
            print(f"{database}: {size:,} Q&As built", file=sys.stderr, flush=True)
            report["pages"][str(size)] = measure(builder, requests)
        if wrk_seconds > 0:
            report["served"] = serve(builder, wrk_seconds)
        report["database_mb"] = builder.database_mb()
    finally:
        from django.db import connection

        connection.close()
        shutil.rmtree(workdir)
    print(json.dumps(report))


class Builder:
    """Grows one synthetic archive with bulk inserts."""

    def __init__(self, pool: dict[str, Any], vectors: Any) -> None:
        import random

        self.rng = random.Random(7)
        self.titles: list[str] = pool["titles"]
        self.sentences: list[str] = pool["sentences"]
        self.triaged: list[dict[str, Any]] = pool["triaged"]
        self.vectors = vectors
        self.count = 0
        self.users: list[int] = []
        self.sample: list[int] = []

    def _users(self) -> None:
        from accounts.models import User

        if self.users:
            return
        User.objects.bulk_create(
            User(
                email=f"bench{n}@example.test",
                pseudonym=f"BenchPatient{n}",
                birth_year=1990,
                sex="female",
                password="!",  # noqa: S106 - no log-in
            )
            for n in range(2000)
        )
        self.users = list(User.objects.values_list("pk", flat=True))

    def grow_to(self, size: int) -> None:
        import datetime as dt

        import numpy as np
        from django.db import transaction

        from forum.models import Answer, Assessment, Question, Specialty, Status
        from forum.similarity import lexical
        from forum.similarity.embedding import MODEL_VERSION
        from forum.similarity.models import SimilarityEntry
        from forum.similarity.text import document_text, text_hash

        self._users()
        answers = [_answer_fields(body) for body in ANSWERS]
        specialties = list(Specialty.objects.values_list("pk", flat=True))
        neurology = Specialty.objects.get(slug="neurology").pk
        rng = self.rng
        start = dt.datetime(2015, 1, 1, tzinfo=dt.UTC)
        titles, sentences = len(self.titles), len(self.sentences)
        while self.count < size:
            batch = min(BATCH, size - self.count)
            questions, parts = [], []
            for n in range(self.count, self.count + batch):
                t, s1, s2 = (
                    rng.randrange(titles),
                    rng.randrange(sentences),
                    rng.randrange(sentences),
                )
                title = self.titles[t]
                body = f"{self.sentences[s1]} {self.sentences[s2]} {rng.choice(ASKS)}"
                answered_at = start + dt.timedelta(minutes=5 * n + rng.randrange(60))
                roll = rng.random()
                status = Status.QUEUED if roll < 0.06 else Status.ANSWERED
                questions.append(
                    Question(
                        author_id=rng.choice(self.users) if rng.random() < 0.7 else None,
                        title=title,
                        body=body,
                        age_band=rng.choice(["20-29", "30-39", "40-49", "50-59"]),
                        age_years=rng.randrange(20, 60),
                        sex=rng.choice(["female", "male"]),
                        specialty_id=neurology if rng.random() < 0.2 else rng.choice(specialties),
                        status=status,
                        is_private=0.06 <= roll < 0.11,
                        is_hidden=0.11 <= roll < 0.12,
                        hidden_reason="spam" if 0.11 <= roll < 0.12 else "",
                        urgency="routine",
                        priority=10,
                        created_at=answered_at - dt.timedelta(hours=rng.randrange(1, 48)),
                        answered_at=answered_at if status == Status.ANSWERED else None,
                    )
                )
                parts.append((t, s1, s2))
            for question in questions:
                # The public copies `save()` writes (bulk inserts skip it): what lists, the
                # question page and the similarity index read.
                if hasattr(question, "mask_personal_details"):
                    question.mask_personal_details()
            with transaction.atomic():
                created = Question.objects.bulk_create(questions)
                Answer.objects.bulk_create(
                    Answer(
                        question=q,
                        doctor_name=f"Dr. Archive {q.pk % 40}",
                        specialty_id=q.specialty_id,
                        **answers[q.pk % len(ANSWERS)],
                        created_at=q.answered_at,
                    )
                    for q in created
                    if q.status == Status.ANSWERED
                )
                Assessment.objects.bulk_create(
                    Assessment(
                        question=q,
                        source="engine",
                        urgency="routine",
                        specialty="neurology",
                        result=self.triaged[q.pk % len(self.triaged)]["result"],
                        text=f"{q.title}\n\n{q.body}",
                        engine_version="bench",
                        kb_version="bench",
                    )
                    for q in created
                )
                entries = []
                for q, (t, s1, s2) in zip(created, parts, strict=True):
                    v = self.vectors[t] + self.vectors[titles + s1] + self.vectors[titles + s2]
                    v = (v / np.linalg.norm(v)).astype(np.float16)
                    entries.append(
                        SimilarityEntry(
                            question=q,
                            is_public=q.is_public,
                            vector=v.tobytes(),
                            model_version=MODEL_VERSION,
                            text_hash=text_hash(
                                document_text(
                                    getattr(q, "public_title", q.title),
                                    getattr(q, "public_body", q.body),
                                )
                            ),
                            concepts=self.triaged[q.pk % len(self.triaged)]["concepts"],
                            updated_at=q.created_at,
                        )
                    )
                SimilarityEntry.objects.bulk_create(entries)
                lexical.upsert(
                    [
                        (
                            q.pk,
                            getattr(q, "public_title", q.title),
                            getattr(q, "public_body", q.body),
                        )
                        for q in created
                        if q.is_public
                    ]
                )
            self.count += batch

    def prepare(self) -> None:
        """What the worker and autovacuum would have done: statistics, word counts, the index
        in memory, and the stored similar links of the questions whose pages are visited."""
        import random

        from django.db import connection

        from forum.models import Question
        from forum.similarity import services
        from forum.similarity.vector_index import get_index

        if connection.vendor == "postgresql":
            # As autovacuum soon would after a bulk load: statistics for the planner, and the
            # full-text index's pending list merged (searches read it until then).
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        services.word_counts_refresh()
        index = get_index()
        index.reset()
        index.ensure_fresh(force=True)
        public = list(Question.objects.public().order_by("pk").values_list("pk", flat=True))
        self.sample = random.Random(len(public)).sample(public, min(SAMPLE, len(public)))
        # The links the worker stores when a question is answered (a checkout that ranks on
        # every page view has no such step).
        if hasattr(services, "similar_for_question"):
            for pk in self.sample:
                services.similar_links_refresh(question_id=pk)
        self.public = len(public)

    def middle(self, *, specialty: str = "") -> str:
        """The query string of a page in the middle of the newest-first list."""
        from forum.models import Question

        try:
            from forum.listing import cursor_encode
        except ImportError:  # a checkout with numbered pages only
            cursor_encode = None

        qs = Question.objects.public().filter(answered_at__isnull=False)
        if specialty:
            qs = qs.filter(specialty__slug=specialty)
        total = qs.count()
        row = qs.order_by("-answered_at", "-id").values_list("answered_at", "pk")[total // 2]
        prefix = f"specialty={specialty}&" if specialty else ""
        if cursor_encode is None:
            return f"{prefix}page={total // 2 // 20 + 1}"
        return f"{prefix}older={cursor_encode(*row)}"

    def database_mb(self) -> float:
        from django.conf import settings
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_database_size(current_database())")
                return round(cursor.fetchone()[0] / 2**20, 1)
        return round(Path(settings.DATABASES["default"]["NAME"]).stat().st_size / 2**20, 1)


def _answer_fields(body: str) -> dict[str, Any]:
    """An answer's text with the public copy `save()` would write (on a checkout with one)."""
    from forum.models import Answer

    answer = Answer(body=body)
    if not hasattr(answer, "mask_personal_details"):
        return {"body": body}
    answer.mask_personal_details()
    return {
        "body": body,
        "public_body": answer.public_body,
        "personal_details": answer.personal_details,
    }


def pages(builder: Builder) -> dict[str, list[str]]:
    """Page name -> the URLs requested in turn."""
    sample = builder.sample
    return {
        "bare view": [f"/bench/bare/{pk}/" for pk in sample],
        "home `/`": ["/"],
        "home, a middle page": [f"/?{builder.middle()}"],
        "`/?q=pain`": ["/?q=pain"],
        "`/?q=calf+twitching`": ["/?q=calf+twitching"],
        "`/?specialty=neurology`": ["/?specialty=neurology"],
        "specialty, a middle page": [f"/?{builder.middle(specialty='neurology')}"],
        "`/api/questions/`": ["/api/questions/"],
        "API list, a middle page": [f"/api/questions/?{builder.middle()}"],
        "`/api/questions/?q=pain`": ["/api/questions/?q=pain"],
        "question page": [f"/questions/{pk}/" for pk in sample],
        "`/api/questions/{id}/`": [f"/api/questions/{pk}/" for pk in sample],
    }


def measure(builder: Builder, requests: int) -> dict[str, dict[str, float]]:
    from django.test import Client

    client = Client()
    urls = pages(builder)
    for name, targets in urls.items():  # warm up: templates, the index, caches
        for url in targets[:3]:
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{name} {url}: status {response.status_code}")
    timings: dict[str, list[float]] = {name: [] for name in urls}
    for n in range(requests):
        for name, targets in urls.items():
            url = targets[n % len(targets)]
            started = time.perf_counter()
            client.get(url)
            timings[name].append((time.perf_counter() - started) * 1000)
    bare_p50, _ = _percentiles(timings["bare view"])
    out = {}
    for name, values in timings.items():
        p50, p95 = _percentiles(values)
        out[name] = {"p50": p50, "p95": p95, "ratio": round(p50 / bare_p50, 1)}
    return out


def serve(builder: Builder, seconds: int) -> dict[str, Any]:
    """gunicorn with the project's config, loaded by wrk; memory per process after the load."""
    from django.conf import settings

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = _child_env()
    env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    env["OPENCONSULT_SIMILARITY_INDEX_DIR"] = str(getattr(settings, "SIMILARITY_INDEX_DIR", ""))
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(ROOT / "config" / "gunicorn.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "config.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    question = builder.sample[0]
    targets = {
        "bare view": f"{base}/bench/bare/{question}/",
        "home `/`": f"{base}/",
        "`/api/questions/`": f"{base}/api/questions/",
        "question page": f"{base}/questions/{question}/",
    }
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(targets["bare view"], timeout=5) as reply:  # noqa: S310
                    if reply.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("gunicorn did not start")
            time.sleep(0.5)
        for url in targets.values():  # every worker warm
            _wrk(url, 2)
        results = {name: _wrk(url, seconds) for name, url in targets.items()}
        memory = _memory(server.pid)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
    return {"pages": results, "memory": memory}


def _wrk(url: str, seconds: int) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"{url}: {errors.group(1)} failed responses under load")

    def latency(label: str) -> float:
        value, unit = re.search(rf"\s{label}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return round(float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit], 2)

    return {"rps": rps, "p50_ms": latency("50"), "p99_ms": latency("99")}


def _memory(master: int) -> list[dict[str, Any]]:
    from tests.live_services import process_memory as rollup

    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    rows = [{"role": "master", "pid": master, **rollup(master)}]
    rows += [{"role": "worker", "pid": int(pid), **rollup(int(pid))} for pid in children]
    return rows


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(
            sys.argv[2],
            Path(sys.argv[3]),
            [int(s) for s in sys.argv[4].split(",")],
            int(sys.argv[5]),
            int(sys.argv[6]),
        )
    else:
        sys.exit(main())
