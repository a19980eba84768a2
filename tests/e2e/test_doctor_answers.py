from __future__ import annotations

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP

from forum import services
from forum.models import Question, Status
from tests.factories import make_doctor, make_question, make_user
from tests.totp import fresh_code

SECRET = "JBSWY3DPEHPK3PXPTESTDOCTORSECRET"


def _log_in(page, base: str, email: str, password: str, totp_secret: str | None = None) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.get_by_role("button", name=re.compile("Sign In", re.I)).click()
    if totp_secret:
        page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
        code = fresh_code(totp_secret)
        page.fill("input[name=code]", code)
        page.get_by_role("button", name=re.compile("Sign In", re.I)).click()
    # A doctor lands on the review queue, a patient on My questions.
    page.wait_for_url(re.compile(r"/doctor/queue/$" if totp_secret else r"/my/questions/$"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("specialties")
def test_a_doctor_claims_the_top_question_and_the_patient_reads_the_answer(live_server, browser):
    patient = make_user(email="patient@example.test")
    doctor = make_doctor(email="neuro@example.test", totp=False)
    TOTP.activate(doctor, SECRET)
    routine = make_question(
        author=patient,
        title="Eyelid twitch for a few days",
        body=("My eyelid has twitched for three days when I am tired. No other symptoms."),
    )
    urgent = make_question(
        author=patient,
        title="Hand getting weaker and twitching",
        body=(
            "For two months my right hand has become weak, I drop cups, the muscle between my "
            "thumb and finger looks thinner and it twitches all the time."
        ),
    )
    for q in (routine, urgent):
        services.question_triage(question_id=q.pk)
    urgent.refresh_from_db()
    routine.refresh_from_db()
    assert urgent.priority > routine.priority

    doctor_page = browser.new_context().new_page()
    _log_in(doctor_page, live_server.url, doctor.email, "a-long-test-password", SECRET)
    doctor_page.get_by_role("link", name="Review queue").click()
    first_row = doctor_page.locator("article.queue-row").first
    assert "Hand getting weaker" in first_row.inner_text()
    first_row.get_by_role("button", name="Claim").click()
    doctor_page.wait_for_url(re.compile(rf"/questions/{urgent.pk}/$"))
    doctor_page.fill(
        "textarea[name=body]",
        "Weakness with visible muscle loss needs an in-person neurology assessment this week, "
        "including a nerve conduction study and EMG.",
    )
    doctor_page.get_by_role("button", name="Publish answer").click()
    doctor_page.get_by_text("Your answer is published").wait_for()

    urgent.refresh_from_db()
    assert urgent.status == Status.ANSWERED
    assert Question.objects.get(pk=routine.pk).status == Status.QUEUED

    patient_page = browser.new_context().new_page()
    _log_in(patient_page, live_server.url, patient.email, "a-long-test-password")
    badge = patient_page.locator(".badge")
    assert badge.inner_text() == "1"
    patient_page.get_by_role("link", name=re.compile("Notifications")).click()
    patient_page.get_by_role("link", name=re.compile("answered")).click()
    assert patient_page.get_by_text("nerve conduction study").is_visible()
    assert patient_page.get_by_text(f"{doctor.doctor_profile.display_name} reply").is_visible()
