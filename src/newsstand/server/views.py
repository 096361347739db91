"""Probes for load balancers and orchestrators, and the metrics.

* /healthz: the process answers (liveness). Nothing else is asked, so a database or Redis outage
  never has a healthy process restarted.
* /readyz: the database, the cache and the task queue answer (readiness); 503 naming the part
  that failed. The workers' heartbeats are listed but do not fail it: a web node with no worker
  still serves pages.
* /metrics: Prometheus text (server/metrics.py says who may read it).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST

from newsstand.ingest.workers import worker_states
from newsstand.server import metrics

log = logging.getLogger(__name__)

READY_CACHE_KEY = "newsstand:readyz"


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok\n", content_type="text/plain")


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache() -> None:
    probe = uuid.uuid4().hex
    cache.set(READY_CACHE_KEY, probe, timeout=30)
    backend = str(settings.CACHES["default"]["BACKEND"])
    if cache.get(READY_CACHE_KEY) != probe and not backend.endswith("DummyCache"):
        raise RuntimeError("the cache did not return what was just stored")


def _queue() -> None:
    from huey.contrib.djhuey import HUEY

    HUEY.pending_count()


CHECKS: dict[str, Callable[[], None]] = {"database": _database, "cache": _cache, "queue": _queue}


@never_cache
@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    lines: list[str] = []
    failed: list[str] = []
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:
            log.warning("readyz: %s unavailable error=%r", name, exc)
            failed.append(name)
            lines.append(f"{name}: unavailable ({type(exc).__name__})")
        else:
            lines.append(f"{name}: ok")
    if "database" not in failed:
        try:
            states = worker_states()
        except Exception as exc:
            lines.append(f"workers: unknown ({type(exc).__name__})")
        else:
            alive = [s for s in states if s.alive]
            lines.append(f"workers: {len(alive)} alive")
            lines += [
                f"worker {s.name}: {'alive' if s.alive else 'silent'}, seen {s.seen_s_ago:.0f} s "
                f"ago, fetching {s.fetching}"
                for s in states
            ]
    head = f"not ready: {', '.join(failed)} unavailable" if failed else "ready"
    body = "\n".join([head, *lines]) + "\n"
    return HttpResponse(body, status=503 if failed else 200, content_type="text/plain")


@never_cache
@require_safe
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not metrics.authorized(
        request.META.get("REMOTE_ADDR", ""),
        request.headers.get("X-Forwarded-For", ""),
        request.headers.get("Authorization", ""),
        settings.METRICS_TOKEN,
    ):
        return HttpResponse("forbidden\n", status=403, content_type="text/plain")
    return HttpResponse(metrics.exposition(), content_type=CONTENT_TYPE_LATEST)
