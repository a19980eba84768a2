"""Writes on accounts: doctor applications and their review, an account's export and deletion."""

from __future__ import annotations

import json
from collections.abc import Iterable
from importlib import import_module
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import NestedObjects
from django.contrib.auth import SESSION_KEY
from django.contrib.contenttypes.models import ContentType
from django.db import router, transaction
from django.db.models import Model
from django.utils import timezone

from accounts.models import ApiToken, DoctorProfile, DoctorStatus, Role, User
from forum.enqueue import enqueue
from forum.models import (
    Answer,
    Assessment,
    AssessmentSource,
    AuditEvent,
    FollowUp,
    Notification,
    Question,
    Specialty,
)
from forum.services import doctor_claims_release


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
        transaction.on_commit(
            lambda: enqueue("accounts.tasks.send_doctor_decision_email", profile.pk)
        )
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


# Every link from another table to an account, and where the data export shows it (or why it
# does not). tests/accounts/test_my_data.py checks that no installed model's link is missing.
EXPORT_COVERAGE: dict[str, str] = {
    "accounts.doctorprofile.user": "doctor_profile",
    "accounts.doctorprofile.reviewed_by": "actions (the audit events of the reviews)",
    "account.emailaddress.user": "account.email_addresses",
    "mfa.authenticator.user": "account.two_factor (kinds and dates, never the secrets)",
    "accounts.apitoken.user": "account.api_tokens (app and dates, never the token or its hash)",
    "admin.logentry.user": "admin_actions",
    "forum.question.author": "questions",
    "forum.question.claimed_by": "questions_held",
    "forum.answer.doctor": "answers_given",
    "forum.followup.author": "followups_written",
    "forum.auditevent.actor": "actions",
    "forum.assessment.created_by": "triage_corrections",
    "forum.notification.user": "notifications",
}


def _when(value: Any) -> str | None:
    return value.isoformat() if value else None


def _account_export(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "pseudonym": user.pseudonym,
        "role": user.role,
        "birth_year": user.birth_year,
        "sex": user.sex,
        "date_joined": _when(user.date_joined),
        "last_login": _when(user.last_login),
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "email_addresses": [
            {"email": e.email, "primary": e.primary, "verified": e.verified}
            for e in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
        ],
        "two_factor": [
            {
                "type": a.type,
                "created_at": _when(a.created_at),
                "last_used_at": _when(a.last_used_at),
            }
            for a in Authenticator.objects.filter(user=user).order_by("created_at", "pk")
        ],
        "api_tokens": [
            {"client": t.client, "created": _when(t.created), "expires": _when(t.expiry)}
            for t in ApiToken.objects.filter(user=user).order_by("created")
        ],
    }


def _doctor_profile_export(user: User) -> dict[str, Any] | None:
    profile = DoctorProfile.objects.filter(user=user).prefetch_related("specialties").first()
    if profile is None:
        return None
    return {
        "display_name": profile.display_name,
        "licence_number": profile.licence_number,
        "issuing_authority": profile.issuing_authority,
        "country": profile.country,
        "specialties": [s.slug for s in profile.specialties.all()],
        "bio": profile.bio,
        "status": profile.status,
        "rejection_reason": profile.rejection_reason,
        "applied_at": _when(profile.created_at),
        "reviewed_at": _when(profile.reviewed_at),
    }


