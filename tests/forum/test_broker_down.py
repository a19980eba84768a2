"""With the broker unreachable, every write still succeeds; the follow-up work waits."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core import mail
from django.urls import reverse

from accounts import services as accounts_services
from accounts.models import DoctorStatus
from config.celery import app as celery_app
from forum import services
from forum.models import Answer, Notification, NotificationKind, Question, Status
from forum.notifications import notifications_resend_unsent
from tests.factories import make_question
from tests.live_services import celery_sends_to, free_port


@pytest.fixture
def dead_broker(settings) -> Iterator[None]:
    """Tasks go to a Redis address where nothing listens."""
    # Switch Celery first: it saves the configuration it restores afterwards.
    with celery_sends_to(celery_app, f"redis://127.0.0.1:{free_port()}/0"):
        settings.CELERY_TASK_ALWAYS_EAGER = False
        yield


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("specialties")
def test_posting_answering_and_verifying_survive_a_dead_broker(
    client, alice, doctor, moderator, pending_doctor, dead_broker
):
    client.force_login(alice)
    response = client.post(
        reverse("forum:question-create"),
        {
            "title": "Twitching thigh for weeks",
            "body": "My thigh has twitched for three weeks, mostly at night, no weakness at all.",
            "asking_for": "self",
            "age_years": "31",
            "sex": "female",
        },
    )
    assert response.status_code == 302
    question = Question.objects.get(title="Twitching thigh for weeks")
    assert question.status == Status.SUBMITTED  # waits for the sweeper

    services.question_triage(question_id=question.pk)
    client.force_login(doctor)
    client.post(reverse("forum:claim", args=[question.pk]))
    response = client.post(
        reverse("forum:answer-create", args=[question.pk]),
        {"body": "Twitching without weakness is usually benign; cut down on caffeine."},
    )
    assert response.status_code == 302
    assert Answer.objects.filter(question=question).exists()
    note = Notification.objects.get(user=alice, kind=NotificationKind.ANSWERED)
    assert note.emailed_at is None
    assert mail.outbox == []

    accounts_services.doctor_verify(moderator=moderator, profile=pending_doctor.doctor_profile)
    assert pending_doctor.doctor_profile.status == DoctorStatus.VERIFIED


@pytest.mark.django_db
def test_unsent_emails_go_out_once_the_broker_is_back(alice):
    question = make_question(author=alice, status=Status.ANSWERED)
    note = Notification.objects.create(
        user=alice, kind=NotificationKind.ANSWERED, question=question, message="Answered"
    )
    Notification.objects.filter(pk=note.pk).update(created_at=note.created_at.replace(year=2000))
    assert notifications_resend_unsent(older_than_seconds=0) == 0  # too old to matter now
    Notification.objects.filter(pk=note.pk).update(created_at=note.created_at)
    assert notifications_resend_unsent(older_than_seconds=0) == 1
    assert [m.to for m in mail.outbox] == [[alice.email]]
    assert notifications_resend_unsent(older_than_seconds=0) == 0


def test_tasks_run_in_process_again_after_a_broker_test():
    # Guards the fixtures above: a test that switched the broker must leave eager mode behind.
    assert celery_app.conf.task_always_eager is True
