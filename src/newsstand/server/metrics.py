"""Prometheus metrics, at /metrics (web) and at `newsstand worker --metrics-bind` (workers).

Counters and histograms are kept by prometheus_client in multiprocess mode, in files under
$NEWSSTAND_DATA_DIR/metrics (settings.py points PROMETHEUS_MULTIPROC_DIR there before anything
imports prometheus_client), so every gunicorn worker and the worker process of `newsstand up`
add up in one answer. The cluster's state (queue depth, live workers) is read from the queue and
the database when scraped. Lower packages do not import this: it listens to their signals.

/metrics answers a request that brings `Authorization: Bearer $NEWSSTAND_METRICS_TOKEN` when the
token is set, and otherwise only one from this machine that came through no proxy.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from django.conf import settings
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric

log = logging.getLogger(__name__)

LATENCY_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
TASK_BUCKETS_S = (0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)

FEED_CHECKS = Counter(
    "newsstand_feed_checks", "Feed checks by outcome (ok, not_modified, error, gone).", ["outcome"]
)
FEED_CHECK_SECONDS = Histogram(
    "newsstand_feed_check_seconds", "Time to check one feed.", buckets=TASK_BUCKETS_S
)
ARTICLES_STORED = Counter("newsstand_articles_stored", "New articles stored by ingestion.")
STORIES_ASSIGNED = Counter(
    "newsstand_stories_assigned", "Articles given a story, by how (started or joined).", ["how"]
)
GATE_DECISIONS = Counter(
    "newsstand_gate_decisions",
    "Gate decisions by reason and whether full text was shown.",
    ["reason", "full"],
)
TASK_WAIT_SECONDS = Histogram(
    "newsstand_task_wait_seconds",
    "From enqueued to started, per task.",
    ["task"],
    buckets=TASK_BUCKETS_S,
)
TASK_RUN_SECONDS = Histogram(
    "newsstand_task_run_seconds",
    "From started to finished, per task and status.",
    ["task", "status"],
    buckets=TASK_BUCKETS_S,
)
REQUEST_SECONDS = Histogram(
    "newsstand_request_seconds",
    "Web request latency by view and status class.",
    ["method", "view", "status"],
    buckets=LATENCY_BUCKETS_S,
)


# Receivers ---------------------------------------------------------------------------------


def _on_feed_checked(sender: object, *, outcome: str, duration_s: float, **kwargs: Any) -> None:
    FEED_CHECKS.labels(outcome=outcome).inc()
    FEED_CHECK_SECONDS.observe(duration_s)


def _on_articles_stored(sender: object, *, article_ids: list[int], **kwargs: Any) -> None:
    if article_ids:
        ARTICLES_STORED.inc(len(article_ids))


def _on_stories_assigned(sender: object, *, started: int, joined: int, **kwargs: Any) -> None:
    if started:
        STORIES_ASSIGNED.labels(how="started").inc(started)
    if joined:
        STORIES_ASSIGNED.labels(how="joined").inc(joined)


def _on_gate_decided(sender: object, *, reason: str, full: bool, **kwargs: Any) -> None:
    GATE_DECISIONS.labels(reason=reason, full="yes" if full else "no").inc()


def _task_name(task_result: Any) -> str:
    return str(getattr(task_result.task, "module_path", "?")).rsplit(".", 1)[-1]


def _on_task_started(sender: object, *, task_result: Any, **kwargs: Any) -> None:
    if task_result.enqueued_at and task_result.started_at:
        wait = (task_result.started_at - task_result.enqueued_at).total_seconds()
        TASK_WAIT_SECONDS.labels(task=_task_name(task_result)).observe(max(0.0, wait))


def _on_task_finished(sender: object, *, task_result: Any, **kwargs: Any) -> None:
    if task_result.started_at and task_result.finished_at:
        run = (task_result.finished_at - task_result.started_at).total_seconds()
        TASK_RUN_SECONDS.labels(
            task=_task_name(task_result), status=str(task_result.status).lower()
        ).observe(max(0.0, run))


def connect_receivers() -> None:
    from django.tasks.signals import task_finished, task_started

    from newsstand.gate.signals import gate_decided
    from newsstand.ingest.signals import articles_stored, feed_checked
    from newsstand.stories.signals import stories_assigned

    feed_checked.connect(_on_feed_checked, dispatch_uid="metrics_feed_checked")
    articles_stored.connect(_on_articles_stored, dispatch_uid="metrics_articles_stored")
    stories_assigned.connect(_on_stories_assigned, dispatch_uid="metrics_stories_assigned")
    gate_decided.connect(_on_gate_decided, dispatch_uid="metrics_gate_decided")
    task_started.connect(_on_task_started, dispatch_uid="metrics_task_started")
    task_finished.connect(_on_task_finished, dispatch_uid="metrics_task_finished")


# The cluster, read when scraped ---------------------------------------------------------------


class ClusterCollector:
    """Queue depth and live workers, from the queue and the database at each scrape."""

    def collect(self) -> Iterator[Metric]:
        from huey.contrib.djhuey import HUEY

        from newsstand.ingest.workers import worker_states

        depth = GaugeMetricFamily("newsstand_queue_depth", "Tasks waiting in the task queue.")
        up = GaugeMetricFamily("newsstand_queue_up", "1 when the task queue answered.")
        try:
            depth.add_metric([], float(HUEY.pending_count()))
            up.add_metric([], 1.0)
        except Exception as exc:
            log.warning("metrics: task queue unreachable error=%r", exc)
            up.add_metric([], 0.0)
        else:
            yield depth
        yield up
        alive = GaugeMetricFamily("newsstand_workers_alive", "Workers heard from lately.")
        seen = GaugeMetricFamily(
            "newsstand_worker_last_seen_seconds",
            "Seconds since each worker's heartbeat.",
            labels=["worker"],
        )
        try:
            states = worker_states()
        except Exception as exc:
            log.warning("metrics: worker heartbeats unreadable error=%r", exc)
            return
        alive.add_metric([], float(sum(1 for s in states if s.alive)))
        for state in states:
            seen.add_metric([state.name], state.seen_s_ago)
        yield alive
        yield seen


def _multiprocess_dir() -> str:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def exposition() -> bytes:
    """Every metric of this node's processes and the cluster, in Prometheus text format."""
    if _multiprocess_dir():
        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)
    else:
        processes = REGISTRY
    cluster = CollectorRegistry()
    cluster.register(ClusterCollector())
    return generate_latest(processes) + generate_latest(cluster)


