from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Role, User

SIGNUP = {
    "email": "new@example.test",
    "password1": "a-very-good-passphrase",
    "password2": "a-very-good-passphrase",
    "birth_year": "1990",
    "sex": "male",
}


@pytest.mark.django_db
def test_it_requires_email_verification_before_log_in(client):
    response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 302
    user = User.objects.get(email="new@example.test")
    assert user.role == Role.PATIENT
    assert user.birth_year == 1990 and user.sex == "male"
    assert len(mail.outbox) == 1
    assert "Confirm" in mail.outbox[0].subject or "confirm" in mail.outbox[0].body
    # Not logged in until the e-mail is confirmed.
    assert client.get(reverse("forum:my-questions")).status_code == 302
    response = client.post(
        reverse("account_login"), {"login": SIGNUP["email"], "password": SIGNUP["password1"]}
    )
    assert client.get(reverse("forum:my-questions")).status_code == 302
    key = re.search(r"/accounts/confirm-email/([^/\s]+)/", mail.outbox[-1].body).group(1)
    response = client.post(reverse("account_confirm_email", args=[key]))
    assert response.status_code == 302
    assert client.get(reverse("forum:my-questions")).status_code == 200


@pytest.mark.django_db
def test_it_gives_every_user_a_pseudonym_unrelated_to_their_email(client):
    client.post(reverse("account_signup"), SIGNUP)
    user = User.objects.get(email="new@example.test")
    assert user.pseudonym
    assert "new" not in user.pseudonym.lower()
    assert re.fullmatch(r"[A-Z][a-z]+[A-Z][a-z]+\d{4,}", user.pseudonym)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("birth_year", "2024", "at least 13"),
        ("birth_year", "1850", "within the last 120"),
        ("sex", "", "This field is required"),
        ("email", "not-an-email", "valid email"),
    ],
)
def test_it_rejects_bad_signups_with_field_messages(client, field, value, message):
    response = client.post(reverse("account_signup"), dict(SIGNUP, **{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_it_sends_a_password_reset_email(client, alice):
    response = client.post(reverse("account_reset_password"), {"email": alice.email})
    assert response.status_code == 302
    assert mail.outbox and alice.email in mail.outbox[0].to


@pytest.mark.django_db
def test_it_lets_a_patient_edit_birth_year_and_sex(client, alice):
    client.force_login(alice)
    response = client.post(reverse("accounts:profile"), {"birth_year": "1980", "sex": "other"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.birth_year == 1980 and alice.sex == "other"


@pytest.mark.django_db
def test_it_rate_limits_failed_log_ins_outside_the_test_settings(client, alice, settings):
    from django.core.cache import cache

    cache.clear()
    del settings.ACCOUNT_RATE_LIMITS  # back to allauth's defaults, as on a real site
    bad = {"login": alice.email, "password": "wrong-password"}
    pages = [client.post(reverse("account_login"), bad).content.decode() for _ in range(6)]
    assert "Too many failed login attempts" not in pages[0]
    assert "Too many failed login attempts" in pages[-1]
    good = {"login": alice.email, "password": "a-long-test-password"}
    assert (
        "Too many failed login attempts"
        in client.post(reverse("account_login"), good).content.decode()
    )
    assert client.get(reverse("forum:my-questions")).status_code == 302
    cache.clear()
