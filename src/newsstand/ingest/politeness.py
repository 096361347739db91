"""Being a good guest on publishers' servers: robots.txt, per-host concurrency, back-off.

* `robots_decision(url)` answers "may Newsstand fetch this article page?" from the site's
  robots.txt (RFC 9309), cached per origin in memory for ROBOTS_TTL_S.
* `host_slot(url)` bounds how many requests one process has in flight to a host at once.
* `note_throttled(url, retry_after_s)` / `cooling_down_s(url)` remember a host that answered
  429 or 503, so no thread of this process asks it again before it said we may.

Feeds themselves are not subject to robots.txt: a feed is published precisely so that readers
poll it, and it is fetched because a person subscribed to it (RFC 9309 covers crawlers that
discover and follow links, which is what fetching the article pages behind a feed resembles).
Everything here is in-process state; across processes the feed lease already keeps a feed on
one worker, and each process keeps its own politeness budget.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from protego import Protego

from newsstand.ingest.fetcher import FetchError, fetch

log = logging.getLogger(__name__)

# Requests one process keeps in flight to one host; polite crawlers stay in single digits.
PER_HOST_CONCURRENCY = 2
ROBOTS_TTL_S = 60 * 60
# An unreachable robots.txt is asked for again sooner: the outage may be brief.
ROBOTS_ERROR_TTL_S = 10 * 60
ROBOTS_CACHE_MAX_HOSTS = 4096
# RFC 9309 2.5 asks parsers to read at least 500 KiB; anything far beyond is not a robots.txt.
ROBOTS_MAX_BYTES = 1024 * 1024
ROBOTS_ACCEPT = "text/plain, */*;q=0.5"
# The product token we match robots.txt groups on (RFC 9309 2.2.1), not the whole User-Agent.
PRODUCT_TOKEN = "Newsstand"  # noqa: S105 - a robots.txt user-agent token, not a secret
# A 429/503 without Retry-After still keeps us off the host for this long.
DEFAULT_BACKOFF_S = 60.0
MAX_BACKOFF_S = 60 * 60.0
BACKOFF_MAX_HOSTS = 4096

ROBOTS_DISALLOWED = "robots.txt disallows fetching this page"


@dataclass(frozen=True)
class RobotsDecision:
    allowed: bool
    # True when robots.txt could not be fetched: not a refusal, a "not now".
    temporary: bool = False
    reason: str = ""


@dataclass(frozen=True)
class _Rules:
    parser: Protego | None  # None: no usable robots.txt, everything is allowed
    unreachable: str  # why robots.txt could not be fetched; "" when it could
    expires_at: float


def origin(url: str) -> str:
    """scheme://host:port, the scope a robots.txt applies to (RFC 9309 2.3)."""
    parts = urlsplit(url)
    scheme = (parts.scheme or "http").lower()
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        port = 0
    return f"{scheme}://{(parts.hostname or '').lower()}:{port}"


def host_key(url: str) -> str:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    host = (parts.hostname or "").lower()
    return f"{host}:{port}" if port else host


def product_token() -> str:
    agent = settings.USER_AGENT.strip()
    token = agent.split("/", 1)[0].split(" ", 1)[0]
    return token or PRODUCT_TOKEN


def rules_from_response(content: bytes, now: float) -> _Rules:
    """Parse a fetched robots.txt; junk that is not a robots.txt allows everything."""
    text = content.decode("utf-8", errors="replace")
    try:
        parser: Protego | None = Protego.parse(text)
    except Exception as exc:  # a third-party parser on hostile input: never fail the refresh
        log.info("robots.txt unparseable error=%r", exc)
        parser = None
    return _Rules(parser, "", now + ROBOTS_TTL_S)


def rules_from_error(exc: FetchError, now: float) -> _Rules:
    """RFC 9309 2.3.1: what a failed robots.txt fetch means.

    * 4xx ("unavailable", 2.3.1.3): there are no rules; everything may be fetched.
    * 5xx and network trouble ("unreachable", 2.3.1.4): assume complete disallow, for now. The
      RFC lets a crawler fall back to "unavailable" after a long outage (e.g. 30 days); we
      simply ask again after ROBOTS_ERROR_TTL_S and leave the pages for a later refresh.
    * 429 is a 4xx, but it is the server asking us to slow down, so we treat it as 5xx.
    * More than 5 redirects: 2.3.1.2 lets us treat that as unavailable.
    """
    status = exc.status or 0
    if exc.kind == "http_status" and 400 <= status < 500 and status != 429:
        return _Rules(None, "", now + ROBOTS_TTL_S)
    if exc.kind in {"too_many_redirects", "invalid_url", "blocked_address"}:
        # The page fetch runs through the SSRF guard itself and reports its own error.
        return _Rules(None, "", now + ROBOTS_TTL_S)
    return _Rules(None, f"robots.txt could not be fetched: {exc}", now + ROBOTS_ERROR_TTL_S)


