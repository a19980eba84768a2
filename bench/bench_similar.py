"""Similar-Q&A lookups at 10k and 100k Q&As on SQLite and PostgreSQL, and import throughput.

Run from the repository root: `.venv/bin/python bench/bench_similar.py` (`make bench` runs it).
PostgreSQL is used at postgres://postgres@127.0.0.1:5432 (a scratch database, `bench_similar`
unless BENCH_PG_DB names another, is created and dropped); set BENCH_PG_URL to use another
server, or BENCH_SKIP_PG=1 to skip it (BENCH_SKIP_SQLITE=1 skips SQLite). BENCH_PROFILE=PREFIX
also profiles each size's lookups into PREFIX.<database>.<size>.pstats.

Each lookup's time is split into stages (query embedding, vector candidates, full-text word
counts and search; the rest is reading and scoring the candidates and the live-row check).
`--baseline DIR` also runs the same bench on the code in DIR (another checkout, e.g. the last
release), alternating with this one, and prints this checkout's figures as ratios of those: on a
busy machine a ratio measured in one run says more than two absolute figures from two runs;
`--rounds N` alternates N times and prints the median ratios too.

The archive is synthetic: patient-style questions assembled from a vocabulary of symptoms, body
parts, durations and circumstances. Embedding 100k texts would take most of an hour on a small
machine, so a pool of distinct sentences is embedded once and each Q&A's vector is a mix of its
sentences' vectors; lookups embed their query text for real, as a page request does.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = (10_000, 100_000)
LOOKUPS = 200
IMPORTS = 200
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
PG_DB = os.environ.get("BENCH_PG_DB", "bench_similar")
STAGES = ("embed", "vector", "lexical")

SYMPTOMS = [
    "twitching",
    "cramps",
    "numbness",
    "tingling",
    "burning pain",
    "a dull ache",
    "sharp pain",
    "swelling",
    "itching",
    "a rash",
    "weakness",
    "stiffness",
    "throbbing",
    "pins and needles",
    "spasms",
    "bruising",
    "redness",
    "tenderness",
    "shaking",
    "heaviness",
]
PLACES = [
    "calf",
    "thigh",
    "eyelid",
    "lower back",
    "neck",
    "left shoulder",
    "right knee",
    "chest",
    "stomach",
    "fingers",
    "toes",
    "jaw",
    "scalp",
    "forearm",
    "hip",
    "ankle",
    "wrist",
    "ear",
    "throat",
    "upper arm",
    "foot",
    "elbow",
    "lower belly",
    "face",
]
DURATIONS = [
    "for two days",
    "for about a week",
    "for three weeks",
    "for a month",
    "since last summer",
    "on and off for a year",
    "since this morning",
    "for six months",
]
CONTEXTS = [
    "I am stressed about exams",
    "I started running again",
    "I drink a lot of coffee",
    "I sleep badly",
    "I work at a computer all day",
    "I just had a cold",
    "I am pregnant",
    "I started a new medicine",
    "I lift heavy boxes at work",
    "it gets worse at night",
    "it is worse after meals",
    "nothing seems to trigger it",
    "my mother had something similar",
    "I recently travelled abroad",
    "I have diabetes",
    "I feel anxious most of the day",
]
ASKS = [
    "Should I be worried?",
    "What could cause this?",
    "Do I need to see a specialist?",
    "What can I do at home?",
    "Is this serious?",
    "Which tests should I ask for?",
]


def _sentence(rng, *, with_context: bool = True) -> str:
    text = f"I have {rng.choice(SYMPTOMS)} in my {rng.choice(PLACES)} {rng.choice(DURATIONS)}"
    if with_context:
        text += f" and {rng.choice(CONTEXTS)}"
    return text + "."


def _question(rng) -> tuple[str, str]:
    symptom, place = rng.choice(SYMPTOMS), rng.choice(PLACES)
    title = f"{symptom.capitalize()} in my {place} {rng.choice(DURATIONS)}"
    body = f"{_sentence(rng)} {_sentence(rng)} {rng.choice(ASKS)}"
    return title, body


def child(backend: str, pool_file: str, root: Path, database: str) -> None:
    """One database: build 10k, time lookups, grow to 100k, time again, time an import."""
    import random

    import numpy as np

    rng = random.Random(42)
    workdir = Path(tempfile.mkdtemp(prefix="bench_similar_"))
    if backend == "sqlite":
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    else:
        os.environ["DATABASE_URL"] = f"{PG_URL}/{database}"
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    sys.path.insert(0, str(root))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from forum.models import Answer, Question, Status
    from forum.similarity import lexical, similar_to_text
    from forum.similarity.embedding import MODEL_VERSION, Embedder, get_embedder
    from forum.similarity.models import SimilarityEntry
    from forum.similarity.vector_index import VectorIndex, get_index

    stage_ms: dict[str, float] = dict.fromkeys(STAGES, 0.0)

    def timed(owner: object, name: str, stage: str) -> None:
        original = getattr(owner, name)

        def wrapper(*args: object, **kwargs: object) -> object:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                stage_ms[stage] += (time.perf_counter() - started) * 1000

        setattr(owner, name, wrapper)

    timed(Embedder, "embed_query", "embed")
    timed(VectorIndex, "search", "vector")
    timed(lexical, "document_frequencies", "lexical")
    timed(lexical, "search", "lexical")

    call_command("migrate", verbosity=0)
    pool = np.load(pool_file)
    sentences: list[str] = json.loads(Path(pool_file + ".json").read_text())
    by_sentence = {s: pool[i] for i, s in enumerate(sentences)}

    def vector_of(title: str, body: str) -> np.ndarray:
        parts = [by_sentence[s] for s in sentences_in(body)] + [by_sentence[title]]
        v = np.sum(parts, axis=0)
        return (v / np.linalg.norm(v)).astype(np.float16)

    def sentences_in(body: str) -> list[str]:
        return [s + "." for s in body.split(". ") if s and not s.endswith("?")][:2]

    def add(count: int) -> float:
        started = time.perf_counter()
        now = timezone.now()
        for start in range(0, count, 5000):
            batch = []
            for _ in range(min(5000, count - start)):
                title, body = rng.choice(corpus_texts)
                batch.append(
                    Question(
                        title=title,
                        body=body,
                        status=Status.ANSWERED,
                        created_at=now,
                        answered_at=now,
                    )
                )
            with transaction.atomic():
                created = Question.objects.bulk_create(batch)
                Answer.objects.bulk_create(
                    Answer(
                        question=q,
                        doctor_name="Dr. Archive",
                        body="Most cases like this are benign; see your doctor if it persists.",
                        created_at=now,
                    )
                    for q in created
                )
                SimilarityEntry.objects.bulk_create(
                    SimilarityEntry(
                        question=q,
                        is_public=True,
                        vector=vector_of(q.title, q.body).tobytes(),
                        model_version=MODEL_VERSION,
                        text_hash="bench",
                        concepts=[],
                        updated_at=now,
                    )
                    for q in created
                )
                lexical.upsert([(q.pk, q.title, q.body) for q in created])
        if connection.vendor == "postgresql":
            # As autovacuum soon would: without statistics the planner takes a fresh bulk
            # load for a near-empty table and scans every answered question per lookup.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        return time.perf_counter() - started

    def count_words() -> float | None:
        """What beat's word-count refresh does (PostgreSQL; a checkout without it: None)."""
        refresh = getattr(lexical, "word_counts_refresh", None)
        if refresh is None or connection.vendor != "postgresql":
            return None
        started = time.perf_counter()
        refresh()
        return time.perf_counter() - started

    corpus_texts = [
        tuple(json.loads(line)) for line in Path(pool_file + ".corpus").read_text().splitlines()
    ]
    queries = [line for line in Path(pool_file + ".queries").read_text().splitlines()]
    get_embedder().embed_query("warm up")
    results: dict[str, object] = {"backend": backend}
    total = 0
    for size in SIZES:
        results[f"insert_{size}_s"] = round(add(size - total), 1)
        total = size
        counting = count_words()
        if counting is not None:
            results[f"word_counts_{size}_s"] = round(counting, 2)
        index = get_index()
        index.reset()
        started = time.perf_counter()
        index.ensure_fresh(force=True)
        results[f"index_load_{size}_s"] = round(time.perf_counter() - started, 2)
        for q in queries[:5]:
            similar_to_text(q + " warm")
        timings = []
        stages: dict[str, list[float]] = {stage: [] for stage in (*STAGES, "rest")}
        shown = 0
        for q in queries[:LOOKUPS]:
            for stage in STAGES:
                stage_ms[stage] = 0.0
            started = time.perf_counter()
            shown += len(similar_to_text(q, limit=5))
            elapsed = (time.perf_counter() - started) * 1000
            timings.append(elapsed)
            for stage in STAGES:
                stages[stage].append(stage_ms[stage])
            stages["rest"].append(elapsed - sum(stage_ms.values()))
        results[f"p50_{size}_ms"], results[f"p95_{size}_ms"] = _percentiles(timings)
        # A lookup that finds nothing is fast and meaningless: the archive must be searchable.
        results[f"shown_{size}"] = round(shown / LOOKUPS, 2)
        if shown < 4 * LOOKUPS:
            raise SystemExit(f"lookups at {size} showed {shown / LOOKUPS:.2f} Q&As on average")
        if os.environ.get("BENCH_PROFILE"):
            import cProfile

            # The same lookups again, under the profiler (not timed).
            profile = cProfile.Profile()
            profile.enable()
            for q in queries[:LOOKUPS]:
                similar_to_text(q, limit=5)
            profile.disable()
            profile.dump_stats(f"{os.environ['BENCH_PROFILE']}.{backend}.{size}.pstats")
        for stage, values in stages.items():
            results[f"{stage}_p50_{size}_ms"], results[f"{stage}_p95_{size}_ms"] = _percentiles(
                values
            )
        queries = queries[LOOKUPS:] + queries[:LOOKUPS]
    embed_ms = []
    for q in queries[:50]:
        started = time.perf_counter()
        get_embedder().embed_query(q + " (timing)")
        embed_ms.append((time.perf_counter() - started) * 1000)
    results["embed_p50_ms"], results["embed_p95_ms"] = _percentiles(embed_ms)
    archive = workdir / "archive.jsonl"
    with archive.open("w", encoding="utf-8") as out:
        for n in range(IMPORTS):
            title, body = _question(rng)
            record = {
                "external_id": f"bench-{n}",
                "title": title,
                "body": body,
                "asked_at": "2020-01-01",
                "specialty": "neurology",
                "answer": {
                    "body": "Most cases like this are benign; see your doctor if it persists."
                },
            }
            out.write(json.dumps(record) + "\n")
    started = time.perf_counter()
    with open(os.devnull, "w") as quiet:
        call_command("import_qa", str(archive), stdout=quiet)
    results["import_per_s"] = round(IMPORTS / (time.perf_counter() - started), 1)
    connection.close()
    shutil.rmtree(workdir)  # the SQLite archive alone is 200 MB
    print(json.dumps(results))


