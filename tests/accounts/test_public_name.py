"""One rule names people in public (accounts/identity.py): the pseudonym, except a verified doctor
writing as a doctor. Checked on the question page and in the API for the same posts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.identity import public_name
from accounts.models import DoctorProfile, DoctorStatus
from tests.factories import api_client, make_doctor, make_followup, make_question, make_user


def _page_and_api(question) -> tuple[str, dict]:
    page = api_client().get(question.get_absolute_url())
    assert page.status_code == 200
    api = api_client().get(reverse("api:question-detail", args=[question.pk])).json()
    followups = api_client().get(reverse("api:followup-list", args=[question.pk])).json()
    return page.content.decode(), {"question": api, "followups": followups}


@pytest.mark.django_db
@pytest.mark.parametrize("status", [DoctorStatus.PENDING, DoctorStatus.REJECTED])
def test_a_patient_who_applied_as_a_doctor_keeps_their_pseudonym(status):
    patient = make_doctor(status=status)
    name = DoctorProfile.objects.get(user=patient).display_name
    doctor = make_doctor()
    question = make_question(author=patient, status="answered", answered_by=doctor)
    make_followup(question=question, author=patient, body="Thank you, that is reassuring.")
    other = make_question(status="answered", answered_by=doctor)
    make_followup(question=other, author=patient, body="I have the same twitching in my calf.")
    for q in (question, other):
        page, api = _page_and_api(q)
        assert name not in page
        assert name not in str(api)
        assert patient.pseudonym in page
        assert [f["author"] for f in api["followups"]] == [patient.pseudonym]
    assert _page_and_api(question)[1]["question"]["asker"] == patient.pseudonym


@pytest.mark.django_db
def test_a_verified_doctor_is_named_as_a_doctor_but_not_on_their_own_question():
    doctor = make_doctor()
    name = DoctorProfile.objects.get(user=doctor).display_name
    answering = make_doctor()
    own = make_question(author=doctor, status="answered", answered_by=answering)
    make_followup(question=own, author=doctor, body="Thanks, I will cut down on coffee.")
    page, api = _page_and_api(own)
    assert name not in page and name not in str(api)
    assert api["followups"][0]["author"] == doctor.pseudonym
    assert api["question"]["asker"] == doctor.pseudonym

    patient = make_user()
    theirs = make_question(author=patient, status="answered", answered_by=doctor)
    make_followup(question=theirs, author=doctor, body="Do come back if weakness appears.")
    page, api = _page_and_api(theirs)
    assert api["followups"][0]["author"] == name
    assert api["question"]["answer"]["doctor"] == name
    assert name in page


@pytest.mark.django_db
def test_the_rule_itself():
    assert public_name(None) == "A former member"
    doctor = make_doctor()
    profile = DoctorProfile.objects.get(user=doctor)
    assert public_name(doctor) == profile.display_name
    assert public_name(doctor, asker_id=doctor.pk) == doctor.pseudonym
    profile.status = DoctorStatus.PENDING
    profile.save()
    doctor.refresh_from_db()
    assert public_name(doctor) == doctor.pseudonym
