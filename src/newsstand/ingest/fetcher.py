"""HTTP fetching for feeds and article pages: conditional GET, bounded size and time,
redirects followed by hand so every hop passes the SSRF guard.

`fetch()` never raises anything but `FetchError` for network or server trouble; its message is
written for a staff member reading a feed's "last error".
"""

from __future__ import annotations

import email.utils
import logging
import ssl
import threading
import time
import typing
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from urllib.parse import urljoin

import brotli
import httpcore
import httpx
from django.conf import settings

from newsstand.ingest.netguard import FetchError, FetchErrorKind, GuardedBackend, check_url

__all__ = [
    "CONNECT_TIMEOUT_S",
    "FEED_MAX_BYTES",
    "MAX_REDIRECTS",
    "PAGE_MAX_BYTES",
    "READ_TIMEOUT_S",
    "TOTAL_TIMEOUT_S",
    "FetchError",
    "FetchErrorKind",
    "FetchResult",
    "fetch",
]

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 20.0
# One deadline for the whole exchange (connect, TLS, headers, body, every redirect hop): every
# network operation gets at most the time left, so a server dripping its headers or body a
# byte a second cannot hold a worker for longer. (Name resolution is outside it.)
TOTAL_TIMEOUT_S = 60.0
FEED_MAX_BYTES = 10 * 1024 * 1024
PAGE_MAX_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5
MAX_CONNECTIONS = 64
MAX_KEEPALIVE_CONNECTIONS = 16
KEEPALIVE_EXPIRY_S = 30.0

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
    "application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
ACCEPT_ENCODING = "gzip, deflate, br"

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_PERMANENT_REDIRECTS = frozenset({301, 308})


@dataclass(frozen=True)
class FetchResult:
    url: str
    status: int
    content: bytes
    headers: dict[str, str] = field(repr=False)
    etag: str | None
    last_modified: str | None
    not_modified: bool
    permanent_redirect: str | None
    elapsed_s: float

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


@dataclass
class _Deadline:
    at: float  # time.monotonic() value
    passed: bool = False  # set when an operation failed for want of time left


# The deadline of the fetch running in this thread. It is looked up at each read and write
# rather than given to the stream, because a pooled connection outlives one fetch.
_deadline: ContextVar[_Deadline | None] = ContextVar("fetch_deadline", default=None)


def _within_deadline[T](
    timeout: float | None,
    timed_out: type[httpcore.TimeoutException],
    operation: Callable[[float | None], T],
) -> T:
    """Run one network operation with its timeout cut to the time left before the deadline."""
    deadline = _deadline.get()
    if deadline is None:
        return operation(timeout)
    left = deadline.at - time.monotonic()
    if left <= 0:
        deadline.passed = True
        raise timed_out("the total deadline has passed")
    if timeout is not None and timeout <= left:
        return operation(timeout)
    try:
        return operation(left)
    except httpcore.TimeoutException:
        deadline.passed = True
        raise


class _DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every operation ends by the current fetch's deadline: httpx's
    timeouts are per operation, so a server sending a header byte a second never trips one."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return _within_deadline(
            timeout, httpcore.ReadTimeout, lambda t: self._inner.read(max_bytes, t)
        )

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        _within_deadline(timeout, httpcore.WriteTimeout, lambda t: self._inner.write(buffer, t))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(
            _within_deadline(
                timeout,
                httpcore.ConnectTimeout,
                lambda t: self._inner.start_tls(ssl_context, server_hostname, t),
            )
        )

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(GuardedBackend):
    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        connect = super().connect_tcp
        stream = _within_deadline(
            timeout,
            httpcore.ConnectTimeout,
            lambda t: connect(host, port, t, local_address, socket_options),
        )
        return _DeadlineStream(stream)


@contextmanager
def _total_deadline(at: float) -> Iterator[_Deadline]:
    deadline = _Deadline(at)
    token = _deadline.set(deadline)
    try:
        yield deadline
    finally:
        _deadline.reset(token)


# One client for the process: httpx.Client is thread-safe and pools connections per host.
_client: httpx.Client | None = None
_client_lock = threading.Lock()


def _build_client() -> httpx.Client:
    limits = httpx.Limits(
        max_connections=MAX_CONNECTIONS,
        max_keepalive_connections=MAX_KEEPALIVE_CONNECTIONS,
        keepalive_expiry=KEEPALIVE_EXPIRY_S,
    )
    transport = httpx.HTTPTransport(limits=limits, trust_env=False)
    # httpx.HTTPTransport has no parameter for the network backend, so its pool is replaced by
    # an identical one that connects through the SSRF guard (see netguard's docstring) and
    # keeps to the fetch's total deadline.
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=_DeadlineBackend(),
    )
    return httpx.Client(
        transport=transport,
        follow_redirects=False,
        trust_env=False,
        headers={"Accept-Encoding": ACCEPT_ENCODING},
    )


def client() -> httpx.Client:
    global _client
    with _client_lock:
        if _client is None:
            _client = _build_client()
        return _client


