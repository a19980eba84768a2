"""Every e-mail the site can send, rendered the way it is sent: the site's own and allauth's
(sign-up, password, e-mail address and two-factor notices). Each has a plain-text part with no
HTML entities, a well-formed HTML part, the site's name, and every link on OPENCONSULT_SITE_URL
whatever host the request named."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from allauth.core import context as allauth_context
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMessage
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts import services as account_services
from accounts.models import User
from forum.models import Specialty
from forum.notifications import EMAIL_TEMPLATES, notify
from tests.factories import make_question, make_user
from tests.html_checks import malformed

pytestmark = pytest.mark.django_db

SITE = "https://consult.example.org"
HOST = "evil.example"  # the host the requests name: never in a link
PASSWORD = "a-long-test-password"
NEW_PASSWORD = "another-long-passphrase-42"
ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")
LINK = re.compile(r"https?://[^\s<>\"')]+")
HREF = re.compile(r"\b(?:href|src)=\"([^\"]*)\"")
TEMPLATES = Path(settings.BASE_DIR) / "templates"

Sender = Callable[[Client, User], None]


def _client(user: User | None = None) -> Client:
    client = Client(HTTP_HOST=HOST)
    if user is not None:
        client.force_login(user)
    return client


def _notification(kind: str) -> Sender:
    def send(client: Client, user: User) -> None:
        question = make_question(author=user, title="Mum's rash & itch")
        notify(users=[user], kind=kind, question=question, message=f"About “{question.title}”.")

    return send


def _decision(verified: bool) -> Sender:
    def send(client: Client, user: User) -> None:
        profile = account_services.doctor_apply(
            user=user,
            display_name="Dr. O'Brien",
            licence_number="GMC-1234567",
            issuing_authority="General Medical Council",
            country="United Kingdom",
            specialties=Specialty.objects.filter(slug="neurology"),
        )
        moderator = make_user(role="moderator", is_staff=True)
        if verified:
            account_services.doctor_verify(moderator=moderator, profile=profile)
        else:
            account_services.doctor_reject(
                moderator=moderator, profile=profile, reason="Licence not found"
            )

    return send


def _sign_up(client: Client, user: User) -> None:
    response = _client().post(
        reverse("account_signup"),
        {
            "email": "o'brien.new@example.test",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "birth_year": "1990",
            "sex": "female",
        },
    )
    assert response.status_code == 302


def _sign_up_again(client: Client, user: User) -> None:
    response = _client().post(
        reverse("account_signup"),
        {
            "email": user.email,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "birth_year": "1990",
            "sex": "female",
        },
    )
    assert response.status_code == 302


def _add_address(client: Client, user: User) -> None:
    response = _client(user).post(
        reverse("account_email"), {"email": "second@example.test", "action_add": ""}
    )
    assert response.status_code == 302


def _reset_request(email: str | None) -> Sender:
    def send(client: Client, user: User) -> None:
        response = _client().post(reverse("account_reset_password"), {"email": email or user.email})
        assert response.status_code == 302

    return send


def _password_change(client: Client, user: User) -> None:
    response = _client(user).post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302


def _password_reset_done(client: Client, user: User) -> None:
    anonymous = _client()
    anonymous.post(reverse("account_reset_password"), {"email": user.email})
    link = LINK.search(mail.outbox[-1].body.split("Choose a new one here:")[1]).group(0)
    mail.outbox.clear()
    response = anonymous.get(link.removeprefix(SITE))
    assert response.status_code == 302
    response = anonymous.post(
        response["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302


def _notice(prefix: str, **context: str) -> Sender:
    """A notice allauth sends from a view that needs a fresh log-in or two-factor: sent the way
    the view sends it, through the adapter, in a request naming another host."""

    def send(client: Client, user: User) -> None:
        request = RequestFactory().post("/", HTTP_HOST=HOST)
        request.user = user
        with allauth_context.request_context(request):
            get_adapter(request).send_notification_mail(prefix, user, context or None)

    return send


# Every e-mail: the template it is rendered from and how the site comes to send it.
SENDERS: dict[str, tuple[str, Sender]] = {
    **{
        f"notification-{kind}": (f"emails/{template}", _notification(kind))
        for kind, template in EMAIL_TEMPLATES.items()
    },
    "doctor-verified": ("emails/doctor_decision", _decision(verified=True)),
    "doctor-rejected": ("emails/doctor_decision", _decision(verified=False)),
    "sign-up": ("account/email/email_confirmation_signup", _sign_up),
    "sign-up-existing": ("account/email/account_already_exists", _sign_up_again),
    "address-added": ("account/email/email_confirmation", _add_address),
    "password-reset-link": ("account/email/password_reset_key", _reset_request(None)),
    "password-reset-unknown": (
        "account/email/unknown_account",
        _reset_request("nobody@example.test"),
    ),
    "password-changed": ("account/email/password_changed", _password_change),
    "password-reset-done": ("account/email/password_reset", _password_reset_done),
    "password-set": ("account/email/password_set", _notice("account/email/password_set")),
    "email-changed": (
        "account/email/email_changed",
        _notice("account/email/email_changed", from_email="a@example.test", to_email="b@x.test"),
    ),
    "email-deleted": (
        "account/email/email_deleted",
        _notice("account/email/email_deleted", deleted_email="old@example.test"),
    ),
    "totp-activated": ("mfa/email/totp_activated", _notice("mfa/email/totp_activated")),
    "totp-deactivated": ("mfa/email/totp_deactivated", _notice("mfa/email/totp_deactivated")),
    "recovery-codes": (
        "mfa/email/recovery_codes_generated",
        _notice("mfa/email/recovery_codes_generated"),
    ),
}

# allauth's e-mails this site never sends, with why; every other one has a template here.
NOT_SENT = {
    "account/email/login_code": "log-in by code is off",
    "account/email/password_reset_code": "password reset by code is off",
    "account/email/email_confirm": "allauth has no flow that sends it",
    "mfa/email/webauthn_added": "passkeys are off (MFA_SUPPORTED_TYPES)",
    "mfa/email/webauthn_removed": "passkeys are off (MFA_SUPPORTED_TYPES)",
}


def _prefixes(folder: Path) -> set[str]:
    return {
        str(path.relative_to(folder)).removesuffix("_subject.txt")
        for path in folder.glob("*/email/*_subject.txt")
    } | {
        f"emails/{path.name.removesuffix('_subject.txt')}"
        for path in (folder / "emails").glob("*_subject.txt")
    }


def test_every_email_the_site_can_send_is_checked_and_branded():
    import allauth

    ours = _prefixes(TEMPLATES)
    assert ours == {template for template, _ in SENDERS.values()}
    allauths = {
        prefix
        for prefix in _prefixes(Path(allauth.__file__).parent / "templates")
        if prefix.startswith(("account/", "mfa/"))
    }
    assert allauths - set(NOT_SENT) <= ours, "an allauth e-mail without the site's templates"
    for prefix in ours:
        for part in ("_message.txt", "_message.html") if "/email/" in prefix else ("_body.txt",):
            assert (TEMPLATES / f"{prefix}{part}").exists(), prefix + part


def _html(message: EmailMessage) -> str:
    alternatives = getattr(message, "alternatives", [])
    assert len(alternatives) == 1 and alternatives[0][1] == "text/html"
    return str(alternatives[0][0])


@pytest.mark.parametrize("sender", list(SENDERS))
def test_the_email_reads_right_in_both_parts(
    sender, settings, alice, django_capture_on_commit_callbacks
):
    settings.SITE_URL = SITE
    settings.ALLOWED_HOSTS = [HOST]
    alice.email = "o'brien@example.test"
    alice.save()
    EmailAddress.objects.filter(user=alice).update(email=alice.email)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        SENDERS[sender][1](_client(), alice)
    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    message = mail.outbox[0]
    text, html = message.body, _html(message)

    assert settings.SITE_NAME in message.subject
    assert not ENTITY.search(message.subject + text), (message.subject, text)
    assert settings.SITE_NAME in text and settings.SITE_NAME in html

    text_links = LINK.findall(text)
    html_links = HREF.findall(html)
    assert text_links and html_links
    for link in text_links + [link.replace("&amp;", "&") for link in html_links]:
        assert link == SITE or link.startswith(SITE + "/"), (sender, link)
        assert "//" not in link.removeprefix(SITE), (sender, link)
    for wrong in ("127.0.0.1", HOST, "testserver", "example.com"):
        assert wrong not in text and wrong not in html, (sender, wrong)
    # The same links in both parts.
    assert set(text_links) == {link.replace("&amp;", "&") for link in html_links}

    assert malformed(html) == [], (sender, malformed(html))
    assert "<script" not in html


def test_the_verified_doctors_email_links_to_two_factor_set_up(
    settings, alice, django_capture_on_commit_callbacks
):
    settings.SITE_URL = SITE
    with django_capture_on_commit_callbacks(execute=True):
        _decision(verified=True)(_client(), alice)
    [message] = mail.outbox
    setup = SITE + reverse("mfa_activate_totp")
    assert setup in message.body
    assert f'href="{setup}"' in _html(message)
