"""The labelled evaluation set: 216 paraphrased patient questions -> the Q&A they ask about,
over 108 Q&As written in topic triples (hard negatives: same topic, different question) plus
the demo archive. `make eval-similar` runs this file and prints the figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from forum.similarity import evaluation
from forum.similarity.selectors import Weights

DATA = Path(__file__).parent / "data"
DEMO = Path(__file__).resolve().parents[3] / "forum" / "demo" / "qa.jsonl"

FLOOR_RECALL_AT_1 = 0.75
FLOOR_RECALL_AT_5 = 0.93
FLOOR_MRR = 0.82


@pytest.fixture
def corpus(db) -> None:
    evaluation.load_corpus([DATA / "eval_corpus.jsonl", DEMO])


@pytest.fixture
def queries() -> list[dict]:
    return evaluation.read_jsonl(DATA / "eval_queries.jsonl")


def test_the_labelled_set_is_big_enough_and_has_hard_negatives(queries):
    assert len(queries) >= 200
    assert all(len(q["hard_negatives"]) >= 2 for q in queries)


@pytest.mark.slow  # embeds the whole labelled corpus
def test_it_ranks_the_paraphrased_question_above_the_floor(corpus, queries, capsys):
    report = evaluation.evaluate(queries)
    with capsys.disabled():
        print("\nSimilar Q&As, hybrid ranking:")
        print("\n".join("  " + line for line in report.lines()))
        for label, weights in (
            ("embeddings only", Weights(semantic=1.0, lexical=0.0, concepts=0.0)),
            ("full text only", Weights(semantic=0.0, lexical=1.0, concepts=0.0)),
        ):
            other = evaluation.evaluate(queries, weights=weights)
            print(
                f"  ({label}: Recall@1 {other.recall_at_1:.3f}, "
                f"Recall@5 {other.recall_at_5:.3f}, MRR {other.mrr:.3f})"
            )
    assert report.recall_at_1 >= FLOOR_RECALL_AT_1
    assert report.recall_at_5 >= FLOOR_RECALL_AT_5
    assert report.mrr >= FLOOR_MRR
