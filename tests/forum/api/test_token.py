"""The API's log-in: the same rules and limits as the site's log-in, tokens stored hashed that
expire, are revoked when what they were granted on changes, and can be listed and revoked."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, Role
from accounts.tokens import WRONG_CREDENTIALS
from tests.factories import make_doctor

URL = reverse("api:token")
LIST_URL = reverse("api:token-list")
ME = reverse("api:me")
PASSWORD = "a-long-test-password"
SECRET = "JBSWY3DPEHPK3PXPAPITOKENSECRETAB"
# allauth's own defaults: 10 failed log-ins a minute per address, 5 per account in 5 minutes.
LIMITS_ON = override_settings(ACCOUNT_RATE_LIMITS={})


def _code(secret: str = SECRET, step: int = 0) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + step))


def _log_in(api: APIClient | None = None, **payload: str) -> tuple[int, dict]:
    response = (api or APIClient()).post(URL, payload, format="json")
    return response.status_code, response.json()


def _authed(secret: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return api


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """The limits and the used two-factor codes live in the cache."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def totp_doctor(db):
    doctor = make_doctor(totp=False)
    TOTP.activate(doctor, SECRET)
    return doctor


@pytest.mark.django_db
def test_a_patient_gets_a_token_that_authenticates_and_can_revoke_it(alice):
    status, body = _log_in(email=alice.email, password=PASSWORD)
    assert status == 200
    assert timezone.now() + timedelta(days=29) < ApiToken.objects.get(user=alice).expiry
    assert body["expires"]
    api = _authed(body["token"])
    assert api.get(ME).status_code == 200
    assert api.delete(URL).status_code == 204
    assert not ApiToken.objects.filter(user=alice).exists()
    assert api.get(ME).status_code == 401


@pytest.mark.django_db
def test_each_log_in_makes_a_new_token_and_only_its_hash_is_stored(alice):
    first = _log_in(email=alice.email, password=PASSWORD)[1]["token"]
    second = _log_in(email=alice.email, password=PASSWORD)[1]["token"]
    assert first != second
    assert ApiToken.objects.filter(user=alice).count() == 2
    stored = " ".join(str(v) for row in ApiToken.objects.values_list() for v in row)
    assert first not in stored and second not in stored
    # Revoking one leaves the other working.
    assert _authed(first).delete(URL).status_code == 204
    assert _authed(first).get(ME).status_code == 401
    assert _authed(second).get(ME).status_code == 200


@pytest.mark.django_db
def test_an_expired_token_is_refused_and_deleted(alice):
    token = _log_in(email=alice.email, password=PASSWORD)[1]["token"]
    ApiToken.objects.filter(user=alice).update(expiry=timezone.now() - timedelta(seconds=1))
    assert _authed(token).get(ME).status_code == 401
    assert not ApiToken.objects.filter(user=alice).exists()


@pytest.mark.django_db
def test_a_doctor_needs_the_two_factor_code_and_a_used_code_is_refused(totp_doctor):
    email = totp_doctor.email
    assert _log_in(email=email, password=PASSWORD) == (401, {"detail": WRONG_CREDENTIALS})
    assert _log_in(email=email, password=PASSWORD, code="000000")[0] == 401
    assert not ApiToken.objects.exists()
    code = _code()
    assert _log_in(email=email, password=PASSWORD, code=code)[0] == 200
    # The same code a second time (a replay) is refused.
    assert _log_in(email=email, password=PASSWORD, code=code) == (
        401,
        {"detail": WRONG_CREDENTIALS},
    )


@pytest.mark.django_db
def test_a_wrong_password_reads_the_same_whether_or_not_a_code_is_needed(totp_doctor, alice):
    """The answer never tells whether the password was right before asking for the code."""
    answers = {
        _log_in(email=totp_doctor.email, password="wrong")[1]["detail"],
        _log_in(email=totp_doctor.email, password=PASSWORD)[1]["detail"],
        _log_in(email=totp_doctor.email, password="wrong", code=_code())[1]["detail"],
        _log_in(email=alice.email, password="wrong")[1]["detail"],
        _log_in(email="nobody@example.test", password=PASSWORD)[1]["detail"],
    }
    assert answers == {WRONG_CREDENTIALS}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payload",
    [
        {"email": "alice@example.test"},
        {"password": PASSWORD},
        {"email": "not an address", "password": PASSWORD},
        {},
    ],
)
def test_a_malformed_request_is_a_400_with_field_messages(alice, payload):
    status, body = _log_in(**payload)
    assert status == 400
    assert set(body) <= {"email", "password"} and body
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_an_unconfirmed_email_gets_no_token(alice):
    EmailAddress.objects.filter(user=alice).update(verified=False)
    status, body = _log_in(email=alice.email, password=PASSWORD)
    assert status == 403
    assert "Confirm your e-mail" in body["detail"]
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_http_basic_is_not_accepted(alice):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Basic YWxpY2VAZXhhbXBsZS50ZXN0OmEtbG9uZy10ZXN0LXBhc3N3b3Jk")
    assert api.delete(URL).status_code == 401


