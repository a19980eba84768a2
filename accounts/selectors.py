"""Reads on accounts: which people a rule names (the verified doctors of a specialty, the
doctors on call, the moderators). The forum's alerts and queues ask these."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q, QuerySet

from accounts.models import DoctorStatus, Role, User


def doctors_for_specialty(specialty_id: int | None) -> QuerySet[User]:
    """Verified, active doctors of a specialty (all verified doctors when it is not known)."""
    users = User.objects.filter(
        is_active=True,
        role=Role.DOCTOR,
        doctor_profile__status=DoctorStatus.VERIFIED,
    )
    if specialty_id is not None:
        users = users.filter(doctor_profile__specialties__id=specialty_id)
    return users.distinct()


def verified_doctors() -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, role=Role.DOCTOR, doctor_profile__status=DoctorStatus.VERIFIED
    )


def doctors_on_call() -> QuerySet[User]:
    """Verified doctors of the on-call specialties (settings.ON_CALL_SPECIALTIES): they are
    alerted to, and see, every emergency and urgent question whatever its specialty."""
    return (
        verified_doctors()
        .filter(doctor_profile__specialties__slug__in=settings.ON_CALL_SPECIALTIES)
        .distinct()
    )


def specialty_is_covered(specialty_id: int | None) -> bool:
    """Whether some verified doctor works this specialty's queue."""
    if specialty_id is None:
        return False
    return verified_doctors().filter(doctor_profile__specialties__id=specialty_id).exists()


def moderators() -> QuerySet[User]:
    return User.objects.filter(
        Q(role=Role.MODERATOR) | Q(is_superuser=True), is_active=True, is_staff=True
    )