class _Decoder:
    """Decodes a Content-Encoding chain with bounded output per call, so a gzip bomb is
    stopped at the size cap instead of being inflated into memory in one go."""

    def __init__(self, encodings: list[str], url: str) -> None:
        self._steps: list[Callable[[bytes, int], bytes]] = []
        self._url = url
        # Encodings are listed in the order applied; decode in reverse.
        for enc in reversed(encodings):
            if enc in ("gzip", "x-gzip"):
                self._steps.append(self._zlib_step(zlib.MAX_WBITS | 16))
            elif enc == "deflate":
                self._steps.append(self._deflate_step())
            elif enc == "br":
                self._steps.append(self._brotli_step())
            elif enc in ("identity", ""):
                continue
            else:
                raise FetchError(
                    "protocol",
                    f"The server used an unsupported content encoding {enc!r}",
                    url=url,
                )

    @staticmethod
    def _zlib_step(wbits: int) -> Callable[[bytes, int], bytes]:
        obj = zlib.decompressobj(wbits)

        def step(data: bytes, limit: int) -> bytes:
            out = obj.decompress(obj.unconsumed_tail + data, limit + 1)
            return out

        return step

    def _deflate_step(self) -> Callable[[bytes, int], bytes]:
        # "deflate" is meant to be zlib-wrapped but some servers send raw deflate; sniff it.
        chosen: list[Callable[[bytes, int], bytes]] = []

        def step(data: bytes, limit: int) -> bytes:
            if not chosen:
                if not data:
                    return b""
                zlib_header = len(data) >= 2 and (data[0] * 256 + data[1]) % 31 == 0
                chosen.append(self._zlib_step(zlib.MAX_WBITS if zlib_header else -zlib.MAX_WBITS))
            return chosen[0](data, limit)

        return step

    @staticmethod
    def _brotli_step() -> Callable[[bytes, int], bytes]:
        obj = brotli.Decompressor()
        pending = bytearray()

        def step(data: bytes, limit: int) -> bytes:
            # After a limited call brotli accepts only empty input until it has drained.
            pending.extend(data)
            feed = b""
            if pending and obj.can_accept_more_data():
                feed = bytes(pending)
                pending.clear()
            return bytes(obj.process(feed, output_buffer_limit=limit + 1))

        return step

    @property
    def active(self) -> bool:
        return bool(self._steps)

    def feed(self, data: bytes, limit: int) -> bytes:
        """Decode `data`, producing at most about `limit`+1 bytes; over that the caller stops."""
        try:
            for step in self._steps:
                data = step(data, limit)
        except (zlib.error, brotli.error) as exc:
            raise FetchError(
                "protocol", f"The server sent a corrupt compressed body ({exc})", url=self._url
            ) from None
        return data


def _header_dict(headers: httpx.Headers) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in headers.multi_items():
        k = key.lower()
        out[k] = f"{out[k]}, {value}" if k in out else value
    return out


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _status_message(status: int, retry_after_s: float | None) -> str:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown status"
    code = f"HTTP {status} {phrase}"
    if status == 404:
        text = "The server says this address does not exist"
    elif status == 410:
        text = "The server says this address is gone for good"
    elif status in (401, 403):
        text = "The server refused access (it may need a login or block automated readers)"
    elif status == 429:
        text = "The server says we are asking too often"
    elif status >= 500:
        text = "The server had an internal error"
    else:
        text = "The server refused the request"
    wait = f"; it asked us to wait {retry_after_s:.0f} s" if retry_after_s is not None else ""
    return f"{text} ({code}){wait}"


def _total_timeout_error(url: str) -> FetchError:
    return FetchError(
        "timeout",
        f"The exchange with {httpx.URL(url).host} took longer than {TOTAL_TIMEOUT_S:g} s in total",
        url=url,
    )


def _map_httpx_error(exc: httpx.HTTPError, url: str, deadline: _Deadline) -> FetchError:
    host = httpx.URL(url).host
    kind: FetchErrorKind
    if isinstance(exc, httpx.TimeoutException) and (
        deadline.passed or time.monotonic() >= deadline.at
    ):
        return _total_timeout_error(url)
    if isinstance(exc, httpx.ConnectTimeout):
        kind, msg = "timeout", f"Could not connect to {host} within {CONNECT_TIMEOUT_S:g} s"
    elif isinstance(exc, httpx.ReadTimeout):
        kind, msg = "timeout", f"The server took longer than {READ_TIMEOUT_S:g} s to send data"
    elif isinstance(exc, httpx.TimeoutException):
        kind, msg = "timeout", f"The request to {host} timed out ({exc})"
    elif isinstance(exc, httpx.ConnectError):
        detail = str(exc) or type(exc).__name__
        if "CERTIFICATE_VERIFY_FAILED" in detail or "SSL" in detail:
            msg = f"Secure connection to {host} failed: {detail}"
        else:
            msg = f"Could not connect to {host}: {detail}"
        kind = "connect"
    elif isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        kind, msg = "invalid_url", f"The URL {url!r} is not valid: {exc}"
    elif isinstance(exc, httpx.NetworkError):
        kind, msg = "connect", f"The connection to {host} broke off: {exc or type(exc).__name__}"
    else:
        kind, msg = "protocol", f"The server at {host} sent an invalid response: {exc}"
    return FetchError(kind, msg, url=url)


