"""Writes to the similarity index. Safe to repeat: indexing an unchanged question changes nothing
but its public flag, and embeddings are only recomputed when the text or the model changed."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from forum.models import Question
from forum.similarity import lexical
from forum.similarity.concepts import concepts_of, to_json
from forum.similarity.embedding import MODEL_VERSION, Embedder, get_embedder
from forum.similarity.models import SimilarityEntry
from forum.similarity.text import document_text, text_hash

INDEX_BATCH = 64


@dataclass(frozen=True)
class IndexOutcome:
    embedded: int
    public: int
    removed: int


def entries_index(*, question_ids: Iterable[int], embedder: Embedder | None = None) -> IndexOutcome:
    """Embed (when needed), tag with triage concepts and (un)publish these questions.

    Every question gets an entry, so its own page can find similar Q&As without embedding in
    the request; only public ones enter the lexical index and others' results. Questions that
    no longer exist are ignored. Embedding happens before the transaction that writes.
    """
    ids = sorted(set(question_ids))
    questions = list(
        Question.objects.filter(pk__in=ids).only(
            "pk", "title", "body", "status", "is_hidden", "is_private"
        )
    )
    existing = {
        e.question_id: e
        for e in SimilarityEntry.objects.filter(question_id__in=ids).only(
            "question_id", "model_version", "text_hash", "is_public"
        )
    }
    texts = {q.pk: document_text(q.title, q.body) for q in questions}
    stale = [
        q
        for q in questions
        if (entry := existing.get(q.pk)) is None
        or entry.model_version != MODEL_VERSION
        or entry.text_hash != text_hash(texts[q.pk])
    ]
    vectors = (embedder or get_embedder()).embed([texts[q.pk] for q in stale])
    now = timezone.now()
    public_rows = [(q.pk, q.title, q.body) for q in questions if q.is_public]
    # Deleted questions lose their entry by cascade; their lexical row goes here.
    private_ids = [q.pk for q in questions if not q.is_public]
    private_ids += sorted(set(ids) - {q.pk for q in questions})
    with transaction.atomic():
        for question, vector in zip(stale, vectors, strict=True):
            SimilarityEntry.objects.update_or_create(
                question_id=question.pk,
                defaults={
                    "is_public": question.is_public,
                    "vector": vector.astype("float16").tobytes(),
                    "model_version": MODEL_VERSION,
                    "text_hash": text_hash(texts[question.pk]),
                    "concepts": to_json(concepts_of(texts[question.pk])),
                    "updated_at": now,
                },
            )
        stale_ids = {q.pk for q in stale}
        for question in questions:
            entry = existing.get(question.pk)
            if question.pk not in stale_ids and entry and entry.is_public != question.is_public:
                SimilarityEntry.objects.filter(pk=question.pk).update(
                    is_public=question.is_public, updated_at=now
                )
        lexical.upsert(public_rows)
        lexical.delete(private_ids)
    return IndexOutcome(embedded=len(stale), public=len(public_rows), removed=len(private_ids))


def entry_index(*, question_id: int) -> IndexOutcome:
    return entries_index(question_ids=[question_id])


def entry_unindex(*, question_id: int) -> None:
    """Take a question out of everyone's similar lists at once (hidden, made private, deleted).

    Cheap and embedding-free, so it can run inside the request that hid the question.
    """
    with transaction.atomic():
        SimilarityEntry.objects.filter(pk=question_id, is_public=True).update(
            is_public=False, updated_at=timezone.now()
        )
        lexical.delete([question_id])


def index_rebuild(
    *,
    batch_size: int = INDEX_BATCH,
    progress: Callable[[int, int], None] | None = None,
    full: bool = False,
) -> IndexOutcome:
    """Index every question again. `full` drops everything first (after a model change it is
    not needed: entries from another model are re-embedded anyway)."""
    if full:
        with transaction.atomic():
            SimilarityEntry.objects.all().delete()
            lexical.clear()
    ids: Sequence[int] = list(Question.objects.order_by("pk").values_list("pk", flat=True))
    totals = [0, 0, 0]
    for start in range(0, len(ids), batch_size):
        outcome = entries_index(question_ids=ids[start : start + batch_size])
        totals[0] += outcome.embedded
        totals[1] += outcome.public
        totals[2] += outcome.removed
        if progress:
            progress(min(start + batch_size, len(ids)), len(ids))
    return IndexOutcome(*totals)
