"""Doctors act only in turn: a question another doctor holds, or waits on the patient's reply
for, is theirs to re-route or re-triage; an answered question's triage is settled; a doctor who
can no longer answer lets go of their questions at once. The rules live in the services, so the
pages and the API obey them alike."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts.models import DoctorStatus
from forum import services
from forum.models import (
    Assessment,
    AssessmentSource,
    AuditEvent,
    Notification,
    NotificationKind,
    Question,
    Status,
)
from tests.factories import api_client, make_doctor, make_moderator, make_question

PASSWORD = "a-long-test-password"
REROUTE = {"specialty": "orthopedics", "reason": "This is a knee injury, not the nerves."}
CORRECT = {"urgency": "urgent", "reason": "Progressive weakness in the history."}


@pytest.fixture(autouse=True)
def fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def other_doctor(db):
    """A second verified neurologist, who may see everything the first one sees."""
    return make_doctor(email="other-doctor@example.test")


def _queued(author) -> Question:
    return make_question(author=author, status=Status.QUEUED, urgency="routine", priority=10)


def _waiting_on(doctor, author) -> Question:
    """A question `doctor` claimed and asked the patient about: it waits on the reply."""
    question = _queued(author)
    services.question_claim(doctor=doctor, question_id=question.pk)
    services.question_request_info(
        doctor=doctor, question_id=question.pk, message="Does the knee swell after walking?"
    )
    question.refresh_from_db()
    assert question.status == Status.NEEDS_INFO and question.claimed_by == doctor
    return question


def _claimed_by(doctor, author) -> Question:
    question = _queued(author)
    services.question_claim(doctor=doctor, question_id=question.pk)
    question.refresh_from_db()
    return question


def _answered(author, doctor) -> Question:
    return make_question(author=author, status=Status.ANSWERED, answered_by=doctor)


def _messages(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def _corrections(question) -> int:
    return Assessment.objects.filter(question=question, source=AssessmentSource.DOCTOR).count()


# --- Re-routing a question another doctor is waiting on -----------------------------------------


@pytest.mark.django_db
def test_the_api_refuses_to_reroute_a_question_another_doctor_waits_on(alice, doctor, other_doctor):
    question = _waiting_on(doctor, alice)
    response = api_client(other_doctor).post(
        reverse("api:queue-reroute", args=[question.pk]), REROUTE, format="json"
    )
    assert response.status_code == 409
    assert "waiting on the patient's reply" in response.json()["detail"]
    question.refresh_from_db()
    assert question.specialty.slug == "neurology"
    assert question.status == Status.NEEDS_INFO and question.claimed_by == doctor
    assert not AuditEvent.objects.filter(action="question_rerouted").exists()


@pytest.mark.django_db
def test_the_page_refuses_to_reroute_a_question_another_doctor_waits_on(
    client, alice, doctor, other_doctor
):
    question = _waiting_on(doctor, alice)
    client.force_login(other_doctor)
    page = client.get(question.get_absolute_url())
    assert page.context["reroute_form"] is None and page.context["correct_form"] is None
    assert "waiting on the patient's reply" in html.unescape(page.content.decode())
    response = client.post(reverse("forum:reroute", args=[question.pk]), REROUTE)
    assert response.status_code == 302
    assert "waiting on the patient's reply" in _messages(response)
    question.refresh_from_db()
    assert question.specialty.slug == "neurology" and question.claimed_by == doctor


@pytest.mark.django_db
def test_the_waiting_doctor_may_reroute_over_the_api_and_still_hears_the_reply(alice, doctor):
    question = _waiting_on(doctor, alice)
    response = api_client(doctor).post(
        reverse("api:queue-reroute", args=[question.pk]), REROUTE, format="json"
    )
    assert response.status_code == 200, response.json()
    question.refresh_from_db()
    assert question.specialty.slug == "orthopedics"
    # Still waiting on the patient, and still with the doctor who asked.
    assert question.status == Status.NEEDS_INFO and question.claimed_by == doctor

    reply = api_client(alice).post(
        reverse("api:followup-list", args=[question.pk]),
        {"body": "Yes, it swells every evening."},
        format="json",
    )
    assert reply.status_code == 201
    assert Notification.objects.filter(
        user=doctor, kind=NotificationKind.INFO_RECEIVED, question=question
    ).exists()


@pytest.mark.django_db
def test_the_waiting_doctor_may_reroute_on_the_page_and_still_hears_the_reply(
    client, alice, doctor
):
    question = _waiting_on(doctor, alice)
    client.force_login(doctor)
    assert client.get(question.get_absolute_url()).context["reroute_form"] is not None
    client.post(reverse("forum:reroute", args=[question.pk]), REROUTE)
    question.refresh_from_db()
    assert question.specialty.slug == "orthopedics" and question.claimed_by == doctor

    client.force_login(alice)
    client.post(reverse("forum:info-reply", args=[question.pk]), {"body": "Yes, it swells."})
    question.refresh_from_db()
    assert question.status == Status.QUEUED
    assert Notification.objects.filter(
        user=doctor, kind=NotificationKind.INFO_RECEIVED, question=question
    ).exists()


@pytest.mark.django_db
def test_a_live_claim_is_its_holders_to_reroute_and_a_run_out_one_is_not(
    alice, doctor, other_doctor
):
    question = _claimed_by(doctor, alice)
    api = api_client(other_doctor)
    url = reverse("api:queue-reroute", args=[question.pk])
    refused = api.post(url, REROUTE, format="json")
    assert refused.status_code == 409 and "Another doctor holds" in refused.json()["detail"]

    Question.objects.filter(pk=question.pk).update(
        claimed_until=timezone.now() - timedelta(minutes=1)
    )
    assert api.post(url, REROUTE, format="json").status_code == 200
    question.refresh_from_db()
    assert question.specialty.slug == "orthopedics"
    assert question.status == Status.QUEUED and question.claimed_by is None


# --- Correcting the triage ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_refuses_a_correction_on_an_answered_question(alice, doctor):
    question = _answered(alice, doctor)
    response = api_client(doctor).post(
        reverse("api:queue-correct-triage", args=[question.pk]), CORRECT, format="json"
    )
    assert response.status_code == 409
    assert "answered" in response.json()["detail"]
    assert _corrections(question) == 0
    assert not AuditEvent.objects.filter(action="triage_corrected").exists()


@pytest.mark.django_db
def test_the_page_refuses_a_correction_on_an_answered_question(client, alice, doctor):
    question = _answered(alice, doctor)
    client.force_login(doctor)
    assert client.get(question.get_absolute_url()).context["correct_form"] is None
    response = client.post(reverse("forum:correct-triage", args=[question.pk]), CORRECT)
    assert "can no longer be corrected" in _messages(response)
    assert _corrections(question) == 0
    question.refresh_from_db()
    assert question.urgency != "urgent"


@pytest.mark.django_db
@pytest.mark.parametrize("held", [_claimed_by, _waiting_on], ids=["claimed", "needs_info"])
def test_the_api_refuses_a_correction_on_a_question_another_doctor_holds(
    alice, doctor, other_doctor, held
):
    question = held(doctor, alice)
    url = reverse("api:queue-correct-triage", args=[question.pk])
    response = api_client(other_doctor).post(url, CORRECT, format="json")
    assert response.status_code == 409
    assert "Another doctor" in response.json()["detail"]
    assert _corrections(question) == 0
    # The doctor who holds it may.
    assert api_client(doctor).post(url, CORRECT, format="json").status_code == 200
    assert _corrections(question) == 1


@pytest.mark.django_db
def test_the_page_refuses_a_correction_on_a_question_another_doctor_holds(
    client, alice, doctor, other_doctor
):
    question = _claimed_by(doctor, alice)
    client.force_login(other_doctor)
    page = client.get(question.get_absolute_url())
    assert page.context["correct_form"] is None and page.context["reroute_form"] is None
    response = client.post(reverse("forum:correct-triage", args=[question.pk]), CORRECT)
    assert "Another doctor holds this question" in _messages(response)
    assert _corrections(question) == 0
    client.force_login(doctor)
    assert client.get(question.get_absolute_url()).context["correct_form"] is not None
    client.post(reverse("forum:correct-triage", args=[question.pk]), CORRECT)
    assert _corrections(question) == 1


# --- Claims let go at once ----------------------------------------------------------------------


def _claimable_at_once_by(other_doctor, question) -> None:
    question.refresh_from_db()
    assert question.status == Status.QUEUED and question.claimed_by is None
    assert question.claimed_until is None
    response = api_client(other_doctor).post(reverse("api:queue-claim", args=[question.pk]))
    assert response.status_code == 200, response.json()


@pytest.mark.django_db
def test_a_doctor_deleting_their_account_over_the_api_lets_go_of_their_claims(
    alice, doctor, other_doctor
):
    claimed = _claimed_by(doctor, alice)
    waiting = _waiting_on(doctor, alice)
    response = api_client(doctor).post(
        reverse("api:me-delete"), {"password": PASSWORD}, format="json"
    )
    assert response.status_code == 204
    _claimable_at_once_by(other_doctor, claimed)
    waiting.refresh_from_db()
    # Still waiting on the patient; their reply puts it back in everyone's queue.
    assert waiting.status == Status.NEEDS_INFO and waiting.claimed_by is None
    api_client(alice).post(
        reverse("api:followup-list", args=[waiting.pk]), {"body": "No swelling."}, format="json"
    )
    _claimable_at_once_by(other_doctor, waiting)


@pytest.mark.django_db
def test_a_doctor_deleting_their_account_on_the_page_lets_go_of_their_claims(
    client, alice, doctor, other_doctor
):
    question = _claimed_by(doctor, alice)
    client.force_login(doctor)
    assert client.post(reverse("accounts:delete"), {"password": PASSWORD}).status_code == 302
    _claimable_at_once_by(other_doctor, question)


@pytest.mark.django_db
def test_an_administrator_deleting_a_doctor_in_admin_lets_go_of_their_claims(
    client, alice, doctor, other_doctor
):
    question = _claimed_by(doctor, alice)
    # Deleting an account reaches allauth's e-mail rows: a superuser's work.
    client.force_login(make_moderator(is_superuser=True))
    response = client.post(reverse("admin:accounts_user_delete", args=[doctor.pk]), {"post": "yes"})
    assert response.status_code == 302
    _claimable_at_once_by(other_doctor, question)


def _user_form(user, **changes):
    data = {
        "email": user.email,
        "birth_year": user.birth_year or "",
        "sex": user.sex,
        "role": user.role,
        "is_active": "on",
        "date_joined_0": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change", [{"is_active": None}, {"role": "patient"}], ids=["deactivated", "no-longer-doctor"]
)
def test_a_doctor_deactivated_or_demoted_in_admin_lets_go_of_their_claims(
    client, alice, doctor, other_doctor, moderator, change
):
    question = _claimed_by(doctor, alice)
    client.force_login(moderator)
    response = client.post(
        reverse("admin:accounts_user_change", args=[doctor.pk]), _user_form(doctor, **change)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    _claimable_at_once_by(other_doctor, question)


@pytest.mark.django_db
def test_withdrawing_a_doctors_verification_lets_go_of_their_claims(
    client, alice, doctor, other_doctor, moderator
):
    question = _claimed_by(doctor, alice)
    client.force_login(moderator)
    client.post(
        reverse("admin:accounts_doctorprofile_changelist"),
        {
            "action": "reject",
            ACTION_CHECKBOX_NAME: [doctor.doctor_profile.pk],
            "apply": "1",
            "reason": "The licence was revoked by the council.",
        },
    )
    doctor.doctor_profile.refresh_from_db()
    assert doctor.doctor_profile.status == DoctorStatus.REJECTED
    _claimable_at_once_by(other_doctor, question)


@pytest.mark.django_db
def test_turning_two_factor_off_lets_go_of_the_doctors_claims(client, alice, doctor, other_doctor):
    question = _claimed_by(doctor, alice)
    client.force_login(doctor)
    # allauth asks for the password again before two-factor can be turned off.
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=doctor, type=Authenticator.Type.TOTP).exists()
    _claimable_at_once_by(other_doctor, question)


@pytest.mark.django_db
def test_a_doctor_who_keeps_their_powers_keeps_their_claims(alice, doctor):
    question = _claimed_by(doctor, alice)
    # A log-in and a profile edit save the account; neither lets go of anything.
    doctor.last_login = timezone.now()
    doctor.save(update_fields=["last_login"])
    doctor.birth_year = 1980
    doctor.save()
    doctor.doctor_profile.bio = "Neurologist."
    doctor.doctor_profile.save()
    question.refresh_from_db()
    assert question.status == Status.CLAIMED and question.claimed_by == doctor
