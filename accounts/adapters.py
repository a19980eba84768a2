from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.urls import reverse

from forum.enqueue import enqueue


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """allauth's e-mails (confirmation, password reset, …) are rendered in the request and
        sent by a Celery task, like the site's own: a slow or dead mail server never fails or
        holds up a sign-up. Side effect: one task enqueued (in-process without a broker)."""
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

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        next_url = super().get_login_redirect_url(request)
        return next_url or reverse("forum:my-questions")

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        """The key of the per-account limit on failed log-ins (the site's and the API's). allauth
        puts the request's host in it, port included, so `Host: site:1`, `site:2`, … would each
        get a fresh allowance; the site has one set of accounts, so the key is the address."""
        login = str(credentials.get("email", credentials.get("username", "")))
        return f"account:{login.strip().lower()}"
