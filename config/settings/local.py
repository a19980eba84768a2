"""Local development: debug on, console e-mail, SQLite unless DATABASE_URL says otherwise."""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# Serve static files straight from the source folders; no collectstatic in development.
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_USE_FINDERS = DEBUG
