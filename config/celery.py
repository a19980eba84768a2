"""The Celery app. Settings come from Django settings prefixed CELERY_.

A worker loads what its tasks need that is heavy (the embedding model, the triage knowledge base,
the personal-details word lists and the similarity index) in its main process, before the
prefork pool forks: the pool's processes share those pages copy-on-write instead of loading a
copy each, and their first task does not wait for them (`load_before_fork`).
"""

from __future__ import annotations

import logging
import os

from celery import Celery
from celery.signals import task_prerun, worker_init

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


@worker_init.connect(weak=False)  # type: ignore[untyped-decorator]
def load_before_fork(**kwargs: object) -> None:
    """In the worker's main process, after Django is set up and before the pool is started."""
    import gc

    from django.db import connections

    from forum.privacy import masking
    from forum.similarity import warm_up

    try:
        warm_up()
        masking.warm_up()
    except Exception:  # the database not up yet: each pool process loads on first use instead
        logging.getLogger(__name__).exception("could not load the model and index before forking")
    # A connection opened here would be shared by every pool process: each opens its own.
    connections.close_all()
    # What is loaded now stays: frozen, the collector never walks it again, so it never writes
    # to (and unshares) the pages holding it.
    gc.collect()
    gc.freeze()
