"""`manage.py import_qa` throughput: Q&As per second into a fresh database, new and re-imported.

Run from the repository root: `.venv/bin/python bench/bench_import.py` (`make bench` runs it).
It writes an archive of N synthetic answered Q&As (2,000 by default: patient-style questions
from the vocabulary of bench_similar.py, one in five with an e-mail address or a phone number
to mask), imports it into a fresh SQLite database, then imports it again (every record an
update with the same text: validation, the unchanged-triage check and the index's hash check).

    --records 2000          Q&As in the archive
    --databases sqlite      or sqlite,postgresql (a scratch database on
                            postgres://postgres@127.0.0.1:5432, `bench_import` unless
                            BENCH_IMPORT_PG_DB names another; BENCH_PG_URL names another server)
    --baseline DIR          also import with the code in DIR (another checkout, e.g. the last
                            release), alternating with this one, and print the ratio: on a busy
                            machine a ratio measured in one run says more than two figures
    --rounds N              alternate N times; the median ratio is printed too

Each import runs as `manage.py import_qa` in a process of its own (the model load included, as
for a person running the command).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
PG_DB = os.environ.get("BENCH_IMPORT_PG_DB", "bench_import")

sys.path.insert(0, str(BENCH))
from bench_pages import ANSWERS  # noqa: E402
from bench_similar import ASKS, CONTEXTS, DURATIONS, PLACES, SYMPTOMS  # noqa: E402

SPECIALTIES = ["neurology", "dermatology", "cardiology", "general-practice", ""]
RATE = re.compile(r"Imported (\d+) Q&As \((\d+) new, (\d+) updated\) in ([\d.]+) s")


def archive(path: Path, records: int) -> None:
    rng = random.Random(20261201)
    with path.open("w", encoding="utf-8") as out:
        for n in range(records):
            symptom, place, duration = (
                rng.choice(SYMPTOMS),
                rng.choice(PLACES),
                rng.choice(DURATIONS),
            )
            sentences = [
                f"I have {symptom} in my {place} {duration} and {rng.choice(CONTEXTS)}.",
                f"It started {rng.choice(DURATIONS)} and {rng.choice(CONTEXTS)}.",
            ]
            if rng.random() < 0.5:
                sentences.append(
                    f"Sometimes there is also {rng.choice(SYMPTOMS)} in my {rng.choice(PLACES)}."
                )
            roll = rng.random()
            if roll < 0.1:
                sentences.append(f"You can reach me at patient{n}@example.com if needed.")
            elif roll < 0.2:
                sentences.append(f"Call me on 07700 9{n:05d} after six.")
            sentences.append(rng.choice(ASKS))
            record = {
                "external_id": f"bench-{n}",
                "title": f"{symptom.capitalize()} in my {place} {duration}",
                "body": " ".join(sentences),
                "asked_at": f"20{10 + n % 15:02d}-{1 + n % 12:02d}-{1 + n % 28:02d}",
                "age_band": rng.choice(["20-29", "30-39", "40-49", "50-59", ""]),
                "sex": rng.choice(["female", "male", ""]),
                "specialty": rng.choice(SPECIALTIES),
                "answer": {"body": ANSWERS[n % len(ANSWERS)], "doctor_name": f"Dr. B{n % 30}"},
            }
            out.write(json.dumps(record) + "\n")


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def run(tree: Path, database: str, path: Path, workdir: Path, label: str) -> dict[str, float]:
    """Migrate a fresh database, import the archive, import it again: Q&As/s of each."""
    env = dict(os.environ)
    env.pop("CELERY_BROKER_URL", None)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    env["PYTHONPATH"] = str(tree)
    name = f"{PG_DB}_{label}" if label else PG_DB
    if database == "postgresql":
        _pg_admin(f"DROP DATABASE IF EXISTS {name}")
        _pg_admin(f"CREATE DATABASE {name}")
        env["DATABASE_URL"] = f"{PG_URL}/{name}"
    else:
        db = workdir / f"import-{label or 'this'}.sqlite3"
        db.unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{db}"
    manage = [sys.executable, str(tree / "manage.py")]
    try:
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=tree, env=env, check=True)
        figures = {}
        for step in ("new", "again"):
            out = subprocess.run(
                [*manage, "import_qa", str(path)],
                cwd=tree,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            match = RATE.search(out.stdout)
            if out.returncode != 0 or match is None:
                raise SystemExit(f"import_qa failed in {tree}:\n{out.stdout}\n{out.stderr[-3000:]}")
            figures[step] = round(int(match.group(1)) / float(match.group(4)), 1)
        return figures
    finally:
        if database == "postgresql":
            _pg_admin(f"DROP DATABASE IF EXISTS {name}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--databases", default="sqlite")
    parser.add_argument("--baseline", type=Path)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench_import_"))
    path = workdir / "archive.jsonl"
    archive(path, args.records)
    trees = [("", ROOT)]
    if args.baseline:
        trees.append(("baseline", args.baseline.resolve()))
    try:
        for database in [d.strip() for d in args.databases.split(",") if d.strip()]:
            ratios: dict[str, list[float]] = {"new": [], "again": []}
            for round_number in range(1, max(1, args.rounds) + 1):
                figures = {}
                for label, tree in trees:
                    figures[label] = run(tree, database, path, workdir, label)
                    print(
                        f"{database} {label or 'this checkout'} #{round_number}: "
                        f"{args.records:,} records, new {figures[label]['new']} Q&As/s, "
                        f"re-imported {figures[label]['again']} Q&As/s",
                        flush=True,
                    )
                if "baseline" in figures:
                    for step in ratios:
                        ratio = figures[""][step] / figures["baseline"][step]
                        ratios[step].append(ratio)
                        print(f"{database} this / baseline, {step}: ×{ratio:.2f}", flush=True)
            if args.baseline and args.rounds > 1:
                for step, values in ratios.items():
                    print(
                        f"{database} this / baseline, {step}, median of {len(values)} rounds: "
                        f"×{statistics.median(values):.2f}"
                    )
    finally:
        shutil.rmtree(workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