def _percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return round(statistics.median(ordered), 1), round(ordered[int(0.95 * len(ordered)) - 1], 1)


def main() -> int:
    import argparse
    import random

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--baseline", type=Path, help="another checkout to run alternately, for ratios"
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="run each side this many times, alternating"
    )
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    import numpy as np

    from forum.similarity.embedding import get_embedder

    rng = random.Random(7)
    corpus: set[tuple[str, str]] = set()
    while len(corpus) < 600:
        corpus.add(_question(rng))
    texts = sorted(corpus)
    sentences = sorted(
        {t for t, _ in texts}
        | {s + "." for _, b in texts for s in b.split(". ") if s and not s.endswith("?")}
    )
    queries = list(
        dict.fromkeys(f"{_sentence(rng)} {rng.choice(ASKS)}" for _ in range(3 * LOOKUPS))
    )
    tmp = Path(tempfile.mkdtemp(prefix="bench_similar_pool_"))
    pool_file = str(tmp / "pool.npy")
    started = time.perf_counter()
    np.save(pool_file, get_embedder().embed(sentences))
    embed_rate = len(sentences) / (time.perf_counter() - started)
    Path(pool_file + ".json").write_text(json.dumps(sentences))
    Path(pool_file + ".corpus").write_text("\n".join(json.dumps(t) for t in texts))
    Path(pool_file + ".queries").write_text("\n".join(queries))
    print(f"embedding: {embed_rate:.0f} short sentences/s while building the synthetic pool")
    backends = [] if os.environ.get("BENCH_SKIP_SQLITE") == "1" else ["sqlite"]
    if os.environ.get("BENCH_SKIP_PG") != "1":
        backends.append("postgresql")
    trees = [("", ROOT)]
    if args.baseline:
        trees.append(("baseline", args.baseline.resolve()))
    failed = False
    try:
        failed = _run_all(backends, trees, pool_file, rounds=max(1, args.rounds))
    finally:
        shutil.rmtree(tmp)
    return 1 if failed else 0


