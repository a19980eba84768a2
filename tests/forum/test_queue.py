"""The review queue: triage on post, claims, answers, requests for information, corrections."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from forum import selectors, services
from forum.models import (
    Answer,
    Assessment,
    AssessmentSource,
    AuditEvent,
    Notification,
    NotificationKind,
    Question,
    Specialty,
    Status,
)
from forum.specialties import SPECIALTIES
from tests.factories import make_doctor, make_question

EMERGENCY = {
    "title": "Crushing chest pain right now",
    "body": "I have crushing chest pain spreading to my left arm and jaw, I am sweating and "
    "feel sick. It started twenty minutes ago.",
    "asking_for": "self",
    "age_years": "58",
    "sex": "male",
    "duration": "less than a day",
    "medicines": "",
    "specialty": "",
}
TWITCH = {
    "title": "Calf twitching for a month",
    "body": "For the past month my calves twitch at rest. I have exams and drink lots of coffee. "
    "No weakness, no numbness.",
    "asking_for": "self",
    "age_years": "24",
    "sex": "female",
    "duration": "1-4 weeks",
    "medicines": "",
    "specialty": "",
}


def _ask(client, user, data, capture):
    client.force_login(user)
    with capture(execute=True):
        response = client.post(reverse("forum:question-create"), data, follow=True)
    return response, Question.objects.order_by("-id").first()


# --- Triage on post ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_triages_a_new_question_and_queues_it(client, alice, django_capture_on_commit_callbacks):
    _, question = _ask(client, alice, TWITCH, django_capture_on_commit_callbacks)
    assert question.status == Status.QUEUED
    assert question.queued_at is not None
    assessment = question.assessments.get()
    assert assessment.source == AssessmentSource.ENGINE
    assert assessment.engine_version and assessment.kb_version
    assert assessment.result["urgency"] == question.urgency
    assert question.specialty.slug == "neurology"
    assert "weakness" not in [f["code"] for f in assessment.result["flags"]]


@pytest.mark.django_db
def test_it_keeps_the_specialty_the_patient_chose(
    client, alice, django_capture_on_commit_callbacks
):
    _, question = _ask(
        client, alice, dict(TWITCH, specialty="orthopedics"), django_capture_on_commit_callbacks
    )
    assert question.specialty.slug == "orthopedics"


@pytest.mark.django_db
def test_triage_runs_once_however_often_the_task_is_delivered(alice):
    question = make_question(author=alice, status=Status.SUBMITTED)
    services.question_triage(question_id=question.pk)
    services.question_triage(question_id=question.pk)
    assert Assessment.objects.filter(question=question).count() == 1


@pytest.mark.django_db
def test_an_emergency_lands_on_emergency_advice_before_anything_else(
    client, alice, django_capture_on_commit_callbacks
):
    response, question = _ask(client, alice, EMERGENCY, django_capture_on_commit_callbacks)
    html = response.content.decode()
    assert question.urgency == "emergency"
    assert question.priority == max(q.priority for q in Question.objects.all())
    main = html.split('id="main"', 1)[1]
    banner = main.index("This may be an emergency")
    assert banner < main.index(EMERGENCY["title"])
    assert banner < main.index("No doctor has answered yet")
    assert "emergency number" in main[banner : banner + 600]
    assert "Your question has been posted" not in html


@pytest.mark.django_db
def test_an_emergency_alerts_the_specialtys_doctors_and_the_moderators(
    client, alice, moderator, django_capture_on_commit_callbacks
):
    er_doctor = make_doctor(specialties=("emergency-medicine",))
    skin_doctor = make_doctor(specialties=("dermatology",))
    _ask(client, alice, EMERGENCY, django_capture_on_commit_callbacks)
    alerted = set(
        Notification.objects.filter(kind=NotificationKind.NEW_EMERGENCY).values_list(
            "user", flat=True
        )
    )
    assert er_doctor.pk in alerted and moderator.pk in alerted
    assert skin_doctor.pk not in alerted
    assert {tuple(m.to) for m in mail.outbox} >= {(er_doctor.email,), (moderator.email,)}


@pytest.mark.django_db
def test_the_sweeper_triages_questions_left_submitted(alice):
    old = make_question(
        author=alice, status=Status.SUBMITTED, created_at=timezone.now() - timedelta(minutes=10)
    )
    fresh = make_question(author=alice, status=Status.SUBMITTED)
    assert services.questions_sweep_submitted(older_than_seconds=60) == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.status == Status.QUEUED
    assert fresh.status == Status.SUBMITTED


# --- The queue page ----------------------------------------------------------------------------


def _queued(author, *, urgency="routine", specialty="neurology", minutes_waiting=5, **extra):
    priority = {"emergency": 40, "urgent": 30, "soon": 20, "routine": 10}[urgency]
    question = make_question(
        author=author,
        status=Status.SUBMITTED,
        specialty=specialty,
        **extra,
    )
    services.question_triage(question_id=question.pk)
    Question.objects.filter(pk=question.pk).update(
        urgency=urgency,
        priority=priority,
        queued_at=timezone.now() - timedelta(minutes=minutes_waiting),
    )
    question.refresh_from_db()
    return question


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["alice", "pending_doctor", "moderator"])
def test_only_verified_doctors_can_open_the_queue(client, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("forum:queue")).status_code == 403


@pytest.mark.django_db
def test_a_verified_doctor_without_two_factor_is_sent_to_set_it_up(client, doctor_without_totp):
    client.force_login(doctor_without_totp)
    response = client.get(reverse("forum:queue"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(reverse("forum:queue"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.django_db
def test_the_queue_sorts_by_urgency_then_waiting_time_within_the_doctors_specialties(
    client, alice, doctor
):
    routine_old = _queued(alice, urgency="routine", minutes_waiting=300, title="Routine, old one")
    urgent_new = _queued(alice, urgency="urgent", minutes_waiting=1, title="Urgent, new one")
    urgent_old = _queued(alice, urgency="urgent", minutes_waiting=90, title="Urgent, old one")
    _queued(alice, urgency="emergency", specialty="dermatology", title="Another specialty's")
    # a dermatologist covers that one, so the neurologist's queue leaves it out
    make_doctor(specialties=("dermatology",))
    client.force_login(doctor)
    rows = client.get(reverse("forum:queue")).context["rows"]
    assert [r["question"] for r in rows] == [urgent_old, urgent_new, routine_old]


@pytest.mark.django_db
@pytest.mark.parametrize("specialty", [slug for slug, _, _ in SPECIALTIES])
def test_an_emergency_of_any_specialty_reaches_some_verified_doctors_queue(
    client, alice, doctor, moderator, specialty
):
    # the only verified doctor is a neurologist, and nobody is on call
    question = _queued(alice, urgency="emergency", specialty=specialty, title="Needs a doctor")
    client.force_login(doctor)
    rows = client.get(reverse("forum:queue")).context["rows"]
    assert question in [r["question"] for r in rows]


@pytest.mark.django_db
def test_an_on_call_doctor_sees_and_is_alerted_to_every_emergency(client, alice, moderator):
    on_call = make_doctor(specialties=("emergency-medicine",))
    dermatologist = make_doctor(specialties=("dermatology",))
    question = make_question(
        author=alice,
        status=Status.SUBMITTED,
        title="Crushing chest pain",
        body="Crushing chest pain going into my left arm and I am sweating a lot",
        specialty="dermatology",
    )
    services.question_triage(question_id=question.pk)
    alerted = set(
        Notification.objects.filter(
            question=question, kind=NotificationKind.NEW_EMERGENCY
        ).values_list("user_id", flat=True)
    )
    assert {on_call.pk, dermatologist.pk, moderator.pk} <= alerted
    client.force_login(on_call)
    assert question in [r["question"] for r in client.get(reverse("forum:queue")).context["rows"]]
    assert not Notification.objects.filter(kind=NotificationKind.UNCOVERED).exists()


@pytest.mark.django_db
def test_an_uncovered_urgent_question_alerts_the_moderators_and_tops_the_overview(alice, moderator):
    question = make_question(
        author=alice,
        status=Status.SUBMITTED,
        title="Kidney infection",
        body="Burning when I wee for days, now a fever of 38.9 and pain under my ribs at the back",
        specialty="urology",
    )
    make_question(author=alice, status=Status.QUEUED, urgency="routine", specialty="neurology")
    make_question(author=alice, status=Status.QUEUED, urgency="routine", specialty="neurology")
    services.question_triage(question_id=question.pk)
    question.refresh_from_db()
    assert question.urgency == "urgent"
    uncovered = Notification.objects.get(kind=NotificationKind.UNCOVERED)
    assert uncovered.user == moderator and uncovered.question == question
    rows = selectors.queue_overview()
    assert rows[0]["uncovered"] and rows[0]["urgency"] == "urgent"
    assert not any(r["uncovered"] for r in rows[1:])


@pytest.mark.django_db
def test_the_queue_highlights_the_evidence_and_labels_causes_as_hints(client, alice, doctor):
    _queued(
        alice,
        body="My right hand has become weak over two months and the muscles look thinner. "
        "I also get twitching in my arm.",
    )
    client.force_login(doctor)
    html = client.get(reverse("forum:queue")).content.decode()
    assert '<mark class="mark-flag">' in html
    assert "hints, not a diagnosis" in html
    assert "waiting" in html


# --- Claims ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_doctor_claims_and_answers_and_the_patient_is_notified(
    client, alice, doctor, django_capture_on_commit_callbacks
):
    question = _queued(alice)
    client.force_login(doctor)
    client.post(reverse("forum:claim", args=[question.pk]))
    question.refresh_from_db()
    assert question.status == Status.CLAIMED and question.claimed_by == doctor
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("forum:answer-create", args=[question.pk]),
            {"body": "This sounds like benign fasciculations; cut down on caffeine."},
        )
    question.refresh_from_db()
    assert question.status == Status.ANSWERED
    assert question.answer.doctor == doctor
    note = Notification.objects.get(user=alice)
    assert note.kind == NotificationKind.ANSWERED and note.emailed_at is not None
    assert mail.outbox[-1].to == [alice.email]
    assert mail.outbox[-1].alternatives
    client.force_login(alice)
    assert "1 unread" in client.get(reverse("forum:my-questions")).content.decode()


@pytest.mark.django_db
def test_exactly_one_of_two_doctors_wins_a_claim(alice, doctor):
    other = make_doctor()
    question = _queued(alice)
    services.question_claim(doctor=doctor, question_id=question.pk)
    with pytest.raises(ValidationError, match="Another doctor"):
        services.question_claim(doctor=other, question_id=question.pk)
    question.refresh_from_db()
    assert question.claimed_by == doctor


@pytest.mark.django_db
def test_an_expired_claim_can_be_taken_and_the_old_holder_cannot_answer(alice, doctor):
    other = make_doctor()
    question = _queued(alice)
    services.question_claim(doctor=doctor, question_id=question.pk)
    Question.objects.filter(pk=question.pk).update(claimed_until=timezone.now() - timedelta(1))
    services.question_claim(doctor=other, question_id=question.pk)
    with pytest.raises(ValidationError, match="Claim the question"):
        services.answer_create(doctor=doctor, question=question, body="Late answer here, sorry.")
    assert not Answer.objects.exists()


@pytest.mark.django_db
def test_answering_needs_a_live_claim(alice, doctor):
    question = _queued(alice)
    with pytest.raises(ValidationError, match="Claim the question"):
        services.answer_create(doctor=doctor, question=question, body="An unclaimed answer.")
    services.question_claim(doctor=doctor, question_id=question.pk)
    Question.objects.filter(pk=question.pk).update(claimed_until=timezone.now() - timedelta(1))
    with pytest.raises(ValidationError, match="expired"):
        services.answer_create(doctor=doctor, question=question, body="An expired answer.")


@pytest.mark.django_db
def test_a_doctor_holds_at_most_the_configured_number_of_claims(alice, doctor, settings):
    settings.QUEUE_MAX_CLAIMS = 2
    questions = [_queued(alice) for _ in range(3)]
    services.question_claim(doctor=doctor, question_id=questions[0].pk)
    services.question_claim(doctor=doctor, question_id=questions[1].pk)
    with pytest.raises(ValidationError, match="already hold 2 claims"):
        services.question_claim(doctor=doctor, question_id=questions[2].pk)


@pytest.mark.django_db
def test_claims_expire_after_the_configured_time_and_beat_releases_them(alice, doctor, settings):
    settings.QUEUE_CLAIM_MINUTES = 10
    question = _queued(alice)
    claimed = services.question_claim(doctor=doctor, question_id=question.pk)
    assert timedelta(minutes=9) < claimed.claimed_until - timezone.now() <= timedelta(minutes=10)
    assert services.claims_release_expired() == 0
    Question.objects.filter(pk=question.pk).update(claimed_until=timezone.now())
    assert services.claims_release_expired() == 1
    question.refresh_from_db()
    assert question.status == Status.QUEUED and question.claimed_by is None


@pytest.mark.django_db
def test_a_doctor_cannot_claim_outside_their_specialties(alice, doctor):
    question = _queued(alice, specialty="dermatology")
    with pytest.raises(ValidationError):
        services.question_claim(doctor=doctor, question_id=question.pk)


@pytest.mark.django_db
def test_release_puts_the_question_back(client, alice, doctor):
    question = _queued(alice)
    client.force_login(doctor)
    client.post(reverse("forum:claim", args=[question.pk]))
    client.post(reverse("forum:release", args=[question.pk]))
    question.refresh_from_db()
    assert question.status == Status.QUEUED and question.claimed_by is None


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["pending_doctor", "doctor_without_totp", "alice"])
def test_unverified_doctors_and_patients_cannot_claim_or_answer(alice, who, request):
    user = request.getfixturevalue(who)
    question = _queued(alice)
    with pytest.raises(PermissionDenied):
        services.question_claim(doctor=user, question_id=question.pk)
    with pytest.raises(PermissionDenied):
        services.answer_create(doctor=user, question=question, body="Not allowed to answer.")


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["pending_doctor", "alice", "bob"])
def test_the_answer_page_refuses_anyone_but_verified_doctors(client, alice, who, request):
    question = _queued(alice)
    client.force_login(request.getfixturevalue(who))
    response = client.post(reverse("forum:answer-create", args=[question.pk]), {"body": "x" * 40})
    assert response.status_code in (403, 404)
    assert not Answer.objects.exists()


@pytest.mark.django_db
def test_an_empty_answer_gets_a_field_message(client, alice, doctor):
    question = _queued(alice)
    client.force_login(doctor)
    client.post(reverse("forum:claim", args=[question.pk]))
    response = client.post(reverse("forum:answer-create", args=[question.pk]), {"body": "ok"})
    assert response.status_code == 400
    assert "at least 20 characters" in response.content.decode()
    assert not Answer.objects.exists()


# --- Needs info, re-route, corrections -----------------------------------------------------------


@pytest.mark.django_db
def test_asking_for_information_and_the_patients_reply(
    client, alice, doctor, django_capture_on_commit_callbacks
):
    question = _queued(alice)
    services.question_claim(doctor=doctor, question_id=question.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.question_request_info(
            doctor=doctor, question_id=question.pk, message="Do you have any weakness?"
        )
    question.refresh_from_db()
    assert question.status == Status.NEEDS_INFO
    assert mail.outbox[-1].to == [alice.email]
    client.force_login(alice)
    page = client.get(question.get_absolute_url())
    assert page.context["info_reply_form"] is not None
    assert "Do you have any weakness?" in page.content.decode()
    client.post(reverse("forum:info-reply", args=[question.pk]), {"body": "No weakness at all."})
    question.refresh_from_db()
    assert question.status == Status.QUEUED
    assert Notification.objects.filter(user=doctor, kind=NotificationKind.INFO_RECEIVED).exists()


@pytest.mark.django_db
def test_another_patient_cannot_reply_for_the_asker(client, alice, bob, doctor):
    question = _queued(alice)
    services.question_claim(doctor=doctor, question_id=question.pk)
    services.question_request_info(doctor=doctor, question_id=question.pk, message="Any fever??")
    client.force_login(bob)
    response = client.post(reverse("forum:info-reply", args=[question.pk]), {"body": "Hi"})
    assert response.status_code == 404
    question.refresh_from_db()
    assert question.status == Status.NEEDS_INFO


@pytest.mark.django_db
def test_rerouting_moves_the_question_and_is_audited(client, alice, doctor):
    question = _queued(alice)
    client.force_login(doctor)
    client.post(
        reverse("forum:reroute", args=[question.pk]),
        {"specialty": "orthopedics", "reason": "This is a knee injury."},
    )
    question.refresh_from_db()
    assert question.specialty == Specialty.objects.get(slug="orthopedics")
    event = AuditEvent.objects.get(action="question_rerouted")
    assert "knee injury" in event.reason and event.actor == doctor


@pytest.mark.django_db
def test_a_correction_adds_an_assessment_and_keeps_the_history(client, alice, doctor):
    question = _queued(alice)
    client.force_login(doctor)
    client.post(
        reverse("forum:correct-triage", args=[question.pk]),
        {"urgency": "urgent", "reason": "Progressive weakness in the history."},
    )
    question.refresh_from_db()
    assert question.urgency == "urgent" and question.priority == 30
    rows = list(question.assessments.order_by("created_at", "id"))
    assert [r.source for r in rows] == [AssessmentSource.ENGINE, AssessmentSource.DOCTOR]
    assert rows[-1].created_by == doctor and "weakness" in rows[-1].reason
    assert AuditEvent.objects.filter(action="triage_corrected", target_id=question.pk).exists()
    services.question_retriage(question_id=question.pk)
    question.refresh_from_db()
    assert question.urgency == "urgent"  # re-triage never overrides a doctor
    assert question.assessments.count() == 3


@pytest.mark.django_db
def test_a_correction_without_a_reason_changes_nothing(client, alice, doctor):
    question = _queued(alice)
    client.force_login(doctor)
    client.post(reverse("forum:correct-triage", args=[question.pk]), {"urgency": "urgent"})
    assert question.assessments.count() == 1


# --- Notifications -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_notification_list_shows_only_mine_and_marks_read(client, alice, bob):
    question = make_question(author=alice, status=Status.ANSWERED)
    Notification.objects.create(user=alice, kind="answered", question=question, message="Mine")
    Notification.objects.create(user=bob, kind="answered", question=question, message="Bobs")
    client.force_login(alice)
    html = client.get(reverse("forum:notifications")).content.decode()
    assert "Mine" in html and "Bobs" not in html
    client.post(reverse("forum:notifications-read"))
    assert not Notification.objects.filter(user=alice, read_at=None).exists()
    assert Notification.objects.filter(user=bob, read_at=None).exists()


@pytest.mark.django_db
def test_a_notification_is_emailed_at_most_once(alice):
    from forum.notifications import notification_send_email

    question = make_question(author=alice, status=Status.ANSWERED)
    note = Notification.objects.create(user=alice, kind="answered", question=question, message="x")
    assert notification_send_email(notification_id=note.pk) is True
    assert notification_send_email(notification_id=note.pk) is False
    assert len(mail.outbox) == 1
