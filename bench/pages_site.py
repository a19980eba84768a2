"""Settings for `bench_pages.py`: the site as configured, plus a bare view (`pages_urls`).

The bare view runs one indexed query and renders a tiny template through the same middleware as
every page: the floor a Django request costs on this machine at this moment, against which the
pages are measured in the same run. Used as `DJANGO_SETTINGS_MODULE=pages_site` with `bench/`
on the path (the bench sets both).
"""

from __future__ import annotations

from config.settings.base import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "pages_urls"
SECRET_KEY = "bench-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz"  # noqa: S105
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# gunicorn's access log line per request is part of what a request costs; keep it out of the
# terminal, not out of the measurement (the bench sends it to /dev/null).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"null": {"class": "logging.NullHandler"}},
    "root": {"handlers": ["null"], "level": "WARNING"},
}
