"""Handing work to Celery without ever failing the caller.

A patient's post, a doctor's answer or a moderator's decision is already committed when its
follow-up task is enqueued. If the broker is down or frozen that enqueue must not turn into a
server error: it is logged, and a periodic task picks the work up later (the sweeper for
untriaged questions, the e-mail re-sender for notifications).

Services schedule a task by the name it is registered under ("forum.tasks.triage_question"),
so a service never imports a task module and the tasks, which call the services, are the only
side of that pair that imports the other (docs/architecture.md, "Celery rules"). The apps
register their tasks when they load (`ForumConfig.ready`, `AccountsConfig.ready`).
"""

from __future__ import annotations

import logging
from typing import Any

from celery import current_app
from django.conf import settings

log = logging.getLogger(__name__)


def enqueue(task: str | Any, *args: Any) -> bool:
    """Run the task registered under the name `task` (or the task object itself) with `args`,
    through the broker or in-process without one. Returns False instead of raising when the
    broker is unreachable. Call it after commit (`transaction.on_commit`)."""
    if isinstance(task, str):
        task = current_app.tasks[task]
    try:
        task.apply_async(args=list(args), retry=False)
    except Exception:  # the broker's client raises many types; all mean "not enqueued"
        if settings.CELERY_TASK_ALWAYS_EAGER:
            raise  # in-process: a failure is a bug in the task, not a broker outage
        log.warning(
            "Could not enqueue %s%r; a periodic task will retry", task.name, args, exc_info=True
        )
        return False
    return True
