"""No log line names a person's e-mail address or a private question's title or text.

The site's main flows run with every logger at DEBUG: sign-up, asking a private question that
alerts doctors, a doctor claiming it, asking for information and answering, the notification
e-mails that go with them, someone else trying to open it, and a doctor application with its
decision e-mail. Logs carry ids instead.
"""

from __future__ import annotations

import logging
import re
import socketserver
import threading
import traceback
from collections.abc import Iterator
from datetime import timedelta
from io import StringIO
from types import SimpleNamespace

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.urls import reverse
from gunicorn.app.base import Application
from gunicorn.glogging import Logger as GunicornLogger

from accounts import services as account_services
from accounts.models import DoctorProfile, User
from forum.emails import EmailNotSent
from forum.models import Notification, NotificationKind, Question, Status
from forum.notifications import notification_send_email
from forum.tasks import send_notification_email
from tests.factories import make_doctor, make_moderator, make_question, make_user

PATIENT = "hidden.patient+forum@example.test"
APPLICANT = "future.doctor@example.test"
PRIVATE_TITLE = "Sudden worst headache of my life after the office party"
PRIVATE_BODY = (
    "Sudden worst headache of my life and a stiff neck. It started an hour ago, I threw up and "
    "the light hurts my eyes. Nobody at work knows about the pills I took."
)
REPLY = "I took two ibuprofen tablets and the neck stiffness is no better."
EMAIL = re.compile(r"[^\s@\"'<>()]+@[^\s@\"'<>()]+\.[a-z]{2,}", re.IGNORECASE)
LOGGERS = ("", "forum", "accounts", "triage", "config", "django", "celery", "allauth")


def _logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Every captured line as a handler would write it, traceback included."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return [formatter.format(record) for record in caplog.records]


@pytest.mark.django_db
def test_the_main_flows_log_no_address_and_no_private_title(
    client, caplog, settings, django_capture_on_commit_callbacks
):
    settings.DEBUG = True  # as on a developer's machine: the database would log every query
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    doctor = make_doctor(email="on.call.doctor@example.test", specialties=("emergency-medicine",))
    moderator = make_moderator()
    bob = make_user(email="nosy.neighbour@example.test")

    # Sign-up and e-mail confirmation.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                "email": PATIENT,
                "password1": "a-very-good-passphrase",
                "password2": "a-very-good-passphrase",
                "birth_year": "1990",
                "sex": "female",
            },
        )
    assert response.status_code == 302
    key = re.search(r"/accounts/confirm-email/([^/\s]+)/", mail.outbox[-1].body).group(1)
    client.post(reverse("account_confirm_email", args=[key]))
    patient = User.objects.get(email=PATIENT)

    # A private emergency: triaged, queued, doctors and moderators alerted by e-mail.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("forum:question-create"),
            {
                "title": PRIVATE_TITLE,
                "body": PRIVATE_BODY,
                "asking_for": "self",
                "age_years": "34",
                "sex": "female",
                "duration": "less than a day",
                "medicines": "",
                "specialty": "",
                "is_private": "on",
            },
        )
    assert response.status_code == 302
    question = Question.objects.get(author=patient)
    assert question.is_private and question.status == Status.QUEUED

    # Someone else tries the page: a 404, logged by its path.
    client.force_login(bob)
    assert client.get(reverse("forum:question-detail", args=[question.pk])).status_code == 404

    # The doctor claims, asks for information, the patient replies, the doctor answers.
    client.force_login(doctor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("forum:claim", args=[question.pk]))
        client.post(
            reverse("forum:request-info", args=[question.pk]),
            {"message": "Did you take anything for the pain, and is the neck still stiff?"},
        )
    client.force_login(patient)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("forum:info-reply", args=[question.pk]), {"body": REPLY})
    client.force_login(doctor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("forum:claim", args=[question.pk]))
        client.post(
            reverse("forum:answer-create", args=[question.pk]),
            {"body": "Go to the emergency department now: this needs a scan today."},
        )
    question.refresh_from_db()
    assert question.status == Status.ANSWERED

    # A doctor application and the moderator's decision, e-mailed.
    applicant = make_user(email=APPLICANT)
    client.force_login(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:doctor-apply"),
            {
                "display_name": "Dr. Private Person",
                "licence_number": "GMC-7654321",
                "issuing_authority": "General Medical Council",
                "country": "United Kingdom",
                "specialties": [doctor.doctor_profile.specialties.get().pk],
            },
        )
    profile = DoctorProfile.objects.get(user=applicant)
    with django_capture_on_commit_callbacks(execute=True):
        account_services.doctor_verify(moderator=moderator, profile=profile)

    # Every flow ran and e-mailed: confirmation, alerts, info request, answer, decision.
    sent_to = {address for message in mail.outbox for address in message.to}
    assert {PATIENT, doctor.email, moderator.email, APPLICANT} <= sent_to
    assert Notification.objects.filter(user=patient, emailed_at__isnull=False).count() == 2

    lines = _logged(caplog)
    assert any(f"/questions/{question.pk}/" in line for line in lines)  # the 404, by id
    assert any("send_notification_email" in line for line in lines)  # the e-mail tasks
    secrets = [PRIVATE_TITLE, PRIVATE_BODY[:40], REPLY[:30], "Dr. Private Person"]
    for line in lines:
        assert not EMAIL.search(line), line
        assert not any(secret in line for secret in secrets), line


