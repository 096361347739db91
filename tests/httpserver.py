"""A local "publisher web" for tests: a threaded HTTP server on 127.0.0.1 with per-test routes.

    def test_x(publisher_web):
        publisher_web.add("/feed.xml", body=b"<rss/>", headers={"Content-Type": "text/xml"})
        publisher_web.redirect("/old", "/feed.xml", status=301)
        publisher_web.drip("/slow", total_bytes=100, chunk_bytes=1, delay_s=0.5)
        publisher_web.drip_headers("/slower")  # the headers themselves a byte at a time
        url = publisher_web.url("/feed.xml")

Tests that fetch from it must allow private URLs (settings.ALLOW_PRIVATE_URLS = True).
Import the fixtures into a conftest: `from tests.httpserver import publisher_web  # noqa: F401`.
"""

from __future__ import annotations

import gzip
import mimetypes
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

__all__ = ["Handler", "PublisherWeb", "RecordedRequest", "Route", "publisher_web"]

Handler = Callable[["_RequestHandler"], None]


@dataclass
class Route:
    status: int = 200
    body: bytes | Callable[[], Iterable[bytes]] = b""
    headers: dict[str, str] = field(default_factory=dict)
    gzip: bool = False
    etag: str | None = None
    last_modified: str | None = None
    delay_s: float = 0.0  # per chunk, when body is an iterable factory


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]


class _RequestHandler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle's algorithm on, the body waits for
    # the client's delayed ACK (~40 ms a response on loopback).
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output quiet

    def do_GET(self) -> None:
        self.server.web._handle(self)

    def do_HEAD(self) -> None:
        self.server.web._handle(self)

    def send_body(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    web: PublisherWeb

    def handle_error(self, request: object, client_address: object) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            return  # clients hanging up early is normal in fetcher tests
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class PublisherWeb:
    def __init__(self) -> None:
        self.routes: dict[str, Route | Handler] = {}
        self.directories: dict[str, Path] = {}
        self.requests: list[RecordedRequest] = []
        self._server = _Server(("127.0.0.1", 0), _RequestHandler)
        self._server.web = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # lifecycle
    def start(self) -> PublisherWeb:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    # route builders
    def add(
        self,
        path: str,
        body: bytes | str = b"",
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        gzip: bool = False,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> str:
        data = body.encode() if isinstance(body, str) else body
        self.routes[path] = Route(
            status=status,
            body=data,
            headers=dict(headers or {}),
            gzip=gzip,
            etag=etag,
            last_modified=last_modified,
        )
        return self.url(path)

    def redirect(self, path: str, to: str, *, status: int = 301) -> str:
        self.routes[path] = Route(status=status, headers={"Location": to})
        return self.url(path)

    def drip(
        self,
        path: str,
        *,
        total_bytes: int,
        chunk_bytes: int = 1,
        delay_s: float = 0.2,
        headers: dict[str, str] | None = None,
    ) -> str:
        """Send `total_bytes` slowly, `chunk_bytes` every `delay_s` seconds."""

        def chunks() -> Iterator[bytes]:
            sent = 0
            while sent < total_bytes:
                n = min(chunk_bytes, total_bytes - sent)
                sent += n
                yield b"x" * n

        self.routes[path] = Route(body=chunks, headers=dict(headers or {}), delay_s=delay_s)
        return self.url(path)

    def drip_headers(self, path: str, *, delay_s: float = 0.2, for_s: float = 5.0) -> str:
        """A response whose status line and headers arrive one byte every `delay_s`, for about
        `for_s`, then a short body: every read gets a byte, so no read timeout ever trips."""

        def handler(req: _RequestHandler) -> None:
            start = b"HTTP/1.1 200 OK\r\nX-Drip: "
            head = start + b"a" * max(1, int(for_s / delay_s) - len(start) - 2) + b"\r\n"
            try:
                for byte in head:
                    req.wfile.write(bytes([byte]))
                    req.wfile.flush()
                    time.sleep(delay_s)
                req.wfile.write(b"Content-Length: 2\r\nConnection: close\r\n\r\nok")
            except OSError:
                pass  # the client gave up, as it should
            req.close_connection = True

        return self.handle(path, handler)

    def stream(
        self,
        path: str,
        chunks: Callable[[], Iterable[bytes]],
        *,
        headers: dict[str, str] | None = None,
    ) -> str:
        """A body produced lazily (e.g. 50 MB generated chunk by chunk, never held in memory)."""
        self.routes[path] = Route(body=chunks, headers=dict(headers or {}))
        return self.url(path)

    def handle(self, path: str, handler: Handler) -> str:
        self.routes[path] = handler
        return self.url(path)

    def serve_dir(self, prefix: str, directory: Path) -> str:
        self.directories[prefix.rstrip("/") + "/"] = directory
        return self.url(prefix.rstrip("/") + "/")

    def hits(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path == path)

    # serving
    def _handle(self, req: _RequestHandler) -> None:
        path = urlsplit(req.path).path
        self.requests.append(
            RecordedRequest(req.command, path, {k.lower(): v for k, v in req.headers.items()})
        )
        route = self.routes.get(req.path) or self.routes.get(path)
        if route is None:
            route = self._file_route(path)
        if route is None:
            req.send_body(404, b"not found", {"Content-Type": "text/plain"})
        elif isinstance(route, Route):
            self._serve(req, route)
        else:
            route(req)

    def _file_route(self, path: str) -> Route | None:
        for prefix, directory in self.directories.items():
            if path.startswith(prefix):
                target = (directory / path[len(prefix) :]).resolve()
                if directory.resolve() in target.parents and target.is_file():
                    ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
                    mtime = formatdate(target.stat().st_mtime, usegmt=True)
                    return Route(
                        body=target.read_bytes(),
                        headers={"Content-Type": ctype},
                        last_modified=mtime,
                    )
        return None

    @staticmethod
    def _not_modified(req: _RequestHandler, route: Route) -> bool:
        inm = req.headers.get("If-None-Match")
        if route.etag and inm is not None:
            return route.etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
        ims = req.headers.get("If-Modified-Since")
        if route.last_modified and ims:
            try:
                return parsedate_to_datetime(route.last_modified) <= parsedate_to_datetime(ims)
            except (TypeError, ValueError):
                return False
        return False

    def _serve(self, req: _RequestHandler, route: Route) -> None:
        headers = dict(route.headers)
        if route.etag:
            headers["ETag"] = route.etag
        if route.last_modified:
            headers["Last-Modified"] = route.last_modified
        if route.status == 200 and self._not_modified(req, route):
            req.send_response(304)
            for k in ("ETag", "Last-Modified"):
                if k in headers:
                    req.send_header(k, headers[k])
            req.send_header("Content-Length", "0")
            req.end_headers()
            return
        if callable(route.body):
            req.send_response(route.status)
            for k, v in headers.items():
                req.send_header(k, v)
            req.send_header("Connection", "close")
            req.end_headers()
            try:
                for chunk in route.body():
                    req.wfile.write(chunk)
                    req.wfile.flush()
                    if route.delay_s:
                        time.sleep(route.delay_s)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up, which is what many tests want
            req.close_connection = True
            return
        body = route.body
        if route.gzip:
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        req.send_body(route.status, body, headers)


@pytest.fixture
def publisher_web() -> Iterator[PublisherWeb]:
    web = PublisherWeb().start()
    try:
        yield web
    finally:
        web.stop()
