"""Evaluation of the similar-Q&A ranking on a labelled set.

A query file holds JSON lines `{"id", "text", "expected": external_id, "hard_negatives": [...]}`;
the corpus files are archive files (the `import_qa` format). `evaluate` reports Recall@1,
Recall@5, mean reciprocal rank (over the top 10) and how often a hard negative (same topic,
a different question) outranked the expected Q&A. Call `load_corpus` on a database you may
write to: the test suite uses its throwaway test database.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forum.archive import qa_import_record
from forum.models import Specialty
from forum.similarity.selectors import DEFAULT_WEIGHTS, Weights, similar_to_text
from forum.similarity.services import INDEX_BATCH, entries_index, word_counts_refresh

DEPTH = 10


@dataclass(frozen=True)
class EvalReport:
    queries: int
    recall_at_1: float
    recall_at_5: float
    mrr: float
    hard_negative_above: float
    misses: tuple[str, ...]

    def lines(self) -> list[str]:
        return [
            f"queries          {self.queries}",
            f"Recall@1         {self.recall_at_1:.3f}",
            f"Recall@5         {self.recall_at_5:.3f}",
            f"MRR@{DEPTH}           {self.mrr:.3f}",
            f"hard negative ranked above the expected Q&A: {self.hard_negative_above:.3f}",
        ]


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def load_corpus(paths: Iterable[Path]) -> int:
    """Import and index every record of these archive files; returns how many."""
    specialties = {s.slug: s for s in Specialty.objects.all()}
    ids: list[int] = []
    for path in paths:
        for record in read_jsonl(path):
            ids.append(qa_import_record(record, specialties=specialties).question.pk)
    for start in range(0, len(ids), INDEX_BATCH):
        entries_index(question_ids=ids[start : start + INDEX_BATCH])
    word_counts_refresh()  # as import_qa does: lookups on PostgreSQL read these counts
    return len(ids)


def evaluate(queries: list[dict[str, Any]], *, weights: Weights = DEFAULT_WEIGHTS) -> EvalReport:
    hits_1 = hits_5 = 0
    reciprocal = 0.0
    negative_above = 0
    misses: list[str] = []
    for query in queries:
        items = similar_to_text(query["text"], limit=DEPTH, min_score=-1.0, weights=weights)
        ranked = [item.question.external_id for item in items]
        rank = ranked.index(query["expected"]) + 1 if query["expected"] in ranked else None
        hits_1 += rank == 1
        hits_5 += rank is not None and rank <= 5
        reciprocal += 1.0 / rank if rank else 0.0
        negatives = set(query.get("hard_negatives", []))
        limit = (rank - 1) if rank else len(ranked)
        negative_above += any(eid in negatives for eid in ranked[:limit])
        if rank != 1:
            misses.append(f"{query['id']}: rank {rank or '>' + str(DEPTH)} ({ranked[:1]})")
    n = max(len(queries), 1)
    return EvalReport(
        queries=len(queries),
        recall_at_1=hits_1 / n,
        recall_at_5=hits_5 / n,
        mrr=reciprocal / n,
        hard_negative_above=negative_above / n,
        misses=tuple(misses),
    )
