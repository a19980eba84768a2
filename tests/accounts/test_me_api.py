"""`/api/me/`: profile, export and deletion over the API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import User
from forum.models import Answer, Question, Status
from tests.factories import api_client, make_question


@pytest.mark.django_db
def test_me_shows_the_profile_and_powers(alice, doctor, doctor_without_totp):
    me = api_client(alice).get(reverse("api:me")).json()
    assert me["email"] == alice.email and me["pseudonym"] == alice.pseudonym
    assert me["doctor_profile"] is None and me["can_answer"] is False
    dr = api_client(doctor).get(reverse("api:me")).json()
    assert dr["can_answer"] is True and dr["doctor_profile"]["specialties"] == ["neurology"]
    waiting = api_client(doctor_without_totp).get(reverse("api:me")).json()
    assert waiting["can_answer"] is False and waiting["needs_two_factor"] is True


@pytest.mark.django_db
def test_profile_edits_are_validated_field_by_field(alice):
    api = api_client(alice)
    bad = api.patch(reverse("api:me"), {"birth_year": 2030, "sex": "robot"}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()) == {"birth_year", "sex"}
    alice.refresh_from_db()
    assert alice.birth_year == 1995
    good = api.patch(reverse("api:me"), {"birth_year": 1980}, format="json")
    assert good.status_code == 200 and good.json()["birth_year"] == 1980
    # Role and e-mail are not editable here.
    api.patch(reverse("api:me"), {"role": "moderator", "email": "x@example.test"}, format="json")
    alice.refresh_from_db()
    assert alice.role == "patient" and alice.email == "alice@example.test"


@pytest.mark.django_db
def test_export_holds_my_questions_and_nobody_elses(alice, bob):
    make_question(author=alice, title="Alice asks about her calves")
    make_question(author=bob, title="Bob asks about his eyelid")
    data = api_client(alice).get(reverse("api:me-export")).json()
    assert data["account"]["email"] == alice.email
    assert [q["title"] for q in data["questions"]] == ["Alice asks about her calves"]


@pytest.mark.django_db
def test_deleting_needs_the_password_and_keeps_a_doctors_answers(alice, doctor):
    question = make_question(author=alice, status=Status.ANSWERED, answered_by=doctor)
    api = api_client(doctor)
    wrong = api.post(reverse("api:me-delete"), {"password": "not-it"}, format="json")
    # Well formed, refused by the account: a 403 (the schema's 400 is for malformed input).
    assert wrong.status_code == 403 and "not your password" in wrong.json()["detail"]
    assert User.objects.filter(pk=doctor.pk).exists()
    gone = api.post(reverse("api:me-delete"), {"password": "a-long-test-password"}, format="json")
    assert gone.status_code == 204
    assert not User.objects.filter(pk=doctor.pk).exists()
    answer = Answer.objects.get(question=question)
    assert answer.doctor is None and answer.doctor_name.startswith("Dr. Test")
    # The token died with the account.
    assert api.get(reverse("api:me")).status_code == 401

    api_client(alice).post(
        reverse("api:me-delete"), {"password": "a-long-test-password"}, format="json"
    )
    assert not Question.objects.filter(pk=question.pk).exists()
