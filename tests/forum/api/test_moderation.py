"""Moderators over the API: hide and restore with a reason, and the queue overview."""

from __future__ import annotations

import pytest
from django.urls import reverse

from forum.models import AuditEvent, Question, Status
from tests.factories import api_client, make_question


@pytest.mark.django_db
def test_a_moderator_hides_and_restores_a_question_with_a_reason(moderator, alice):
    question = make_question(author=alice, status=Status.ANSWERED)
    api = api_client(moderator)
    hide = reverse("api:moderation-hide", args=["questions", question.pk])
    no_reason = api.post(hide, {}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    assert api.post(hide, {"reason": "Contains a phone number"}, format="json").json() == {
        "id": question.pk,
        "is_hidden": True,
    }
    assert not Question.objects.public().filter(pk=question.pk).exists()
    assert api_client(alice).get(reverse("api:question-list")).json()["count"] == 0
    restore = reverse("api:moderation-restore", args=["questions", question.pk])
    assert api.post(restore, {"reason": "Number removed"}, format="json").status_code == 200
    assert Question.objects.public().filter(pk=question.pk).exists()
    assert AuditEvent.objects.filter(target_id=question.pk).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["alice", "doctor"])
def test_only_moderators_moderate(who, request):
    question = make_question(status=Status.ANSWERED)
    api = api_client(request.getfixturevalue(who))
    hide = reverse("api:moderation-hide", args=["questions", question.pk])
    assert api.post(hide, {"reason": "Not allowed"}, format="json").status_code == 403
    assert api.get(reverse("api:moderation-overview")).status_code == 403
    question.refresh_from_db()
    assert not question.is_hidden


@pytest.mark.django_db
def test_the_overview_counts_waiting_questions(moderator):
    make_question(status=Status.QUEUED, urgency="urgent")
    make_question(status=Status.QUEUED, urgency="urgent")
    rows = api_client(moderator).get(reverse("api:moderation-overview")).json()
    assert {k: v for k, v in rows[0].items() if k != "longest_wait_seconds"} == {
        "specialty": "Neurology",
        "urgency": "urgent",
        "status": "queued",
        "count": 2,
        # urgent, and no verified neurologist or on-call doctor exists in this test
        "uncovered": True,
    }
