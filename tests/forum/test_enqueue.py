"""Services schedule tasks by name (forum/enqueue.py): every name they use is a registered task."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from celery import current_app
from django.conf import settings

from forum.enqueue import enqueue

ROOT = Path(__file__).resolve().parents[2]
TASK_NAME = re.compile(r"""["']((?:forum|accounts)(?:\.\w+)*\.tasks\.\w+)["']""")


def _scheduled_names() -> set[str]:
    names: set[str] = set()
    for app in ("forum", "accounts"):
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                names |= set(TASK_NAME.findall(path.read_text(encoding="utf-8")))
    names |= {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    return names


def test_every_task_name_in_the_code_and_the_beat_schedule_is_registered():
    names = _scheduled_names()
    assert "forum.tasks.triage_question" in names  # the scan finds the services' names
    assert names - set(current_app.tasks) == set()


def test_a_name_that_is_no_task_is_a_bug_not_an_outage():
    with pytest.raises(KeyError):
        enqueue("forum.tasks.no_such_task", 1)
