from __future__ import annotations

import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import make_doctor

URL = reverse("api:token")
PASSWORD = "a-long-test-password"
SECRET = "JBSWY3DPEHPK3PXPAPITOKENSECRETAB"


def _code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.mark.django_db
def test_a_patient_gets_a_token_that_authenticates_and_can_revoke_it(alice):
    api = APIClient()
    response = api.post(URL, {"email": alice.email, "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.delete(URL).status_code == 204
    assert not Token.objects.filter(user=alice).exists()
    assert api.delete(URL).status_code == 401


@pytest.mark.django_db
def test_a_doctor_needs_the_two_factor_code(db):
    doctor = make_doctor(totp=False)
    TOTP.activate(doctor, SECRET)
    api = APIClient()
    response = api.post(URL, {"email": doctor.email, "password": PASSWORD}, format="json")
    assert response.status_code == 400
    assert "code" in response.json()
    response = api.post(
        URL, {"email": doctor.email, "password": PASSWORD, "code": "000000"}, format="json"
    )
    assert response.status_code == 400
    assert not Token.objects.exists()
    response = api.post(
        URL, {"email": doctor.email, "password": PASSWORD, "code": _code(SECRET)}, format="json"
    )
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payload",
    [
        {"email": "alice@example.test", "password": "wrong"},
        {"email": "nobody@x.test", "password": PASSWORD},
        {},
    ],
)
def test_it_refuses_bad_credentials_with_a_clear_error(alice, payload):
    response = APIClient().post(URL, payload, format="json")
    assert response.status_code == 400
    assert not Token.objects.exists()


@pytest.mark.django_db
def test_an_unconfirmed_email_gets_no_token(alice):
    EmailAddress.objects.filter(user=alice).update(verified=False)
    response = APIClient().post(URL, {"email": alice.email, "password": PASSWORD}, format="json")
    assert response.status_code == 400
    assert "Confirm your e-mail" in str(response.json())


@pytest.mark.django_db
def test_http_basic_is_not_accepted(alice):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Basic YWxpY2VAZXhhbXBsZS50ZXN0OmEtbG9uZy10ZXN0LXBhc3N3b3Jk")
    assert api.delete(URL).status_code == 401