def _questions_export(user: User) -> list[dict[str, Any]]:
    questions = (
        Question.objects.filter(author=user)
        .select_related("specialty", "answer")
        .prefetch_related("followups", "assessments")
        .order_by("created_at", "id")
    )
    return [
        {
            "id": q.pk,
            "title": q.title,
            "body": q.body,
            "asking_for": q.asking_for,
            "age_years": q.age_years,
            "age_band": q.age_band,
            "sex": q.sex,
            "duration": q.duration,
            "medicines": q.medicines,
            "specialty": q.specialty.slug if q.specialty else None,
            "private": q.is_private,
            "status": q.status,
            "urgency": q.urgency,
            "hidden": q.is_hidden,
            "hidden_reason": q.hidden_reason,
            "asked_at": _when(q.created_at),
            "updated_at": _when(q.updated_at),
            "answered_at": _when(q.answered_at),
            "triage": [
                {
                    "urgency": a.urgency,
                    "source": a.source,
                    "result": a.result,
                    "at": _when(a.created_at),
                }
                for a in q.assessments.all()
            ],
            "answer": (
                {
                    "body": q.answer.body,
                    "answered_at": _when(q.answer.created_at),
                    "hidden": q.answer.is_hidden,
                }
                if hasattr(q, "answer")
                else None
            ),
            "followups": [
                {
                    "body": f.body,
                    "kind": f.kind,
                    "by_me": f.author_id == user.pk,
                    "hidden": f.is_hidden,
                    "at": _when(f.created_at),
                }
                for f in q.followups.all()
            ],
        }
        for q in questions
    ]


def user_export_data(*, user: User) -> dict[str, Any]:
    """Everything the site holds about this person, as JSON-ready data: the account with its
    e-mail addresses, two-factor methods and API tokens (dates, never secrets), the doctor
    application, their questions with every triage, answer and follow-up, the answers, follow-
    ups and triage corrections they wrote, the questions they hold, their notifications and
    what they did as a doctor or moderator. Other people's questions appear by id only: a
    doctor's export never carries a patient's title. Reads only."""
    return {
        "account": _account_export(user),
        "doctor_profile": _doctor_profile_export(user),
        "questions": _questions_export(user),
        "answers_given": [
            {
                "question": a.question_id,
                "body": a.body,
                "specialty": a.specialty.slug if a.specialty else None,
                "hidden": a.is_hidden,
                "hidden_reason": a.hidden_reason,
                "at": _when(a.created_at),
            }
            for a in Answer.objects.filter(doctor=user)
            .select_related("specialty")
            .order_by("created_at", "id")
        ],
        "followups_written": [
            {
                "question": f.question_id,
                "kind": f.kind,
                "body": f.body,
                "hidden": f.is_hidden,
                "at": _when(f.created_at),
            }
            for f in FollowUp.objects.filter(author=user).order_by("created_at", "id")
        ],
        "triage_corrections": [
            {
                "question": a.question_id,
                "urgency": a.urgency,
                "specialty": a.specialty,
                "reason": a.reason,
                "at": _when(a.created_at),
            }
            for a in Assessment.objects.filter(
                created_by=user, source=AssessmentSource.DOCTOR
            ).order_by("created_at", "id")
        ],
        "questions_held": [
            {"question": q.pk, "status": q.status, "claimed_until": _when(q.claimed_until)}
            for q in Question.objects.filter(claimed_by=user).order_by("pk")
        ],
        "notifications": [
            {
                "kind": n.kind,
                "question": n.question_id,
                "message": n.message,
                "at": _when(n.created_at),
                "read_at": _when(n.read_at),
                "emailed_at": _when(n.emailed_at),
            }
            for n in Notification.objects.filter(user=user).order_by("created_at", "id")
        ],
        "actions": [
            {
                "action": e.action,
                "target_type": e.target_type,
                "target_id": e.target_id,
                "reason": e.reason,
                "at": _when(e.created_at),
            }
            for e in AuditEvent.objects.filter(actor=user).order_by("created_at", "id")
        ],
        # What they did in the admin; not the objects' names, which may be others' titles.
        "admin_actions": [
            {
                "action": e.get_action_flag_display(),
                "model": f"{e.content_type.app_label}.{e.content_type.model}"
                if e.content_type
                else None,
                "object_id": e.object_id,
                "at": _when(e.action_time),
            }
            for e in LogEntry.objects.filter(user=user)
            .select_related("content_type")
            .order_by("action_time", "id")
        ],
    }


