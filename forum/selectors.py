"""Reads. Every question a request touches comes through `question_get_for_user`."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.conf import settings
from django.db.models import (
    Count,
    Exists,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from accounts.access import user_can_act_as_doctor, user_can_moderate
from accounts.models import DoctorStatus, Role
from accounts.selectors import doctors_on_call
from forum import listing, specialty_list
from forum.models import (
    Answer,
    Assessment,
    AssessmentSource,
    FollowUp,
    Notification,
    NotificationKind,
    Question,
    QuestionQuerySet,
    Specialty,
    Status,
    Urgency,
    claimable_q,
    public_q,
)
from forum.permissions import can_read_in_full, is_asker
from forum.similarity import SimilarItem, similar_to_text
from forum.similarity.services import similar_for_question
from forum.triage_adapter import assess_question


def _with_display_relations(qs: QuerySet[Question]) -> QuerySet[Question]:
    return qs.select_related(
        "specialty", "author", "answer", "answer__doctor__doctor_profile", "answer__specialty"
    )


# What a list card and the API list show of a question: no answer, no follow-ups.
_LIST_FIELDS = (
    "id",
    # Lists are public: they show the copies with personal details masked.
    "public_title",
    "public_body",
    "age_band",
    "sex",
    "status",
    "created_at",
    "answered_at",
    "author_id",
    "author__pseudonym",
    "specialty_id",
    "specialty__slug",
    "specialty__name",
)


def _with_list_relations(qs: QuestionQuerySet) -> QuestionQuerySet:
    """The relations and columns a list row shows, in the one query that reads the rows."""
    return qs.select_related("specialty", "author").only(*_LIST_FIELDS)


def questions_visible_to(user: Any) -> QuerySet[Question]:
    """Every question this user may open. Health data: keep this the only definition."""
    qs = Question.objects.all()
    if user_can_moderate(user):
        return qs
    visible = public_q()
    if getattr(user, "is_authenticated", False):
        visible |= Q(author=user)
        if user_can_act_as_doctor(user):
            visible |= Q(is_hidden=False)
    return qs.filter(visible)


def question_get_for_user(*, user: Any, pk: int) -> Question:
    """The question with its answer and follow-ups (and its assessments, for a doctor or a
    moderator), or 404 if this user may not see it."""
    followups = FollowUp.objects.select_related("author__doctor_profile")
    if not user_can_moderate(user):
        followups = followups.filter(is_hidden=False)
    # Most Q&As have no follow-ups: the question's own query says whether it has any, and only
    # then are they read.
    # The specialties come from the lists' cache (`attach_specialties`), not two more joins.
    qs = (
        questions_visible_to(user)
        .select_related("author", "answer", "answer__doctor__doctor_profile")
        .annotate(has_followups=Exists(followups.filter(question=OuterRef("pk"))))
    )
    if user_can_act_as_doctor(user) or user_can_moderate(user):
        # Doctors and moderators read the triage history; an asker reads the assessment in
        # force (one query, `latest_assessment`); anyone else never sees a triage, so their
        # page loads no assessment and none of its full results.
        qs = qs.prefetch_related("assessments")
    try:
        question = qs.get(pk=pk)
    except Question.DoesNotExist:
        raise Http404("No such question.") from None
    specialty_list.attach_specialties(question, getattr(question, "answer", None))
    if question.has_followups:
        prefetch_related_objects([question], Prefetch("followups", queryset=followups))
    else:
        _prefetched_empty(question, "followups")
    return question


def _prefetched_empty(instance: Any, name: str) -> None:
    """Mark a reverse relation known to be empty as prefetched: `instance.<name>.all()` is []
    without a query (what `prefetch_related` stores when it finds no rows)."""
    empty = getattr(instance, name).get_queryset()
    empty._result_cache = []
    empty._prefetch_done = True
    instance._prefetched_objects_cache = {
        **getattr(instance, "_prefetched_objects_cache", {}),
        name: empty,
    }


def sees_original(*, user: Any, question: Question) -> bool:
    """Whether this user reads what was typed rather than the public copies, with personal
    details masked: the asker, doctors (who work on questions) and moderators. Everyone else
    reads the public copies, on every page and in the API."""
    return can_read_in_full(user, question)


def public_question_page(
    *,
    per_page: int,
    specialty: str = "",
    query: str = "",
    older: str = "",
    newer: str = "",
    page: int | None = None,
    count_kept: bool = False,
) -> listing.QuestionPage:
    """A page of the public list (answered, not hidden, not private), as the home page, the
    specialty pages and `GET /api/questions/` show it: newest answered first, or, with search
    words, the most relevant (forum/listing.py). An unknown specialty lists nothing.

    Raises `listing.ListInputError` for a cursor or page number it cannot serve. Pages pass
    `count_kept`: a list known to be over the count's cap is not counted again for a while.
    """
    specialty_id = specialty_list.specialty_id_of(specialty) if specialty else None
    if specialty and specialty_id is None:
        return listing.QuestionPage(questions=[], count=0, count_exact=True, number=page)
    display = _with_list_relations(Question.objects.all())
    if query.strip():
        if older or newer:
            raise listing.ListInputError(
                "older" if older else "newer", "Search results are numbered: use `page`."
            )
        return listing.search(
            display=display,
            query=query,
            specialty_id=specialty_id,
            per_page=per_page,
            page=page,
        )
    return listing.browse(
        display=display,
        specialty_id=specialty_id,
        per_page=per_page,
        older=older,
        newer=newer,
        page=page,
        count_kept=count_kept,
    )


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

    Never the question itself, never private, hidden or unanswered ones. Read from the links
    stored for the question (one query); ranked live, and stored, when there are none
    (`forum.similarity.services.similar_for_question`).
    """
    return similar_for_question(question=question, limit=limit)


