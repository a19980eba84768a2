from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forum.models import Status
from tests.factories import api_client, make_followup, make_question


@pytest.mark.django_db
def test_the_list_holds_only_public_questions_for_everyone(alice, bob, doctor):
    public = make_question(author=alice, status=Status.ANSWERED, title="Public twitching")
    make_question(author=alice, status=Status.QUEUED, title="Secret queued")
    make_question(author=alice, status=Status.ANSWERED, is_private=True, title="Secret private")
    for user in (None, alice, bob, doctor):
        data = api_client(user).get(reverse("api:question-list")).json()
        assert [q["title"] for q in data["results"]] == [public.title]
        assert data["count"] == 1
        assert alice.email not in str(data)


@pytest.mark.django_db
def test_the_list_filters_by_specialty_and_words(alice):
    make_question(status=Status.ANSWERED, title="Eyelid flutter", index=True)
    skin = make_question(
        status=Status.ANSWERED, specialty="dermatology", title="Itchy rash", index=True
    )
    url = reverse("api:question-list")
    assert [
        q["id"] for q in api_client().get(url, {"specialty": "dermatology"}).json()["results"]
    ] == [skin.pk]
    assert [q["id"] for q in api_client().get(url, {"q": "rash"}).json()["results"]] == [skin.pk]


@pytest.mark.django_db
def test_another_patients_private_question_is_a_404_not_a_403(alice, bob, doctor):
    private = make_question(author=alice, status=Status.ANSWERED, is_private=True)
    url = reverse("api:question-detail", args=[private.pk])
    assert api_client().get(url).status_code == 404
    assert api_client(bob).get(url).status_code == 404
    owner = api_client(alice).get(url)
    assert owner.status_code == 200
    assert owner.json()["answer"]["body"]
    assert api_client(doctor).get(url).status_code == 200


@pytest.mark.django_db
def test_the_detail_shows_the_answer_and_follow_ups_with_public_names_only(alice, doctor):
    question = make_question(author=alice, status=Status.ANSWERED, answered_by=doctor)
    make_followup(question=question, author=alice, body="Thank you!")
    data = api_client().get(reverse("api:question-detail", args=[question.pk])).json()
    assert data["asker"] == alice.pseudonym
    assert data["answer"]["doctor"] == doctor.doctor_profile.display_name
    assert data["followups"][0]["author"] == alice.pseudonym
    assert alice.email not in str(data) and doctor.email not in str(data)


@pytest.mark.django_db
def test_the_list_makes_the_same_number_of_queries_for_1_and_50(alice):
    make_question(author=alice, status=Status.ANSWERED)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api_client().get(reverse("api:question-list")).status_code == 200
        return len(ctx)

    one = count()
    for _ in range(49):
        make_question(author=alice, status=Status.ANSWERED)
    assert count() == one


def test_specialties_are_the_fixed_list(client, db):
    data = client.get(reverse("api:specialty-list")).json()
    assert len(data) == 22
    assert {"slug": "neurology"}.items() <= next(
        s for s in data if s["slug"] == "neurology"
    ).items()
