from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts import signals  # noqa: F401 - connects the receivers


class ModeratedAdminConfig(AdminConfig):
    """Django admin, reachable only by moderators who have set up two-factor."""

    default_site = "accounts.admin_site.ModeratorAdminSite"
