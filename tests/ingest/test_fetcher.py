"""The fetcher against a real local HTTP server (tests.httpserver)."""

from __future__ import annotations

import gzip
import time
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import brotli
import pytest
from pytest_django.fixtures import Settings

from newsstand.ingest import fetcher
from newsstand.ingest.fetcher import FetchError, fetch, parse_retry_after
from tests import httpserver
from tests.httpserver import PublisherWeb

publisher_web = httpserver.publisher_web  # the fixture, for when no conftest provides it

RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'


@pytest.fixture(autouse=True)
def _allow_private(settings: Settings) -> None:
    settings.ALLOW_PRIVATE_URLS = True


def test_plain_200_returns_body_headers_and_validators(publisher_web: PublisherWeb) -> None:
    url = publisher_web.add(
        "/feed.xml",
        RSS,
        headers={"Content-Type": "application/rss+xml"},
        etag='"v1"',
        last_modified="Wed, 01 Jan 2025 00:00:00 GMT",
    )
    result = fetch(url)
    assert result.status == 200
    assert result.content == RSS
    assert result.url == url
    assert result.headers["content-type"] == "application/rss+xml"
    assert result.etag == '"v1"'
    assert result.last_modified == "Wed, 01 Jan 2025 00:00:00 GMT"
    assert not result.not_modified
    assert result.permanent_redirect is None
    assert result.elapsed_s >= 0
    sent = publisher_web.requests[-1].headers
    assert sent["user-agent"].startswith("Newsstand/")
    assert "gzip" in sent["accept-encoding"]
    assert "rss" in sent["accept"]


def test_conditional_get_gives_304_not_modified(publisher_web: PublisherWeb) -> None:
    url = publisher_web.add("/feed.xml", RSS, etag='"v1"')
    result = fetch(url, etag='"v1"')
    assert result.status == 304
    assert result.not_modified
    assert result.content == b""
    assert result.etag == '"v1"'
    assert publisher_web.requests[-1].headers["if-none-match"] == '"v1"'


def test_if_modified_since_gives_304(publisher_web: PublisherWeb) -> None:
    lm = "Wed, 01 Jan 2025 00:00:00 GMT"
    url = publisher_web.add("/feed.xml", RSS, last_modified=lm)
    result = fetch(url, last_modified=lm)
    assert result.not_modified
    assert fetch(url, last_modified="Tue, 31 Dec 2024 00:00:00 GMT").status == 200


def test_gzip_body_is_decoded(publisher_web: PublisherWeb) -> None:
    url = publisher_web.add("/feed.xml", RSS * 50, gzip=True)
    assert fetch(url).content == RSS * 50


@pytest.mark.parametrize("encoding", ["deflate-zlib", "deflate-raw", "br"])
def test_deflate_and_brotli_bodies_are_decoded(publisher_web: PublisherWeb, encoding: str) -> None:
    body = RSS * 100
    if encoding == "br":
        data, header = brotli.compress(body), "br"
    elif encoding == "deflate-zlib":
        data, header = zlib.compress(body), "deflate"
    else:
        c = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        data, header = c.compress(body) + c.flush(), "deflate"
    url = publisher_web.add("/f", data, headers={"Content-Encoding": header})
    assert fetch(url).content == body


def test_301_chain_reports_permanent_redirect(publisher_web: PublisherWeb) -> None:
    publisher_web.add("/new.xml", RSS)
    publisher_web.redirect("/b", "/new.xml", status=308)
    url = publisher_web.redirect("/a", publisher_web.url("/b"), status=301)
    result = fetch(url)
    assert result.url == publisher_web.url("/new.xml")
    assert result.permanent_redirect == publisher_web.url("/new.xml")


def test_302_in_chain_is_not_permanent(publisher_web: PublisherWeb) -> None:
    publisher_web.add("/new.xml", RSS)
    publisher_web.redirect("/b", "/new.xml", status=302)
    url = publisher_web.redirect("/a", "/b", status=301)
    result = fetch(url)
    assert result.content == RSS
    assert result.permanent_redirect is None


def test_redirect_loop_is_reported(publisher_web: PublisherWeb) -> None:
    publisher_web.redirect("/b", "/a", status=302)
    url = publisher_web.redirect("/a", "/b", status=302)
    with pytest.raises(FetchError) as err:
        fetch(url)
    assert err.value.kind == "too_many_redirects"
    assert "loop" in err.value.message


