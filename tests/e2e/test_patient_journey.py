from __future__ import annotations

import re

import pytest
from django.core import mail

from accounts.models import User
from forum.models import Question, Status


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("specialties")
def test_a_new_patient_signs_up_verifies_asks_and_sees_the_question(live_server, page):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Sign up").click()
    page.fill("input[name=email]", "newpatient@example.test")
    page.fill("input[name=password1]", "a-very-good-passphrase")
    page.fill("input[name=password2]", "a-very-good-passphrase")
    page.fill("input[name=birth_year]", "1996")
    page.select_option("select[name=sex]", "female")
    page.get_by_role("button", name=re.compile("Sign Up", re.I)).click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    page.get_by_role("button", name=re.compile("Confirm", re.I)).click()

    page.goto(live_server.url + "/ask/")
    page.fill("input[name=title]", "Thigh twitching before my exams")
    page.fill(
        "textarea[name=body]",
        "For three weeks my thigh muscles twitch when I rest. I study late and drink a lot of "
        "coffee. No weakness and no numbness. Is this stress?",
    )
    page.select_option("select[name=duration]", "1-4 weeks")
    page.get_by_role("button", name="Post my question").click()
    page.wait_for_url(re.compile(r"/questions/\d+/$"))
    assert page.get_by_role("heading", name="Thigh twitching before my exams").is_visible()

    page.get_by_role("link", name="My questions").click()
    assert page.get_by_role("link", name="Thigh twitching before my exams").is_visible()

    question = Question.objects.get()
    assert question.author == User.objects.get(email="newpatient@example.test")
    # Without a broker the triage task runs in-process: the question is already queued.
    assert question.status == Status.QUEUED
    assert question.assessments.count() == 1
    assert question.age_band in {"20-29", "30-39"}
    screenshot = page.screenshot(full_page=True)
    assert screenshot.startswith(b"\x89PNG")