def similar_to_draft(*, text: str, limit: int = 5) -> list[SimilarItem]:
    """For a patient still typing: answered Q&As that may already answer the question."""
    return _with_display(similar_to_text(text, limit=limit))


def _with_display(items: list[SimilarItem]) -> list[SimilarItem]:
    """Fetch the relations the pages show in one query (the engine returns bare rows)."""
    if not items:
        return items
    rows = _with_display_relations(Question.objects.public(with_answer=True)).in_bulk(
        [item.question.pk for item in items]
    )
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


def latest_engine_assessment(question: Question) -> Assessment | None:
    """The newest assessment the engine made (not a doctor's correction): its findings."""
    rows = [a for a in question.assessments.all() if a.source != AssessmentSource.DOCTOR]
    rows.sort(key=lambda a: (a.created_at, a.pk), reverse=True)
    return rows[0] if rows else None


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
    if not can_read_in_full(user, question):
        return None
    assessment = latest_assessment(question)
    if assessment is not None:
        return assessment_view(assessment)
    if is_asker(user, question) and question.status == Status.SUBMITTED:
        return _triage_view(assess_question(question).to_dict(), source="engine", reason="")
    return None


def queue_for_doctor(*, doctor: Any) -> QuerySet[Question]:
    """What a verified doctor may work on, most urgent first, then longest waiting: their
    specialties' waiting questions and, so that every emergency and urgent question reaches
    someone, the emergency and urgent ones of any specialty for an on-call doctor, or for every
    doctor when no on-call doctor is verified and no doctor covers its specialty. Claims held
    by others are left out until they expire."""
    now = timezone.now()
    mine = doctor.doctor_profile.specialties.values("pk")
    pressing = Q(urgency__in=[Urgency.EMERGENCY, Urgency.URGENT])
    if doctor.doctor_profile.specialties.filter(slug__in=settings.ON_CALL_SPECIALTIES).exists():
        reach = Q(specialty__in=mine) | pressing
    elif not doctors_on_call().exists():
        covered = Specialty.objects.filter(
            doctors__status=DoctorStatus.VERIFIED, doctors__user__is_active=True
        ).values("pk")
        reach = Q(specialty__in=mine) | (pressing & ~Q(specialty__in=covered))
    else:
        reach = Q(specialty__in=mine)
    return (
        Question.objects.filter(reach, is_hidden=False)
        .filter(claimable_q(now, by=doctor))
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
    """Waiting questions per specialty and urgency: how many, and the longest wait. Emergency
    and urgent questions that no verified doctor covers (neither of their specialty nor on
    call) come first, marked `uncovered`."""
    now = timezone.now()
    rows = (
        Question.objects.filter(
            status__in=[Status.SUBMITTED, Status.QUEUED, Status.CLAIMED, Status.NEEDS_INFO],
            is_hidden=False,
        )
        .values("specialty_id", "specialty__name", "urgency", "status")
        .annotate(count=Count("id"), oldest=Min(Coalesce("queued_at", "created_at")))
        .order_by("-count")
    )
    covered = set(
        Specialty.objects.filter(
            doctors__status=DoctorStatus.VERIFIED, doctors__user__is_active=True
        ).values_list("pk", flat=True)
    )
    on_call = doctors_on_call().exists()
    out = [
        {
            "specialty": row["specialty__name"] or "(not filed yet)",
            "urgency": row["urgency"] or "not triaged",
            "status": row["status"],
            "count": row["count"],
            "longest_wait": now - row["oldest"],
            "uncovered": row["urgency"] in (Urgency.EMERGENCY, Urgency.URGENT)
            and not on_call
            and row["specialty_id"] not in covered,
        }
        for row in rows
    ]
    return sorted(out, key=lambda r: (not r["uncovered"], -r["count"]))


def emergency_reach(question: Question) -> str:
    """Who has been told about this emergency, in words true for this question."""
    if question.status == Status.SUBMITTED:
        return (
            "Your question has been saved. It goes to the doctors as soon as it is sorted, "
            "usually within seconds."
        )
    told = Notification.objects.filter(
        question=question,
        kind__in=[NotificationKind.NEW_EMERGENCY, NotificationKind.NEW_URGENT],
    ).select_related("user")
    doctors = sum(1 for n in told if n.user.role == Role.DOCTOR)
    others = sum(1 for n in told if n.user.role != Role.DOCTOR)
    if doctors:
        who = "1 doctor has" if doctors == 1 else f"{doctors} doctors have"
        return f"Your question has been saved and {who} been alerted."
    if others:
        return (
            "Your question has been saved. No doctor is available to see it at once, so the "
            "site's moderators have been alerted to find one."
        )
    return "Your question has been saved in the doctors' queue."
