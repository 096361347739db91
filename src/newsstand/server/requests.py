"""Every request gets an id (the caller's X-Request-ID when it sends a sane one), echoed in the
response and carried by every log line written while it runs; its latency goes to the metrics.
With NEWSSTAND_LOG_FORMAT=json each request is also logged as one JSON line (gunicorn's own
access log is off then: `up` leaves it out)."""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from newsstand.server.metrics import REQUEST_SECONDS

log = logging.getLogger("newsstand.request")

REQUEST_ID_HEADER = "X-Request-ID"
# Ids from outside are logged and echoed: printable, short, no spaces or quotes.
_SANE_ID = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")

_current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


def current_request_id() -> str:
    return _current.get()


def request_id_from(header: str | None) -> str:
    """The caller's id when it is sane, else a new one."""
    if header and _SANE_ID.match(header.strip()):
        return header.strip()
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record ("" outside a request), for the formatters."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current.get()
        return True


class RequestMiddleware:
    """First in MIDDLEWARE: the id and the clock cover everything else, cached pages too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        token = _current.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            elapsed = time.perf_counter() - started
            match = request.resolver_match
            view = match.view_name if match is not None else "unmatched"
            REQUEST_SECONDS.labels(
                method=request.method if request.method in _METHODS else "other",
                view=view,
                status=f"{response.status_code // 100}xx",
            ).observe(elapsed)
            if settings.LOG_FORMAT == "json":
                log.info(
                    "request",
                    extra={
                        "method": request.method,
                        "path": request.path,
                        "status": response.status_code,
                        "duration_ms": round(elapsed * 1000, 1),
                        "view": view,
                    },
                )
            return response
        finally:
            _current.reset(token)


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
