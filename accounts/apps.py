from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Django's loading order: these need the models, which are ready only now.
        # signals connects the receivers; tasks registers the tasks scheduled by name.
        from accounts import signals, tasks  # noqa: F401


class ModeratedAdminConfig(AdminConfig):
    """Django admin, reachable only by moderators who have set up two-factor."""

    default_site = "accounts.admin_site.ModeratorAdminSite"
