"""The similar lists follow the question's life: answered -> in, hidden or private -> out."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from forum import services
from forum.models import AssessmentSource, Question, Status
from forum.selectors import similar_to_draft
from forum.similarity.models import SimilarityEntry
from forum.similarity.text import document_text, text_hash
from tests.factories import make_question

DRAFT = "my eyelid keeps twitching after too much coffee and little sleep"


def _ids() -> list[int]:
    return [item.question.pk for item in similar_to_draft(text=DRAFT)]


@pytest.mark.django_db
def test_an_answered_question_appears_and_a_hidden_one_disappears_at_once(
    alice, doctor, moderator, django_capture_on_commit_callbacks
):
    question = make_question(
        author=alice,
        title="Eyelid twitching with coffee",
        body="My eyelid twitches all day since I started drinking lots of coffee.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.question_triage(question_id=question.pk)
    assert question.pk not in _ids()  # queued, not answered: never suggested

    with django_capture_on_commit_callbacks(execute=True):
        services.question_claim(doctor=doctor, question_id=question.pk)
        services.answer_create(
            doctor=doctor, question=question, body="Cut down on coffee and sleep more."
        )
    assert question.pk in _ids()

    with django_capture_on_commit_callbacks(execute=False) as pending:
        services.question_hide(moderator=moderator, question=question, reason="Spam links")
    assert question.pk not in _ids()  # before any task ran

    with django_capture_on_commit_callbacks(execute=True):
        for callback in pending:
            callback()
        services.question_restore(moderator=moderator, question=question, reason="Cleaned up")
    assert question.pk in _ids()


@pytest.mark.django_db
def test_a_question_made_private_is_never_suggested(alice):
    question = make_question(
        author=alice,
        status=Status.ANSWERED,
        title="Eyelid twitching with coffee",
        body="My eyelid twitches all day since I started drinking lots of coffee.",
        index=True,
    )
    assert question.pk in _ids()
    Question.objects.filter(pk=question.pk).update(is_private=True)
    assert question.pk not in _ids()  # results are checked against the live rows


class _ChangeForm(HTMLParser):
    """The fields an admin change form would submit as the browser shows it."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name", "")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") != "checkbox" or "checked" in a:
                self.data[name] = a.get("value", "on")
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea] += data.removeprefix("\n")


def _admin_form(client, url: str) -> dict[str, str]:
    form = _ChangeForm()
    form.feed(client.get(url).content.decode())
    return form.data


RASH_DRAFT = "itchy red rash on my arms since I changed washing powder"


def _eyelid_qa() -> Question:
    """An answered public Q&A that DRAFT finds, indexed."""
    return make_question(
        status=Status.ANSWERED,
        title="Eyelid twitching with coffee",
        body="My eyelid twitches all day since I started drinking lots of coffee.",
        index=True,
    )


@pytest.mark.django_db
def test_a_moderators_edit_in_admin_is_triaged_and_indexed_again(
    client, moderator, django_capture_on_commit_callbacks
):
    question = _eyelid_qa()
    assert question.pk in _ids()
    assert question.pk not in [i.question.pk for i in similar_to_draft(text=RASH_DRAFT)]
    client.force_login(moderator)
    url = reverse("admin:forum_question_change", args=[question.pk])
    data = _admin_form(client, url)
    data["title"] = "Itchy rash on my arms after a new washing powder"
    data["body"] = "Red itchy patches on both arms where my sleeves touch, for two weeks now."

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)

    assert response.status_code == 302, response.content[:2000]
    assert question.pk in [i.question.pk for i in similar_to_draft(text=RASH_DRAFT)]
    entry = SimilarityEntry.objects.get(pk=question.pk)
    assert entry.text_hash == text_hash(document_text(data["title"], data["body"]))
    retriaged = question.assessments.get(source=AssessmentSource.RETRIAGE)
    assert "Red itchy patches" in retriaged.text


@pytest.mark.django_db
def test_a_question_made_private_in_admin_leaves_the_index_before_any_task_runs(
    client, moderator, django_capture_on_commit_callbacks
):
    question = _eyelid_qa()
    client.force_login(moderator)
    url = reverse("admin:forum_question_change", args=[question.pk])
    data = _admin_form(client, url)
    data["is_private"] = "on"

    with django_capture_on_commit_callbacks(execute=False):
        assert client.post(url, data).status_code == 302

    assert SimilarityEntry.objects.get(pk=question.pk).is_public is False
    assert question.pk not in _ids()
