"""The similar lists follow the question's life: answered -> in, hidden or private -> out."""

from __future__ import annotations

import pytest

from forum import services
from forum.models import Question, Status
from forum.selectors import similar_to_draft
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
