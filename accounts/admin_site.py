"""The admin site moderators run OpenConsult from; its log-in goes through allauth."""

from __future__ import annotations

from typing import Any

from allauth.account.decorators import secure_admin_login
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, URLResolver, path, reverse

from accounts.access import admin_refusal, user_can_moderate, user_needs_totp_for_powers


class ModeratorAdminSite(admin.AdminSite):
    site_header = "OpenConsult moderation"
    site_title = "OpenConsult moderation"
    index_title = "Moderation"

    def get_urls(self) -> list[URLPattern | URLResolver]:
        extra: list[URLPattern | URLResolver] = [
            path("queue-overview/", self.admin_view(self.queue_overview), name="queue-overview"),
        ]
        return extra + super().get_urls()

    def queue_overview(self, request: HttpRequest) -> HttpResponse:
        from forum.selectors import queue_overview

        return TemplateResponse(
            request,
            "admin/queue_overview.html",
            {**self.each_context(request), "title": "Queue overview", "rows": queue_overview()},
        )

    def has_permission(self, request: HttpRequest) -> bool:
        return user_can_moderate(request.user)

    def login(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if request.user.is_authenticated and user_needs_totp_for_powers(request.user):
            messages.warning(
                request, "Set up two-factor authentication before using moderator tools."
            )
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        if request.user.is_authenticated and not user_can_moderate(request.user):
            # The site's 403 page, with the reason and a way on, not the admin's log-in form.
            raise admin_refusal(request.user)
        response: HttpResponse = secure_admin_login(super().login)(request, extra_context)
        return response
