"""`manage.py create_moderator`: the first administrator, confirmed, two-factor at first log-in."""

from __future__ import annotations

from io import StringIO
from unittest import mock
from urllib.parse import unquote

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from accounts.models import Role, User
from tests.factories import make_user

PASSWORD = "a-long-moderator-password"


@pytest.mark.django_db
def test_it_creates_a_confirmed_moderator_who_must_set_up_two_factor(monkeypatch):
    monkeypatch.setenv("OPENCONSULT_MODERATOR_PASSWORD", PASSWORD)
    out = StringIO()
    call_command("create_moderator", "--email", "Admin@Example.TEST", "--no-input", stdout=out)
    user = User.objects.get(email__iexact="admin@example.test")
    assert user.role == Role.MODERATOR and user.is_staff and not user.is_superuser
    assert user.check_password(PASSWORD)
    assert EmailAddress.objects.get(user=user).verified
    assert "created as a moderator" in out.getvalue()
    web = Client()
    response = web.post(
        reverse("account_login"), {"login": "admin@example.test", "password": PASSWORD}
    )
    assert response.status_code == 302  # logged in: the address needs no confirmation
    admin = web.get(reverse("admin:index"), follow=True)
    assert "totp/activate" in unquote(admin.redirect_chain[-1][0])


@pytest.mark.django_db
def test_it_asks_for_the_password_twice_and_refuses_a_weak_one():
    weak = mock.patch("getpass.getpass", side_effect=["password", "password"])
    with weak, pytest.raises(CommandError, match="too common"):
        call_command("create_moderator", "--email", "admin@example.test")
    differ = mock.patch("getpass.getpass", side_effect=[PASSWORD, PASSWORD + "x"])
    with differ, pytest.raises(CommandError, match="differ"):
        call_command("create_moderator", "--email", "admin@example.test")
    assert not User.objects.exists()
    with mock.patch("getpass.getpass", side_effect=[PASSWORD, PASSWORD]):
        call_command("create_moderator", "--email", "admin@example.test", stdout=StringIO())
    assert User.objects.get().role == Role.MODERATOR


@pytest.mark.django_db
def test_it_promotes_an_existing_account_and_keeps_its_password():
    alice = make_user(email="alice@example.test")
    with mock.patch("getpass.getpass", side_effect=[""]):
        call_command("create_moderator", "--email", "alice@example.test", stdout=StringIO())
    alice.refresh_from_db()
    assert alice.role == Role.MODERATOR and alice.is_staff
    assert alice.check_password("a-long-test-password")


@pytest.mark.django_db
def test_a_bad_address_or_a_missing_password_is_a_clear_error(monkeypatch):
    with pytest.raises(CommandError, match="not an e-mail address"):
        call_command("create_moderator", "--email", "not-an-address", "--no-input")
    monkeypatch.delenv("OPENCONSULT_MODERATOR_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="OPENCONSULT_MODERATOR_PASSWORD"):
        call_command("create_moderator", "--email", "admin@example.test", "--no-input")
