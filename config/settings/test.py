"""The test suite: captured e-mail, fast hashing, DATABASE_URL / CELERY_BROKER_URL from the env."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests that need a real worker start one themselves; the rest run tasks in-process.
CELERY_TASK_ALWAYS_EAGER = True
ACCOUNT_RATE_LIMITS = False
# Serve static files straight from the source folders; no collectstatic before tests.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory: the tests with a real worker share the test database with its process.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"openconsult-test-{os.getpid()}.sqlite3")
    }
    # Two processes write to it: wait for the other's lock rather than fail.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