def _run_all(
    backends: list[str], trees: list[tuple[str, Path]], pool_file: str, *, rounds: int = 1
) -> bool:
    """Each round runs every tree once per backend, alternating; with a baseline, the ratios
    of each round are printed, then their medians (a burst of load on a shared machine hits
    one round's side, not all of them)."""
    failed = False
    for backend in backends:
        ratios: dict[str, list[float]] = {}
        for round_number in range(1, rounds + 1):
            figures: dict[str, dict[str, float]] = {}
            for label, root in trees:
                r = _run_child(backend, pool_file, root, f"{PG_DB}_base" if label else PG_DB)
                if r is None:
                    failed = True
                    continue
                figures[label] = r
                suffix = f" #{round_number}" if rounds > 1 else ""
                _report(f"{backend} {label}".strip() + suffix, r)
            if len(figures) == 2:
                for name, value in _ratios(figures[""], figures["baseline"]).items():
                    ratios.setdefault(name, []).append(value)
                    print(f"{backend:<10} this / baseline: {name} {value:.2f}")
        if rounds > 1 and ratios:
            for name, values in ratios.items():
                print(
                    f"{backend:<10} this / baseline, median of {len(values)} rounds: "
                    f"{name} {statistics.median(values):.2f}"
                )
    return failed


