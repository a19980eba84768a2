"""Pieces shared by every ModelAdmin: moderator permissions and actions that need a reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from accounts.access import user_can_moderate
from accounts.forms import ReasonForm


class ModeratorPermissions:
    """Moderators (with two-factor) manage every model; nobody else gets in."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return user_can_moderate(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return user_can_moderate(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return user_can_moderate(request.user)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return user_can_moderate(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return user_can_moderate(request.user)


class ReadOnlyRecords(ModeratorPermissions):
    """Records nobody edits, not even moderators: audit trails and triage history."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def reason_action(
    *,
    title: str,
    apply: Callable[[Any, Model, str], None],
    modeladmin: admin.ModelAdmin[Any],
    request: HttpRequest,
    queryset: QuerySet[Any],
) -> HttpResponse | None:
    """Ask for a reason on an intermediate page, then apply `apply(moderator, obj, reason)`."""
    if "apply" in request.POST:
        form = ReasonForm(request.POST)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            count = 0
            for obj in queryset:
                apply(request.user, obj, reason)
                count += 1
            modeladmin.message_user(request, f"{title}: {count} done.", messages.SUCCESS)
            return None
    else:
        form = ReasonForm()
    return TemplateResponse(
        request,
        "admin/reason_action.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "form": form,
            "objects": queryset,
            "action": request.POST.get("action", ""),
            "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
            "opts": modeladmin.model._meta,
        },
    )
