from __future__ import annotations

import pytest
from django.urls import reverse

from forum.models import FollowUp, Status
from tests.factories import make_question


def _post(client, user, question, body="It got better after I stopped coffee, thank you!"):
    client.force_login(user)
    return client.post(reverse("forum:followup-create", args=[question.pk]), {"body": body})


@pytest.mark.django_db
def test_it_lets_the_asker_and_the_answering_doctor_follow_up(client, alice, doctor):
    question = make_question(author=alice, status=Status.ANSWERED, answered_by=doctor)
    _post(client, alice, question)
    _post(client, doctor, question, body="Glad to hear it. Come back if weakness appears.")
    assert FollowUp.objects.filter(question=question).count() == 2
    html = client.get(question.get_absolute_url()).content.decode()
    assert "stopped coffee" in html and "weakness appears" in html


@pytest.mark.django_db
def test_it_refuses_follow_ups_from_other_patients(client, alice, bob, doctor):
    question = make_question(author=alice, status=Status.ANSWERED, answered_by=doctor)
    _post(client, bob, question)
    assert not FollowUp.objects.exists()


@pytest.mark.django_db
def test_it_refuses_follow_ups_on_others_private_questions_with_404(client, alice, bob, doctor):
    question = make_question(
        author=alice, status=Status.ANSWERED, is_private=True, answered_by=doctor
    )
    assert _post(client, bob, question).status_code == 404
    assert not FollowUp.objects.exists()


@pytest.mark.django_db
def test_it_waits_for_an_answer_before_follow_ups(client, alice):
    question = make_question(author=alice, status=Status.QUEUED)
    _post(client, alice, question)
    assert not FollowUp.objects.exists()
