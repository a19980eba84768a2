"""gunicorn settings: `gunicorn -c config/gunicorn.py config.wsgi:application`."""

from __future__ import annotations

from typing import Any

bind = "0.0.0.0:8000"
workers = 3
accesslog = "-"


def post_fork(server: Any, worker: Any) -> None:
    # Load the embedding model and the similarity index before the first request, not during it.
    import django

    django.setup()
    from forum.similarity import warm_up

    warm_up()
