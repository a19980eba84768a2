"""Test data builders. Users come verified (e-mail) unless a test says otherwise."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, DoctorProfile, DoctorStatus, Role, User
from forum.models import Answer, FollowUp, Question, Specialty, Status

_counter = {"n": 0}


def _next() -> int:
    _counter["n"] += 1
    return _counter["n"]


def make_user(
    *,
    role: str = Role.PATIENT,
    email: str | None = None,
    totp: bool = False,
    password: str = "a-long-test-password",
    **extra: Any,
) -> User:
    n = _next()
    user = User.objects.create_user(
        email=email or f"user{n}@example.test",
        password=password,
        role=role,
        birth_year=extra.pop("birth_year", 1995),
        sex=extra.pop("sex", "female"),
        **extra,
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    if totp:
        TOTP.activate(user, generate_totp_secret())
    return user


def make_doctor(
    *,
    status: str = DoctorStatus.VERIFIED,
    totp: bool = True,
    specialties: tuple[str, ...] = ("neurology",),
    **extra: Any,
) -> User:
    user = make_user(role=Role.DOCTOR, totp=totp, **extra)
    n = _next()
    profile = DoctorProfile.objects.create(
        user=user,
        display_name=f"Dr. Test {n}",
        licence_number=f"LIC-{n:05d}",
        issuing_authority="Test Medical Council",
        country="Testland",
        status=status,
        rejection_reason="Licence not found" if status == DoctorStatus.REJECTED else "",
    )
    profile.specialties.set(Specialty.objects.filter(slug__in=specialties))
    return user


def make_moderator(*, totp: bool = True, **extra: Any) -> User:
    return make_user(role=Role.MODERATOR, is_staff=True, totp=totp, **extra)


def make_question(
    *,
    author: User | None = None,
    status: str = Status.SUBMITTED,
    specialty: str | None = "neurology",
    answered_by: User | None = None,
    index: bool = False,
    **fields: Any,
) -> Question:
    n = _next()
    question = Question.objects.create(
        author=author,
        title=fields.pop("title", f"Muscle twitching question number {n}"),
        body=fields.pop("body", "My calf has been twitching for a few weeks, mostly at night."),
        age_band=fields.pop("age_band", "20-29"),
        age_years=fields.pop("age_years", 25),
        sex=fields.pop("sex", "female"),
        specialty=Specialty.objects.get(slug=specialty) if specialty else None,
        status=status,
        created_at=fields.pop("created_at", timezone.now()),
        **fields,
    )
    if status == Status.ANSWERED:
        Answer.objects.create(
            question=question,
            doctor=answered_by,
            doctor_name="" if answered_by else "Dr. Archive",
            specialty=question.specialty,
            body="Most twitching like this is benign; see a neurologist if weakness appears.",
            created_at=timezone.now(),
        )
        question.answered_at = timezone.now()
        question.save(update_fields=["answered_at"])
    if index:
        from forum.similarity import index_question

        index_question(question.pk)
    return question


def make_followup(
    *, question: Question, author: User, body: str = "Thank you, doctor."
) -> FollowUp:
    return FollowUp.objects.create(question=question, author=author, body=body)


def api_client(user: User | None = None) -> APIClient:
    """An API client that sends `user`'s token; anonymous without a user."""
    api = APIClient()
    if user is not None:
        _, secret = ApiToken.objects.create(user=user)
        api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return api
