"""Celery tasks: thin, take ids, call one service, safe to run twice.

Tasks import the services; the services schedule these tasks by name (`forum.enqueue`), never
by importing this module. The app registers them when it loads (`ForumConfig.ready`)."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.signals import worker_process_init
from django.db import OperationalError

from forum import services
from forum.notifications import notification_send_email, notifications_resend_unsent
from forum.similarity import warm_up

# The similarity index's tasks live with their package; importing them here registers them.
from forum.similarity.tasks import (  # noqa: F401
    similarity_index_question,
    similarity_rebuild_index,
    similarity_refresh_word_counts,
    similarity_unindex_question,
)

# Redelivered if the worker dies mid-task (acks_late + reject_on_worker_lost); the services make
# a second run a no-op.
_RELIABLE = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError, OSError),
    "retry_backoff": 2,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 12,
}


@shared_task(name="forum.tasks.triage_question", **_RELIABLE)  # type: ignore[untyped-decorator]
def triage_question(question_id: int) -> str | None:
    assessment = services.question_triage(question_id=question_id)
    return assessment.urgency if assessment else None


@shared_task(name="forum.tasks.retriage_question", **_RELIABLE)  # type: ignore[untyped-decorator]
def retriage_question(question_id: int) -> str | None:
    assessment = services.question_retriage(question_id=question_id)
    return assessment.urgency if assessment else None


@shared_task(name="forum.tasks.send_notification_email", **_RELIABLE)  # type: ignore[untyped-decorator]
def send_notification_email(notification_id: int) -> bool:
    return notification_send_email(notification_id=notification_id)


@shared_task(name="forum.tasks.release_expired_claims", **_RELIABLE)  # type: ignore[untyped-decorator]
def release_expired_claims() -> int:
    return services.claims_release_expired()


@shared_task(name="forum.tasks.sweep_submitted", **_RELIABLE)  # type: ignore[untyped-decorator]
def sweep_submitted() -> int:
    return services.questions_sweep_submitted()


@shared_task(name="forum.tasks.resend_unsent_emails", **_RELIABLE)  # type: ignore[untyped-decorator]
def resend_unsent_emails() -> int:
    return notifications_resend_unsent()


@worker_process_init.connect  # type: ignore[untyped-decorator]
def _load_similarity_model(**kwargs: Any) -> None:
    """Before a pool process's first task: the model and index came with the fork from the
    worker's main process (config/celery.py); this catches up on the index, or loads both
    when the main process could not (the database was down then)."""
    warm_up()
