"""Writes on accounts: doctor applications and their review."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import DoctorProfile, DoctorStatus, Role, User
from forum.enqueue import enqueue
from forum.models import AuditEvent, Specialty


def doctor_apply(
    *,
    user: User,
    display_name: str,
    licence_number: str,
    issuing_authority: str,
    country: str,
    specialties: Iterable[Specialty],
    bio: str = "",
) -> DoctorProfile:
    """Create or resubmit the user's application; it waits in `pending` for a moderator."""
    with transaction.atomic():
        profile, _ = DoctorProfile.objects.update_or_create(
            user=user,
            defaults={
                "display_name": display_name,
                "licence_number": licence_number,
                "issuing_authority": issuing_authority,
                "country": country,
                "bio": bio,
                "status": DoctorStatus.PENDING,
                "rejection_reason": "",
                "reviewed_by": None,
                "reviewed_at": None,
            },
        )
        profile.specialties.set(list(specialties))
        if user.role == Role.PATIENT:
            user.role = Role.DOCTOR
            user.save(update_fields=["role"])
    return profile


def _decide(
    *, moderator: User, profile: DoctorProfile, status: str, reason: str, action: str
) -> DoctorProfile:
    from accounts.tasks import send_doctor_decision_email

    with transaction.atomic():
        profile.status = status
        profile.rejection_reason = reason if status == DoctorStatus.REJECTED else ""
        profile.reviewed_by = moderator
        profile.reviewed_at = timezone.now()
        profile.save(update_fields=["status", "rejection_reason", "reviewed_by", "reviewed_at"])
        AuditEvent.objects.create(
            actor=moderator,
            action=action,
            target_type="doctor",
            target_id=profile.pk,
            reason=reason,
        )
        transaction.on_commit(lambda: enqueue(send_doctor_decision_email, profile.pk))
    return profile


def doctor_verify(*, moderator: User, profile: DoctorProfile, note: str = "") -> DoctorProfile:
    """Verify a doctor and e-mail them. Side effect: an audit event."""
    return _decide(
        moderator=moderator,
        profile=profile,
        status=DoctorStatus.VERIFIED,
        reason=note,
        action="doctor_verified",
    )


def doctor_reject(*, moderator: User, profile: DoctorProfile, reason: str) -> DoctorProfile:
    """Reject a doctor with a reason (required) and e-mail them the reason."""
    if not reason.strip():
        raise ValueError("A rejection needs a reason.")
    return _decide(
        moderator=moderator,
        profile=profile,
        status=DoctorStatus.REJECTED,
        reason=reason.strip(),
        action="doctor_rejected",
    )


def user_update_profile(*, user: User, **fields: Any) -> User:
    for name in ("birth_year", "sex"):
        if name in fields:
            setattr(user, name, fields[name])
    user.save(update_fields=["birth_year", "sex"])
    return user


def user_export_data(*, user: User) -> dict[str, Any]:
    """Everything the site holds about this person, as JSON-ready data."""
    from forum.models import FollowUp, Notification, Question

    def when(value: Any) -> str | None:
        return value.isoformat() if value else None

    questions = (
        Question.objects.filter(author=user)
        .select_related("specialty", "answer")
        .prefetch_related("followups", "assessments")
        .order_by("created_at")
    )
    profile = DoctorProfile.objects.filter(user=user).prefetch_related("specialties").first()
    return {
        "account": {
            "email": user.email,
            "pseudonym": user.pseudonym,
            "role": user.role,
            "birth_year": user.birth_year,
            "sex": user.sex,
            "date_joined": when(user.date_joined),
        },
        "doctor_profile": (
            {
                "display_name": profile.display_name,
                "licence_number": profile.licence_number,
                "issuing_authority": profile.issuing_authority,
                "country": profile.country,
                "specialties": [s.slug for s in profile.specialties.all()],
                "bio": profile.bio,
                "status": profile.status,
            }
            if profile
            else None
        ),
        "questions": [
            {
                "id": q.pk,
                "title": q.title,
                "body": q.body,
                "asking_for": q.asking_for,
                "age_band": q.age_band,
                "sex": q.sex,
                "duration": q.duration,
                "medicines": q.medicines,
                "specialty": q.specialty.slug if q.specialty else None,
                "private": q.is_private,
                "status": q.status,
                "asked_at": when(q.created_at),
                "triage": [
                    {"urgency": a.urgency, "result": a.result, "at": when(a.created_at)}
                    for a in q.assessments.all()
                ],
                "answer": (
                    {"body": q.answer.body, "answered_at": when(q.answer.created_at)}
                    if hasattr(q, "answer")
                    else None
                ),
                "followups": [
                    {"body": f.body, "kind": f.kind, "at": when(f.created_at)}
                    for f in q.followups.all()
                ],
            }
            for q in questions
        ],
        "followups_written": [
            {"question": f.question_id, "body": f.body, "at": when(f.created_at)}
            for f in FollowUp.objects.filter(author=user).order_by("created_at")
        ],
        "notifications": [
            {"message": n.message, "at": when(n.created_at), "read_at": when(n.read_at)}
            for n in Notification.objects.filter(user=user).order_by("created_at")
        ],
    }


def user_delete_account(*, user: User) -> None:
    """Delete the account and everything it wrote. A doctor's published answers stay, signed
    with their display name, because other patients rely on them."""
    from forum.models import Answer

    with transaction.atomic():
        profile = DoctorProfile.objects.filter(user=user).first()
        if profile is not None:
            Answer.objects.filter(doctor=user).update(doctor_name=profile.display_name)
        user.delete()