def test_more_than_five_redirects_is_refused(publisher_web: PublisherWeb) -> None:
    for i in range(7):
        publisher_web.redirect(f"/r{i}", f"/r{i + 1}", status=302)
    publisher_web.add("/r7", RSS)
    with pytest.raises(FetchError) as err:
        fetch(publisher_web.url("/r0"))
    assert err.value.kind == "too_many_redirects"
    assert "More than 5 redirects" in err.value.message
    # Exactly five hops is fine.
    assert fetch(publisher_web.url("/r2")).content == RSS


def test_redirect_without_location_is_a_protocol_error(publisher_web: PublisherWeb) -> None:
    url = publisher_web.add("/x", b"", status=302)
    with pytest.raises(FetchError) as err:
        fetch(url)
    assert err.value.kind == "protocol"


@pytest.mark.parametrize(
    ("status", "words"),
    [(404, "does not exist"), (410, "gone for good"), (500, "internal error"), (403, "refused")],
)
def test_http_error_statuses(publisher_web: PublisherWeb, status: int, words: str) -> None:
    url = publisher_web.add("/x", b"nope", status=status)
    with pytest.raises(FetchError) as err:
        fetch(url)
    assert err.value.kind == "http_status"
    assert err.value.status == status
    assert words in err.value.message
    assert f"HTTP {status}" in err.value.message


def test_429_carries_retry_after(publisher_web: PublisherWeb) -> None:
    url = publisher_web.add("/x", b"slow down", status=429, headers={"Retry-After": "120"})
    with pytest.raises(FetchError) as err:
        fetch(url)
    assert err.value.retry_after_s == 120
    assert "wait 120 s" in err.value.message


def test_retry_after_http_date() -> None:
    from datetime import UTC, datetime

    now = datetime(2025, 1, 1, tzinfo=UTC)
    assert parse_retry_after("Wed, 01 Jan 2025 00:01:00 GMT", now=now) == 60
    assert parse_retry_after("soon", now=now) is None
    assert parse_retry_after(None) is None


def test_dripping_server_hits_total_timeout(
    publisher_web: PublisherWeb, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fetcher, "TOTAL_TIMEOUT_S", 0.5)
    url = publisher_web.drip("/slow", total_bytes=100, chunk_bytes=1, delay_s=0.1)
    with pytest.raises(FetchError) as err:
        fetch(url)
    assert err.value.kind == "timeout"
    assert "0.5 s in total" in err.value.message


def test_silent_server_hits_read_timeout(
    publisher_web: PublisherWeb, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fetcher, "READ_TIMEOUT_S", 0.3)
    url = publisher_web.drip("/stall", total_bytes=2, chunk_bytes=1, delay_s=2)
    with pytest.raises(FetchError) as err:
        fetch(url)
    assert err.value.kind == "timeout"
    assert err.value.message == "The server took longer than 0.3 s to send data"


def test_fifty_megabytes_is_too_large(publisher_web: PublisherWeb) -> None:
    def fifty_mb() -> Iterator[bytes]:
        block = b"a" * (1024 * 1024)
        for _ in range(50):
            yield block

    url = publisher_web.stream("/big", fifty_mb)
    with pytest.raises(FetchError) as err:
        fetch(url)
    assert err.value.kind == "too_large"
    assert "10,485,760 bytes" in err.value.message


def test_declared_content_length_over_cap_is_refused_early(publisher_web: PublisherWeb) -> None:
    url = publisher_web.add("/x", b"a" * 2000)
    with pytest.raises(FetchError) as err:
        fetch(url, max_bytes=1000)
    assert err.value.kind == "too_large"
    assert "2,000 bytes" in err.value.message


def test_gzip_bomb_is_caught_on_decoded_size(publisher_web: PublisherWeb) -> None:
    bomb = gzip.compress(b"\0" * (200 * 1024 * 1024))  # ~200 KB on the wire
    assert len(bomb) < 1024 * 1024
    url = publisher_web.add("/bomb", bomb, headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchError) as err:
        fetch(url, max_bytes=5 * 1024 * 1024)
    assert err.value.kind == "too_large"
    assert "once decompressed" in err.value.message


def test_brotli_bomb_is_caught(publisher_web: PublisherWeb) -> None:
    bomb = brotli.compress(b"\0" * (100 * 1024 * 1024), quality=1)
    url = publisher_web.add("/bomb", bomb, headers={"Content-Encoding": "br"})
    with pytest.raises(FetchError) as err:
        fetch(url, max_bytes=1024 * 1024)
    assert err.value.kind == "too_large"


