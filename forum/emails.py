"""Every e-mail the site sends: subject, text and HTML from templates/emails/<name>_*, in the
layout of templates/emails/base.html and base.txt (allauth's, rendered by
accounts.adapters.AccountAdapter, use the same layout and the same site address).

The subject and the plain-text part are rendered with autoescaping off, so a title such as
`Mum's "rash" & <itch>` reads as typed there; only the HTML part is escaped. A mail server's
refusal is raised again without the addresses and server text it carries, so the task's retry
and failure log lines name the template only.
"""

from __future__ import annotations

import smtplib
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, Engine
from django.template.loader import render_to_string


class EmailNotSent(OSError):
    """The mail server did not take a message. An OSError, so the sending tasks retry; its text
    names the template and the SMTP codes, never a recipient."""


def render_plain_text(template_name: str, context: dict[str, Any]) -> str:
    """Render a template for a plain-text part or a subject: no HTML escaping, since nothing
    there is read as HTML (`&#x27;` would reach the reader as typed)."""
    template = Engine.get_default().get_template(template_name)
    return template.render(Context(context, autoescape=False))


def email_context() -> dict[str, Any]:
    """What every e-mail template may use: the site's name, its address (OPENCONSULT_SITE_URL,
    the one base of every link in every e-mail) and the emergency number of the footer."""
    return {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "emergency_number": settings.EMERGENCY_NUMBER,
    }


def site_link(url: str) -> str:
    """`url` (a path, or an absolute URL built from a request's host) on the site's address:
    a link in an e-mail never depends on the host a request happened to name."""
    parts = urlsplit(url)
    path = urlunsplit(("", "", parts.path or "/", parts.query, parts.fragment))
    return f"{settings.SITE_URL}{path}"


def send_templated_email(*, template: str, to: list[str], context: dict[str, Any]) -> None:
    """Send one e-mail with a text and an HTML part. Side effect: the message leaves through
    the configured e-mail backend. Raises EmailNotSent when the mail server refuses it."""
    context = {**email_context(), **context}
    subject = render_plain_text(f"emails/{template}_subject.txt", context)
    text = render_plain_text(f"emails/{template}_body.txt", context)
    html = render_to_string(f"emails/{template}_body.html", context)
    message = EmailMultiAlternatives(
        # One line: a title cannot break the header.
        subject=f"[{settings.SITE_NAME}] {' '.join(subject.split())}",
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
    )
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except smtplib.SMTPException as exc:
        # Its text holds the recipients and the server's reply, which often repeats an address.
        raise EmailNotSent(
            f"the mail server did not take the {template} e-mail ({smtp_codes(exc)})"
        ) from None


def smtp_codes(exc: OSError) -> str:
    """The kind of mail-server error and its SMTP codes, never its text."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({str(code) for code, _ in exc.recipients.values()})
        return f"{type(exc).__name__} {', '.join(codes)}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{type(exc).__name__} {exc.smtp_code}"
    return type(exc).__name__
