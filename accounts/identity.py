"""The one rule for the name a person is shown under in public (pages, API, e-mails to others).

A person appears under their pseudonym. Only a verified doctor, writing as a doctor, appears
under the display name of their application: never a patient whose application is pending or
was rejected, and never a doctor writing on a question they asked themselves.
"""

from __future__ import annotations

from accounts.models import DoctorProfile, DoctorStatus, User

FORMER_MEMBER = "A former member"
ANSWERING_DOCTOR = "A doctor"


def _verified_profile(user: User) -> DoctorProfile | None:
    try:
        profile = user.doctor_profile
    except DoctorProfile.DoesNotExist:
        return None
    return profile if profile.status == DoctorStatus.VERIFIED else None


def public_name(user: User | None, *, asker_id: int | None = None) -> str:
    """How `user` is named next to what they wrote; `asker_id` is the author of the question
    it was written on (their own words there are a patient's)."""
    if user is None:
        return FORMER_MEMBER
    if asker_id is None or user.pk != asker_id:
        profile = _verified_profile(user)
        if profile is not None:
            return profile.display_name
    return user.pseudonym


def answer_signature(doctor: User | None, *, kept_name: str) -> str:
    """The doctor an answer is signed by: the doctor's display name (the answer was written as a
    verified doctor), or the name kept on the answer (`kept_name`, its `doctor_name`) once the
    account has gone or for an imported answer."""
    if doctor is not None:
        try:
            return doctor.doctor_profile.display_name
        except DoctorProfile.DoesNotExist:
            pass
    return kept_name or ANSWERING_DOCTOR
