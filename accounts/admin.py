from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from accounts import services
from accounts.access import logged_in_user
from accounts.admin_tools import ModeratorPermissions, reason_action
from accounts.models import ApiToken, DoctorProfile, DoctorStatus, User


@admin.register(User)
class UserAdmin(ModeratorPermissions, BaseUserAdmin[User]):
    ordering = ["-date_joined"]
    list_display = ["email", "pseudonym", "role", "is_active", "is_staff", "date_joined"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["email", "pseudonym"]
    readonly_fields = ["pseudonym", "last_login", "date_joined"]
    fieldsets = (
        (None, {"fields": ("email", "password", "pseudonym")}),
        ("Identity shown publicly", {"fields": ("birth_year", "sex")}),
        ("Role", {"fields": ("role", "is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "role", "password1", "password2")}),
    )

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        # The same deletion as the account page's: claims let go, traces anonymised.
        services.user_delete_account(user=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            services.user_delete_account(user=user)


@admin.register(ApiToken)
class ApiTokenAdmin(ModeratorPermissions, admin.ModelAdmin[ApiToken]):
    """API tokens by their first characters; a moderator can revoke (delete) one, never see or
    make a token (only its hash is stored)."""

    list_display = ["token_key", "user", "client", "created", "expiry"]
    search_fields = ["token_key", "user__email"]
    list_select_related = ["user"]
    fields = ("token_key", "user", "client", "created", "expiry")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DoctorProfile)
class DoctorProfileAdmin(ModeratorPermissions, admin.ModelAdmin[DoctorProfile]):
    list_display = [
        "display_name",
        "user",
        "licence_number",
        "issuing_authority",
        "country",
        "status",
        "created_at",
        "reviewed_at",
    ]
    list_filter = ["status", "specialties", "country"]
    search_fields = ["display_name", "user__email", "licence_number", "issuing_authority"]
    readonly_fields = ["status", "rejection_reason", "reviewed_by", "reviewed_at", "created_at"]
    filter_horizontal = ["specialties"]
    list_select_related = ["user"]
    actions = ["verify", "reject"]

    @admin.action(description="Verify selected doctors")
    def verify(self, request: HttpRequest, queryset: QuerySet[DoctorProfile]) -> None:
        count = 0
        for profile in queryset.exclude(status=DoctorStatus.VERIFIED):
            services.doctor_verify(moderator=logged_in_user(request), profile=profile)
            count += 1
        self.message_user(request, f"{count} doctor(s) verified and e-mailed.")

    @admin.action(description="Reject selected doctors (asks for a reason)")
    def reject(
        self, request: HttpRequest, queryset: QuerySet[DoctorProfile]
    ) -> HttpResponse | None:
        def apply(moderator: Any, profile: Any, reason: str) -> None:
            services.doctor_reject(moderator=moderator, profile=profile, reason=reason)

        return reason_action(
            title="Reject doctors",
            apply=apply,
            modeladmin=self,
            request=request,
            queryset=queryset,
        )
