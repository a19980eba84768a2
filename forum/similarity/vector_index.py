"""Candidate generation: an inverted-file (IVF) index over the public embeddings.

Each process keeps one index, loaded on first use and kept fresh by reading the rows changed
since (`updated_at`), at most once per `REFRESH_SECONDS`. Small archives are searched
exhaustively; large ones are clustered with spherical k-means and only the clusters nearest the
query are scanned. The index only proposes candidates: the ranking re-reads the candidates'
rows, so a stale index can miss a question but never mis-score one or show one that is no
longer public.

**Shared between processes.** From `SHARED_MIN` public entries on, the bulk of the index (the
vectors in cluster order, their ids and versions, the centroids) is written once to files in
`SIMILARITY_INDEX_DIR` and memory-mapped read-only by every process of the machine: gunicorn's
workers, Celery's and the commands share one copy in the page cache instead of holding one each
(150 MB at 100,000 Q&As). Each process keeps only what changed since the files were written (a
small tail, and which rows are dead). When that grows past a tenth of the index, the first
process to notice builds new files and the others switch to them on their next refresh. A file
is checked against the database before it is used (a sample of its vectors must match the
rows), so files of another database, or of one rebuilt since, are never used.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import connection
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
# From this many public entries the index lives in shared files (below, 30 MB a process at
# most, and nothing is written to disk).
SHARED_MIN = 20_000
# Rebuilt once this many rows (or a tenth of the index, if more) changed since it was built.
REBUILD_AFTER = 1000
_PROBE_FRACTION = 0.08
_KMEANS_SAMPLE = 20_000
_KMEANS_ITERATIONS = 8
_CHECKED_ON_LOAD = 16
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_FORMAT = 1
_ARRAYS = ("ids", "vectors", "updated", "offsets", "centroids", "by_id", "rows_by_id")

logger = logging.getLogger(__name__)


def _micros(when: dt.datetime) -> int:
    return (when - _EPOCH) // dt.timedelta(microseconds=1)


@dataclass
class _Base:
    """The index as built: rows in cluster order. `by_id` is the ids sorted, `rows_by_id` the
    row of each; `updated` each row's `updated_at` in microseconds; `centroids` is empty for an
    exhaustive index. In memory, or memory-mapped from a shared build (`build` names it)."""

    ids: npt.NDArray[np.int64]
    vectors: Matrix
    updated: npt.NDArray[np.int64]
    offsets: npt.NDArray[np.int64]
    centroids: Matrix
    by_id: npt.NDArray[np.int64]
    rows_by_id: npt.NDArray[np.int64]
    seen: int  # microseconds: rows changed after this are not in it
    build: str = ""

    def row_of(self, pk: int) -> int | None:
        import numpy as np

        at = int(np.searchsorted(self.by_id, pk))
        if at < len(self.by_id) and int(self.by_id[at]) == pk:
            return int(self.rows_by_id[at])
        return None


def _empty_base() -> _Base:
    import numpy as np

    return _Base(
        ids=np.zeros(0, dtype=np.int64),
        vectors=np.zeros((0, DIMENSION), dtype=np.float32),
        updated=np.zeros(0, dtype=np.int64),
        offsets=np.zeros(1, dtype=np.int64),
        centroids=np.zeros((0, DIMENSION), dtype=np.float32),
        by_id=np.zeros(0, dtype=np.int64),
        rows_by_id=np.zeros(0, dtype=np.int64),
        seen=_micros(dt.datetime.min.replace(tzinfo=dt.UTC)),
    )


class VectorIndex:
    def __init__(self) -> None:
        import numpy as np

        self._lock = threading.RLock()
        self._loaded = False
        self._checked_at = 0.0
        self._base = _empty_base()
        self._seen = dt.datetime.min.replace(tzinfo=dt.UTC)
        # Per process: the base rows no longer current, and the rows added or changed since
        # the base was built (searched exhaustively), with the version each was read at.
        self._alive = np.zeros(0, dtype=bool)
        self._tail: dict[int, Matrix] = {}
        self._changed: dict[int, dt.datetime] = {}
        self._manifest_stamp: tuple[int, int] | None = None

    @property
    def _centroids(self) -> Matrix | None:
        return self._base.centroids if len(self._base.centroids) else None

    @property
    def shared_build(self) -> str:
        """The shared build this process reads ('' when the index is its own)."""
        return self._base.build

    # -- loading ---------------------------------------------------------------------------
    def _use(self, base: _Base) -> None:
        import numpy as np

        self._base = base
        self._alive = np.ones(len(base.ids), dtype=bool)
        self._tail = {}
        self._changed = {}
        self._seen = _EPOCH + dt.timedelta(microseconds=base.seen)
        self._loaded = True

    def _load(self) -> None:
        """The shared build if there is a good one, else a new build (shared if large)."""
        base = _shared_load()
        self._install(base if base is not None else _new_build())

    def _refresh(self) -> None:
        import numpy as np

        stamp = _manifest_stamp()
        if stamp is not None and stamp != self._manifest_stamp:
            # Another process built new shared files: switch to them.
            self._manifest_stamp = stamp
            shared = _shared_load()
            if shared is not None and shared.build != self._base.build:
                self._use(shared)
        changed = SimilarityEntry.objects.filter(updated_at__gt=self._seen).values_list(
            "question_id", "is_public", "model_version", "vector", "updated_at"
        )
        newest = self._seen
        base = self._base
        for pk, is_public, version, blob, updated in changed:
            newest = max(newest, updated)
            row = base.row_of(pk)
            if self._changed.get(pk) == updated or (
                pk not in self._changed
                and row is not None
                and int(base.updated[row]) == _micros(updated)
            ):
                continue  # already in the index as it is
            self._changed[pk] = updated
            if row is not None:
                self._alive[row] = False
            self._tail.pop(pk, None)
            if is_public and version == MODEL_VERSION:
                vector = np.frombuffer(bytes(blob), dtype=np.float16).astype(np.float32)
                self._tail[pk] = vector
        self._seen = max(self._seen, newest - _OVERLAP)
        dead = len(self._alive) - int(self._alive.sum())
        if len(self._tail) + dead > max(REBUILD_AFTER, len(base.ids) // 10):
            self._load_newer_or_rebuild()

    def _load_newer_or_rebuild(self) -> None:
        shared = _shared_load()
        if shared is not None and shared.seen > self._base.seen:
            self._use(shared)
            self._manifest_stamp = _manifest_stamp()
            return
        del shared
        self._install(_new_build())

    def _install(self, base: _Base) -> None:
        """Serve from `base`, note which shared manifest that was, and hand the memory a build
        used back to the system."""
        self._use(base)
        del base
        self._manifest_stamp = _manifest_stamp()
        _release_build_memory()

    def ensure_fresh(self, *, force: bool = False) -> None:
        with self._lock:
            now = time.monotonic()
            if not self._loaded:
                self._load()
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
            base = self._base
            ids_parts: list[npt.NDArray[np.int64]] = []
            score_parts: list[Matrix] = []
            if not len(base.centroids):
                if len(base.ids):
                    ids_parts.append(base.ids)
                    score_parts.append(np.where(self._alive, base.vectors @ query, -2.0))
            else:
                probes = max(1, round(len(base.centroids) * _PROBE_FRACTION))
                nearest = np.argpartition(-(base.centroids @ query), probes - 1)[:probes]
                for cluster in nearest:
                    start, end = base.offsets[cluster], base.offsets[cluster + 1]
                    if start == end:
                        continue
                    block = base.vectors[start:end]
                    ids_parts.append(base.ids[start:end])
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


def _new_build() -> _Base:
    """A build from the database, published as the shared files when it is large enough."""
    base = _build()
    if len(base.ids) >= SHARED_MIN:
        return _shared_publish(base) or base
    return base


def _build() -> _Base:
    """Read every public entry of the current model and lay the index out (clustered when
    large). Reads the rows straight into one float16 array, so the build holds the vectors
    about twice, not four times over."""
    import numpy as np

    started = timezone.now()
    rows = SimilarityEntry.objects.filter(is_public=True, model_version=MODEL_VERSION)
    expected = rows.count()
    half = np.empty((expected, DIMENSION), dtype=np.float16)
    ids = np.empty(expected, dtype=np.int64)
    updated = np.empty(expected, dtype=np.int64)
    count = 0
    for pk, blob, when in rows.values_list("question_id", "vector", "updated_at").iterator(
        chunk_size=5000
    ):
        if count == len(ids):  # rows published since the count
            grow = max(1024, len(ids) // 8)
            half = np.concatenate([half, np.empty((grow, DIMENSION), dtype=np.float16)])
            ids = np.concatenate([ids, np.empty(grow, dtype=np.int64)])
            updated = np.concatenate([updated, np.empty(grow, dtype=np.int64)])
        half[count] = np.frombuffer(bytes(blob), dtype=np.float16)
        ids[count] = pk
        updated[count] = _micros(when)
        count += 1
    half, ids, updated = half[:count], ids[:count], updated[:count]
    if count <= EXHAUSTIVE_MAX:
        centroids = np.zeros((0, DIMENSION), dtype=np.float32)
        offsets = np.asarray([0, count], dtype=np.int64)
        vectors = half.astype(np.float32)
    else:
        centroids, assignment = _cluster(half)
        order = np.argsort(assignment, kind="stable")
        counts = np.bincount(assignment, minlength=len(centroids))
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        del assignment
        vectors = np.empty((count, DIMENSION), dtype=np.float32)
        for start in range(0, count, 10_000):  # in slices: no second full-size copy
            vectors[start : start + 10_000] = half[order[start : start + 10_000]]
        ids, updated = ids[order], updated[order]
    del half
    by_row = np.argsort(ids, kind="stable")
    return _Base(
        ids=ids,
        vectors=vectors,
        updated=updated,
        offsets=offsets,
        centroids=centroids,
        by_id=ids[by_row],
        rows_by_id=by_row.astype(np.int64),
        seen=_micros(started - _OVERLAP),
    )


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


# -- shared builds --------------------------------------------------------------------------


def index_dir() -> Path:
    """Where this database's shared builds live: settings.SIMILARITY_INDEX_DIR, else
    $XDG_CACHE_HOME/openconsult/index (~/.cache/…), then one folder per database and model
    version."""
    from django.conf import settings

    db = connection.settings_dict
    configured = str(getattr(settings, "SIMILARITY_INDEX_DIR", "") or "")
    key = (configured, connection.vendor, db.get("HOST"), db.get("PORT"), db["NAME"])
    found = _dirs.get(key)
    if found is None:
        root = Path(configured) if configured else _user_cache() / "openconsult" / "index"
        identity = "|".join(str(part) for part in (*key[1:], MODEL_VERSION))
        found = _dirs[key] = root / hashlib.sha256(identity.encode()).hexdigest()[:16]
    return found


_dirs: dict[tuple[Any, ...], Path] = {}


def _user_cache() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")


def _manifest_stamp() -> tuple[int, int] | None:
    try:
        stat = (index_dir() / "current.json").stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_ino


def _shared_load() -> _Base | None:
    """The current shared build, memory-mapped, if it is of this model and matches the rows."""
    import numpy as np

    folder = index_dir()
    try:
        manifest = json.loads((folder / "current.json").read_text())
        if manifest.get("format") != _FORMAT or manifest.get("model") != MODEL_VERSION:
            return None
        build = folder / str(manifest["build"])
        arrays = {name: np.load(build / f"{name}.npy", mmap_mode="r") for name in _ARRAYS}
    except (OSError, ValueError, KeyError):
        return None
    base = _Base(**arrays, seen=int(manifest["seen"]), build=str(manifest["build"]))
    return base if _matches_database(base) else None


def _matches_database(base: _Base) -> bool:
    """A sample of the build's rows, as stored now: every one not changed since the build must
    hold the same vector, and most must still exist."""
    import numpy as np

    if not len(base.ids):
        return False
    picks = np.linspace(0, len(base.ids) - 1, num=min(_CHECKED_ON_LOAD, len(base.ids)))
    rows = sorted({int(i) for i in picks})
    wanted = {int(base.ids[row]): row for row in rows}
    found = SimilarityEntry.objects.filter(question_id__in=wanted).values_list(
        "question_id", "vector", "updated_at"
    )
    present = 0
    for pk, blob, when in found:
        present += 1
        row = wanted[pk]
        if _micros(when) != int(base.updated[row]):
            continue  # changed since: the refresh takes it from the row
        stored = np.frombuffer(bytes(blob), dtype=np.float16).astype(np.float32)
        if not np.array_equal(stored, base.vectors[row]):
            return False
    return present * 2 > len(wanted)


def _shared_publish(base: _Base) -> _Base | None:
    """Write a build to the shared folder and make it current; the build memory-mapped from
    there (None when the folder cannot be written: the process keeps its own)."""
    import numpy as np

    folder = index_dir()
    name = f"{base.seen}-{os.getpid()}-{time.monotonic_ns()}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=folder, prefix=".build-"))
        for array in _ARRAYS:
            np.save(staging / f"{array}.npy", getattr(base, array))
        # mkdtemp's 0700 would hide the build from a worker run as another user.
        os.chmod(staging, 0o755)  # noqa: S103 - read-only index files, no secret in them
        for path in staging.iterdir():
            os.chmod(path, 0o644)
        staging.rename(folder / name)
        manifest: dict[str, Any] = {
            "format": _FORMAT,
            "model": MODEL_VERSION,
            "build": name,
            "seen": base.seen,
            "rows": len(base.ids),
        }
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=".current-", suffix=".json")
        with os.fdopen(fd, "w") as out:
            json.dump(manifest, out)
        os.chmod(temporary, 0o644)
        os.replace(temporary, folder / "current.json")
    except OSError as exc:
        logger.warning("cannot share the similarity index in %s (%s); kept in memory", folder, exc)
        return None
    # Processes still reading an older build keep their mapping after the files go.
    for old in folder.iterdir():
        if old.is_dir() and old.name != name:
            shutil.rmtree(old, ignore_errors=True)
    shared = _shared_load()
    if shared is None or shared.build != name:
        return None
    return shared


def _release_build_memory() -> None:
    """Hand the build's freed memory back to the system (glibc keeps it otherwise)."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if name:
        with contextlib.suppress(OSError, AttributeError):  # not glibc
            ctypes.CDLL(name).malloc_trim(0)


_index: VectorIndex | None = None
_index_lock = threading.Lock()


def get_index() -> VectorIndex:
    global _index
    with _index_lock:
        if _index is None:
            _index = VectorIndex()
        return _index
