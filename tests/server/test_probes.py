"""/healthz, /readyz and /metrics, and the request id on every response."""

from __future__ import annotations

import importlib
import io
import json
import logging
import socket
import uuid

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from newsstand.config import cache_from_url
from newsstand.ingest import actions as ingest_actions
from newsstand.ingest.signals import feed_checked
from newsstand.server import metrics, requests
from newsstand.sources.models import Feed

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_healthz_asks_nothing_but_the_process(client: Client, settings: Settings) -> None:
    settings.CACHES = {"default": cache_from_url(f"redis://127.0.0.1:{_closed_port()}/0")}
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok\n"


def test_readyz_names_every_part_and_the_workers(client: Client) -> None:
    from django.utils import timezone

    ingest_actions.note_worker_alive(
        "box:42", host="box", pid=42, threads=2, started_at=timezone.now(), fetching=1
    )
    response = client.get("/readyz")
    body = response.content.decode()
    assert response.status_code == 200, body
    assert body.splitlines()[:5] == [
        "ready",
        "database: ok",
        "cache: ok",
        "queue: ok",
        "workers: 1 alive",
    ]
    assert "worker box:42: alive" in body and "fetching 1" in body


def test_readyz_is_503_naming_an_unreachable_cache(client: Client, settings: Settings) -> None:
    settings.CACHES = {"default": cache_from_url(f"redis://127.0.0.1:{_closed_port()}/0")}
    response = client.get("/readyz")
    body = response.content.decode()
    assert response.status_code == 503
    assert body.startswith("not ready: cache unavailable")
    assert "database: ok" in body and "cache: unavailable (ConnectionError)" in body


def test_readyz_is_503_naming_an_unreachable_queue(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from huey.contrib.djhuey import HUEY

    def down() -> int:
        raise ConnectionError("queue down")

    monkeypatch.setattr(HUEY, "pending_count", down)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.content.decode().startswith("not ready: queue unavailable")


def test_metrics_count_feed_checks_for_a_local_scraper(client: Client) -> None:
    outcome = f"test-{uuid.uuid4().hex[:8]}"
    feed_checked.send(sender=Feed, outcome=outcome, duration_s=0.2)
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    text = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    assert f'newsstand_feed_checks_total{{outcome="{outcome}"}} 1.0' in text
    for name in (
        "newsstand_queue_depth",
        "newsstand_workers_alive",
        "newsstand_articles_stored_total",
        "newsstand_request_seconds_bucket",
    ):
        assert name in text


@pytest.mark.parametrize(
    ("token", "remote", "forwarded", "authorization", "allowed"),
    [
        ("", "127.0.0.1", "", "", True),
        ("", "::1", "", "", True),
        ("", "10.0.0.5", "", "", False),
        # A proxy on this machine connects from loopback too, but says for whom.
        ("", "127.0.0.1", "203.0.113.9", "", False),
        ("s3cret", "10.0.0.5", "", "Bearer s3cret", True),
        ("s3cret", "127.0.0.1", "", "", False),
        ("s3cret", "127.0.0.1", "", "Bearer wrong", False),
        ("s3cret", "127.0.0.1", "", "Basic s3cret", False),
    ],
)
def test_who_may_read_the_metrics(
    client: Client,
    settings: Settings,
    token: str,
    remote: str,
    forwarded: str,
    authorization: str,
    allowed: bool,
) -> None:
    settings.METRICS_TOKEN = token
    headers = {"REMOTE_ADDR": remote}
    if forwarded:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    if authorization:
        headers["HTTP_AUTHORIZATION"] = authorization
    response = client.get("/metrics", **headers)
    assert response.status_code == (200 if allowed else 403)


def test_the_request_id_is_echoed_or_made(client: Client) -> None:
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] == "abc-123"
    made = client.get("/healthz")["X-Request-ID"]
    assert len(made) == 32 and made != client.get("/healthz")["X-Request-ID"]
    # A header that could forge log lines is replaced, not echoed.
    odd = client.get("/healthz", HTTP_X_REQUEST_ID='x" level="ERROR')["X-Request-ID"]
    assert odd != 'x" level="ERROR' and len(odd) == 32


def test_json_logs_carry_the_request_id(client: Client, settings: Settings) -> None:
    settings.LOG_FORMAT = "json"
    formatter_config = dict(settings.LOGGING["formatters"]["json"])
    module, _, name = formatter_config.pop("()").rpartition(".")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(getattr(importlib.import_module(module), name)(**formatter_config))
    handler.addFilter(requests.RequestIdFilter())
    logger = logging.getLogger("newsstand.request")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    try:
        client.get("/healthz", HTTP_X_REQUEST_ID="req-7")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    line = json.loads(stream.getvalue().splitlines()[-1])
    assert line["request_id"] == "req-7" and line["logger"] == "newsstand.request"
    assert (line["path"], line["status"], line["view"]) == ("/healthz", 200, "server:healthz")


def test_a_log_line_inside_a_request_has_its_id() -> None:
    token = requests._current.set("inside-1")
    try:
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
        requests.RequestIdFilter().filter(record)
    finally:
        requests._current.reset(token)
    assert record.request_id == "inside-1"


def test_metrics_authorisation_is_pure() -> None:
    assert metrics.authorized("127.0.0.1", "", "", "")
    assert not metrics.authorized("not-an-ip", "", "", "")
