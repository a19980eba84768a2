"""What keeps a lookup fast: the model runs on the text's own length, word counts are cached,
the full-text query takes only the rarest words, and a batch is indexed in a few queries."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forum.models import Question
from forum.similarity import lexical, similar_to_text
from forum.similarity.embedding import QUERY_MAX_TOKENS, Embedder
from forum.similarity.selectors import LEXICAL_MATCH_BUDGET, _rarest
from forum.similarity.services import entries_index
from tests.factories import make_question
from tests.forum.similarity.helpers import CALF, EYELID, RASH, answered


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


def _counting(queries: CaptureQueriesContext) -> list[str]:
    """The queries that counted words in the full-text index (not in the word-count table)."""
    return [q["sql"] for q in queries if lexical.WORD_COUNTS_TABLE not in q["sql"]]


@pytest.mark.django_db
def test_word_counts_are_counted_in_one_query_then_cached_common_words_too():
    for n in range(3):
        answered(f"Calf twitching {n}", f"My calves twitch, number {n}.")
    answered(*EYELID)
    lexical.forget_frequencies()
    with CaptureQueriesContext(connection) as first:
        counts = lexical.document_frequencies(["twitch", "eyelid", "rash"], cap=2)
    assert counts == {"twitch": 2, "eyelid": 1, "rash": 0}
    assert len(_counting(first)) == 1
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
    assert len(_counting(higher)) == 1


@pytest.fixture
def counted_archive(db) -> int | None:
    """20 calf questions and an eyelid one, word counts refreshed as beat does; then one more
    calf question and a rash one, answered after the refresh. Returns what the refresh did."""
    for n in range(20):
        answered(f"Calf twitching {n}", f"My calves twitch, number {n}.")
    answered(*EYELID)
    refreshed = lexical.word_counts_refresh()
    answered("Calf twitching again", "My calves twitch once more.")
    answered(*RASH)
    lexical.forget_frequencies()
    return refreshed


def test_lookups_read_refreshed_word_counts_on_postgresql_and_count_on_sqlite(counted_archive):
    with CaptureQueriesContext(connection) as queries:
        counts = lexical.document_frequencies(
            ["twitch", "eyelid", "itchy", "the"], cap=1000, indexed=23
        )
    if connection.vendor == "postgresql":
        assert counted_archive is not None and counted_archive > 10  # words counted
        # "twitch" as the refresh counted it (before the 21st calf question): read, not
        # counted; "itchy" is newer than the counts, so it alone is counted in the index.
        assert counts == {"twitch": 20, "eyelid": 1, "itchy": 1, "the": 0}
        counting = _counting(queries)
        assert len(counting) == 1 and counting[0].count("plainto_tsquery") == 1
    else:
        assert counted_archive is None  # FTS5 counts fast: SQLite keeps no table
        assert counts == {"twitch": 21, "eyelid": 1, "itchy": 1, "the": 0}
        assert len(_counting(queries)) == 1


def test_word_counts_taken_when_the_index_was_a_different_size_are_not_used(counted_archive):
    # 21 questions were indexed at the refresh; an index of 30 is more than 10% away.
    counts = lexical.document_frequencies(["twitch", "eyelid"], cap=1000, indexed=30)
    assert counts == {"twitch": 21, "eyelid": 1}


def test_the_word_count_refresh_writes_only_what_changed_and_drops_vanished_words(
    counted_archive,
):
    if connection.vendor != "postgresql":
        assert lexical.word_counts_refresh() is None
        return
    stored = _stored_word_counts()
    assert stored["twitch"] == (20, stored["twitch"][1])
    assert "itchi" not in stored and stored[""][0] == 21
    Question.objects.get(title=EYELID[0]).delete()
    lexical.word_counts_refresh()
    after = _stored_word_counts()
    assert after["twitch"][0] == 21 and after["itchi"][0] == 1 and after[""][0] == 22
    assert "eyelid" not in after  # its only question left the index
    # Only the 20 first calf questions say "number": its row is not written again.
    assert after["number"] == stored["number"] == (20, stored["number"][1])
    assert after["twitch"][1] != stored["twitch"][1]


def _stored_word_counts() -> dict[str, tuple[int, str]]:
    """word -> (documents, the transaction that last wrote the row)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT word, documents, xmin::text FROM {lexical.WORD_COUNTS_TABLE}"  # noqa: S608
        )
        return {word: (documents, xmin) for word, documents, xmin in cursor.fetchall()}


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


@pytest.mark.django_db
def test_a_lookup_reads_the_questions_it_shows_with_its_candidates_not_again():
    calf = answered(*CALF, external_id="calf-1")
    answered(*EYELID)
    similar_to_text("calves twitching during exams")  # word counts and index warmed
    with CaptureQueriesContext(connection) as lookup:
        items = similar_to_text("calves twitching during exams", limit=5)
    with CaptureQueriesContext(connection) as reading:
        # What a list shows of a public Q&A: its public title (personal details masked).
        shown = [(i.question.pk, i.question.public_title, i.question.external_id) for i in items]
    assert shown[0] == (calf.pk, CALF[0], "calf-1")
    assert len(reading) == 0
    # The index's look for changed rows, the full-text search, the candidates: no fourth
    # query reads the shown questions again.
    assert len(lookup) == 3, [q["sql"] for q in lookup]
