"""Django admin: moderators only, with two-factor; verification and hiding with reasons."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.urls import reverse

from accounts.models import DoctorStatus
from forum.models import AuditEvent, Status
from tests.factories import make_question


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["alice", "doctor", "pending_doctor"])
def test_patients_and_doctors_cannot_reach_admin(client, who, request):
    client.force_login(request.getfixturevalue(who))
    for url in (reverse("admin:index"), reverse("admin:forum_question_changelist")):
        response = client.get(url, follow=True)
        assert response.status_code == 403 or "admin/login" in response.request["PATH_INFO"]
        assert b"Moderation" not in response.content or response.status_code == 403


@pytest.mark.django_db
def test_anonymous_admin_login_goes_through_allauth(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_a_moderator_without_two_factor_is_sent_to_set_it_up(client):
    from tests.factories import make_moderator

    client.force_login(make_moderator(totp=False))
    response = client.get(reverse("admin:index"), follow=True)
    # allauth asks for the password again, then goes on to the two-factor set-up.
    assert "totp/activate" in unquote(response.redirect_chain[-1][0])


@pytest.mark.django_db
def test_a_moderator_sees_every_model(client, moderator):
    client.force_login(moderator)
    for name in (
        "accounts_user",
        "accounts_doctorprofile",
        "forum_question",
        "forum_answer",
        "forum_followup",
        "forum_specialty",
        "forum_auditevent",
    ):
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200, name
    response = client.get(reverse("admin:forum_question_changelist") + "?q=twitch&status=queued")
    assert response.status_code == 200


@pytest.mark.django_db
def test_a_moderator_verifies_a_doctor_from_admin(
    client, moderator, pending_doctor, django_capture_on_commit_callbacks
):
    client.force_login(moderator)
    profile = pending_doctor.doctor_profile
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:accounts_doctorprofile_changelist"),
            {"action": "verify", ACTION_CHECKBOX_NAME: [profile.pk]},
        )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.status == DoctorStatus.VERIFIED
    assert mail.outbox[0].to == [pending_doctor.email]


@pytest.mark.django_db
def test_rejecting_from_admin_asks_for_a_reason_first(
    client, moderator, pending_doctor, django_capture_on_commit_callbacks
):
    client.force_login(moderator)
    profile = pending_doctor.doctor_profile
    url = reverse("admin:accounts_doctorprofile_changelist")
    response = client.post(url, {"action": "reject", ACTION_CHECKBOX_NAME: [profile.pk]})
    assert response.status_code == 200
    assert b"reason" in response.content
    profile.refresh_from_db()
    assert profile.status == DoctorStatus.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "action": "reject",
                ACTION_CHECKBOX_NAME: [profile.pk],
                "apply": "1",
                "reason": "Licence number not on the register",
            },
        )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.status == DoctorStatus.REJECTED
    assert profile.rejection_reason == "Licence number not on the register"
    assert "not on the register" in mail.outbox[0].body


@pytest.mark.django_db
def test_a_moderator_hides_and_restores_a_question_with_a_reason(client, moderator, alice):
    question = make_question(author=alice, status=Status.ANSWERED)
    client.force_login(moderator)
    url = reverse("admin:forum_question_changelist")
    client.post(
        url,
        {
            "action": "hide_selected",
            ACTION_CHECKBOX_NAME: [question.pk],
            "apply": "1",
            "reason": "Contains a phone number",
        },
    )
    question.refresh_from_db()
    assert question.is_hidden and question.hidden_reason == "Contains a phone number"
    client.logout()
    assert client.get(question.get_absolute_url()).status_code == 404
    client.force_login(moderator)
    client.post(
        url,
        {
            "action": "restore_selected",
            ACTION_CHECKBOX_NAME: [question.pk],
            "apply": "1",
            "reason": "Number removed",
        },
    )
    question.refresh_from_db()
    assert not question.is_hidden
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["question_hidden", "question_restored"]


@pytest.mark.django_db
def test_hiding_without_a_reason_changes_nothing(client, moderator, alice):
    question = make_question(author=alice, status=Status.ANSWERED)
    client.force_login(moderator)
    response = client.post(
        reverse("admin:forum_question_changelist"),
        {
            "action": "hide_selected",
            ACTION_CHECKBOX_NAME: [question.pk],
            "apply": "1",
            "reason": "",
        },
    )
    assert response.status_code == 200
    question.refresh_from_db()
    assert not question.is_hidden


@pytest.mark.django_db
def test_the_queue_overview_counts_waiting_questions_per_specialty_and_urgency(client, moderator):
    for urgency in ("urgent", "urgent", "routine"):
        make_question(status=Status.QUEUED, urgency=urgency)
    make_question(status=Status.ANSWERED, urgency="urgent")
    client.force_login(moderator)
    response = client.get(reverse("admin:queue-overview"))
    rows = {(r["specialty"], r["urgency"]): r["count"] for r in response.context["rows"]}
    assert rows == {("Neurology", "urgent"): 2, ("Neurology", "routine"): 1}
    assert "Queue overview" in client.get(reverse("admin:index")).content.decode()
    for name in ("forum_assessment", "forum_notification"):
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200


@pytest.mark.django_db
def test_patients_cannot_see_the_queue_overview(client, alice):
    client.force_login(alice)
    response = client.get(reverse("admin:queue-overview"))
    assert response.status_code in (302, 403)


@pytest.mark.django_db
def test_audit_events_and_assessments_are_read_only_even_for_moderators(client, moderator):
    client.force_login(moderator)
    for name in ("forum_auditevent", "forum_assessment"):
        assert client.get(reverse(f"admin:{name}_add")).status_code == 403
