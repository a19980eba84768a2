"""Celery tasks of the similarity index: thin, id-based and safe to run twice."""

from __future__ import annotations

from celery import shared_task

from forum.similarity import services


@shared_task(
    name="forum.similarity.tasks.similarity_index_question",
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=120,
    soft_time_limit=100,
)  # type: ignore[untyped-decorator]
def similarity_index_question(question_id: int) -> None:
    """After a question is answered, edited, hidden, restored or made private/public."""
    services.entry_index(question_id=question_id)


@shared_task(
    name="forum.similarity.tasks.similarity_refresh_links",
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=120,
    soft_time_limit=100,
)  # type: ignore[untyped-decorator]
def similarity_refresh_links(question_id: int) -> None:
    """When a page found its stored similar Q&As old, or some of them no longer public."""
    services.similar_links_refresh(question_id=question_id)


@shared_task(
    name="forum.similarity.tasks.similarity_unindex_question",
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=30,
    soft_time_limit=25,
)  # type: ignore[untyped-decorator]
def similarity_unindex_question(question_id: int) -> None:
    services.entry_unindex(question_id=question_id)


@shared_task(
    name="forum.similarity.tasks.similarity_rebuild_index",
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=6 * 3600,
    soft_time_limit=6 * 3600 - 60,
)  # type: ignore[untyped-decorator]
def similarity_rebuild_index() -> None:
    services.index_rebuild()


@shared_task(
    name="forum.similarity.tasks.similarity_refresh_word_counts",
    time_limit=600,
    soft_time_limit=570,
)  # type: ignore[untyped-decorator]
def similarity_refresh_word_counts() -> int | None:
    """Every ten minutes (beat): the word counts full-text lookups read on PostgreSQL."""
    return services.word_counts_refresh()
