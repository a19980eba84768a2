from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forum.models import Status
from tests.factories import make_question


@pytest.mark.django_db
def test_it_lists_only_public_answered_questions(client, alice, bob):
    public = make_question(author=alice, status=Status.ANSWERED, title="Public twitching question")
    hidden_titles = [
        make_question(author=alice, status=Status.QUEUED, title="Queued secret question").title,
        make_question(
            author=alice, status=Status.ANSWERED, is_private=True, title="Private secret question"
        ).title,
        make_question(
            author=alice,
            status=Status.ANSWERED,
            is_hidden=True,
            hidden_reason="spam",
            title="Hidden secret question",
        ).title,
    ]
    for user in (None, alice, bob):
        client.logout()
        if user:
            client.force_login(user)
        for url in (
            reverse("forum:question-list"),
            reverse("forum:question-list") + "?q=secret",
            reverse("forum:question-list") + "?q=question&specialty=neurology",
        ):
            body = client.get(url).content.decode()
            for title in hidden_titles:
                assert title not in body
        assert public.title in client.get(reverse("forum:question-list")).content.decode()


@pytest.mark.django_db
def test_it_filters_by_specialty_and_searches_title_and_body(client):
    neuro = make_question(status=Status.ANSWERED, title="Eyelid flutter after coffee", index=True)
    skin = make_question(
        status=Status.ANSWERED,
        index=True,
        specialty="dermatology",
        title="Itchy rash on arm",
        body="A red itchy rash appeared on my forearm after gardening.",
    )
    body = client.get(reverse("forum:question-list") + "?specialty=dermatology").content.decode()
    assert skin.title in body and neuro.title not in body
    body = client.get(reverse("forum:question-list") + "?q=gardening").content.decode()
    assert skin.title in body and neuro.title not in body


@pytest.mark.django_db
def test_it_pages_from_newest_to_oldest_with_links(client, settings):
    settings.QUESTIONS_PER_PAGE = 5
    for _ in range(12):
        make_question(status=Status.ANSWERED)
    first = client.get(reverse("forum:question-list"))
    assert first.context["newer_url"] == ""
    older = client.get(reverse("forum:question-list") + first.context["older_url"])
    assert older.status_code == 200
    assert "← Newer" in older.content.decode() and "Older →" in older.content.decode()
    # An old numbered link still works, and nonsense is the first page.
    third = client.get(reverse("forum:question-list") + "?page=3")
    assert len(third.context["page"].questions) == 2
    assert third.context["older_url"] == ""
    assert client.get(reverse("forum:question-list") + "?page=nonsense").status_code == 200
    assert "12 answered questions, the newest first" in first.content.decode()


@pytest.mark.django_db
def test_it_rejects_an_overlong_search_without_error(client):
    response = client.get(reverse("forum:question-list") + "?q=" + "x" * 500)
    assert response.status_code == 200


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


@pytest.mark.django_db
def test_it_makes_the_same_number_of_queries_for_1_and_50_questions(client, alice):
    client.force_login(alice)
    make_question(author=alice, status=Status.ANSWERED)
    one_list = _queries(client, reverse("forum:question-list"))
    one_mine = _queries(client, reverse("forum:my-questions"))
    for _ in range(49):
        make_question(author=alice, status=Status.ANSWERED)
    assert _queries(client, reverse("forum:question-list")) == one_list
    assert _queries(client, reverse("forum:my-questions")) == one_mine
