"""The test suite: captured e-mail, fast hashing, DATABASE_URL / CELERY_BROKER_URL from the env."""

from __future__ import annotations

from .base import *  # noqa: F403

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
