from __future__ import annotations

from django.apps import AppConfig


class ForumConfig(AppConfig):
    name = "forum"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from forum import signals  # noqa: F401 - connects the receivers
        from forum.similarity import signals as similarity_signals  # noqa: F401
