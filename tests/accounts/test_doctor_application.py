from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from accounts import services
from accounts.access import user_can_act_as_doctor
from accounts.models import DoctorProfile, DoctorStatus, Role
from forum.models import AuditEvent, Specialty

APPLICATION = {
    "display_name": "Dr. A. Rivera",
    "licence_number": "GMC-7654321",
    "issuing_authority": "General Medical Council",
    "country": "United Kingdom",
    "bio": "Consultant neurologist.",
}


def _apply(client, user, **overrides):
    client.force_login(user)
    neurology = Specialty.objects.get(slug="neurology")
    data = dict(APPLICATION, specialties=[neurology.pk], **overrides)
    return client.post(reverse("accounts:doctor-apply"), data)


@pytest.mark.django_db
def test_it_files_an_application_as_pending(client, alice):
    response = _apply(client, alice)
    assert response.status_code == 302
    profile = DoctorProfile.objects.get(user=alice)
    alice.refresh_from_db()
    assert profile.status == DoctorStatus.PENDING
    assert alice.role == Role.DOCTOR
    assert not user_can_act_as_doctor(alice)
    assert list(profile.specialties.values_list("slug", flat=True)) == ["neurology"]


@pytest.mark.django_db
def test_it_rejects_an_application_without_specialties_or_licence(client, alice):
    client.force_login(alice)
    response = client.post(reverse("accounts:doctor-apply"), dict(APPLICATION, licence_number=""))
    html = response.content.decode()
    assert response.status_code == 400
    assert "This field is required" in html
    assert not DoctorProfile.objects.exists()


@pytest.mark.django_db
def test_it_rejects_a_licence_already_on_file(client, alice, bob):
    _apply(client, alice)
    response = _apply(client, bob, licence_number=APPLICATION["licence_number"].lower())
    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    assert DoctorProfile.objects.count() == 1


@pytest.mark.django_db
def test_verification_emails_the_doctor_and_is_audited(
    alice, moderator, django_capture_on_commit_callbacks
):
    profile = services.doctor_apply(
        user=alice, specialties=Specialty.objects.filter(slug="neurology"), **APPLICATION
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.doctor_verify(moderator=moderator, profile=profile)
    profile.refresh_from_db()
    assert profile.status == DoctorStatus.VERIFIED and profile.reviewed_by == moderator
    assert AuditEvent.objects.filter(action="doctor_verified", target_id=profile.pk).exists()
    assert len(mail.outbox) == 1
    assert "verified" in mail.outbox[0].subject
    assert mail.outbox[0].alternatives  # HTML part


@pytest.mark.django_db
def test_rejection_needs_a_reason_and_emails_it(
    alice, moderator, django_capture_on_commit_callbacks
):
    profile = services.doctor_apply(
        user=alice, specialties=Specialty.objects.filter(slug="neurology"), **APPLICATION
    )
    with pytest.raises(ValueError, match="reason"):
        services.doctor_reject(moderator=moderator, profile=profile, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.doctor_reject(moderator=moderator, profile=profile, reason="Licence not found")
    assert "Licence not found" in mail.outbox[0].body


@pytest.mark.django_db
def test_a_verified_doctor_needs_two_factor_before_acting(doctor_without_totp, doctor):
    assert not user_can_act_as_doctor(doctor_without_totp)
    assert user_can_act_as_doctor(doctor)
