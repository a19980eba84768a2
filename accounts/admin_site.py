"""The admin site moderators run OpenConsult from; its log-in goes through allauth."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.account.decorators import secure_admin_login
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, URLResolver, path, reverse

from accounts.access import admin_refusal, user_can_moderate, user_needs_totp_for_powers

Page = Callable[[HttpRequest], dict[str, Any]]


class ModeratorAdminSite(admin.AdminSite):
    site_header = "OpenConsult moderation"
    site_title = "OpenConsult moderation"
    index_title = "Moderation"

    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)
        self._pages: list[tuple[str, str, str, Page]] = []

    def register_page(self, *, route: str, name: str, template: str, context: Page) -> None:
        """Add a moderators-only page of another app (the forum's queue overview): `context`
        gives its template's context, beside the admin's own and `title`. Called from that
        app's admin module, before the URLs are read."""
        self._pages.append((route, name, template, context))

    def get_urls(self) -> list[URLPattern | URLResolver]:
        extra: list[URLPattern | URLResolver] = [
            path(route, self.admin_view(self._page_view(template, context)), name=name)
            for route, name, template, context in self._pages
        ]
        return extra + super().get_urls()

    def _page_view(self, template: str, context: Page) -> Callable[[HttpRequest], HttpResponse]:
        def view(request: HttpRequest) -> HttpResponse:
            return TemplateResponse(
                request, template, {**self.each_context(request), **context(request)}
            )

        return view

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
