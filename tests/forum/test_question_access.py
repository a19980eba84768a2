"""Who can open which question page: owner, another user, anonymous, doctors, moderators."""

from __future__ import annotations

import pytest
from django.urls import reverse

from forum.models import Status
from tests.factories import make_question


def _get(client, user, question):
    if user is not None:
        client.force_login(user)
    return client.get(reverse("forum:question-detail", args=[question.pk]))


@pytest.mark.django_db
def test_it_shows_public_answered_questions_to_everyone(client, alice, bob):
    question = make_question(author=alice, status=Status.ANSWERED)
    for user in (None, alice, bob):
        client.logout()
        response = _get(client, user, question)
        assert response.status_code == 200
        assert question.title in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {"status": Status.SUBMITTED},
        {"status": Status.QUEUED},
        {"status": Status.ANSWERED, "is_private": True},
        {"status": Status.ANSWERED, "is_hidden": True, "hidden_reason": "spam"},
    ],
    ids=["submitted", "queued", "private", "hidden"],
)
def test_it_hides_non_public_questions_from_other_patients_and_anonymous(
    client, alice, bob, fields
):
    question = make_question(author=alice, **fields)
    assert _get(client, None, question).status_code == 404
    assert _get(client, bob, question).status_code == 404


@pytest.mark.django_db
def test_it_shows_the_owner_their_own_unanswered_and_private_questions(client, alice):
    waiting = make_question(author=alice, status=Status.QUEUED)
    private = make_question(author=alice, status=Status.ANSWERED, is_private=True)
    for question in (waiting, private):
        response = _get(client, alice, question)
        assert response.status_code == 200
        assert question.title in response.content.decode()
    assert "Waiting for a doctor" in _get(client, alice, waiting).content.decode()


@pytest.mark.django_db
def test_it_shows_unanswered_and_private_questions_to_verified_doctors(client, alice, doctor):
    question = make_question(author=alice, status=Status.QUEUED, is_private=True)
    assert _get(client, doctor, question).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["pending_doctor", "doctor_without_totp"])
def test_it_treats_unverified_doctors_like_patients(client, alice, who, request):
    question = make_question(author=alice, status=Status.QUEUED)
    assert _get(client, request.getfixturevalue(who), question).status_code == 404


@pytest.mark.django_db
def test_it_shows_moderators_hidden_questions_with_the_reason(client, alice, moderator):
    question = make_question(
        author=alice,
        status=Status.ANSWERED,
        is_hidden=True,
        hidden_reason="Contains a phone number",
    )
    response = _get(client, moderator, question)
    assert response.status_code == 200
    assert "Contains a phone number" in response.content.decode()


@pytest.mark.django_db
def test_it_never_shows_the_askers_email_on_the_page(client, alice, bob):
    question = make_question(author=alice, status=Status.ANSWERED)
    body = _get(client, bob, question).content.decode()
    assert alice.email not in body
    assert alice.pseudonym in body
    assert "20~29 year old female" in body


@pytest.mark.django_db
def test_it_returns_404_for_a_missing_question(client):
    assert client.get(reverse("forum:question-detail", args=[999999])).status_code == 404
