"""A doctor who can no longer answer holds no question: claims are let go at once, whichever
way the account lost its powers (the service decides; these receivers only notice). And the
lists' cached specialties are dropped when one changes."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver

from accounts.models import DoctorProfile, User
from forum import services, specialty_list
from forum.models import Specialty

# Saves of a user that can change whether they may act as a doctor.
POWER_FIELDS = frozenset({"role", "is_active"})


@receiver(post_save, sender=User, dispatch_uid="claims-user-saved")
def user_saved(
    sender: type[User], instance: User, created: bool, update_fields: Any = None, **kwargs: Any
) -> None:
    # A log-in saves only `last_login`: nothing to check then.
    if created or (update_fields is not None and not POWER_FIELDS & set(update_fields)):
        return
    services.doctor_claims_release_if_powerless(user_id=instance.pk)


@receiver(pre_delete, sender=User, dispatch_uid="claims-user-deleted")
def user_deleted(sender: type[User], instance: User, **kwargs: Any) -> None:
    # Before the foreign key is emptied, which would leave the claim blocking the question.
    services.doctor_claims_release(doctor_id=instance.pk)


@receiver(post_save, sender=DoctorProfile, dispatch_uid="claims-profile-saved")
def profile_saved(sender: type[DoctorProfile], instance: DoctorProfile, **kwargs: Any) -> None:
    services.doctor_claims_release_if_powerless(user_id=instance.user_id)


@receiver(post_delete, sender=DoctorProfile, dispatch_uid="claims-profile-deleted")
def profile_deleted(sender: type[DoctorProfile], instance: DoctorProfile, **kwargs: Any) -> None:
    services.doctor_claims_release(doctor_id=instance.user_id)


@receiver(post_delete, sender=Authenticator, dispatch_uid="claims-two-factor-removed")
def authenticator_deleted(
    sender: type[Authenticator], instance: Authenticator, **kwargs: Any
) -> None:
    services.doctor_claims_release_if_powerless(user_id=instance.user_id)


@receiver(post_save, sender=Specialty, dispatch_uid="lists-specialty-saved")
@receiver(post_delete, sender=Specialty, dispatch_uid="lists-specialty-deleted")
def specialty_changed(sender: type[Specialty], **kwargs: Any) -> None:
    specialty_list.specialties_changed()
