"""Beat's schedule names tasks the worker really has: a typo would be silently never run."""

from __future__ import annotations

from django.conf import settings

from config.celery import app


def test_every_scheduled_task_is_registered_with_the_worker():
    app.loader.import_default_modules()  # what a worker does at start-up
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "forum.similarity.tasks.similarity_refresh_word_counts" in scheduled
    assert scheduled - set(app.tasks) == set()