def _ratios(new: dict[str, float], old: dict[str, float]) -> dict[str, float]:
    ratios = {}
    for size in SIZES:
        for figure in ("p50", "p95"):
            key = f"{figure}_{size}_ms"
            ratios[f"{figure} at {size:,} Q&As"] = new[key] / old[key]
    ratios["query embedding p50"] = new["embed_p50_ms"] / old["embed_p50_ms"]
    ratios["import_qa Q&As/s"] = new["import_per_s"] / old["import_per_s"]
    return ratios


def _run_child(backend: str, pool_file: str, root: Path, database: str) -> dict[str, float] | None:
    if backend == "postgresql":
        _pg_admin(f"DROP DATABASE IF EXISTS {database}")
        _pg_admin(f"CREATE DATABASE {database}")
    try:
        proc = subprocess.run(
            [sys.executable, __file__, "--child", backend, pool_file, str(root), database],
            capture_output=True,
            text=True,
            cwd=root,
            check=False,
        )
    finally:
        if backend == "postgresql":
            _pg_admin(f"DROP DATABASE IF EXISTS {database}")
    if proc.returncode != 0:
        print(f"{backend} ({root}): failed\n{proc.stderr[-3000:]}")
        return None
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _report(label: str, r: dict[str, float]) -> None:
    for size in SIZES:
        stages = ", ".join(
            f"{stage} {r[f'{stage}_p50_{size}_ms']}"
            + (f"/{r[f'{stage}_p95_{size}_ms']}" if f"{stage}_p95_{size}_ms" in r else "")
            for stage in (*STAGES, "rest")
            if f"{stage}_p50_{size}_ms" in r
        )
        print(
            f"{label:<10} {size:>7,} Q&As  similar lookup p50 {r[f'p50_{size}_ms']:>5} ms  "
            f"p95 {r[f'p95_{size}_ms']:>5} ms  (query embedding included; index load "
            f"{r[f'index_load_{size}_s']} s; stages p50/p95, ms: {stages}; "
            f"{r.get(f'shown_{size}', '?')} Q&As shown per lookup)"
        )
        if f"word_counts_{size}_s" in r:
            print(f"{label:<10} {size:>7,} Q&As  word-count refresh {r[f'word_counts_{size}_s']} s")
    print(
        f"{label:<10} query embedding p50 {r['embed_p50_ms']} ms, p95 {r.get('embed_p95_ms')} ms; "
        f"import_qa: {r['import_per_s']} Q&As/s (validate, triage, embed, index)"
    )


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
        conn.execute(sql)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], Path(sys.argv[4]), sys.argv[5])
    else:
        sys.exit(main())
