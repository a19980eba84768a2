"""Where people land after logging in, and the site's own pages for a refused, a missing and a
failing page, on a desktop and on a 390 x 844 phone screen, under the strict CSP."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from accounts.models import DoctorStatus
from tests.factories import make_doctor, make_user
from tests.totp import fresh_code

PASSWORD = "a-long-test-password"


def _log_in(page, base: str, email: str, secret: str | None = None) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name=re.compile("Sign In", re.I)).click()
    if secret:
        page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
        page.fill("input[name=code]", fresh_code(secret))
        page.get_by_role("button", name=re.compile("Sign In", re.I)).click()


def _fits_the_screen(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("specialties")
def test_a_doctor_lands_on_the_queue_and_a_patient_on_my_questions(live_server, screen):
    doctor = make_doctor(email="neuro@example.test", totp=False)
    TOTP.activate(doctor, secret := generate_totp_secret())
    _log_in(screen, live_server.url, doctor.email, secret)
    screen.wait_for_url(re.compile(r"/doctor/queue/$"))
    screen.context.clear_cookies()

    make_user(email="patient@example.test")
    _log_in(screen, live_server.url, "patient@example.test")
    screen.wait_for_url(re.compile(r"/my/questions/$"))
    assert screen.csp_violations == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("specialties")
def test_refused_pages_say_why_and_lead_on(live_server, screen):
    make_doctor(email="pending@example.test", status=DoctorStatus.PENDING, totp=False)
    _log_in(screen, live_server.url, "pending@example.test")
    screen.wait_for_url(re.compile(r"/my/questions/$"))
    response = screen.goto(live_server.url + "/doctor/queue/")
    assert response is not None and response.status == 403
    assert screen.get_by_text("Your application is pending review").is_visible()
    assert "Forbidden" not in screen.inner_text("body")
    _fits_the_screen(screen)
    screen.get_by_role("link", name="See your application").click()
    screen.wait_for_url(re.compile(r"/me/profile/$"))
    screen.context.clear_cookies()

    make_user(email="patient@example.test")
    _log_in(screen, live_server.url, "patient@example.test")
    screen.wait_for_url(re.compile(r"/my/questions/$"))
    response = screen.goto(live_server.url + "/admin/")
    assert response is not None and response.status == 403
    assert screen.get_by_text("Only moderators can open admin.").is_visible()
    _fits_the_screen(screen)
    screen.locator("main").get_by_role("link", name="My questions").click()
    screen.wait_for_url(re.compile(r"/my/questions/$"))
    assert screen.csp_violations == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("specialties")
def test_a_missing_page_uses_the_layout_with_a_way_back(live_server, screen):
    response = screen.goto(live_server.url + "/no-such-page/")
    assert response is not None and response.status == 404
    assert screen.get_by_role("heading", name="We could not find that page").is_visible()
    # The site's stylesheet applies (served by the site itself, allowed by the policy).
    assert screen.evaluate("document.styleSheets.length") >= 1
    _fits_the_screen(screen)
    screen.get_by_role("link", name="Back to the answered questions").click()
    screen.wait_for_url(re.compile(r"/$"))
    assert screen.csp_violations == []
