from __future__ import annotations

import json

import pytest
from django.urls import reverse

from accounts.models import User
from forum.models import Answer, Question, Status
from tests.factories import make_followup, make_question


@pytest.mark.django_db
def test_it_exports_everything_about_me_and_nothing_about_others(client, alice, bob):
    mine = make_question(author=alice, status=Status.ANSWERED, is_private=True, title="My one")
    make_followup(question=mine, author=alice, body="Thanks!")
    make_question(author=bob, title="Bob's question")
    client.force_login(alice)
    response = client.get(reverse("accounts:export"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["account"]["email"] == alice.email
    assert [q["title"] for q in data["questions"]] == ["My one"]
    assert data["questions"][0]["answer"]["body"]
    assert data["questions"][0]["followups"][0]["body"] == "Thanks!"
    assert "Bob's question" not in response.content.decode()


def test_export_and_delete_need_a_log_in(client, db):
    for name in ("accounts:export", "accounts:delete"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


@pytest.mark.django_db
def test_deleting_needs_the_password_and_removes_my_questions(client, alice, bob):
    mine = make_question(author=alice)
    theirs = make_question(author=bob)
    client.force_login(alice)
    response = client.post(reverse("accounts:delete"), {"password": "wrong"})
    assert "That is not your password" in response.content.decode()
    assert User.objects.filter(pk=alice.pk).exists()
    response = client.post(reverse("accounts:delete"), {"password": "a-long-test-password"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=alice.pk).exists()
    assert not Question.objects.filter(pk=mine.pk).exists()
    assert Question.objects.filter(pk=theirs.pk).exists()
    assert client.get(reverse("forum:my-questions")).status_code == 302


@pytest.mark.django_db
def test_a_deleted_doctors_answers_stay_signed(client, alice, doctor):
    question = make_question(author=alice, status=Status.ANSWERED, answered_by=doctor)
    name = doctor.doctor_profile.display_name
    client.force_login(doctor)
    client.post(reverse("accounts:delete"), {"password": "a-long-test-password"})
    answer = Answer.objects.get(question=question)
    assert answer.doctor is None and answer.doctor_name == name
