"""The Celery app. Settings come from Django settings prefixed CELERY_."""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("openconsult")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect(weak=False)  # type: ignore[untyped-decorator]
def _bind_task_id(**kwargs: object) -> None:
    from config.log import on_task_prerun

    task = kwargs.get("task")
    eager = bool(getattr(getattr(task, "request", None), "is_eager", False))
    on_task_prerun(task_id=str(kwargs.get("task_id") or ""), eager=eager)
