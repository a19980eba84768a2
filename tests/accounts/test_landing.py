"""Where a log-in lands, and the site's page (with the reason and a way on) for a refused one."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    generate_totp_secret,
)
from django.urls import reverse

from tests.factories import make_doctor, make_moderator, make_user
from tests.totp import fresh_code

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"


def _log_in(client, email: str, *, next_url: str | None = None, secret: str | None = None) -> str:
    url = reverse("account_login") + (f"?next={next_url}" if next_url else "")
    data = {"login": email, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    response = client.post(url, data)
    assert response.status_code == 302, response.content
    if secret:
        assert response["Location"] == reverse("mfa_authenticate")
        code = fresh_code(secret)
        response = client.post(reverse("mfa_authenticate"), {"code": code})
        assert response.status_code == 302, response.content
    return str(response["Location"])


def test_a_patient_lands_on_my_questions(client):
    make_user(email="patient@example.test")
    assert _log_in(client, "patient@example.test") == reverse("forum:my-questions")


def test_a_verified_doctor_lands_on_the_review_queue(client):
    doctor = make_doctor(email="neuro@example.test", totp=False)
    TOTP.activate(doctor, secret := generate_totp_secret())
    assert _log_in(client, "neuro@example.test", secret=secret) == reverse("forum:queue")
    assert client.get(reverse("forum:queue")).status_code == 200


def test_a_verified_doctor_without_two_factor_goes_on_to_set_it_up(client):
    make_doctor(email="no2fa@example.test", totp=False)
    assert _log_in(client, "no2fa@example.test") == reverse("forum:queue")
    response = client.get(reverse("forum:queue"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_a_pending_doctor_lands_on_my_questions(client):
    from accounts.models import DoctorStatus

    make_doctor(email="pending@example.test", status=DoctorStatus.PENDING, totp=False)
    assert _log_in(client, "pending@example.test") == reverse("forum:my-questions")


def test_a_moderator_lands_on_the_moderation_admin(client):
    moderator = make_moderator(email="mod@example.test", totp=False)
    TOTP.activate(moderator, secret := generate_totp_secret())
    assert _log_in(client, "mod@example.test", secret=secret) == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [
        ("/ask/", "/ask/"),
        ("https://evil.example/steal", "/doctor/queue/"),
        ("//evil.example/steal", "/doctor/queue/"),
    ],
)
def test_a_safe_next_wins_and_another_site_is_ignored(client, next_url, lands_on):
    doctor = make_doctor(email="neuro@example.test", totp=False)
    TOTP.activate(doctor, secret := generate_totp_secret())
    assert _log_in(client, "neuro@example.test", next_url=next_url, secret=secret) == lands_on


def _assert_site_page(response, *texts: str) -> str:
    html = response.content.decode()
    assert 'class="site-header"' in html and 'class="site-footer"' in html
    assert "Forbidden" not in html
    for text in texts:
        assert text in html, text
    return html


def test_a_pending_doctor_opening_the_queue_is_told_why(client, pending_doctor):
    client.force_login(pending_doctor)
    response = client.get(reverse("forum:queue"))
    assert response.status_code == 403
    html = _assert_site_page(response, "Your application is pending review")
    assert f'href="{reverse("accounts:profile")}"' in html
    assert "Content-Security-Policy" in response.headers


def test_a_rejected_doctor_opening_the_queue_is_sent_to_correct_the_application(client):
    from accounts.models import DoctorStatus

    client.force_login(make_doctor(status=DoctorStatus.REJECTED))
    response = client.get(reverse("forum:queue"))
    assert response.status_code == 403
    html = _assert_site_page(response, "Your doctor application was not accepted")
    assert f'href="{reverse("accounts:doctor-apply")}"' in html


def test_a_patient_opening_the_queue_is_told_only_doctors_can(client, alice):
    client.force_login(alice)
    response = client.get(reverse("forum:queue"))
    assert response.status_code == 403
    html = _assert_site_page(response, "Only verified doctors can use the review queue.")
    assert f'href="{reverse("forum:my-questions")}"' in html


@pytest.mark.parametrize("who", ["alice", "doctor", "pending_doctor"])
def test_someone_not_a_moderator_opening_admin_is_told_why(client, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("admin:index"), follow=True)
    assert response.status_code == 403
    html = _assert_site_page(response, "Only moderators can open admin.")
    assert f'href="{reverse("forum:my-questions")}"' in html
