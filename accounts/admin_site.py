"""The admin site moderators run OpenConsult from; its log-in goes through allauth."""

from __future__ import annotations

from typing import Any

from allauth.account.decorators import secure_admin_login
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from accounts.access import user_can_moderate, user_needs_totp_for_powers


class ModeratorAdminSite(admin.AdminSite):
    site_header = "OpenConsult moderation"
    site_title = "OpenConsult moderation"
    index_title = "Moderation"

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
        response: HttpResponse = secure_admin_login(super().login)(request, extra_context)
        return response
