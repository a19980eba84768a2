"""Reads. Every question a request touches comes through `question_get_for_user`."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.db.models import Count, Min, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from accounts.access import user_can_act_as_doctor, user_can_moderate
from forum.models import Answer, Assessment, FollowUp, Notification, Question, Status
from forum.similarity import SimilarItem, similar_to_question, similar_to_text
from forum.triage_adapter import assess_question


def _with_display_relations(qs: QuerySet[Question]) -> QuerySet[Question]:
    return qs.select_related(
        "specialty", "author", "answer", "answer__doctor__doctor_profile", "answer__specialty"
    )


def questions_visible_to(user: Any) -> QuerySet[Question]:
    """Every question this user may open. Health data: keep this the only definition."""
    qs = Question.objects.all()
    if user_can_moderate(user):
        return qs
    visible = Q(status=Status.ANSWERED, is_hidden=False, is_private=False)
    if getattr(user, "is_authenticated", False):
        visible |= Q(author=user)
        if user_can_act_as_doctor(user):
            visible |= Q(is_hidden=False)
    return qs.filter(visible)


def question_get_for_user(*, user: Any, pk: int) -> Question:
    """The question with its answer and follow-ups, or 404 if this user may not see it."""
    followups = FollowUp.objects.select_related("author__doctor_profile")
    if not user_can_moderate(user):
        followups = followups.filter(is_hidden=False)
    qs = _with_display_relations(questions_visible_to(user)).prefetch_related(
        Prefetch("followups", queryset=followups), "assessments"
    )
    try:
        return qs.get(pk=pk)
    except Question.DoesNotExist:
        raise Http404("No such question.") from None


def public_question_list(*, specialty: str = "", query: str = "") -> QuerySet[Question]:
    qs = _with_display_relations(Question.objects.public())
    if specialty:
        qs = qs.filter(specialty__slug=specialty)
    for term in query.split()[:8]:
        qs = qs.filter(Q(title__icontains=term) | Q(body__icontains=term))
    return qs.order_by("-answered_at", "-id")


def questions_of_author(*, user: Any) -> QuerySet[Question]:
    return _with_display_relations(Question.objects.filter(author=user)).order_by(
        "-created_at", "-id"
    )


def visible_answer(question: Question, *, user: Any) -> Answer | None:
    answer: Answer | None = getattr(question, "answer", None)
    if answer is None:
        try:
            answer = Answer.objects.get(question=question)
        except Answer.DoesNotExist:
            return None
    if answer.is_hidden and not user_can_moderate(user):
        return None
    return answer


def similar_questions(*, question: Question, limit: int = 5) -> list[SimilarItem]:
    """Public, doctor-answered Q&As most like this one, best first, each with why it matched.

    Never the question itself, never private, hidden or unanswered ones.
    """
    items = similar_to_question(question, limit=limit)
    return _with_display(items)


def similar_to_draft(*, text: str, limit: int = 5) -> list[SimilarItem]:
    """For a patient still typing: answered Q&As that may already answer the question."""
    return _with_display(similar_to_text(text, limit=limit))


def _with_display(items: list[SimilarItem]) -> list[SimilarItem]:
    """Fetch the relations the pages show in one query (the engine returns bare rows)."""
    if not items:
        return items
    rows = _with_display_relations(
        Question.objects.public().filter(answer__is_hidden=False)
    ).in_bulk([item.question.pk for item in items])
    return [
        dataclasses.replace(item, question=rows[item.question.pk])
        for item in items
        if item.question.pk in rows
    ]


def latest_assessment(question: Question) -> Assessment | None:
    """The assessment in force: the newest row (doctor correction, re-triage or engine)."""
    prefetched = getattr(question, "_prefetched_objects_cache", {}).get("assessments")
    if prefetched is not None:
        rows = sorted(prefetched, key=lambda a: (a.created_at, a.pk), reverse=True)
        return rows[0] if rows else None
    return question.assessments.order_by("-created_at", "-id").first()


_EMPTY_TRIAGE: dict[str, Any] = {
    "advice": "",
    "specialty": "",
    "flags": [],
    "causes": [],
    "missing_info": [],
    "engine_version": "",
    "kb_version": "",
}


def _triage_view(result: dict[str, Any], *, source: str, reason: str) -> dict[str, Any]:
    return {**_EMPTY_TRIAGE, **result, "source": source, "reason": reason}


def assessment_view(assessment: Assessment) -> dict[str, Any]:
    """An assessment as one flat result: the engine's keys plus who made it and why. A doctor's
    correction of a question the engine never saw has only the urgency; the rest is empty."""
    return _triage_view(assessment.result, source=assessment.source, reason=assessment.reason)


def triage_for_viewer(question: Question, *, user: Any) -> dict[str, Any] | None:
    """The triage result this user may read: the asker, doctors and moderators; nobody else.

    The newest assessment is the one in force. A question the worker has not triaged yet is
    assessed on the spot for its asker, so an emergency is told what to do without waiting.
    """
    is_author = getattr(user, "is_authenticated", False) and question.author_id == user.pk
    if not (is_author or user_can_act_as_doctor(user) or user_can_moderate(user)):
        return None
    assessment = latest_assessment(question)
    if assessment is not None:
        return assessment_view(assessment)
    if is_author and question.status == Status.SUBMITTED:
        return _triage_view(assess_question(question).to_dict(), source="engine", reason="")
    return None


def queue_for_doctor(*, doctor: Any) -> QuerySet[Question]:
    """What a verified doctor may work on: their specialties' waiting questions, most urgent
    first, then longest waiting. Claims held by others are left out until they expire."""
    now = timezone.now()
    specialties = doctor.doctor_profile.specialties.values("pk")
    return (
        Question.objects.filter(specialty__in=specialties, is_hidden=False)
        .filter(
            Q(status=Status.QUEUED)
            | Q(status=Status.CLAIMED, claimed_until__lte=now)
            | Q(status=Status.CLAIMED, claimed_by=doctor)
        )
        .select_related("specialty", "author", "claimed_by")
        .prefetch_related("assessments")
        .order_by("-priority", "queued_at", "id")
    )


def notifications_for(*, user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).select_related("question")


def unread_notification_count(*, user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at=None).count()


def queue_overview() -> list[dict[str, Any]]:
    """Waiting questions per specialty and urgency: how many, and the longest wait."""
    now = timezone.now()
    rows = (
        Question.objects.filter(
            status__in=[Status.SUBMITTED, Status.QUEUED, Status.CLAIMED, Status.NEEDS_INFO],
            is_hidden=False,
        )
        .values("specialty__name", "urgency", "status")
        .annotate(count=Count("id"), oldest=Min(Coalesce("queued_at", "created_at")))
        .order_by("-count")
    )
    return [
        {
            "specialty": row["specialty__name"] or "(not filed yet)",
            "urgency": row["urgency"] or "not triaged",
            "status": row["status"],
            "count": row["count"],
            "longest_wait": now - row["oldest"],
        }
        for row in rows
    ]
