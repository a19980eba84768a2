"""Sign-up shows each error below its field with no sex pre-set, the "Verify your e-mail" page
sends the link again, and each of the doctor's two "reason" labels leads to its own field: on a
desktop and on a 390 x 844 phone screen."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail

from forum import services
from tests.factories import make_doctor, make_question, make_user
from tests.totp import fresh_code


def _below(page, upper: str, lower: str) -> None:
    top = page.locator(upper).bounding_box()
    bottom = page.locator(lower).bounding_box()
    assert top and bottom and bottom["y"] >= top["y"] + top["height"] - 1, (upper, lower)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("specialties")
def test_sign_up_errors_sit_below_their_field_and_the_link_can_be_sent_again(live_server, screen):
    screen.goto(live_server.url + "/accounts/signup/")
    assert screen.locator("select[name=sex]").input_value() == ""
    screen.fill("input[name=email]", "newpatient@example.test")
    screen.fill("input[name=password1]", "a-very-good-passphrase")
    screen.fill("input[name=password2]", "a-very-good-passphrase")
    screen.fill("input[name=birth_year]", "2030")
    # The browser would stop an empty required select: send it as the server would see it.
    screen.evaluate("document.querySelector('select[name=sex]').removeAttribute('required')")
    screen.get_by_role("button", name=re.compile("Sign Up", re.I)).click()
    screen.wait_for_selector(".field-error")
    _below(screen, "select[name=sex]", ".field-error:has(select[name=sex]) .error")
    _below(screen, "input[name=birth_year]", ".field-error:has(input[name=birth_year]) .error")
    assert "This field is required." in screen.inner_text(".field-error:has(select[name=sex])")

    screen.fill("input[name=password1]", "a-very-good-passphrase")
    screen.fill("input[name=password2]", "a-very-good-passphrase")
    screen.fill("input[name=birth_year]", "1996")
    screen.select_option("select[name=sex]", "female")
    screen.get_by_role("button", name=re.compile("Sign Up", re.I)).click()
    screen.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    assert len(mail.outbox) == 1
    screen.get_by_role("button", name="Send the link again").click()
    screen.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    screen.get_by_text("Confirmation e-mail sent", exact=False).or_(
        screen.get_by_text("sent to newpatient@example.test", exact=False)
    ).first.wait_for()
    assert len(mail.outbox) == 2
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[1].body).group(0)
    screen.goto(link)
    screen.get_by_role("button", name=re.compile("Confirm", re.I)).click()
    screen.wait_for_url(re.compile(r"/my/questions/$"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("specialties")
def test_each_reason_label_leads_to_its_own_field(live_server, screen):
    patient = make_user(email="patient@example.test")
    doctor = make_doctor(email="neuro@example.test", totp=False)
    TOTP.activate(doctor, secret := generate_totp_secret())
    question = make_question(author=patient)
    services.question_triage(question_id=question.pk)
    screen.goto(live_server.url + "/accounts/login/")
    screen.fill("input[name=login]", doctor.email)
    screen.fill("input[name=password]", "a-long-test-password")
    screen.get_by_role("button", name=re.compile("Sign In", re.I)).click()
    screen.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    screen.fill("input[name=code]", fresh_code(secret))
    screen.get_by_role("button", name=re.compile("Sign In", re.I)).click()
    screen.wait_for_url(re.compile(r"/doctor/queue/$"))
    screen.goto(live_server.url + question.get_absolute_url())
    screen.locator("details summary").first.click()
    for label, form in (("Why this urgency", "correct-triage"), ("Why re-route", "reroute")):
        screen.locator("label", has_text=label).click()
        focused = screen.evaluate(
            "() => [document.activeElement.name, document.activeElement.form.action]"
        )
        assert focused[0] == "reason" and form in focused[1], (label, focused)
        screen.keyboard.type(f"{label}: typed here")
    assert screen.locator("form[action*=correct-triage] [name=reason]").input_value() == (
        "Why this urgency: typed here"
    )
