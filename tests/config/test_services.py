"""The second CI pass must really run on PostgreSQL and Redis, never quietly on SQLite."""

from __future__ import annotations

import os

import pytest
import redis
from django.db import connection


@pytest.mark.django_db
def test_it_runs_on_the_database_that_DATABASE_URL_names():
    expected = (
        "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    )
    assert connection.vendor == expected
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_the_broker_that_CELERY_BROKER_URL_names_answers():
    url = os.environ.get("CELERY_BROKER_URL", "")
    if not url:
        from django.conf import settings

        assert settings.CELERY_TASK_ALWAYS_EAGER is True
        return
    client = redis.Redis.from_url(url, socket_timeout=3, socket_connect_timeout=3)
    assert client.ping() is True
