"""Writes to the similarity index. Safe to repeat: indexing an unchanged question changes nothing
but its public flag, and embeddings are only recomputed when the text or the model changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from forum.enqueue import enqueue
from forum.models import Question, Status
from forum.similarity import lexical
from forum.similarity.concepts import concepts_of, to_json
from forum.similarity.embedding import MODEL_VERSION, Embedder, get_embedder
from forum.similarity.models import SimilarityEntry, SimilarLink
from forum.similarity.selectors import (
    SimilarItem,
    similar_stored_for_page,
    similar_to_question,
    with_page_relations,
)
from forum.similarity.text import document_text, text_hash

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

INDEX_BATCH = 64
# Links stored per question: the queue shows 3, a question's page 5; the spare ones stand in
# for any hidden or made private after they were stored.
SIMILAR_LINKS = 8
# Questions a doctor may still pick up or is working on.
WAITING = (Status.QUEUED, Status.CLAIMED, Status.NEEDS_INFO)
# Questions that keep stored links (when not hidden): the waiting ones, for the queue, and the
# answered ones, for their pages.
LINKED = (*WAITING, Status.ANSWERED)
# Stored links older than this are recomputed in the background when the page is read, so a
# page picks up the Q&As answered since.
LINKS_MAX_AGE = dt.timedelta(days=7)


@dataclass(frozen=True)
class IndexOutcome:
    embedded: int
    public: int
    removed: int


@dataclass(frozen=True)
class PreparedEntry:
    """A question's vector and concepts computed elsewhere (the archive import's processes),
    for the public text whose hash this is."""

    text_hash: str
    vector: npt.NDArray[np.float32]
    concepts: list[list[str]]


def entries_index(
    *,
    question_ids: Iterable[int],
    embedder: Embedder | None = None,
    prepared: Mapping[int, PreparedEntry] | None = None,
) -> IndexOutcome:
    """Embed (when needed), tag with triage concepts and (un)publish these questions.

    Every question gets an entry, so its own page can find similar Q&As without embedding in
    the request; only public ones enter the lexical index and others' results. Questions that
    no longer exist are ignored. Embedding and tagging happen before the one transaction that
    writes, in bulk: a batch costs a handful of queries, not a few per question. `prepared`
    entries are used for the questions whose public text still has their hash.
    """
    ids = sorted(set(question_ids))
    questions = list(
        Question.objects.filter(pk__in=ids)
        .select_related("answer")
        .only(
            "pk",
            "public_title",
            "public_body",
            "status",
            "is_hidden",
            "is_private",
            "answer__is_hidden",
        )
    )
    existing = {
        e.question_id: e
        for e in SimilarityEntry.objects.filter(question_id__in=ids).only(
            "question_id", "model_version", "text_hash", "is_public"
        )
    }
    # Only the public copies (personal details masked) are ever embedded or indexed.
    texts = {q.pk: document_text(q.public_title, q.public_body) for q in questions}
    stale = [
        q
        for q in questions
        if (entry := existing.get(q.pk)) is None
        or entry.model_version != MODEL_VERSION
        or entry.text_hash != text_hash(texts[q.pk])
    ]
    ready = {
        q.pk: given
        for q in stale
        if (given := (prepared or {}).get(q.pk)) is not None
        and given.text_hash == text_hash(texts[q.pk])
    }
    to_embed = [q for q in stale if q.pk not in ready]
    embedded = (embedder or get_embedder()).embed([texts[q.pk] for q in to_embed])
    vectors = dict(zip([q.pk for q in to_embed], embedded, strict=True))
    vectors.update({pk: given.vector for pk, given in ready.items()})
    now = timezone.now()
    public_rows = [(q.pk, q.public_title, q.public_body) for q in questions if q.is_public]
    # Deleted questions lose their entry by cascade; their lexical row goes here.
    private_ids = [q.pk for q in questions if not q.is_public]
    private_ids += sorted(set(ids) - {q.pk for q in questions})
    stale_ids = {q.pk for q in stale}
    flipped: dict[bool, list[int]] = {True: [], False: []}
    for question in questions:
        entry = existing.get(question.pk)
        if question.pk not in stale_ids and entry and entry.is_public != question.is_public:
            flipped[question.is_public].append(question.pk)
    entries = [
        SimilarityEntry(
            question_id=question.pk,
            is_public=question.is_public,
            vector=vectors[question.pk].astype("float16").tobytes(),
            model_version=MODEL_VERSION,
            text_hash=text_hash(texts[question.pk]),
            concepts=(
                ready[question.pk].concepts
                if question.pk in ready
                else to_json(concepts_of(texts[question.pk]))
            ),
            updated_at=now,
        )
        for question in stale
    ]
    with transaction.atomic():
        SimilarityEntry.objects.bulk_create(
            entries,
            update_conflicts=True,
            unique_fields=["question"],
            update_fields=[
                "is_public",
                "vector",
                "model_version",
                "text_hash",
                "concepts",
                "updated_at",
            ],
        )
        for is_public, flipped_ids in flipped.items():
            if flipped_ids:
                SimilarityEntry.objects.filter(pk__in=flipped_ids).update(
                    is_public=is_public, updated_at=now
                )
        lexical.upsert(public_rows)
        lexical.delete(private_ids)
    return IndexOutcome(embedded=len(stale), public=len(public_rows), removed=len(private_ids))


def entry_index(*, question_id: int) -> IndexOutcome:
    """The worker's path for one question: index it, then store or drop its similar links."""
    outcome = entries_index(question_ids=[question_id])
    similar_links_refresh(question_id=question_id)
    return outcome


