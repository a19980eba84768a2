"""Writes on accounts: doctor applications and their review."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import DoctorProfile, DoctorStatus, Role, User
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
        transaction.on_commit(lambda: send_doctor_decision_email.delay(profile.pk))
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
