"""Celery tasks of accounts: the e-mails about an account."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.core.mail import EmailMultiAlternatives

from accounts.models import DoctorProfile, DoctorStatus
from forum.emails import EmailNotSent, send_templated_email, smtp_codes

log = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=5, default_retry_delay=30, acks_late=True)  # type: ignore[untyped-decorator]
def send_doctor_decision_email(self, profile_id: int) -> None:  # type: ignore[no-untyped-def]
    """E-mail a doctor the moderator's decision on their application."""
    profile = DoctorProfile.objects.select_related("user").filter(pk=profile_id).first()
    if profile is None or profile.status == DoctorStatus.PENDING:
        return
    try:
        send_templated_email(
            template="doctor_decision",
            to=[profile.user.email],
            context={"profile": profile, "verified": profile.status == DoctorStatus.VERIFIED},
        )
    except OSError as exc:  # SMTP down: try again later rather than lose the message
        raise self.retry(exc=exc) from exc


@shared_task(bind=True, max_retries=8, acks_late=True)  # type: ignore[untyped-decorator]
def send_account_email(self, message: dict[str, Any]) -> bool:  # type: ignore[no-untyped-def]
    """Send one of allauth's e-mails, rendered by accounts.adapters.AccountAdapter.send_mail.
    A refusing or unreachable mail server is retried with back-off; run in-process (no broker)
    the failure is logged and the person can ask for the e-mail again."""
    email = EmailMultiAlternatives(
        subject=message["subject"],
        body=message["body"],
        from_email=message["from_email"],
        to=message["to"],
        headers=message.get("headers") or None,
    )
    for content, kind in message.get("alternatives", []):
        email.attach_alternative(content, kind)
    try:
        email.send()
    except OSError as exc:  # smtplib's errors are OSErrors; their text holds the addresses
        reason = smtp_codes(exc)
        if self.request.is_eager:
            log.warning("An account e-mail was not sent (%s); it can be requested again", reason)
            return False
        raise self.retry(
            exc=EmailNotSent(f"account e-mail not sent ({reason})"),
            countdown=min(30 * 2**self.request.retries, 1800),
        ) from None
    return True
