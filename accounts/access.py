"""Who may use which powers. Every role check in views, admin and API goes through here."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator

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