def decide(rules: _Rules, url: str, agent: str) -> RobotsDecision:
    if rules.unreachable:
        return RobotsDecision(False, temporary=True, reason=rules.unreachable)
    if rules.parser is None:
        return RobotsDecision(True)
    try:
        allowed = bool(rules.parser.can_fetch(url, agent))
    except Exception as exc:  # see rules_from_response
        log.info("robots.txt check failed url=%s error=%r", url, exc)
        allowed = True
    return RobotsDecision(allowed, reason="" if allowed else ROBOTS_DISALLOWED)


class RobotsCache:
    """robots.txt rules per origin, least recently used evicted beyond `max_hosts`."""

    def __init__(self, *, max_hosts: int = ROBOTS_CACHE_MAX_HOSTS) -> None:
        self._rules: OrderedDict[str, _Rules] = OrderedDict()
        self._lock = threading.Lock()
        # One fetch per origin at a time: threads asking together wait for the first answer.
        self._fetching: dict[str, threading.Lock] = {}
        self._max_hosts = max_hosts

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def _cached(self, key: str, now: float) -> _Rules | None:
        with self._lock:
            rules = self._rules.get(key)
            if rules is None or rules.expires_at <= now:
                return None
            self._rules.move_to_end(key)
            return rules

    def rules_for(self, url: str) -> _Rules:
        key = origin(url)
        rules = self._cached(key, time.monotonic())
        if rules is not None:
            return rules
        with self._lock:
            gate = self._fetching.setdefault(key, threading.Lock())
        with gate:
            rules = self._cached(key, time.monotonic())
            if rules is None:
                rules = self._fetch(key)
                with self._lock:
                    self._rules[key] = rules
                    self._rules.move_to_end(key)
                    while len(self._rules) > self._max_hosts:
                        self._rules.popitem(last=False)
        with self._lock:
            self._fetching.pop(key, None)
        return rules

    @staticmethod
    def _fetch(key: str) -> _Rules:
        robots_url = key + "/robots.txt"
        try:
            with host_slot(robots_url):
                result = fetch(robots_url, max_bytes=ROBOTS_MAX_BYTES, accept=ROBOTS_ACCEPT)
        except FetchError as exc:
            log.info("robots.txt fetch failed url=%s kind=%s error=%s", robots_url, exc.kind, exc)
            return rules_from_error(exc, time.monotonic())
        return rules_from_response(result.content, time.monotonic())


robots_cache = RobotsCache()


def robots_decision(url: str) -> RobotsDecision:
    """May Newsstand fetch `url`, according to its site's robots.txt?"""
    return decide(robots_cache.rules_for(url), url, product_token())


class _HostSlots:
    """A bounded semaphore per host, created on first use and dropped when nobody holds it,
    so the map never holds more hosts than there are threads asking."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._slots: dict[str, tuple[threading.BoundedSemaphore, int]] = {}

    @contextmanager
    def slot(self, url: str) -> Iterator[None]:
        key = host_key(url)
        with self._lock:
            sem, users = self._slots.get(key) or (
                threading.BoundedSemaphore(PER_HOST_CONCURRENCY),
                0,
            )
            self._slots[key] = (sem, users + 1)
        try:
            with sem:
                yield
        finally:
            with self._lock:
                sem, users = self._slots[key]
                if users <= 1:
                    del self._slots[key]
                else:
                    self._slots[key] = (sem, users - 1)

    def __len__(self) -> int:
        with self._lock:
            return len(self._slots)


_host_slots = _HostSlots()


def host_slot(url: str) -> AbstractContextManager[None]:
    """Hold one of the host's PER_HOST_CONCURRENCY request slots for the `with` block."""
    return _host_slots.slot(url)


class _Backoff:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._until: dict[str, float] = {}

    def note(self, url: str, retry_after_s: float | None) -> float:
        wait = min(MAX_BACKOFF_S, max(retry_after_s or 0.0, DEFAULT_BACKOFF_S))
        now = time.monotonic()
        with self._lock:
            if len(self._until) >= BACKOFF_MAX_HOSTS:
                self._until = {k: t for k, t in self._until.items() if t > now}
            key = host_key(url)
            self._until[key] = max(self._until.get(key, 0.0), now + wait)
        return wait

    def remaining(self, url: str) -> float:
        with self._lock:
            until = self._until.get(host_key(url))
        return max(0.0, until - time.monotonic()) if until else 0.0

    def clear(self) -> None:
        with self._lock:
            self._until.clear()


_backoff = _Backoff()


def note_throttled(url: str, retry_after_s: float | None) -> float:
    """Remember that `url`'s host asked us to slow down; returns the seconds we will wait."""
    wait = _backoff.note(url, retry_after_s)
    log.warning("host throttled us host=%s wait_s=%.0f", host_key(url), wait)
    return wait


def cooling_down_s(url: str) -> float:
    """Seconds before `url`'s host may be asked again (0 when it may be asked now)."""
    return _backoff.remaining(url)


def reset() -> None:
    """Forget cached robots.txt rules and back-offs (tests, and the bench between runs)."""
    robots_cache.clear()
    _backoff.clear()
