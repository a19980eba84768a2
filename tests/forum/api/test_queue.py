"""The doctor's queue over the API: the same services, access rules and conflicts as the pages."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from forum.models import (
    Assessment,
    AssessmentSource,
    AuditEvent,
    FollowUpKind,
    Notification,
    NotificationKind,
    Question,
    Status,
)
from tests.factories import api_client, make_doctor, make_question

TWITCH = {
    "title": "Calf twitching for a month",
    "body": "For the past month my calves twitch at rest. I have exams and drink lots of coffee. "
    "No weakness, no numbness.",
    "age_years": 24,
    "sex": "female",
    "duration": "1-4 weeks",
}


def asked(alice, capture) -> Question:
    with capture(execute=True):
        response = api_client(alice).post(reverse("api:question-list"), TWITCH, format="json")
    assert response.status_code == 201, response.json()
    return Question.objects.get(pk=response.json()["id"])


@pytest.mark.django_db
def test_a_doctor_claims_and_answers_from_the_queue(
    alice, doctor, django_capture_on_commit_callbacks
):
    question = asked(alice, django_capture_on_commit_callbacks)
    api = api_client(doctor)

    listed = api.get(reverse("api:queue")).json()
    assert listed["count"] == 1
    item = listed["results"][0]
    assert item["id"] == question.pk
    assert item["body"] == TWITCH["body"]
    assert item["triage"]["specialty"] == "neurology"
    assert item["triage"]["causes_note"].endswith("not a diagnosis.")
    assert not any(f["code"].startswith("weakness") for f in item["triage"]["flags"])
    assert item["claimed_by_me"] is False and item["claimed_until"] is None

    claimed = api.post(reverse("api:queue-claim", args=[question.pk]))
    assert claimed.status_code == 200
    assert claimed.json()["claimed_by_me"] is True
    assert claimed.json()["claimed_until"]

    with django_capture_on_commit_callbacks(execute=True):
        answered = api.post(
            reverse("api:queue-answer", args=[question.pk]),
            {"body": "Twitching with no weakness after exams and coffee is very often benign."},
            format="json",
        )
    assert answered.status_code == 201
    assert answered.json()["status"] == Status.ANSWERED
    assert answered.json()["answer"]["body"].startswith("Twitching with no weakness")
    question.refresh_from_db()
    assert question.status == Status.ANSWERED

    # The patient is told, and can mark it read.
    patient = api_client(alice)
    notes = patient.get(reverse("api:notification-list"), {"unread": "true"}).json()
    assert [n["kind"] for n in notes["results"]] == [NotificationKind.ANSWERED]
    assert notes["results"][0]["question"] == question.pk
    marked = patient.post(reverse("api:notification-read"), {}, format="json").json()
    assert marked == {"marked": 1, "unread": 0}
    assert patient.get(reverse("api:notification-list"), {"unread": "1"}).json()["count"] == 0
    assert patient.get(reverse("api:notification-list")).json()["count"] == 1


@pytest.mark.django_db
def test_a_second_doctor_gets_a_conflict_not_the_claim(alice, doctor):
    question = make_question(author=alice, status=Status.QUEUED)
    other = make_doctor()
    assert (
        api_client(doctor).post(reverse("api:queue-claim", args=[question.pk])).status_code == 200
    )
    response = api_client(other).post(reverse("api:queue-claim", args=[question.pk]))
    assert response.status_code == 409
    assert "Another doctor" in response.json()["detail"]
    # The other doctor's queue no longer lists it; answering without a claim is a conflict too.
    assert api_client(other).get(reverse("api:queue")).json()["count"] == 0
    response = api_client(other).post(
        reverse("api:queue-answer", args=[question.pk]),
        {"body": "An answer from a doctor who holds no claim on it."},
        format="json",
    )
    assert response.status_code == 409
    question.refresh_from_db()
    assert question.claimed_by == doctor and question.status == Status.CLAIMED


@pytest.mark.django_db
def test_release_puts_it_back_and_a_second_release_is_a_conflict(alice, doctor):
    question = make_question(author=alice, status=Status.QUEUED)
    api = api_client(doctor)
    api.post(reverse("api:queue-claim", args=[question.pk]))
    assert api.post(reverse("api:queue-release", args=[question.pk])).status_code == 204
    question.refresh_from_db()
    assert question.status == Status.QUEUED and question.claimed_by is None
    assert api.post(reverse("api:queue-release", args=[question.pk])).status_code == 409


@pytest.mark.django_db
def test_asking_for_information_and_the_patients_reply(alice, doctor):
    question = make_question(author=alice, status=Status.QUEUED)
    api = api_client(doctor)
    api.post(reverse("api:queue-claim", args=[question.pk]))
    too_short = api.post(
        reverse("api:queue-request-info", args=[question.pk]), {"message": "how?"}, format="json"
    )
    assert too_short.status_code == 400 and "message" in too_short.json()
    response = api.post(
        reverse("api:queue-request-info", args=[question.pk]),
        {"message": "Do you notice any weakness when climbing stairs?"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["kind"] == FollowUpKind.INFO_REQUEST
    question.refresh_from_db()
    assert question.status == Status.NEEDS_INFO

    reply = api_client(alice).post(
        reverse("api:followup-list", args=[question.pk]),
        {"body": "No weakness at all, stairs are fine."},
        format="json",
    )
    assert reply.status_code == 201 and reply.json()["kind"] == FollowUpKind.INFO_REPLY
    question.refresh_from_db()
    assert question.status == Status.QUEUED
    kinds = set(Notification.objects.filter(user=doctor).values_list("kind", flat=True))
    assert NotificationKind.INFO_RECEIVED in kinds


@pytest.mark.django_db
def test_reroute_and_correct_triage_are_audited(alice, doctor):
    question = make_question(author=alice, status=Status.QUEUED, urgency="routine")
    api = api_client(doctor)
    missing = api.post(
        reverse("api:queue-reroute", args=[question.pk]),
        {"specialty": "no-such-specialty", "reason": "belongs elsewhere"},
        format="json",
    )
    assert missing.status_code == 400 and "specialty" in missing.json()

    corrected = api.post(
        reverse("api:queue-correct-triage", args=[question.pk]),
        {"urgency": "urgent", "reason": "Night sweats and weight loss need a prompt look."},
        format="json",
    )
    assert corrected.status_code == 200
    assert corrected.json()["urgency"] == "urgent"
    assert corrected.json()["source"] == AssessmentSource.DOCTOR
    assert Assessment.objects.filter(question=question, source=AssessmentSource.DOCTOR).exists()
    question.refresh_from_db()
    assert question.urgency == "urgent"

    moved = api.post(
        reverse("api:queue-reroute", args=[question.pk]),
        {"specialty": "rheumatology", "reason": "Joint pain is the main complaint."},
        format="json",
    )
    assert moved.status_code == 200
    question.refresh_from_db()
    assert question.specialty.slug == "rheumatology"
    actions = set(AuditEvent.objects.filter(target_id=question.pk).values_list("action", flat=True))
    assert {"question_rerouted", "triage_corrected"} <= actions


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["pending_doctor", "doctor_without_totp", "alice", "moderator"])
def test_only_verified_doctors_with_two_factor_use_the_queue(who, request):
    user = request.getfixturevalue(who)
    question = make_question(status=Status.QUEUED)
    api = api_client(user)
    assert api.get(reverse("api:queue")).status_code == 403
    response = api.post(reverse("api:queue-claim", args=[question.pk]))
    assert response.status_code == 403
    if who == "doctor_without_totp":
        assert "two-factor" in response.json()["detail"]
    question.refresh_from_db()
    assert question.status == Status.QUEUED


def test_the_queue_needs_a_log_in(db):
    assert APIClient().get(reverse("api:queue")).status_code == 401


@pytest.mark.django_db
def test_a_hidden_question_is_a_404_for_doctors(doctor):
    question = make_question(status=Status.QUEUED, is_hidden=True, hidden_reason="Spam")
    response = api_client(doctor).post(reverse("api:queue-claim", args=[question.pk]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_queue_listing_costs_the_same_queries_for_1_and_30_rows(
    doctor, django_assert_max_num_queries, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = api_client(doctor)
    make_question(status=Status.QUEUED)
    with CaptureQueriesContext(connection) as one:
        api.get(reverse("api:queue"))
    for _ in range(29):
        make_question(status=Status.QUEUED)
    with CaptureQueriesContext(connection) as thirty:
        assert api.get(reverse("api:queue")).json()["count"] == 30
    assert len(thirty) == len(one)


@pytest.mark.django_db
def test_each_queue_item_lists_the_similar_answers_the_worker_stored(
    alice, doctor, moderator, django_capture_on_commit_callbacks
):
    from tests.forum.similarity.helpers import CALF, EYELID, answered

    calf, eyelid = answered(*CALF), answered(*EYELID)
    question = asked(alice, django_capture_on_commit_callbacks)
    [item] = api_client(doctor).get(reverse("api:queue")).json()["results"]
    assert item["id"] == question.pk
    assert item["similar"][0]["id"] == calf.pk
    assert item["similar"][0]["explanation"].startswith("shared: ")
    assert item["similar"][0]["specialty"] == "neurology"
    assert eyelid.pk not in {s["id"] for s in item["similar"][:1]}
    # Hidden since: gone at once from the stored list.
    from forum import services

    services.question_hide(moderator=moderator, question=calf, reason="Duplicate post")
    [item] = api_client(doctor).get(reverse("api:queue")).json()["results"]
    assert calf.pk not in {s["id"] for s in item["similar"]}


@pytest.mark.django_db
def test_a_conflict_says_why_for_a_program_too(alice, doctor, settings):
    """Each 409 on a claim carries a `code` beside its message: `claimed_by_other`,
    `claim_expired`, `claim_limit` (the messages stay as they were)."""
    settings.QUEUE_MAX_CLAIMS = 1
    first, second = (make_question(author=alice, status=Status.QUEUED) for _ in "12")
    other = make_doctor()
    mine = api_client(doctor)
    assert mine.post(reverse("api:queue-claim", args=[first.pk])).status_code == 200

    taken = api_client(other).post(reverse("api:queue-claim", args=[first.pk]))
    assert taken.status_code == 409
    assert taken.json()["code"] == "claimed_by_other"
    assert taken.json()["detail"].startswith("Another doctor has claimed this question")
    answer = {"body": "An answer from a doctor who holds no claim on it."}
    stolen = api_client(other).post(
        reverse("api:queue-answer", args=[first.pk]), answer, format="json"
    )
    assert (stolen.status_code, stolen.json()["code"]) == (409, "claimed_by_other")

    limit = mine.post(reverse("api:queue-claim", args=[second.pk]))
    assert (limit.status_code, limit.json()["code"]) == (409, "claim_limit")
    assert limit.json()["detail"].startswith("You already hold 1 claims")

    Question.objects.filter(pk=first.pk).update(claimed_until="2000-01-01T00:00:00Z")
    late = mine.post(reverse("api:queue-answer", args=[first.pk]), answer, format="json")
    assert (late.status_code, late.json()["code"]) == (409, "claim_expired")
    assert "your claim may have expired" in late.json()["detail"]
    asked = mine.post(
        reverse("api:queue-request-info", args=[first.pk]),
        {"message": "How long does each twitch last?"},
        format="json",
    )
    assert (asked.status_code, asked.json()["code"]) == (409, "claim_expired")

    released = mine.post(reverse("api:queue-release", args=[second.pk]))
    assert (released.status_code, released.json()["code"]) == (409, "not_claimed")
