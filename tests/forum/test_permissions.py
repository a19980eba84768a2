"""The `can_*` checks of forum/permissions.py, for each kind of visitor: what the pages offer,
the API allows and the services accept all come from these."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from forum import permissions
from forum.models import Question, Status
from tests.factories import make_doctor, make_question


@pytest.fixture
def people(alice, bob, doctor, pending_doctor, doctor_without_totp, moderator):
    return {
        "anonymous": AnonymousUser(),
        "asker": alice,
        "other patient": bob,
        "doctor": doctor,
        "unverified doctor": pending_doctor,
        "doctor without two-factor": doctor_without_totp,
        "moderator": moderator,
    }


def _allowed(people: dict, check) -> set[str]:
    return {name for name, user in people.items() if check(user)}


@pytest.mark.django_db
def test_who_reads_a_question_in_full(people, alice):
    question = make_question(author=alice, status=Status.ANSWERED)
    allowed = _allowed(people, lambda user: permissions.can_read_in_full(user, question))
    assert allowed == {"asker", "doctor", "moderator"}


@pytest.mark.django_db
def test_who_follows_up_and_who_replies_to_a_request(people, alice, doctor):
    question = make_question(author=alice, status=Status.ANSWERED, answered_by=doctor)
    answer = question.answer
    allowed = _allowed(people, lambda user: permissions.can_follow_up(user, question, answer))
    assert allowed == {"asker", "doctor"}
    other_doctor = make_doctor()
    assert not permissions.can_follow_up(other_doctor, question, answer)
    assert (
        _allowed(people, lambda user: permissions.can_reply_to_info_request(user, question))
        == set()
    )
    Question.objects.filter(pk=question.pk).update(status=Status.NEEDS_INFO)
    question.refresh_from_db()
    allowed = _allowed(people, lambda user: permissions.can_reply_to_info_request(user, question))
    assert allowed == {"asker"}


@pytest.mark.django_db
def test_who_changes_a_question_and_who_answers_it(people, alice, doctor):
    now = timezone.now()
    question = make_question(
        author=alice,
        status=Status.CLAIMED,
        claimed_by=doctor,
        claimed_until=now + timedelta(minutes=5),
    )
    assert _allowed(people, lambda user: permissions.can_change_question(user, question)) == {
        "asker"
    }
    allowed = _allowed(people, lambda user: permissions.can_answer(user, question, now=now))
    assert allowed == {"doctor"}
    assert not permissions.can_answer(doctor, question, now=now + timedelta(minutes=6))
