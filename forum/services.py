"""Writes on the forum. Each function is one use case; views, tasks and commands call these."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.access import user_can_act_as_doctor
from accounts.models import User
from forum.models import Answer, AskingFor, AuditEvent, FollowUp, Question, Specialty, Status


def age_band(age_years: int | None) -> str:
    """'20-29' for 24; '90+' from 90. Public pages show it as '20~29'."""
    if age_years is None:
        return ""
    if age_years >= 90:
        return "90+"
    low = (age_years // 10) * 10
    return f"{low}-{low + 9}"


def question_create(
    *,
    author: User,
    title: str,
    body: str,
    age_years: int,
    sex: str,
    asking_for: str = AskingFor.SELF,
    duration: str = "",
    medicines: str = "",
    specialty: Specialty | None = None,
    is_private: bool = False,
) -> Question:
    """Save a new question in `submitted`. The age band is fixed at asking time."""
    with transaction.atomic():
        question = Question.objects.create(
            author=author,
            title=title.strip(),
            body=body.strip(),
            asking_for=asking_for,
            age_years=age_years,
            age_band=age_band(age_years),
            sex=sex,
            duration=duration,
            medicines=medicines.strip(),
            specialty=specialty,
            is_private=is_private,
            status=Status.SUBMITTED,
            created_at=timezone.now(),
        )
    return question


def answer_create(*, doctor: User, question: Question, body: str) -> Answer:
    """A verified doctor answers. Raises PermissionDenied for anyone else.

    The question row is locked so two answers cannot race past the `already answered` check.
    """
    if not user_can_act_as_doctor(doctor):
        raise PermissionDenied("Only verified doctors with two-factor authentication can answer.")
    if not body.strip():
        raise ValidationError({"body": "Write an answer."})
    with transaction.atomic():
        locked = Question.objects.select_for_update().get(pk=question.pk)
        if locked.status == Status.ANSWERED or Answer.objects.filter(question=locked).exists():
            raise ValidationError("This question has already been answered.")
        if locked.is_hidden:
            raise ValidationError("This question has been hidden by a moderator.")
        profile = doctor.doctor_profile
        specialty = locked.specialty
        if specialty is None or not profile.specialties.filter(pk=specialty.pk).exists():
            specialty = profile.specialties.order_by("name").first()
        now = timezone.now()
        answer = Answer.objects.create(
            question=locked, doctor=doctor, specialty=specialty, body=body.strip(), created_at=now
        )
        Question.objects.filter(pk=locked.pk).update(status=Status.ANSWERED, answered_at=now)
    question.refresh_from_db()
    return answer


def followup_create(*, author: User, question: Question, body: str) -> FollowUp:
    """The asker, or the doctor who answered, adds to the thread under the answer."""
    answer = Answer.objects.filter(question=question).first()
    is_asker = question.author_id == author.pk
    is_answering_doctor = (
        answer is not None and answer.doctor_id == author.pk and user_can_act_as_doctor(author)
    )
    if not (is_asker or is_answering_doctor):
        raise PermissionDenied("Only the asker and the answering doctor can follow up.")
    if answer is None:
        raise ValidationError("Follow-ups open once a doctor has answered.")
    if not body.strip():
        raise ValidationError({"body": "Write a message."})
    return FollowUp.objects.create(question=question, author=author, body=body.strip())


def _set_hidden(*, moderator: User, obj: Any, hidden: bool, reason: str, target_type: str) -> None:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Give a reason."})
    with transaction.atomic():
        type(obj).objects.filter(pk=obj.pk).update(
            is_hidden=hidden, hidden_reason=reason if hidden else ""
        )
        AuditEvent.objects.create(
            actor=moderator,
            action=f"{target_type}_{'hidden' if hidden else 'restored'}",
            target_type=target_type,
            target_id=obj.pk,
            reason=reason,
        )
    obj.refresh_from_db()


def question_hide(*, moderator: User, question: Question, reason: str) -> None:
    _set_hidden(
        moderator=moderator, obj=question, hidden=True, reason=reason, target_type="question"
    )


def question_restore(*, moderator: User, question: Question, reason: str) -> None:
    _set_hidden(
        moderator=moderator, obj=question, hidden=False, reason=reason, target_type="question"
    )


def answer_hide(*, moderator: User, answer: Answer, reason: str) -> None:
    _set_hidden(moderator=moderator, obj=answer, hidden=True, reason=reason, target_type="answer")


def answer_restore(*, moderator: User, answer: Answer, reason: str) -> None:
    _set_hidden(moderator=moderator, obj=answer, hidden=False, reason=reason, target_type="answer")


def followup_hide(*, moderator: User, followup: FollowUp, reason: str) -> None:
    _set_hidden(
        moderator=moderator, obj=followup, hidden=True, reason=reason, target_type="followup"
    )


def followup_restore(*, moderator: User, followup: FollowUp, reason: str) -> None:
    _set_hidden(
        moderator=moderator, obj=followup, hidden=False, reason=reason, target_type="followup"
    )
