from __future__ import annotations

from django.apps import AppConfig


class ForumConfig(AppConfig):
    name = "forum"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Django's loading order: these need the models, which are ready only now.
        # signals connects the receivers; tasks registers the tasks the services schedule by
        # name (forum.enqueue).
        from forum import signals, tasks  # noqa: F401
        from forum.similarity import signals as similarity_signals  # noqa: F401
