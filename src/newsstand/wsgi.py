"""WSGI entry point (gunicorn newsstand.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.db import connections
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsstand.settings")
application = get_wsgi_application()
# Import every view now, not in the first request: the views pull in scikit-learn, scipy and the
# stories stack (2-4 s on this machine), which would otherwise be the first reader's wait. Under
# `gunicorn --preload` (as `newsstand up` runs it) this happens once, before the workers fork.
get_resolver().url_patterns  # noqa: B018 - evaluated for its import side effect
# What is loaded by now lives as long as the process: frozen, it is out of the collector's reach,
# so a full collection walks only what requests make. Left in, a full collection inside a
# request walks the whole Django, scikit-learn and stories stack (55 ms at a time, the p99 of
# the sync bench's pages; docs/benchmarks.md, Sync). Under --preload it also stops the workers
# touching, and so copying, the pages they share with the master.
# Nothing opened while loading is handed to the workers: connections are kept between requests
# (settings.DATABASES), and two processes must never share one.
connections.close_all()
gc.collect()
gc.freeze()