def _keeps_links(question: Question | None) -> bool:
    return question is not None and question.status in LINKED and not question.is_hidden


def similar_links_refresh(*, question_id: int, limit: int = SIMILAR_LINKS) -> int:
    """Store the answered Q&As most similar to a question waiting for a doctor or answered,
    replacing any stored before; a question that is neither (hidden, closed, gone) loses its
    links.

    Returns how many links are stored. Call after `entries_index` for the question, so the
    ranking uses its stored embedding rather than running the model. Safe to run twice.
    """
    question = (
        Question.objects.filter(pk=question_id)
        .only("pk", "public_title", "public_body", "status", "is_hidden")
        .first()
    )
    items = (
        similar_to_question(question, limit=limit) if question and _keeps_links(question) else []
    )
    return similar_links_save(question_id=question_id, question=question, items=items)


def similar_links_save(
    *, question_id: int, question: Question | None, items: Sequence[SimilarItem]
) -> int:
    """Replace the question's stored links with `items` (best first), as ranked for its text
    now. Nothing is stored for a question that keeps no links. Returns how many are stored."""
    now = timezone.now()
    if not _keeps_links(question):
        items = []
    with transaction.atomic():
        # Two runs for one question take turns, so neither trips over the other's rows.
        list(Question.objects.select_for_update().filter(pk=question_id).values_list("pk"))
        SimilarLink.objects.filter(question_id=question_id).delete()
        if question is not None and items:
            digest = text_hash(document_text(question.public_title, question.public_body))
            SimilarLink.objects.bulk_create(
                SimilarLink(
                    question_id=question_id,
                    similar_id=item.question.pk,
                    rank=rank,
                    score=item.score,
                    shared=item.shared,
                    text_hash=digest,
                    computed_at=now,
                )
                for rank, item in enumerate(items, start=1)
            )
    return len(items)


def similar_for_question(*, question: Question, limit: int = 5) -> list[SimilarItem]:
    """The similar Q&As a question's page shows: the links stored for its text, with the
    relations the page displays, in one query; ranked live only when none are stored.

    Side effects: links ranked live are stored for the next reader (as the worker would have);
    links older than LINKS_MAX_AGE are shown and recomputed by a task.
    """
    stored, computed_at = similar_stored_for_page(question, limit=limit)
    if computed_at is None:
        items = similar_to_question(question, limit=SIMILAR_LINKS)
        if similar_links_save(question_id=question.pk, question=question, items=items):
            return similar_stored_for_page(question, limit=limit)[0]
        return with_page_relations(items[:limit])
    if timezone.now() - computed_at > LINKS_MAX_AGE:
        enqueue("forum.similarity.tasks.similarity_refresh_links", question.pk)
    return stored


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
    """Index every question again and store the similar links of the questions waiting in the
    queue. `full` drops everything first (after a model change it is not needed: entries from
    another model are re-embedded anyway)."""
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
    # The queue's stored links: questions waiting before links existed get theirs now (an
    # answered question's page stores its own when first read).
    SimilarLink.objects.exclude(question__status__in=LINKED).delete()
    SimilarLink.objects.filter(question__is_hidden=True).delete()
    word_counts_refresh()
    waiting = Question.objects.filter(status__in=WAITING, is_hidden=False).order_by("pk")
    for question_id in waiting.values_list("pk", flat=True):
        similar_links_refresh(question_id=question_id)
    return IndexOutcome(*totals)


def word_counts_refresh() -> int | None:
    """Recount how many indexed questions use each word, for lookups on PostgreSQL (see
    `lexical.word_counts_refresh`); a no-op on SQLite. Run by beat and after bulk indexing."""
    return lexical.word_counts_refresh()
