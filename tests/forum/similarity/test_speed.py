"""What keeps a lookup fast: the model runs on the text's own length, word counts are cached,
the full-text query takes only the rarest words, and a batch is indexed in a few queries."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forum.similarity import lexical
from forum.similarity.embedding import QUERY_MAX_TOKENS, Embedder
from forum.similarity.selectors import LEXICAL_MATCH_BUDGET, _rarest
from forum.similarity.services import entries_index
from tests.factories import make_question
from tests.forum.similarity.helpers import CALF, EYELID, answered


@pytest.fixture
def widths(monkeypatch: pytest.MonkeyPatch) -> tuple[Embedder, list[int]]:
    """A fresh embedder whose model runs are recorded: the width of each batch fed to it."""
    embedder = Embedder()
    session = embedder._load().session
    seen: list[int] = []

    class Recording:
        def run(self, outputs: Any, feed: dict[str, np.ndarray]) -> Any:
            seen.append(feed["input_ids"].shape[1])
            return session.run(outputs, feed)

    monkeypatch.setattr(embedder._load(), "session", Recording())
    return embedder, seen


def test_a_short_query_runs_the_model_on_its_own_length_not_a_padded_one(widths):
    embedder, seen = widths
    embedder.embed_query("calf twitching")
    assert seen == [4]  # [CLS] calf twitching [SEP]


def test_a_long_query_is_cut_to_the_query_limit(widths):
    embedder, seen = widths
    embedder.embed_query("my calf twitches every evening " * 40)
    assert seen == [QUERY_MAX_TOKENS]


def test_a_text_gets_the_same_vector_alone_or_batched_with_a_longer_one():
    embedder = Embedder()
    alone = embedder.embed(["calf twitching"])[0]
    batched = embedder.embed(["calf twitching", CALF[1] + " " + EYELID[1]])[0]
    assert np.allclose(alone, batched, atol=1e-4)
    assert abs(float(np.linalg.norm(alone)) - 1.0) < 1e-5


@pytest.mark.django_db
def test_word_counts_are_counted_in_one_query_then_cached_common_words_too():
    for n in range(3):
        answered(f"Calf twitching {n}", f"My calves twitch, number {n}.")
    answered(*EYELID)
    lexical.forget_frequencies()
    with CaptureQueriesContext(connection) as first:
        counts = lexical.document_frequencies(["twitch", "eyelid", "rash"], cap=2)
    assert counts == {"twitch": 2, "eyelid": 1, "rash": 0}
    assert len(first) == 1
    with CaptureQueriesContext(connection) as second:
        again = lexical.document_frequencies(["rash", "twitch", "eyelid"], cap=2)
    assert again == {"rash": 0, "twitch": 2, "eyelid": 1}
    assert len(second) == 0
    # Counted up to 2, "twitch" may be used more: a higher cap counts it again.
    with CaptureQueriesContext(connection) as higher:
        assert lexical.document_frequencies(["twitch", "eyelid"], cap=10) == {
            "twitch": 3,
            "eyelid": 1,
        }
    assert len(higher) == 1


def test_the_full_text_query_takes_the_rarest_words_within_the_budget():
    frequencies = {
        "pain": 1800,
        "calf": 5,
        "twitch": 1999,
        "stress": 1500,
        "common": 2000,
        "zinc": 0,
    }
    chosen = _rarest(list(frequencies), frequencies, 2000)
    assert chosen == ["zinc", "calf", "stress", "pain"]
    assert sum(frequencies[t] for t in chosen) <= LEXICAL_MATCH_BUDGET
    assert sum(frequencies[t] for t in chosen) + frequencies["twitch"] > LEXICAL_MATCH_BUDGET
    # Words at the cap are too common to search for at all.
    assert _rarest(["twitch"], {"twitch": 1999}, 1000) == []


@pytest.mark.django_db
def test_indexing_a_batch_costs_the_same_queries_for_2_and_20_questions():
    def cost(count: int) -> int:
        ids = [make_question(title=CALF[0], body=f"{CALF[1]} {n}").pk for n in range(count)]
        with CaptureQueriesContext(connection) as queries:
            entries_index(question_ids=ids)
        return len(queries)

    assert cost(2) == cost(20)