def _rows_deleted_with(user: User) -> dict[type[Model], list[Any]]:
    """The primary keys of every row that deleting the account removes, by model: what the
    cascade reaches, however deep (questions, their answers, follow-ups, triage, links, …)."""
    collector = NestedObjects(using=router.db_for_write(User))
    collector.collect([user])
    return {model: [obj.pk for obj in objs] for model, objs in collector.data.items()}


def _chunks(values: list[Any], size: int = 500) -> Iterable[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


ERASED = "(deleted with an account)"


def _admin_log_anonymise(doomed: dict[type[Model], list[Any]]) -> int:
    """Admin log entries about the rows going away keep who did what kind of change and when,
    and lose the object's id, name (a question's title) and change message."""
    count = 0
    for model, pks in doomed.items():
        meta = model._meta
        # Link tables have no content type (the admin never logs them); none is created here.
        content_type = ContentType.objects.filter(
            app_label=meta.app_label, model=meta.model_name
        ).first()
        if model is LogEntry or content_type is None:
            continue
        for chunk in _chunks([str(pk) for pk in pks]):
            count += LogEntry.objects.filter(content_type=content_type, object_id__in=chunk).update(
                object_id=None, object_repr=ERASED, change_message=""
            )
    return count


def _audit_events_anonymise(doomed: dict[type[Model], list[Any]]) -> int:
    """Audit events about the rows going away keep who did what and when, and lose the
    target's id and the reason (which may describe the question)."""
    targets: dict[str, type[Model]] = {
        "question": Question,
        "answer": Answer,
        "followup": FollowUp,
        "doctor": DoctorProfile,
    }
    count = 0
    for target_type, model in targets.items():
        for chunk in _chunks(doomed.get(model, [])):
            count += AuditEvent.objects.filter(target_type=target_type, target_id__in=chunk).update(
                target_id=0, reason=""
            )
    return count


def _session_is_about(data: dict[str, Any], *, user: User, emails: set[str]) -> bool:
    uid = str(user.pk)
    login = data.get("account_login")  # allauth's half-done log-in (a code still to enter)
    if (
        data.get(SESSION_KEY) == uid
        or data.get("account_authentication_methods_user") == uid
        or (isinstance(login, dict) and login.get("user_pk") == uid)
    ):
        return True
    text = json.dumps(data, default=str).lower()
    return any(email in text for email in emails)


def user_sessions_end(*, user: User) -> int:
    """End every stored session that carries this account: logged in on any device, half-way
    through a log-in, or holding one of its e-mail addresses. Expired sessions of everyone are
    cleared first (as `clearsessions` does). Sessions kept only in a cache or a cookie cannot be
    listed; the project stores them in the database. Returns how many were ended."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store_class, "get_model_class"):
        return 0
    store_class.clear_expired()
    emails = {user.email.lower()} | {
        e.lower() for e in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    }
    model = store_class.get_model_class()
    decoder = store_class()
    ended = 0
    for key, data in model.objects.values_list("session_key", "session_data").iterator():
        if _session_is_about(decoder.decode(data), user=user, emails=emails):
            store_class(session_key=key).delete()
            ended += 1
    return ended


def user_delete_account(*, user: User) -> None:
    """Delete the account and everything it wrote, and the traces of it elsewhere.

    A doctor's published answers stay, signed with their display name, because other patients
    rely on them. Side effects, in one transaction: the questions the doctor held go back to
    the queue at once; admin log entries and audit events about the deleted rows are
    anonymised (the staff's record of what kind of thing they did, and when, stays); every
    stored session of the account is ended. docs/security.md lists what is kept and why."""
    with transaction.atomic():
        doctor_claims_release(doctor_id=user.pk)
        profile = DoctorProfile.objects.filter(user=user).first()
        if profile is not None:
            Answer.objects.filter(doctor=user).update(doctor_name=profile.display_name)
        doomed = _rows_deleted_with(user)
        _admin_log_anonymise(doomed)
        _audit_events_anonymise(doomed)
        user_sessions_end(user=user)
        user.delete()
