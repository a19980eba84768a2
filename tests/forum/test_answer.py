from __future__ import annotations

import pytest
from django.urls import reverse

from forum.models import Answer, Status
from tests.factories import make_question

ANSWER = {"body": "This sounds like benign fasciculations; cut down on caffeine and sleep more."}


def _post(client, user, question):
    if user is not None:
        client.force_login(user)
    return client.post(reverse("forum:answer-create", args=[question.pk]), ANSWER)


@pytest.mark.django_db
def test_it_lets_a_verified_doctor_answer(client, alice, doctor):
    question = make_question(author=alice, status=Status.QUEUED)
    response = _post(client, doctor, question)
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.status == Status.ANSWERED
    assert question.answer.doctor == doctor
    page = client.get(question.get_absolute_url()).content.decode()
    assert "benign fasciculations" in page


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["pending_doctor", "doctor_without_totp", "alice", "bob"])
def test_it_refuses_answers_from_anyone_but_a_verified_doctor(client, alice, who, request):
    question = make_question(author=alice, status=Status.QUEUED)
    response = _post(client, request.getfixturevalue(who), question)
    assert response.status_code in (403, 404)
    assert not Answer.objects.exists()


@pytest.mark.django_db
def test_it_sends_anonymous_visitors_to_log_in_instead_of_answering(client, alice):
    question = make_question(author=alice, status=Status.QUEUED)
    assert _post(client, None, question).status_code == 302
    assert not Answer.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_second_answer(client, alice, doctor):
    question = make_question(author=alice, status=Status.ANSWERED)
    _post(client, doctor, question)
    assert Answer.objects.count() == 1


@pytest.mark.django_db
def test_it_shows_the_answer_form_only_to_verified_doctors(client, alice, doctor, pending_doctor):
    question = make_question(author=alice, status=Status.QUEUED)
    client.force_login(doctor)
    assert client.get(question.get_absolute_url()).context["answer_form"] is not None
    client.force_login(alice)
    assert client.get(question.get_absolute_url()).context["answer_form"] is None


@pytest.mark.django_db
def test_it_rejects_an_empty_answer_with_a_message(client, alice, doctor):
    question = make_question(author=alice, status=Status.QUEUED)
    client.force_login(doctor)
    response = client.post(reverse("forum:answer-create", args=[question.pk]), {"body": "ok"})
    assert response.status_code == 400
    assert "at least 20 characters" in response.content.decode()
    assert not Answer.objects.exists()
