"""Who may use which powers. Every role check in views, admin and API goes through here."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied

from accounts.models import DoctorStatus, Role, User


def _cached(user: Any, key: str, compute: Any) -> bool:
    # Role checks run several times per request; the answers cannot change within one.
    cache: dict[str, bool] = user.__dict__.setdefault("_access_cache", {})
    if key not in cache:
        cache[key] = bool(compute())
    return cache[key]


def user_has_totp(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return _cached(
        user,
        "totp",
        lambda: Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists(),
    )


def user_is_verified_doctor(user: Any) -> bool:
    """A doctor a moderator has verified (whether or not two-factor is set up yet)."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.DOCTOR:
        return False

    def compute() -> bool:
        profile = getattr(user, "doctor_profile", None)
        return profile is not None and profile.status == DoctorStatus.VERIFIED

    return _cached(user, "verified_doctor", compute)


def user_can_act_as_doctor(user: Any) -> bool:
    """Verified and protected by two-factor: may see queued questions and answer them."""
    return user_is_verified_doctor(user) and user.is_active and user_has_totp(user)


def user_is_moderator_role(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or user.role == Role.MODERATOR)


def user_can_moderate(user: Any) -> bool:
    """A moderator (or superuser) with staff access and two-factor set up."""
    return user_is_moderator_role(user) and user.is_staff and user.is_active and user_has_totp(user)


def user_needs_totp_for_powers(user: Any) -> bool:
    """A doctor or moderator whose powers wait on setting up two-factor."""
    return (user_is_verified_doctor(user) or user_is_moderator_role(user)) and not user_has_totp(
        user
    )


def logged_in_user(request: Any) -> User:
    """The request's user as a `User`. Call only behind a log-in check (`login_required`,
    `IsAuthenticated`, the admin's own check): anonymous here is a bug, not a visitor."""
    user = request.user
    assert isinstance(user, User), "logged_in_user() called without a log-in check"
    return user


class AccessRefused(PermissionDenied):
    """A 403 the site's error page explains: why the page is refused and where to go instead.
    `ways_on` holds (label, URL name) pairs, the first of them the main way on."""

    def __init__(self, reason: str, *, ways_on: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.ways_on = ways_on


def queue_refusal(user: Any) -> AccessRefused:
    """Why `user` (logged in, not a doctor who may act) cannot open the review queue."""
    profile = getattr(user, "doctor_profile", None) if user.role == Role.DOCTOR else None
    if profile is not None and profile.status == DoctorStatus.PENDING:
        return AccessRefused(
            "Your application is pending review. A moderator checks every licence; we will "
            "e-mail you the decision, and the review queue opens once you are verified.",
            ways_on=(
                ("See your application", "accounts:profile"),
                ("My questions", "forum:my-questions"),
            ),
        )
    if profile is not None and profile.status == DoctorStatus.REJECTED:
        return AccessRefused(
            "Your doctor application was not accepted. Your account page shows the moderator's "
            "reason; you can correct your details and apply again.",
            ways_on=(
                ("Correct your application", "accounts:doctor-apply"),
                ("My questions", "forum:my-questions"),
            ),
        )
    return AccessRefused(
        "Only verified doctors can use the review queue.",
        ways_on=(
            ("My questions", "forum:my-questions"),
            ("Apply as a doctor", "accounts:doctor-apply"),
        ),
    )


def admin_refusal(user: Any) -> AccessRefused:
    """Why `user` (logged in, two-factor question settled) cannot open the moderation admin."""
    if user_is_moderator_role(user) and not (user.is_staff and user.is_active):
        reason = "Your moderator account has no staff access; ask another moderator to grant it."
    else:
        reason = "Only moderators can open admin."
    return AccessRefused(
        reason,
        ways_on=(
            ("My questions", "forum:my-questions"),
            ("Answered questions", "forum:question-list"),
        ),
    )
