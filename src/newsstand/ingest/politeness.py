"""Being a good guest on publishers' servers: robots.txt, per-host concurrency, back-off.

* `robots_decision(url)` answers "may Newsstand fetch this article page?" from the site's
  robots.txt (RFC 9309), cached per origin for ROBOTS_TTL_S.
* `host_slot(url)` bounds how many requests are in flight to a host at once.
* `note_throttled(url, retry_after_s)` / `cooling_down_s(url)` remember a host that answered
  429 or 503, so nobody asks it again before it said we may.

Feeds themselves are not subject to robots.txt: a feed is published precisely so that readers
poll it, and it is fetched because a person subscribed to it (RFC 9309 covers crawlers that
discover and follow links, which is what fetching the article pages behind a feed resembles).
Where that state lives is a backend chosen by settings: with a Redis the cluster shares
(settings.COORDINATION_REDIS_URL, the cache's or the queue's) it is `RedisPoliteness`, so N
workers together keep one per-host limit, fetch each robots.txt once and honour one back-off;
without, `LocalPoliteness` keeps it in the process (one machine, one worker process).
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

import redis
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

# Shared (Redis) state. A slot lives SLOT_TTL_S unless renewed; a thread per process renews the
# slots it holds every SLOT_RENEW_S, so a fetch keeps its slot however long it runs and a worker
# that dies frees its slots within SLOT_TTL_S (as its feeds' leases, leases.RUNNING_LEASE_S: its
# feeds are fetched again within a minute, not held up by its slots). A robots.txt fetch is left
# to one worker, the others waiting for its answer; its lock lives ROBOTS_LOCK_S and is renewed
# like a slot, so a worker that dies fetching it holds the host's pages up 30 s at most, not the
# longest fetch. A waiter gives up after ROBOTS_WAIT_S (longer than any fetch may take) and asks
# itself.
SLOT_TTL_S = 30.0
SLOT_RENEW_S = 10.0
SLOT_POLL_MIN_S = 0.02
SLOT_POLL_MAX_S = 0.25
ROBOTS_LOCK_S = SLOT_TTL_S
ROBOTS_WAIT_S = 90.0
ROBOTS_POLL_S = 0.1
# Parsed rules are kept in the process this long (or less, as the shared entry ages) so a page
# does not cost a Redis round trip and a parse.
ROBOTS_LOCAL_S = 60.0
REDIS_TIMEOUT_S = 5.0


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
    text: str | None = None  # the robots.txt the parser read, for the shared cache


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
    return _Rules(parser, "", now + ROBOTS_TTL_S, text=text)


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
        return fetch_robots(key)


def fetch_robots(origin_key: str) -> _Rules:
    """Fetch and read `origin_key`'s robots.txt (holding one of the host's slots)."""
    robots_url = origin_key + "/robots.txt"
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
    return decide(backend().robots_rules(url), url, product_token())


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
    return backend().host_slot(url)


class _Backoff:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._until: dict[str, float] = {}

    def note(self, url: str, retry_after_s: float | None) -> float:
        wait = backoff_s(retry_after_s)
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
    wait = backend().note_throttled(url, retry_after_s)
    log.warning("host throttled us host=%s wait_s=%.0f", host_key(url), wait)
    return wait


def cooling_down_s(url: str) -> float:
    """Seconds before `url`'s host may be asked again (0 when it may be asked now)."""
    return backend().cooling_down_s(url)


def reset() -> None:
    """Forget cached robots.txt rules and back-offs (tests, and the bench between runs)."""
    robots_cache.clear()
    _backoff.clear()
    for shared in list(_backends.values()):
        shared.reset()


def backoff_s(retry_after_s: float | None) -> float:
    """How long a host that answered 429/503 is left alone."""
    return min(MAX_BACKOFF_S, max(retry_after_s or 0.0, DEFAULT_BACKOFF_S))


# Backends ---------------------------------------------------------------------------------


class PolitenessBackend(Protocol):
    def host_slot(self, url: str) -> AbstractContextManager[None]: ...
    def robots_rules(self, url: str) -> _Rules: ...
    def note_throttled(self, url: str, retry_after_s: float | None) -> float: ...
    def cooling_down_s(self, url: str) -> float: ...
    def reset(self) -> None: ...


