"""Which Q&As are linked as similar, and why."""

from __future__ import annotations

import pytest
from django.utils import timezone

from forum.models import Answer, Question, Status
from forum.similarity import embedding as embedding_module
from forum.similarity import (
    index_question,
    similar_to_question,
    similar_to_text,
    unindex_question,
)
from forum.similarity.models import SimilarityEntry
from tests.factories import make_question
from tests.forum.similarity.helpers import CALF, EYELID, RASH, answered

pytestmark = pytest.mark.django_db


def test_it_ranks_the_question_about_the_same_thing_first():
    calf, eyelid, rash = answered(*CALF), answered(*EYELID), answered(*RASH)
    items = similar_to_text("my legs keep twitching and I am anxious about my exams")
    assert items[0].question == calf
    assert rash not in [i.question for i in items[:1]]
    assert eyelid in [i.question for i in items] or len(items) < 3
    assert all(0.0 <= i.score <= 1.0 for i in items)
    assert [i.score for i in items] == sorted((i.score for i in items), reverse=True)


def test_it_explains_each_link_with_what_both_questions_share():
    answered(*CALF)
    item = similar_to_text("twitching calves for a month, stress from exams")[0]
    assert "stress and anxiety" in item.shared
    assert "calves" in item.shared
    assert item.explanation.startswith("shared: ")


def test_it_never_returns_the_question_itself():
    calf = answered(*CALF)
    answered(*EYELID)
    assert calf not in [i.question for i in similar_to_question(calf)]
    assert calf not in [i.question for i in similar_to_text(CALF[1], exclude_id=calf.pk)]


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Status.QUEUED},
        {"status": Status.ANSWERED, "is_private": True},
        {"status": Status.ANSWERED, "is_hidden": True, "hidden_reason": "spam"},
    ],
    ids=["unanswered", "private", "hidden"],
)
def test_it_never_returns_unanswered_private_or_hidden_questions(fields):
    question = make_question(title=CALF[0], body=CALF[1], **fields)
    index_question(question.pk)
    assert similar_to_text(CALF[1], min_score=-1.0) == []


def test_hiding_a_question_removes_it_at_once_even_before_reindexing():
    calf = answered(*CALF)
    assert similar_to_text(CALF[1])[0].question == calf
    Question.objects.filter(pk=calf.pk).update(is_hidden=True, hidden_reason="spam")
    assert calf not in [i.question for i in similar_to_text(CALF[1], min_score=-1.0)]


def test_making_a_question_private_and_unindexing_it_takes_it_out_of_the_index():
    calf = answered(*CALF)
    Question.objects.filter(pk=calf.pk).update(is_private=True)
    unindex_question(calf.pk)
    assert not SimilarityEntry.objects.get(pk=calf.pk).is_public
    assert similar_to_text(CALF[1], min_score=-1.0) == []


def test_a_newly_answered_question_shows_in_others_lists_once_indexed():
    answered(*EYELID)
    assert similar_to_text(CALF[1]) == [] or similar_to_text(CALF[1])[0].question.title != CALF[0]
    question = make_question(title=CALF[0], body=CALF[1], status=Status.QUEUED)
    index_question(question.pk)  # the worker tags every question when it arrives
    Answer.objects.create(
        question=question, doctor_name="Dr. A", body="Usually benign.", created_at=timezone.now()
    )
    Question.objects.filter(pk=question.pk).update(status=Status.ANSWERED)
    index_question(question.pk)  # and again when it is answered
    assert similar_to_text(CALF[1])[0].question == question


def test_reindexing_an_unchanged_question_embeds_nothing():
    calf = answered(*CALF)
    outcome = index_question(calf.pk)
    assert outcome.embedded == 0
    assert outcome.public == 1
    assert SimilarityEntry.objects.count() == 1


def test_editing_a_question_reembeds_it():
    calf = answered(*CALF)
    calf.body = RASH[1]
    calf.save(update_fields=["body"])  # as every edit does, which writes the public copy too
    assert index_question(calf.pk).embedded == 1


def test_the_question_page_uses_the_stored_embedding_without_running_the_model(monkeypatch):
    calf = answered(*CALF)
    answered(*EYELID)

    def no_model(*args, **kwargs):
        raise AssertionError("the model ran during a page request")

    monkeypatch.setattr(embedding_module.Embedder, "embed", no_model)
    items = similar_to_question(calf)
    assert [i.question.title for i in items] != []
    assert calf not in [i.question for i in items]


def test_a_question_not_indexed_yet_still_gets_similar_questions():
    calf = answered(*CALF)
    waiting = make_question(title="Twitching calves", body="Both calves twitch since my exams.")
    assert similar_to_question(waiting)[0].question == calf


def test_it_returns_nothing_for_empty_text():
    answered(*CALF)
    assert similar_to_text("   ") == []