def test_corrupt_gzip_is_a_protocol_error(publisher_web: PublisherWeb) -> None:
    url = publisher_web.add("/x", b"this is not gzip", headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchError) as err:
        fetch(url)
    assert err.value.kind == "protocol"
    assert "corrupt compressed body" in err.value.message


def test_connection_refused_is_connect_error(publisher_web: PublisherWeb) -> None:
    port = publisher_web.port
    publisher_web.stop()
    with pytest.raises(FetchError) as err:
        fetch(f"http://127.0.0.1:{port}/feed.xml")
    assert err.value.kind == "connect"
    assert "Could not connect to 127.0.0.1" in err.value.message
    publisher_web.__init__()  # type: ignore[misc]  # a fresh server for the fixture to stop
    publisher_web.start()


def test_server_closing_mid_headers_is_reported(publisher_web: PublisherWeb) -> None:
    def hang_up(req: BaseHTTPRequestHandler) -> None:
        req.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Le")
        req.close_connection = True

    url = publisher_web.handle("/broken", hang_up)
    with pytest.raises(FetchError) as err:
        fetch(url)
    assert err.value.kind in {"protocol", "connect"}


@pytest.mark.parametrize(
    "url", ["ftp://example.com/feed", "file:///etc/passwd", "http://", "not a url", "http://[::1"]
)
def test_invalid_urls(url: str) -> None:
    with pytest.raises(FetchError) as err:
        fetch(url)
    assert err.value.kind == "invalid_url"


def test_private_address_refused_when_not_allowed(
    publisher_web: PublisherWeb, settings: Settings
) -> None:
    url = publisher_web.add("/feed.xml", RSS)
    settings.ALLOW_PRIVATE_URLS = False
    with pytest.raises(FetchError) as err:
        fetch(url)
    assert err.value.kind == "blocked_address"
    assert "127.0.0.1 is a loopback address" in err.value.message
    assert "NEWSSTAND_ALLOW_PRIVATE_URLS=1" in err.value.message
    assert publisher_web.hits("/feed.xml") == 0


@pytest.mark.parametrize(
    ("max_bytes", "accept"),
    [(fetcher.FEED_MAX_BYTES, fetcher.FEED_ACCEPT), (fetcher.PAGE_MAX_BYTES, fetcher.PAGE_ACCEPT)],
)
def test_headers_dripped_a_byte_at_a_time_hit_the_total_deadline(
    publisher_web: PublisherWeb, monkeypatch: pytest.MonkeyPatch, max_bytes: int, accept: str
) -> None:
    monkeypatch.setattr(fetcher, "TOTAL_TIMEOUT_S", 1.0)
    url = publisher_web.drip_headers("/drip-headers")
    started = time.monotonic()
    with pytest.raises(FetchError) as err:
        fetch(url, max_bytes=max_bytes, accept=accept)
    assert time.monotonic() - started < 1.0 + 0.5
    assert err.value.kind == "timeout"
    assert "1 s in total" in err.value.message


def test_the_deadline_spans_redirect_hops(
    publisher_web: PublisherWeb, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fetcher, "TOTAL_TIMEOUT_S", 1.0)

    def slow_redirect(req: BaseHTTPRequestHandler) -> None:
        time.sleep(0.6)
        req.send_response(302)
        req.send_header("Location", "/slow-b")
        req.send_header("Content-Length", "0")
        req.end_headers()

    def slow_not_found(req: BaseHTTPRequestHandler) -> None:
        time.sleep(0.6)  # no body to read: only the headers' wait can overrun
        req.send_response(404)
        req.send_header("Content-Length", "0")
        req.end_headers()

    publisher_web.handle("/slow-b", slow_not_found)
    url = publisher_web.handle("/slow-a", slow_redirect)
    started = time.monotonic()
    with pytest.raises(FetchError) as err:
        fetch(url)
    assert time.monotonic() - started < 1.0 + 0.5
    assert err.value.kind == "timeout"


def test_a_quick_exchange_is_untouched_by_the_deadline(
    publisher_web: PublisherWeb, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fetcher, "TOTAL_TIMEOUT_S", 1.0)
    url = publisher_web.add("/feed.xml", RSS)
    for _ in range(3):  # pooled keep-alive connections outlive one fetch's deadline
        assert fetch(url).content == RSS
        time.sleep(0.4)
