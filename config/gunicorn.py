"""gunicorn settings: `gunicorn -c config/gunicorn.py config.wsgi:application`."""

from __future__ import annotations

from typing import Any

bind = "0.0.0.0:8000"
workers = 3
accesslog = "-"
# The combined format less the query string and the referrer: both carry what people type into
# search boxes, the admin's included (an e-mail address, a private title). docs/security.md
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s"'


def post_fork(server: Any, worker: Any) -> None:
    # Load the embedding model and the similarity index before the first request, not during it.
    import django

    django.setup()
    from forum.similarity import warm_up

    warm_up()