def _read_body(response: httpx.Response, url: str, max_bytes: int, deadline: float) -> bytes:
    declared = response.headers.get("content-length")
    encodings = [e.strip().lower() for e in response.headers.get("content-encoding", "").split(",")]
    if declared and declared.isdigit() and int(declared) > max_bytes and encodings == [""]:
        raise FetchError(
            "too_large",
            f"The response is {int(declared):,} bytes; the limit is {max_bytes:,} bytes",
            url=url,
        )
    decoder = _Decoder([e for e in encodings if e], url)
    chunks: list[bytes] = []
    total = 0

    def take(data: bytes) -> None:
        nonlocal total
        # Keep pulling: decoders hold back output beyond the per-call limit.
        while data:
            total += len(data)
            if total > max_bytes:
                raise FetchError(
                    "too_large",
                    f"The response is larger than the limit of {max_bytes:,} bytes"
                    + (" once decompressed" if decoder.active else ""),
                    url=url,
                )
            chunks.append(data)
            data = decoder.feed(b"", max_bytes - total) if decoder.active else b""

    # No chunk_size: httpx would buffer up to it, hiding a drip from the deadline check.
    for raw in response.iter_raw():
        take(decoder.feed(raw, max_bytes - total))
        if time.monotonic() > deadline:  # decoding counts too, not only the reads
            raise _total_timeout_error(url)
    if decoder.active:
        take(decoder.feed(b"", max_bytes - total))
    return b"".join(chunks)


def fetch(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int = FEED_MAX_BYTES,
    accept: str = FEED_ACCEPT,
) -> FetchResult:
    """GET `url`, following up to MAX_REDIRECTS redirects; raises FetchError on any failure."""
    started = time.monotonic()
    with _total_deadline(started + TOTAL_TIMEOUT_S) as deadline:
        return _fetch(url, deadline, started, etag, last_modified, max_bytes, accept)


def _fetch(
    url: str,
    deadline: _Deadline,
    started: float,
    etag: str | None,
    last_modified: str | None,
    max_bytes: int,
    accept: str,
) -> FetchResult:
    headers = {"User-Agent": settings.USER_AGENT, "Accept": accept}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified

    current = url.strip()
    visited = [current]
    all_permanent = True
    for _hop in range(MAX_REDIRECTS + 1):
        check_url(current)
        left = deadline.at - time.monotonic()
        if left <= 0:
            raise _total_timeout_error(current)
        # Waiting for a pooled connection is not a network operation the streams see.
        timeout = httpx.Timeout(
            connect=CONNECT_TIMEOUT_S,
            read=READ_TIMEOUT_S,
            write=READ_TIMEOUT_S,
            pool=min(CONNECT_TIMEOUT_S, left),
        )
        try:
            with client().stream("GET", current, headers=headers, timeout=timeout) as response:
                status = response.status_code
                if status in _REDIRECT_STATUSES:
                    location = response.headers.get("location")
                    if not location:
                        raise FetchError(
                            "protocol",
                            f"The server answered HTTP {status} (redirect) without saying where to",
                            url=current,
                        )
                    all_permanent = all_permanent and status in _PERMANENT_REDIRECTS
                    target = urljoin(current, location.strip())
                    if target in visited:
                        chain = " → ".join([*visited, target])
                        raise FetchError(
                            "too_many_redirects",
                            f"The redirects go round in a loop: {chain}",
                            url=url,
                        )
                    visited.append(target)
                    current = target
                    continue
                result_headers = _header_dict(response.headers)
                if status == 304:
                    content = b""
                elif status >= 400:
                    retry = parse_retry_after(response.headers.get("retry-after"))
                    raise FetchError(
                        "http_status",
                        _status_message(status, retry),
                        status=status,
                        retry_after_s=retry,
                        url=current,
                    )
                elif status < 200 or status >= 300:
                    raise FetchError(
                        "protocol",
                        f"The server sent an unexpected HTTP status {status}",
                        status=status,
                        url=current,
                    )
                else:
                    content = _read_body(response, current, max_bytes, deadline.at)
        except httpx.HTTPError as exc:
            raise _map_httpx_error(exc, current, deadline) from exc
        elapsed = time.monotonic() - started
        log.info(
            "fetched url=%s status=%s bytes=%d hops=%d elapsed_s=%.3f",
            current,
            status,
            len(content),
            len(visited) - 1,
            elapsed,
        )
        return FetchResult(
            url=current,
            status=status,
            content=content,
            headers=result_headers,
            etag=result_headers.get("etag") or (etag if status == 304 else None),
            last_modified=result_headers.get("last-modified")
            or (last_modified if status == 304 else None),
            not_modified=status == 304,
            permanent_redirect=current if len(visited) > 1 and all_permanent else None,
            elapsed_s=elapsed,
        )
    raise FetchError(
        "too_many_redirects",
        f"More than {MAX_REDIRECTS} redirects, starting at {url} and reaching {current}",
        url=url,
    )
