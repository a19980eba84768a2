"""Every e-mail the site sends reads as typed in its subject and plain-text part (no `&#x27;`,
`&amp;` or `&quot;`) while its HTML part stays escaped."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMessage
from django.urls import reverse

from accounts import services as account_services
from accounts.models import User
from forum.models import NotificationKind, Specialty
from forum.notifications import EMAIL_TEMPLATES, notify
from tests.factories import make_question, make_user

pytestmark = pytest.mark.django_db

TITLE = 'Mum\'s "rash" & <b>itch</b> after A & E'
TITLE_IN_HTML = "Mum&#x27;s &quot;rash&quot; &amp; &lt;b&gt;itch&lt;/b&gt; after A &amp; E"
NAME = 'Dr. O\'Brien & "Sons" <MD>'
NAME_IN_HTML = "Dr. O&#x27;Brien &amp; &quot;Sons&quot; &lt;MD&gt;"
ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")


def _html(message: EmailMessage) -> str:
    alternatives = getattr(message, "alternatives", [])
    assert len(alternatives) == 1 and alternatives[0][1] == "text/html"
    return str(alternatives[0][0])


def _assert_plain_parts_read_as_typed(message: EmailMessage, *typed: str) -> None:
    assert not ENTITY.search(message.subject), message.subject
    assert not ENTITY.search(message.body), message.body
    assert "\n" not in message.subject
    for text in typed:
        assert text in message.body


def _notification_email(kind: str) -> Callable[[User], list[EmailMessage]]:
    def send(user: User) -> list[EmailMessage]:
        question = make_question(author=user, title=TITLE)
        notify(users=[user], kind=kind, question=question, message=f"About “{question.title}”.")
        return mail.outbox

    return send


def _decision_email(*, verified: bool) -> Callable[[User], list[EmailMessage]]:
    def send(user: User) -> list[EmailMessage]:
        profile = account_services.doctor_apply(
            user=user,
            display_name=NAME,
            licence_number="GMC-1234567",
            issuing_authority="General Medical Council",
            country="United Kingdom",
            specialties=Specialty.objects.filter(slug="neurology"),
        )
        moderator = make_user(role="moderator", is_staff=True)
        if verified:
            account_services.doctor_verify(moderator=moderator, profile=profile)
        else:
            account_services.doctor_reject(moderator=moderator, profile=profile, reason=TITLE)
        return mail.outbox

    return send


# Each e-mail the site sends, by template: every notification kind that e-mails, and the
# decision on a doctor application either way.
SENDERS: dict[str, tuple[str, Callable[[User], list[EmailMessage]], tuple[str, str]]] = {
    **{
        f"notification-{kind}": (template, _notification_email(kind), (TITLE, TITLE_IN_HTML))
        for kind, template in EMAIL_TEMPLATES.items()
    },
    "doctor-verified": ("doctor_decision", _decision_email(verified=True), (NAME, NAME_IN_HTML)),
    "doctor-rejected": ("doctor_decision", _decision_email(verified=False), (TITLE, TITLE_IN_HTML)),
}


def test_every_email_template_is_checked_below() -> None:
    folder = Path(settings.BASE_DIR) / "templates" / "emails"
    templates = {p.name.removesuffix("_body.txt") for p in folder.glob("*_body.txt")}
    assert templates == {template for template, _, _ in SENDERS.values()}
    assert set(EMAIL_TEMPLATES) == {
        NotificationKind.ANSWERED,
        NotificationKind.INFO_REQUESTED,
        NotificationKind.NEW_URGENT,
        NotificationKind.NEW_EMERGENCY,
        NotificationKind.UNCOVERED,
    }


@pytest.mark.parametrize("sender", list(SENDERS))
def test_the_text_part_shows_quotes_ampersands_and_brackets_as_typed(
    sender, alice, django_capture_on_commit_callbacks
):
    _, send, (typed, in_html) = SENDERS[sender]
    with django_capture_on_commit_callbacks(execute=True):
        outbox = send(alice)
    assert len(outbox) == 1
    message = outbox[0]
    assert message.to == [alice.email]
    _assert_plain_parts_read_as_typed(message, typed)
    html = _html(message)
    assert in_html in html
    assert typed not in html
    assert "<b>" not in html and "<MD>" not in html


def test_a_title_in_the_subject_reads_as_typed(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _notification_email(NotificationKind.NEW_EMERGENCY)(alice)
    assert mail.outbox[0].subject == f"[{settings.SITE_NAME}] About “{TITLE}”."


@pytest.mark.parametrize(
    "send",
    [
        pytest.param(
            lambda client, email: client.post(
                reverse("account_signup"),
                {
                    "email": email,
                    "password1": "a-very-good-passphrase",
                    "password2": "a-very-good-passphrase",
                    "birth_year": "1990",
                    "sex": "female",
                },
            ),
            id="sign-up confirmation",
        ),
        pytest.param(
            lambda client, email: client.post(
                reverse("account_reset_password"), {"email": make_user(email=email).email}
            ),
            id="password reset",
        ),
    ],
)
def test_account_emails_show_an_address_with_quotes_and_ampersands_as_typed(client, send):
    email = "o'brien&sons@example.test"
    send(client, email)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [email]
    _assert_plain_parts_read_as_typed(message)