def clear_process_files() -> None:
    """Forget the counts of processes that are gone (an earlier run's), as prometheus_client asks
    at start-up. Files of live processes stay: a web node's gunicorn may share the directory."""
    directory = _multiprocess_dir()
    if not directory:
        return
    for path in Path(directory).glob("*.db"):
        pid = path.stem.rsplit("_", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# Who may read them ------------------------------------------------------------------------


def authorized(remote_addr: str, forwarded_for: str, authorization: str, token: str) -> bool:
    """With a token: the request bears it. Without: a loopback client that came through no
    proxy (a proxy on this machine connects from loopback too, but adds X-Forwarded-For)."""
    if token:
        scheme, _, given = authorization.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), token)
    if forwarded_for.strip():
        return False
    try:
        return ipaddress.ip_address(remote_addr.strip()).is_loopback
    except ValueError:
        return False


def _wsgi_app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    if environ.get("PATH_INFO", "") != "/metrics":
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found\n"]
    if not authorized(
        environ.get("REMOTE_ADDR", ""),
        environ.get("HTTP_X_FORWARDED_FOR", ""),
        environ.get("HTTP_AUTHORIZATION", ""),
        settings.METRICS_TOKEN,
    ):
        start_response("403 Forbidden", [("Content-Type", "text/plain")])
        return [b"forbidden\n"]
    start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
    return [exposition()]


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        log.debug("metrics " + format, *args)


def serve_in_background(bind: str) -> threading.Thread:
    """Serve /metrics on HOST:PORT from a daemon thread (a worker has no web server)."""
    host, _, port = bind.rpartition(":")
    server = make_server(host or "127.0.0.1", int(port), _wsgi_app, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="metrics", daemon=True)
    thread.start()
    log.info("metrics served at http://%s/metrics", bind)
    return thread
