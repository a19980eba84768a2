from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.http import HttpRequest, HttpResponse
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.access import user_is_moderator_role, user_is_verified_doctor
from forum.emails import email_context, render_plain_text, site_link
from forum.enqueue import enqueue

# The session key of the unconfirmed address the "Verify your e-mail" page may send again.
RESEND_ADDRESS_KEY = "openconsult_resend_address"


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """allauth's e-mails (confirmation, password reset, …) are rendered in the request and
        sent by a Celery task, like the site's own: a slow or dead mail server never fails or
        holds up a sign-up. Side effect: one task enqueued (in-process without a broker)."""
        # Every link allauth built (activate_url, password_reset_url, signup_url, …) on the
        # site's address, whatever host the request came in on.
        links = {
            key: site_link(value)
            for key, value in context.items()
            if key.endswith("_url") and isinstance(value, str) and value
        }
        context = {
            "email": email,
            # For a template of allauth's own: the site's name and address, not the request's.
            "current_site": SimpleNamespace(
                name=settings.SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc
            ),
            **context,
            **links,
            **email_context(),
        }
        message = self.render_mail(template_prefix, email, context)
        alternatives = [(str(body), str(kind)) for body, kind in message.alternatives]
        enqueue(
            "accounts.tasks.send_account_email",
            {
                "subject": message.subject,
                "body": message.body,
                "from_email": message.from_email,
                "to": list(message.to),
                "alternatives": alternatives,
                "headers": dict(message.extra_headers),
            },
        )

    def render_mail(
        self,
        template_prefix: str,
        email: str | list[str],
        context: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> EmailMultiAlternatives:
        """allauth's e-mail with the site's templates: the subject and the text part rendered
        without HTML escaping (an address such as o'brien@… reads as typed, not `&#x27;`), the
        HTML part escaped."""
        to = [email] if isinstance(email, str) else list(email)
        subject = " ".join(render_plain_text(f"{template_prefix}_subject.txt", context).split())
        text = render_plain_text(f"{template_prefix}_message.txt", context).strip()
        message = EmailMultiAlternatives(
            self.format_email_subject(subject), text, self.get_from_email(), to, headers=headers
        )
        try:
            html = render_to_string(f"{template_prefix}_message.html", context).strip()
        except TemplateDoesNotExist:  # a mail of allauth's the site has no HTML for: text only
            return message
        message.attach_alternative(html, "text/html")
        return message

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Where a log-in lands when no safe `next` is given (allauth checks a `next` first and
        drops one pointing at another site): a verified doctor on the review queue (which sends
        one without two-factor to set it up), a moderator on the moderation admin, everyone
        else on My questions."""
        user = request.user
        if user_is_verified_doctor(user):
            return reverse("forum:queue")
        if user_is_moderator_role(user):
            return reverse("admin:index")
        return reverse("forum:my-questions")

    def respond_email_verification_sent(self, request: HttpRequest, user: Any) -> HttpResponse:
        """The "Verify your e-mail" page after a sign-up or a log-in with an unconfirmed address;
        the session remembers which address, for its "send the link again" button."""
        address = (
            EmailAddress.objects.filter(user_id=getattr(user, "pk", None), verified=False)
            .order_by("-primary")
            .first()
        )
        if address is not None:
            request.session[RESEND_ADDRESS_KEY] = address.pk
        response: HttpResponse = super().respond_email_verification_sent(request, user)
        return response

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        """The key of the per-account limit on failed log-ins (the site's and the API's). allauth
        puts the request's host in it, port included, so `Host: site:1`, `site:2`, … would each
        get a fresh allowance; the site has one set of accounts, so the key is the address."""
        login = str(credentials.get("email", credentials.get("username", "")))
        return f"account:{login.strip().lower()}"
