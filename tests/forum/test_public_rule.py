"""One rule for "a public Q&A" (`public_q`, `Question.objects.public()`, `Question.is_public`):
answered, not private, not hidden, and its answer not hidden by a moderator. A Q&A whose answer
a moderator hid is public nowhere: not listed, not found, not readable by the public, not offered
as similar, in the pages and in the API alike."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from forum import selectors, services
from forum.models import Question, Status
from forum.similarity import similar_stored
from tests.factories import api_client, make_question

HIDDEN_TITLE = "Calf twitching after a long run"


def _qa(title: str, body: str) -> Question:
    return make_question(status=Status.ANSWERED, title=title, body=body, index=True)


@pytest.fixture
def qas(db, moderator, django_capture_on_commit_callbacks):
    """A public Q&A, one whose answer a moderator hid, and a question waiting in the queue
    whose stored similar Q&As were computed while both were public."""
    public = _qa("Calf twitching after running", "My calf twitches after I run, for a week.")
    hidden = _qa(HIDDEN_TITLE, "My calf keeps twitching after a long run, for a week now.")
    waiting = make_question(
        status=Status.QUEUED,
        title="Calf twitching every evening after a run",
        body="My calf twitches every evening after I go for a run.",
        index=True,
    )
    assert hidden.pk in [m.question.pk for m in similar_stored([waiting])[waiting.pk]]
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_hide(moderator=moderator, answer=hidden.answer, reason="Wrong advice")
    return public, Question.objects.get(pk=hidden.pk), waiting


def test_the_rule_itself(qas):
    public, hidden, _ = qas
    assert public.is_public and not hidden.is_public
    assert list(Question.objects.public().filter(pk__in=[public.pk, hidden.pk])) == [public]


def test_it_is_in_no_list_and_no_search(client, alice, qas):
    public, hidden, _ = qas
    for params in ({}, {"q": "calf twitching"}, {"q": "run"}):
        page = selectors.public_question_page(per_page=20, query=params.get("q", ""))
        assert hidden.pk not in [q.pk for q in page.questions]
        assert public.pk in [q.pk for q in page.questions]
        html = client.get(reverse("forum:question-list"), params).content.decode()
        assert HIDDEN_TITLE not in html
        for user in (None, alice):
            data = api_client(user).get(reverse("api:question-list"), params).json()
            assert hidden.pk not in [q["id"] for q in data["results"]]
            assert public.pk in [q["id"] for q in data["results"]]
    assert selectors.public_question_page(per_page=20, query="calf twitching").count == 1


def test_the_public_cannot_open_it_but_its_asker_doctors_and_moderators_can(
    client, bob, doctor, moderator, qas
):
    _, hidden, _ = qas
    page = reverse("forum:question-detail", args=[hidden.pk])
    api = reverse("api:question-detail", args=[hidden.pk])
    assert client.get(page).status_code == 404
    assert api_client().get(api).status_code == 404
    client.force_login(bob)
    assert client.get(page).status_code == 404
    assert api_client(bob).get(api).status_code == 404
    for user in (doctor, moderator):
        assert api_client(user).get(api).status_code == 200


def test_it_is_offered_as_similar_nowhere(client, qas):
    public, hidden, waiting = qas
    page = client.get(reverse("forum:question-detail", args=[public.pk]))
    assert hidden not in [m.question for m in page.context["similar"]]
    assert HIDDEN_TITLE not in page.content.decode()
    listed = api_client().get(reverse("api:similar-list", args=[public.pk])).json()
    assert hidden.pk not in [item["id"] for item in listed]
    draft = api_client().post(
        reverse("api:similar-preview"),
        {"title": "Calf twitching", "body": "My calf keeps twitching after a long run."},
        format="json",
    )
    assert draft.status_code == 200
    assert hidden.pk not in [item["id"] for item in draft.json()["results"]]
    assert hidden.pk not in [m.question.pk for m in similar_stored([waiting])[waiting.pk]]
    out = StringIO()
    call_command("similar", "--json", "-k", "5", "my calf twitches after a long run", stdout=out)
    assert hidden.pk not in [item["id"] for item in json.loads(out.getvalue())["results"]]


def test_restoring_the_answer_makes_it_public_again(
    moderator, qas, django_capture_on_commit_callbacks
):
    public, hidden, _ = qas
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_restore(moderator=moderator, answer=hidden.answer, reason="Corrected")
    assert Question.objects.get(pk=hidden.pk).is_public
    page = selectors.public_question_page(per_page=20, query="calf twitching")
    assert {q.pk for q in page.questions} == {public.pk, hidden.pk}
