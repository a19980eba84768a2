"""Candidate generation: an in-memory inverted-file (IVF) index over the public embeddings.

Each process keeps one index, loaded from `SimilarityEntry` on first use and kept fresh by
reading the rows changed since (`updated_at`), at most once per `REFRESH_SECONDS`. Small
archives are searched exhaustively; large ones are clustered with spherical k-means and only
the clusters nearest the query are scanned. The index only proposes candidates: the ranking
re-reads the candidates' rows, so a stale index can miss a question but never mis-score one
or show one that is no longer public.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import TYPE_CHECKING

from django.utils import timezone

from forum.similarity.embedding import DIMENSION, MODEL_VERSION
from forum.similarity.models import SimilarityEntry

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Matrix = npt.NDArray[np.float32]

REFRESH_SECONDS = 1.0
# Rows written this close together may commit out of order; re-read a window this wide.
_OVERLAP = dt.timedelta(seconds=10)
EXHAUSTIVE_MAX = 20_000
_PROBE_FRACTION = 0.08
_KMEANS_SAMPLE = 20_000
_KMEANS_ITERATIONS = 8


class VectorIndex:
    def __init__(self) -> None:
        import numpy as np

        self._lock = threading.RLock()
        self._loaded = False
        self._checked_at = 0.0
        self._seen = dt.datetime.min.replace(tzinfo=dt.UTC)
        self._applied: dict[int, dt.datetime] = {}
        # The bulk: rows in cluster order, float32 (1.5 KB a question) so a scan needs no copy.
        self._ids = np.zeros(0, dtype=np.int64)
        self._vectors = np.zeros((0, DIMENSION), dtype=np.float32)
        self._alive = np.zeros(0, dtype=bool)
        self._row: dict[int, int] = {}
        self._centroids: Matrix | None = None
        self._offsets = np.zeros(1, dtype=np.int64)
        # Rows added or changed since the last build, searched exhaustively.
        self._tail: dict[int, Matrix] = {}

    # -- loading ---------------------------------------------------------------------------
    def _build(self) -> None:
        import numpy as np

        started = timezone.now()
        rows = SimilarityEntry.objects.filter(
            is_public=True, model_version=MODEL_VERSION
        ).values_list("question_id", "vector", "updated_at")
        ids: list[int] = []
        blobs: list[bytes] = []
        applied: dict[int, dt.datetime] = {}
        for pk, blob, updated in rows.iterator(chunk_size=5000):
            ids.append(pk)
            blobs.append(bytes(blob))
            applied[pk] = updated
        vectors = (
            np.frombuffer(b"".join(blobs), dtype=np.float16).reshape(len(ids), DIMENSION)
            if ids
            else np.zeros((0, DIMENSION), dtype=np.float16)
        )
        id_array = np.asarray(ids, dtype=np.int64)
        if len(ids) <= EXHAUSTIVE_MAX:
            self._centroids = None
            self._vectors = vectors.astype(np.float32)
            self._ids = id_array
            self._offsets = np.asarray([0, len(ids)], dtype=np.int64)
        else:
            centroids, assignment = _cluster(vectors)
            order = np.argsort(assignment, kind="stable")
            counts = np.bincount(assignment, minlength=len(centroids))
            self._centroids = centroids
            self._vectors = vectors[order].astype(np.float32)
            self._ids = id_array[order]
            self._offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self._alive = np.ones(len(ids), dtype=bool)
        self._row = {int(pk): i for i, pk in enumerate(self._ids)}
        self._applied = applied
        self._tail = {}
        self._seen = started - _OVERLAP
        self._loaded = True

    def _refresh(self) -> None:
        import numpy as np

        changed = SimilarityEntry.objects.filter(updated_at__gt=self._seen).values_list(
            "question_id", "is_public", "model_version", "vector", "updated_at"
        )
        newest = self._seen
        for pk, is_public, version, blob, updated in changed:
            newest = max(newest, updated)
            if self._applied.get(pk) == updated:
                continue
            self._applied[pk] = updated
            row = self._row.pop(pk, None)
            if row is not None:
                self._alive[row] = False
            self._tail.pop(pk, None)
            if is_public and version == MODEL_VERSION:
                vector = np.frombuffer(bytes(blob), dtype=np.float16).astype(np.float32)
                self._tail[pk] = vector
        self._seen = max(self._seen, newest - _OVERLAP)
        dead = len(self._alive) - int(self._alive.sum())
        if len(self._tail) + dead > max(1000, len(self._ids) // 10):
            self._build()

    def ensure_fresh(self, *, force: bool = False) -> None:
        with self._lock:
            now = time.monotonic()
            if not self._loaded:
                self._build()
            elif force or now - self._checked_at >= REFRESH_SECONDS:
                self._refresh()
            self._checked_at = now

    def reset(self) -> None:
        """Forget everything (and the cached word counts): the next search reloads."""
        from forum.similarity import lexical

        with self._lock:
            self.__init__()  # type: ignore[misc]
            lexical.forget_frequencies()

    def __len__(self) -> int:
        return int(self._alive.sum()) + len(self._tail)

    # -- searching -------------------------------------------------------------------------
    def search(
        self, query: Matrix, *, limit: int, exclude: int | None = None
    ) -> list[tuple[int, float]]:
        """(question_id, cosine) of about the `limit` nearest public questions, best first."""
        import numpy as np

        self.ensure_fresh()
        with self._lock:
            ids_parts: list[npt.NDArray[np.int64]] = []
            score_parts: list[Matrix] = []
            if self._centroids is None:
                if len(self._ids):
                    ids_parts.append(self._ids)
                    score_parts.append(np.where(self._alive, self._vectors @ query, -2.0))
            else:
                probes = max(1, round(len(self._centroids) * _PROBE_FRACTION))
                nearest = np.argpartition(-(self._centroids @ query), probes - 1)[:probes]
                for cluster in nearest:
                    start, end = self._offsets[cluster], self._offsets[cluster + 1]
                    if start == end:
                        continue
                    block = self._vectors[start:end]
                    ids_parts.append(self._ids[start:end])
                    score_parts.append(np.where(self._alive[start:end], block @ query, -2.0))
            if self._tail:
                tail_ids = np.fromiter(self._tail.keys(), dtype=np.int64, count=len(self._tail))
                ids_parts.append(tail_ids)
                score_parts.append(np.stack(list(self._tail.values())) @ query)
        if not ids_parts:
            return []
        ids = np.concatenate(ids_parts)
        scores = np.concatenate(score_parts)
        if exclude is not None:
            scores = np.where(ids == exclude, -2.0, scores)
        take = min(limit, len(ids))
        top = np.argpartition(-scores, take - 1)[:take]
        top = top[np.argsort(-scores[top])]
        return [(int(ids[i]), float(scores[i])) for i in top if scores[i] > -1.5]


def _cluster(vectors: npt.NDArray[np.float16]) -> tuple[Matrix, npt.NDArray[np.int64]]:
    """Spherical k-means on a sample; every vector is then assigned to its nearest centroid."""
    import numpy as np

    rng = np.random.default_rng(20180119)
    n = len(vectors)
    count = int(np.sqrt(n))
    sample = vectors[rng.choice(n, size=min(n, _KMEANS_SAMPLE), replace=False)].astype(np.float32)
    centroids = sample[rng.choice(len(sample), size=count, replace=False)].copy()
    for _ in range(_KMEANS_ITERATIONS):
        labels = np.argmax(sample @ centroids.T, axis=1)
        sums = np.zeros_like(centroids)
        np.add.at(sums, labels, sample)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        empty = norms[:, 0] == 0
        sums[empty] = centroids[empty]
        norms[empty] = 1.0
        centroids = sums / norms
    assignment = np.empty(n, dtype=np.int64)
    for start in range(0, n, 10_000):
        block = vectors[start : start + 10_000].astype(np.float32)
        assignment[start : start + 10_000] = np.argmax(block @ centroids.T, axis=1)
    return centroids.astype(np.float32), assignment


_index: VectorIndex | None = None
_index_lock = threading.Lock()


def get_index() -> VectorIndex:
    global _index
    with _index_lock:
        if _index is None:
            _index = VectorIndex()
        return _index
