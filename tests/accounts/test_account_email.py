"""allauth's e-mails leave through a Celery task: a dead mail server never fails a sign-up."""

from __future__ import annotations

import socket

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User

SIGN_UP = {
    "email": "new.patient@example.test",
    "password1": "a-long-test-password",
    "password2": "a-long-test-password",
    "birth_year": 1990,
    "sex": "female",
}


@pytest.mark.django_db
def test_the_confirmation_e_mail_is_sent_by_a_task(client):
    response = client.post(reverse("account_signup"), SIGN_UP)
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["new.patient@example.test"]
    assert "/accounts/confirm-email/" in message.body


@pytest.mark.django_db
def test_a_dead_mail_server_does_not_fail_the_sign_up(client, settings, caplog):
    # A port nobody listens on: the connection is refused at once.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    response = client.post(reverse("account_signup"), SIGN_UP)
    assert response.status_code == 302
    assert User.objects.filter(email="new.patient@example.test").exists()
    assert "An account e-mail was not sent (ConnectionRefusedError)" in caplog.text
    assert "new.patient@example.test" not in caplog.text