# --- The limits: the same as the site's log-in -------------------------------------------------


@pytest.mark.django_db
@LIMITS_ON
def test_wrong_passwords_lock_the_account_even_from_many_forged_addresses(alice):
    for n in range(5):
        api = APIClient(HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        assert _log_in(api, email=alice.email, password=f"guess-{n}")[0] == 401
    response = APIClient(HTTP_X_FORWARDED_FOR="198.51.100.7").post(
        URL, {"email": alice.email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many failed log-in attempts" in response.json()["detail"]
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
@LIMITS_ON
def test_the_host_header_does_not_reset_the_account_limit(alice):
    for n in range(5):
        api = APIClient(HTTP_HOST=f"localhost:{8000 + n}")
        assert _log_in(api, email=alice.email, password=f"guess-{n}")[0] == 401
    web = Client(HTTP_HOST="127.0.0.1:9999")
    response = web.post(reverse("account_login"), {"login": alice.email, "password": PASSWORD})
    assert "Too many failed login attempts" in response.content.decode()
    assert (
        _log_in(APIClient(HTTP_HOST="localhost:9"), email=alice.email, password=PASSWORD)[0] == 429
    )


@pytest.mark.django_db
@LIMITS_ON
def test_a_successful_log_in_does_not_use_up_the_limit(alice):
    for _ in range(8):
        assert _log_in(email=alice.email, password=PASSWORD)[0] == 200


@pytest.mark.django_db
@LIMITS_ON
def test_wrong_codes_lock_the_account_although_the_password_is_right(totp_doctor):
    for n in range(5):
        assert _log_in(email=totp_doctor.email, password=PASSWORD, code=f"{n:06d}")[0] == 401
    status, _ = _log_in(email=totp_doctor.email, password=PASSWORD, code=_code())
    assert status == 429
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
@LIMITS_ON
def test_an_account_locked_on_the_site_is_locked_in_the_api(alice):
    web = Client()
    for n in range(5):
        web.post(reverse("account_login"), {"login": alice.email, "password": f"guess-{n}"})
    assert _log_in(email=alice.email, password=PASSWORD)[0] == 429


@pytest.mark.django_db
@LIMITS_ON
def test_an_account_locked_in_the_api_is_locked_on_the_site(alice):
    for n in range(5):
        assert _log_in(email=alice.email, password=f"guess-{n}")[0] == 401
    response = Client().post(reverse("account_login"), {"login": alice.email, "password": PASSWORD})
    assert response.status_code == 200  # the form again, not the redirect of a log-in
    assert "Too many failed login attempts" in response.content.decode()


@pytest.mark.django_db
def test_the_request_throttle_ignores_a_forged_forwarded_for(alice):
    """With no trusted proxy (the default) the address is the socket's peer: a client cannot
    escape the throttle by sending a new X-Forwarded-For each time."""
    statuses = [
        _log_in(APIClient(HTTP_X_FORWARDED_FOR=f"203.0.113.{n}"), email=alice.email, password="x")[
            0
        ]
        for n in range(11)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429


@pytest.mark.django_db
def test_with_one_trusted_proxy_the_client_address_comes_from_forwarded_for(alice, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    statuses = [
        _log_in(APIClient(HTTP_X_FORWARDED_FOR=f"203.0.113.{n}"), email=alice.email, password="x")[
            0
        ]
        for n in range(11)
    ]
    assert statuses == [401] * 11
    same = [
        _log_in(APIClient(HTTP_X_FORWARDED_FOR="203.0.113.99"), email=alice.email, password="x")[0]
        for _ in range(11)
    ]
    assert same[10] == 429


# --- Revocation ---------------------------------------------------------------------------------


def _token_for(user) -> str:
    return ApiToken.objects.create(user=user)[1]


@pytest.mark.django_db
def test_a_new_password_revokes_every_token(alice):
    token = _token_for(alice)
    alice.set_password("another-long-password")
    alice.save()
    assert _authed(token).get(ME).status_code == 401


@pytest.mark.django_db
def test_a_password_changed_on_the_site_revokes_every_token(alice):
    token = _token_for(alice)
    web = Client()
    web.force_login(alice)
    response = web.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "another-long-password-2",
            "password2": "another-long-password-2",
        },
    )
    assert response.status_code == 302
    assert _authed(token).get(ME).status_code == 401


@pytest.mark.django_db
def test_other_changes_to_the_account_keep_the_tokens(alice):
    token = _token_for(alice)
    alice.birth_year = 1990
    alice.save()
    alice.last_login = timezone.now()
    alice.save(update_fields=["last_login"])
    assert _authed(token).get(ME).status_code == 200


@pytest.mark.django_db
def test_turning_two_factor_on_or_off_revokes_every_token(db):
    doctor = make_doctor(totp=False)
    before = _token_for(doctor)
    TOTP.activate(doctor, SECRET)
    assert _authed(before).get(ME).status_code == 401
    during = _token_for(doctor)
    Authenticator.objects.filter(user=doctor, type=Authenticator.Type.TOTP).delete()
    assert _authed(during).get(ME).status_code == 401


@pytest.mark.django_db
def test_a_role_change_revokes_every_token(alice):
    token = _token_for(alice)
    alice.role = Role.MODERATOR
    alice.save()
    assert _authed(token).get(ME).status_code == 401


@pytest.mark.django_db
def test_deleting_the_account_deletes_its_tokens(alice):
    _token_for(alice)
    alice.delete()
    assert not ApiToken.objects.exists()


# --- Seeing and revoking one's tokens -----------------------------------------------------------


@pytest.mark.django_db
def test_a_user_lists_their_tokens_and_revokes_one_or_all(alice, bob):
    first = _log_in(email=alice.email, password=PASSWORD)[1]["token"]
    second = _log_in(email=alice.email, password=PASSWORD)[1]["token"]
    bobs = _token_for(bob)
    listed = _authed(first).get(LIST_URL).json()
    assert [t["key"] for t in listed] == [second[:15], first[:15]]
    assert [t["current"] for t in listed] == [False, True]
    assert all(first not in str(t) and second not in str(t) for t in listed)
    # Another person's token cannot be revoked by its key.
    assert _authed(first).delete(reverse("api:token-detail", args=[bobs[:15]])).status_code == 404
    assert _authed(bobs).get(ME).status_code == 200
    assert _authed(first).delete(reverse("api:token-detail", args=[second[:15]])).status_code == 204
    assert _authed(second).get(ME).status_code == 401
    assert _authed(first).delete(LIST_URL).status_code == 204
    assert _authed(first).get(ME).status_code == 401
    assert _authed(bobs).get(ME).status_code == 200


@pytest.mark.django_db
def test_a_key_that_is_not_a_token_key_is_a_404(alice):
    api = _authed(_token_for(alice))
    assert api.delete(reverse("api:token-detail", args=["nul\x00key"])).status_code == 404


@pytest.mark.django_db
def test_the_oldest_tokens_beyond_the_limit_are_revoked(alice, settings):
    settings.OPENCONSULT_TOKENS_PER_USER = 3
    made = [_log_in(email=alice.email, password=PASSWORD)[1]["token"] for _ in range(4)]
    assert ApiToken.objects.filter(user=alice).count() == 3
    assert _authed(made[0]).get(ME).status_code == 401
    assert _authed(made[3]).get(ME).status_code == 200


@pytest.mark.django_db
def test_the_session_cannot_revoke_a_token_it_does_not_hold(alice):
    api = APIClient()
    api.force_login(alice)
    assert api.delete(URL).status_code == 400


@pytest.mark.django_db
def test_a_moderator_sees_tokens_in_admin_without_their_secret(alice, moderator):
    secret = _token_for(alice)
    web = Client()
    web.force_login(moderator)
    page = web.get(reverse("admin:accounts_apitoken_changelist"))
    assert page.status_code == 200
    assert secret[:15] in page.content.decode()
    assert secret not in page.content.decode()


@pytest.mark.django_db
def test_the_tokens_page_lists_and_revokes_tokens(alice, bob):
    first, second = _token_for(alice), _token_for(alice)
    bobs = _token_for(bob)
    web = Client()
    web.force_login(alice)
    page = web.get(reverse("accounts:tokens")).content.decode()
    assert first[:15] in page and second[:15] in page and bobs[:15] not in page
    assert first not in page
    web.post(reverse("accounts:tokens"), {"key": first[:15]})
    assert _authed(first).get(ME).status_code == 401
    assert _authed(second).get(ME).status_code == 200
    # Another person's key changes nothing.
    response = web.post(reverse("accounts:tokens"), {"key": bobs[:15]}, follow=True)
    assert "does not exist" in response.content.decode()
    assert _authed(bobs).get(ME).status_code == 200
    web.post(reverse("accounts:tokens"), {"all": "1"})
    assert _authed(second).get(ME).status_code == 401
    assert "You have no API tokens" in web.get(reverse("accounts:tokens")).content.decode()
