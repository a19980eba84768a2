"""The index underneath: the full-text side on each database, the vector index, the tasks."""

from __future__ import annotations

import numpy as np
import pytest
from django.utils import timezone

from forum.models import Question, Status
from forum.similarity import lexical, vector_index
from forum.similarity.embedding import DIMENSION, MODEL_VERSION
from forum.similarity.models import SimilarityEntry
from forum.similarity.tasks import (
    similarity_index_question,
    similarity_rebuild_index,
    similarity_unindex_question,
)
from tests.factories import make_question
from tests.forum.similarity.helpers import CALF, EYELID, answered

pytestmark = pytest.mark.django_db


def test_the_full_text_index_finds_public_questions_by_their_words():
    calf, eyelid = answered(*CALF), answered(*EYELID)
    found = lexical.search(lexical.query_terms(["eyelid", "coffee"]), limit=10)
    assert list(found) == [eyelid.pk]
    among = lexical.search(["calves", "eyelid"], limit=10, among=[calf.pk])
    assert list(among) == [calf.pk]


def test_the_full_text_index_drops_questions_that_are_no_longer_public():
    calf = answered(*CALF)
    similarity_unindex_question.delay(calf.pk)
    assert lexical.search(["calves"], limit=10) == {}


def test_query_terms_are_safe_to_put_in_a_full_text_query():
    assert lexical.query_terms(['calf"', "it's", "OR", "twitch", "twitch"]) == ["its", "twitch"]


def test_the_index_task_is_safe_to_run_twice():
    question = make_question(title=CALF[0], body=CALF[1], status=Status.ANSWERED)
    similarity_index_question.delay(question.pk)
    first = SimilarityEntry.objects.get(pk=question.pk)
    similarity_index_question.delay(question.pk)
    second = SimilarityEntry.objects.get(pk=question.pk)
    assert first.updated_at == second.updated_at
    assert lexical.search(["calves"], limit=10) == {
        question.pk: pytest.approx(lexical.search(["calves"], limit=10)[question.pk])
    }


def test_the_index_task_ignores_a_deleted_question():
    question = answered(*CALF)
    Question.objects.filter(pk=question.pk).delete()
    similarity_index_question.delay(question.pk)
    assert lexical.search(["calves"], limit=10) == {}


def test_rebuilding_the_index_restores_a_lost_entry():
    question = answered(*CALF)
    SimilarityEntry.objects.all().delete()
    similarity_rebuild_index.delay()
    assert SimilarityEntry.objects.get(pk=question.pk).is_public


