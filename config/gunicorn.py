"""gunicorn settings: `gunicorn -c config/gunicorn.py config.wsgi:application`.

The application, the embedding model and the similarity index are loaded once, in the master,
before the workers are forked (`preload_app`): the workers share those pages copy-on-write
instead of holding a copy each, and start at once. The vector index of a large archive is
memory-mapped from shared files (forum/similarity/vector_index.py), so a refresh or rebuild in
one worker is not repeated in every one. Code changes need a restart (HUP reloads workers from
the master's copy).
"""

from __future__ import annotations

import os
from typing import Any

bind = "0.0.0.0:8000"
workers = 3
preload_app = True
accesslog = "-"
# The combined format less the query string and the referrer: both carry what people type into
# search boxes, the admin's included (an e-mail address, a private title). docs/security.md
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s"'
# The tokenizer must not start threads in the master: they would not survive the fork.
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def when_ready(server: Any) -> None:
    """In the master, after the application is loaded and before any worker is forked."""
    import gc

    from django.db import connections

    from forum.privacy import masking
    from forum.similarity import warm_up

    try:
        warm_up()
        masking.warm_up()
    except Exception:  # the database not up yet: each worker loads on first use instead
        server.log.exception("could not load the similarity model and index before forking")
    # A connection opened here would be shared by every worker: each opens its own instead.
    connections.close_all()
    # What is loaded now stays: frozen, the collector never walks it again, so it never writes
    # to (and unshares) the pages holding it.
    gc.collect()
    gc.freeze()


def post_fork(server: Any, worker: Any) -> None:
    if not server.cfg.preload_app:  # started with --no-preload: each worker loads its own
        import django

        django.setup()
        from forum.similarity import warm_up

        warm_up()