class LocalPoliteness:
    """This process's state only: right for one worker process on one machine."""

    def host_slot(self, url: str) -> AbstractContextManager[None]:
        return _host_slots.slot(url)

    def robots_rules(self, url: str) -> _Rules:
        return robots_cache.rules_for(url)

    def note_throttled(self, url: str, retry_after_s: float | None) -> float:
        return _backoff.note(url, retry_after_s)

    def cooling_down_s(self, url: str) -> float:
        return _backoff.remaining(url)

    def reset(self) -> None:
        robots_cache.clear()
        _backoff.clear()


# Takes a slot if fewer than ARGV[1] unexpired ones are held; the server's clock decides expiry,
# so workers' clocks may differ.
_TAKE_SLOT_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return 1
end
return 0
"""
# Sets the back-off to end ARGV[1] ms from now unless it already ends later.
_BACKOFF_LUA = """
local left = redis.call('PTTL', KEYS[1])
if left < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
end
return 1
"""
# Pushes our slot's expiry ARGV[2] ms past now, if it is still live (an expired slot may have
# been counted out and its place taken: it is not brought back).
_RENEW_SLOT_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) > now then
  redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
"""
# Pushes the lock's expiry ARGV[2] ms past now while it still holds our token.
_RENEW_LOCK_LUA = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
# Deletes the key only while it holds our token.
_RELEASE_LUA = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class RedisPoliteness:
    """State shared by every worker of the cluster, in Redis."""

    def __init__(self, url: str, *, prefix: str = "newsstand:polite:") -> None:
        self.prefix = prefix
        self.client = redis.Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT_S, socket_connect_timeout=REDIS_TIMEOUT_S
        )
        self._take_slot = self.client.register_script(_TAKE_SLOT_LUA)
        self._renew_slot = self.client.register_script(_RENEW_SLOT_LUA)
        self._renew_lock = self.client.register_script(_RENEW_LOCK_LUA)
        # The slots and robots.txt locks this process holds (token: key), renewed by the keeper
        # thread.
        self._held: dict[str, str] = {}
        self._held_locks: dict[str, str] = {}
        self._held_lock = threading.Lock()
        self._keeper: threading.Thread | None = None
        self._backoff = self.client.register_script(_BACKOFF_LUA)
        self._release = self.client.register_script(_RELEASE_LUA)
        self._local_lock = threading.Lock()
        self._local: dict[str, tuple[_Rules, float]] = {}

    # Slots

    @contextmanager
    def host_slot(self, url: str) -> Iterator[None]:
        key = self.prefix + "slots:" + host_key(url)
        token = uuid.uuid4().hex
        ttl_ms = int(SLOT_TTL_S * 1000)
        wait = SLOT_POLL_MIN_S
        while not self._take_slot(keys=[key], args=[PER_HOST_CONCURRENCY, token, ttl_ms]):
            # Not security sensitive: jitter only keeps waiting workers out of lockstep.
            time.sleep(wait * random.uniform(0.5, 1.0))  # noqa: S311
            wait = min(SLOT_POLL_MAX_S, wait * 2)
        with self._held_lock:
            self._held[token] = key
            self._start_keeper()
        try:
            yield
        finally:
            with self._held_lock:
                self._held.pop(token, None)
            try:
                self.client.zrem(key, token)
            except redis.RedisError as exc:
                log.warning("host slot release failed host=%s error=%r", host_key(url), exc)

    def _start_keeper(self) -> None:
        # Called with _held_lock held.
        if self._keeper is None or not self._keeper.is_alive():
            self._keeper = threading.Thread(
                target=self._keep_slots, name="host-slot-keeper", daemon=True
            )
            self._keeper.start()

    def renew_slots(self) -> int:
        """Renew every slot and robots.txt lock this process holds (the keeper does it every
        SLOT_RENEW_S); how many were still ours."""
        with self._held_lock:
            held = list(self._held.items())
            locks = list(self._held_locks.items())
        ttl_ms = int(SLOT_TTL_S * 1000)
        renewed = 0
        for token, key in locks:
            try:
                if self._renew_lock(keys=[key], args=[token, int(ROBOTS_LOCK_S * 1000)]):
                    renewed += 1
                    continue
                log.warning("robots.txt fetch lock lost while fetching key=%s", key)
            except redis.RedisError as exc:
                log.warning("robots.txt fetch lock renewal failed key=%s error=%r", key, exc)
                continue
            with self._held_lock:
                self._held_locks.pop(token, None)
        for token, key in held:
            try:
                if self._renew_slot(keys=[key], args=[token, ttl_ms]):
                    renewed += 1
                    continue
                # Expired before we renewed it (Redis or this process stalled): the fetch goes
                # on, and the host may see one request more than the limit for its length.
                log.warning("host slot lost while fetching key=%s", key)
            except redis.RedisError as exc:
                log.warning("host slot renewal failed key=%s error=%r", key, exc)
                continue
            with self._held_lock:
                self._held.pop(token, None)
        return renewed

    def _keep_slots(self) -> None:
        while True:
            time.sleep(SLOT_RENEW_S)
            self.renew_slots()

    # Back-off

    def note_throttled(self, url: str, retry_after_s: float | None) -> float:
        wait = backoff_s(retry_after_s)
        self._backoff(keys=[self.prefix + "backoff:" + host_key(url)], args=[int(wait * 1000)])
        return wait

    def cooling_down_s(self, url: str) -> float:
        left_ms = self.client.pttl(self.prefix + "backoff:" + host_key(url))
        return max(0.0, float(left_ms) / 1000) if isinstance(left_ms, int) else 0.0

    # robots.txt

    def robots_rules(self, url: str) -> _Rules:
        key = origin(url)
        now = time.monotonic()
        with self._local_lock:
            held = self._local.get(key)
        if held is not None and held[1] > now:
            return held[0]
        shared_key = self.prefix + "robots:" + key
        lock_key = self.prefix + "robots-fetch:" + key
        deadline = now + ROBOTS_WAIT_S
        while True:
            rules = self._read_shared(shared_key)
            if rules is not None:
                return self._keep(key, rules)
            token = uuid.uuid4().hex
            if self.client.set(lock_key, token, nx=True, px=int(ROBOTS_LOCK_S * 1000)):
                with self._held_lock:
                    self._held_locks[token] = lock_key
                    self._start_keeper()
                try:
                    # The worker that held the lock may have stored its answer since we looked.
                    rules = self._read_shared(shared_key)
                    if rules is None:
                        rules = fetch_robots(key)
                        self._store_shared(shared_key, rules)
                finally:
                    with self._held_lock:
                        self._held_locks.pop(token, None)
                    self._release(keys=[lock_key], args=[token])
                return self._keep(key, rules)
            if time.monotonic() > deadline:
                # The worker fetching it seems stuck: ask ourselves rather than wait on.
                return self._keep(key, fetch_robots(key))
            time.sleep(ROBOTS_POLL_S)

    def _keep(self, key: str, rules: _Rules) -> _Rules:
        until = min(rules.expires_at, time.monotonic() + ROBOTS_LOCAL_S)
        with self._local_lock:
            if len(self._local) >= ROBOTS_CACHE_MAX_HOSTS:
                self._local.clear()
            self._local[key] = (rules, until)
        return rules

    def _store_shared(self, shared_key: str, rules: _Rules) -> None:
        ttl_s = max(1.0, rules.expires_at - time.monotonic())
        value = json.dumps(
            {
                "text": rules.text,
                "unreachable": rules.unreachable,
                "parsed": rules.parser is not None,
            }
        )
        self.client.set(shared_key, value, px=int(ttl_s * 1000))

    def _read_shared(self, shared_key: str) -> _Rules | None:
        with self.client.pipeline() as pipe:
            pipe.get(shared_key)
            pipe.pttl(shared_key)
            raw, left_ms = pipe.execute()
        if raw is None:
            return None
        try:
            stored: dict[str, Any] = json.loads(raw)
        except ValueError:
            return None
        now = time.monotonic()
        expires_at = now + max(0.0, float(left_ms or 0) / 1000)
        text = stored.get("text")
        if stored.get("unreachable") or not stored.get("parsed") or text is None:
            return _Rules(None, str(stored.get("unreachable") or ""), expires_at)
        parsed = rules_from_response(str(text).encode("utf-8"), now)
        return _Rules(parsed.parser, "", expires_at, text=parsed.text)

    def reset(self) -> None:
        with self._local_lock:
            self._local.clear()
        for key in self.client.scan_iter(match=self.prefix + "*"):
            self.client.delete(key)


_backends: dict[str, PolitenessBackend] = {}
_backends_lock = threading.Lock()


def backend() -> PolitenessBackend:
    """The backend settings choose now: Redis when the cluster shares one, else this process."""
    url = getattr(settings, "COORDINATION_REDIS_URL", "") or ""
    if not url:
        return _local
    with _backends_lock:
        found = _backends.get(url)
        if found is None:
            found = _backends[url] = RedisPoliteness(url)
        return found


_local = LocalPoliteness()
