"""Triage throughput on ~150-word posts on one core, and single-post latency."""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from triage import assess, knowledge_base

EVAL = Path(__file__).resolve().parents[1] / "tests" / "triage" / "data" / "eval_posts.jsonl"
TARGET_WORDS = 150


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


def main() -> None:
    t0 = time.perf_counter()
    knowledge_base()
    load_ms = (time.perf_counter() - t0) * 1000
    posts = make_posts(3000)
    for text in posts[:200]:
        assess(text)
    start = time.perf_counter()
    for text in posts:
        assess(text)
    elapsed = time.perf_counter() - start
    latencies = []
    for text in posts[:2000]:
        t = time.perf_counter()
        assess(text)
        latencies.append((time.perf_counter() - t) * 1000)
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    print(f"knowledge base load: {load_ms:.0f} ms")
    print(f"posts: {len(posts)} x {TARGET_WORDS} words")
    print(f"throughput: {len(posts) / elapsed:,.0f} posts/s (one core)")
    print(f"latency p50: {statistics.median(latencies):.2f} ms  p99: {p99:.2f} ms")


if __name__ == "__main__":
    main()