class _RefusingSMTPHandler(socketserver.StreamRequestHandler):
    """A mail server that refuses every recipient, quoting the address as real servers do."""

    def handle(self) -> None:
        self.wfile.write(b"220 mail.example.test ESMTP\r\n")
        while line := self.rfile.readline():
            command = line.decode().strip()
            verb = command.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.wfile.write(b"250 mail.example.test\r\n")
            elif verb == "RCPT":
                address = command.partition(":")[2]
                self.wfile.write(f"550 5.1.1 {address}: Recipient address rejected\r\n".encode())
            elif verb == "QUIT":
                self.wfile.write(b"221 Bye\r\n")
                return
            else:
                self.wfile.write(b"250 OK\r\n")


@pytest.fixture
def refusing_mail_server(settings) -> Iterator[None]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _RefusingSMTPHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = server.server_address
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.mark.django_db
def test_a_refused_email_is_retried_and_logged_without_the_address(caplog, refusing_mail_server):
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    patient = make_user(email=PATIENT)
    question = make_question(author=patient, title=PRIVATE_TITLE, is_private=True)
    note = Notification.objects.create(
        user=patient, kind=NotificationKind.ANSWERED, question=question, message=PRIVATE_TITLE
    )

    with pytest.raises(EmailNotSent) as refused:
        notification_send_email(notification_id=note.pk)
    assert isinstance(refused.value, OSError)  # what the tasks retry on
    assert str(refused.value) == (
        "the mail server did not take the question_answered e-mail (SMTPRecipientsRefused 550)"
    )
    shown = "".join(traceback.format_exception(refused.value))
    assert PATIENT not in shown and "Recipient address rejected" not in shown
    note.refresh_from_db()
    assert note.emailed_at is None  # a later try sends it

    with pytest.raises(Retry):  # in-process the retries run at once; the last is raised
        send_notification_email.apply(args=[note.pk], throw=False)
    lines = _logged(caplog)
    assert any("retry" in line.lower() and "SMTPRecipientsRefused 550" in line for line in lines)
    for line in lines:
        assert not EMAIL.search(line), line
        assert PRIVATE_TITLE not in line, line


class _GunicornSettings(Application):
    """gunicorn's own configuration, read from config/gunicorn.py as `gunicorn -c` does."""

    def load_config(self) -> None:
        self.load_config_from_module_name_or_filename("python:config.gunicorn")

    def load(self) -> None:
        return None


def test_the_access_log_leaves_out_query_strings_and_referrers() -> None:
    access = GunicornLogger(_GunicornSettings().cfg)
    written = StringIO()
    handler = logging.StreamHandler(written)
    access.access_log.addHandler(handler)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/admin/accounts/user/?q={PATIENT}",
        "PATH_INFO": "/admin/accounts/user/",
        "QUERY_STRING": f"q={PATIENT}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "192.0.2.7",
        "HTTP_REFERER": f"https://openconsult.example/?q={PRIVATE_TITLE}",
        "HTTP_USER_AGENT": "Firefox",
    }
    response = SimpleNamespace(status="200 OK", sent=512, headers=[])
    try:
        access.access(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=30))
    finally:
        access.access_log.removeHandler(handler)
    line = written.getvalue()
    assert '"GET /admin/accounts/user/ HTTP/1.1" 200 512 "Firefox"' in line
    assert line.startswith("192.0.2.7 ")
    assert PATIENT not in line and PRIVATE_TITLE not in line