def _random_entries(count: int, rng: np.random.Generator) -> np.ndarray:
    vectors = rng.standard_normal((count, DIMENSION)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    now = timezone.now()
    for vector in vectors:
        question = make_question(status=Status.ANSWERED)
        SimilarityEntry.objects.create(
            question=question,
            is_public=True,
            vector=vector.astype(np.float16).tobytes(),
            model_version=MODEL_VERSION,
            text_hash="x",
            concepts=[],
            updated_at=now,
        )
    return vectors


def test_the_clustered_index_finds_the_nearest_vectors(monkeypatch):
    monkeypatch.setattr(vector_index, "EXHAUSTIVE_MAX", 50)
    rng = np.random.default_rng(7)
    vectors = _random_entries(400, rng)
    ids = list(SimilarityEntry.objects.order_by("pk").values_list("pk", flat=True))
    index = vector_index.VectorIndex()
    target = vectors[123] + 0.05 * rng.standard_normal(DIMENSION).astype(np.float32)
    target /= np.linalg.norm(target)
    found = index.search(target, limit=5)
    assert index._centroids is not None
    assert found[0][0] == ids[123]


def test_the_index_sees_new_and_removed_entries_without_a_reload():
    rng = np.random.default_rng(3)
    vectors = _random_entries(20, rng)
    index = vector_index.VectorIndex()
    first = index.search(vectors[0], limit=1)[0][0]
    SimilarityEntry.objects.filter(pk=first).update(is_public=False, updated_at=timezone.now())
    monkey_refresh = vector_index.REFRESH_SECONDS
    try:
        vector_index.REFRESH_SECONDS = 0.0
        assert first not in [pk for pk, _ in index.search(vectors[0], limit=3)]
    finally:
        vector_index.REFRESH_SECONDS = monkey_refresh


@pytest.fixture
def shared(monkeypatch, tmp_path, settings):
    """Shared builds from 30 entries on, in a folder of this test's own."""
    settings.SIMILARITY_INDEX_DIR = str(tmp_path)
    monkeypatch.setattr(vector_index, "SHARED_MIN", 30)
    monkeypatch.setattr(vector_index, "EXHAUSTIVE_MAX", 20)
    monkeypatch.setattr(vector_index, "REFRESH_SECONDS", 0.0)
    vector_index._dirs.clear()
    yield tmp_path
    vector_index._dirs.clear()


def test_processes_share_one_memory_mapped_build(shared, monkeypatch):
    rng = np.random.default_rng(11)
    vectors = _random_entries(60, rng)
    first = vector_index.VectorIndex()
    found = first.search(vectors[5], limit=3)
    assert first.shared_build and isinstance(first._base.vectors, np.memmap)
    assert (vector_index.index_dir() / "current.json").is_file()

    def no_build():
        raise AssertionError("a second process must map the shared build")

    monkeypatch.setattr(vector_index, "_build", no_build)
    second = vector_index.VectorIndex()
    assert second.search(vectors[5], limit=3) == found
    assert second.shared_build == first.shared_build
    # A change is seen by each process through its own refresh, without touching the files.
    gone = found[0][0]
    SimilarityEntry.objects.filter(pk=gone).update(is_public=False, updated_at=timezone.now())
    for index in (first, second):
        assert gone not in [pk for pk, _ in index.search(vectors[5], limit=3)]
        assert len(index) == 59


def test_after_enough_changes_one_process_rebuilds_and_the_others_switch(shared, monkeypatch):
    rng = np.random.default_rng(12)
    vectors = _random_entries(40, rng)
    first, second = vector_index.VectorIndex(), vector_index.VectorIndex()
    first.search(vectors[0], limit=1)
    second.search(vectors[0], limit=1)
    built = first.shared_build
    monkeypatch.setattr(vector_index, "REBUILD_AFTER", 5)
    _random_entries(10, rng)  # more new rows than the index tolerates in its tail
    first.search(vectors[0], limit=1)
    assert first.shared_build != built
    builds = []
    real_build = vector_index._build
    monkeypatch.setattr(vector_index, "_build", lambda: builds.append(1) or real_build())
    second.search(vectors[0], limit=1)
    assert second.shared_build == first.shared_build and builds == []
    assert len(second) == 50


def test_a_build_that_does_not_match_the_database_is_not_used(shared):
    rng = np.random.default_rng(13)
    vectors = _random_entries(40, rng)
    first = vector_index.VectorIndex()
    first.search(vectors[0], limit=1)
    built = first.shared_build
    # The database is replaced under the same name: same ids, other vectors, same times.
    for pk, blob in SimilarityEntry.objects.values_list("pk", "vector"):
        flipped = -np.frombuffer(bytes(blob), dtype=np.float16)
        SimilarityEntry.objects.filter(pk=pk).update(vector=flipped.tobytes())
    second = vector_index.VectorIndex()
    second.search(vectors[0], limit=1)
    assert second.shared_build and second.shared_build != built


def test_without_a_writable_folder_each_process_keeps_its_own(shared, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings.SIMILARITY_INDEX_DIR = str(blocker)
    vector_index._dirs.clear()
    rng = np.random.default_rng(14)
    vectors = _random_entries(40, rng)
    index = vector_index.VectorIndex()
    assert (
        index.search(vectors[3], limit=1)[0][0]
        == SimilarityEntry.objects.order_by("pk").values_list("pk", flat=True)[3]
    )
    assert index.shared_build == ""
