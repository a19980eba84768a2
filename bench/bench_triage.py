"""Triage throughput on ~150-word posts on one core, and single-post latency.

Shared machines are noisy, so throughput is counted per second of CPU time (waiting for a busy
core does not count) as well as wall clock, and a baseline engine is measured in the same run,
in alternating rounds, for a ratio that stays meaningful when the machine is busy. The baseline
is the engine as of a git revision (``--against REV``, by default the first engine release),
extracted to a temporary directory and run in a child process; ``--against none`` skips it, as
does a checkout without git history.

    python bench/bench_triage.py [--rounds 5] [--against REV|none]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "tests" / "triage" / "data" / "eval_posts.jsonl"
TARGET_WORDS = 150
ROUND_POSTS = 1000
LATENCY_POSTS = 2000
# Engine 1.0.0, the first release: the reference the speed goal was set against.
BASELINE_REV = "8595c05"


def make_posts(count: int) -> list[str]:
    """Patient-style posts of about 150 words, stitched from the evaluation set's sentences."""
    sentences = [json.loads(line)["text"] for line in EVAL.read_text(encoding="utf-8").splitlines()]
    rng = random.Random(7)
    posts = []
    for _ in range(count):
        words: list[str] = []
        while len(words) < TARGET_WORDS:
            words.extend(rng.choice(sentences).split())
        posts.append(" ".join(words[:TARGET_WORDS]))
    return posts


def throughput(assess: Callable[[str], object], posts: list[str]) -> tuple[float, float]:
    """Posts per second of CPU time, which waiting for a busy core does not inflate, and of
    wall-clock time."""
    cpu, wall = time.process_time(), time.perf_counter()
    for text in posts:
        assess(text)
    return len(posts) / (time.process_time() - cpu), len(posts) / (time.perf_counter() - wall)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(len(ordered) * pct / 100) - 1)]


def worker(engine_dir: str) -> None:
    """Serve throughput rounds for the engine in ``engine_dir``: one line in, one figure out."""
    sys.path.insert(0, engine_dir)
    from triage import assess, knowledge_base

    knowledge_base()
    posts = make_posts(ROUND_POSTS)
    for text in posts[:200]:
        assess(text)
    print("ready", flush=True)
    for _ in sys.stdin:
        print("{:.3f} {:.3f}".format(*throughput(assess, posts)), flush=True)


class Baseline:
    """The engine at a git revision, run in a child process."""

    def __init__(self, rev: str) -> None:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", "--format=tar", rev, "triage"],
            capture_output=True,
            check=True,
        ).stdout
        self._dir = tempfile.TemporaryDirectory(prefix="bench-triage-")
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(self._dir.name, filter="data")
        self._proc = subprocess.Popen(
            [sys.executable, __file__, "--worker", self._dir.name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        if self._readline() != "ready":
            raise RuntimeError("the baseline engine did not start")

    def _readline(self) -> str:
        assert self._proc.stdout is not None
        return self._proc.stdout.readline().strip()

    def round(self) -> tuple[float, float]:
        assert self._proc.stdin is not None
        self._proc.stdin.write("run\n")
        self._proc.stdin.flush()
        cpu, wall = self._readline().split()
        return float(cpu), float(wall)

    def close(self) -> None:
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        self._proc.wait(timeout=30)
        self._dir.cleanup()


def start_baseline(rev: str) -> Baseline | None:
    if rev == "none":
        return None
    try:
        return Baseline(rev)
    except (OSError, subprocess.CalledProcessError, RuntimeError) as exc:
        print(f"baseline {rev}: not measured ({exc})")
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--against", default=BASELINE_REV, help="git revision, or none")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker)
        return

    sys.path.insert(0, str(ROOT))
    from triage import ENGINE_VERSION, assess, knowledge_base

    t0 = time.perf_counter()
    knowledge_base()
    load_ms = (time.perf_counter() - t0) * 1000
    posts = make_posts(max(ROUND_POSTS, LATENCY_POSTS))
    for text in posts[:200]:
        assess(text)

    baseline = start_baseline(args.against)
    current_rates: list[tuple[float, float]] = []
    baseline_rates: list[tuple[float, float]] = []
    try:
        for _ in range(args.rounds):
            current_rates.append(throughput(assess, posts[:ROUND_POSTS]))
            if baseline is not None:
                baseline_rates.append(baseline.round())
    finally:
        if baseline is not None:
            baseline.close()

    wall_ms: list[float] = []
    cpu_ms: list[float] = []
    for text in posts[:LATENCY_POSTS]:
        cpu, wall = time.process_time(), time.perf_counter()
        assess(text)
        wall_ms.append((time.perf_counter() - wall) * 1000)
        cpu_ms.append((time.process_time() - cpu) * 1000)
    cpu_rate = statistics.median(r[0] for r in current_rates)
    wall_rate = statistics.median(r[1] for r in current_rates)

    print(f"engine {ENGINE_VERSION}, knowledge base load: {load_ms:.0f} ms")
    print(f"posts: {ROUND_POSTS} x {TARGET_WORDS} words, {args.rounds} rounds, one core")
    print(
        f"throughput: {cpu_rate:,.0f} posts/s of CPU time"
        f" ({wall_rate:,.0f} posts/s wall clock; medians of rounds)"
    )
    print(
        f"latency p50: {percentile(wall_ms, 50):.2f} ms  p99: {percentile(wall_ms, 99):.2f} ms"
        f" (CPU time p50: {percentile(cpu_ms, 50):.2f} ms  p99: {percentile(cpu_ms, 99):.2f} ms)"
    )
    if baseline_rates:
        base_cpu = statistics.median(r[0] for r in baseline_rates)
        base_wall = statistics.median(r[1] for r in baseline_rates)
        print(
            f"baseline {args.against} in the same run: {base_cpu:,.0f} posts/s of CPU time"
            f" ({base_wall:,.0f} wall clock); speed-up x{cpu_rate / base_cpu:.2f}"
        )


if __name__ == "__main__":
    main()
