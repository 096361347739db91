"""Searches (and, counted apart, suggestions) per reader and minute: signed-in readers by account,
everyone else by client address.

Counted in the default cache, as allauth counts sign-in attempts, and with allauth's client
address (which honours NEWSSTAND_TRUSTED_PROXY_COUNT). A fixed window per minute: the count is a
cache key that expires, so nothing needs cleaning up. With the file cache `incr` is not atomic
across processes, so two searches at the same instant may count once: the limit is a bound on
scripts, not an exact quota. That counter (`window_key`, `count_one`) also counts the reading-app
APIs' failed sign-ins (sync/clients.py).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from allauth.account.adapter import get_adapter
from django.core.cache import cache
from django.http import HttpRequest

SEARCH_WINDOW_S = 60
# An IPv6 client has a whole /64 to itself: counting single addresses would not limit it.
IPV6_PREFIX = 64


@dataclass(frozen=True)
class SearchCount:
    count: int
    limit: int
    retry_after_s: int

    @property
    def allowed(self) -> bool:
        return self.count <= self.limit


def client_key(request: HttpRequest) -> str:
    """Who a search counts against: the account, else the client address (an IPv6 /64)."""
    user: Any = request.user
    if user.is_authenticated:
        return f"user:{user.pk}"
    address = get_adapter(request).get_client_ip(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return f"ip:{address}"
    if parsed.version == 6:
        return f"ip:{ipaddress.ip_network(f'{parsed}/{IPV6_PREFIX}', strict=False)}"
    return f"ip:{parsed}"


def window_key(name: str, window_s: int, now_s: float) -> tuple[str, int]:
    """The cache key counting `name` in the fixed window of `window_s` seconds holding `now_s`
    (seconds since the epoch), and the seconds left in that window."""
    return f"{name}:{int(now_s // window_s)}", window_s - int(now_s % window_s)


def count_one(cache_key: str, window_s: int, *, timeout_s: int | None = None) -> int:
    """Add one to the count at `cache_key` (a `window_key` of `window_s`); the count after it.

    The key lives two windows unless `timeout_s` says otherwise (a key that is itself the
    window, not named after one, lives exactly as long as it)."""
    timeout = window_s * 2 if timeout_s is None else timeout_s
    cache.add(cache_key, 0, timeout=timeout)
    try:
        return int(cache.incr(cache_key))
    except ValueError:  # expired between add and incr: this one opens a new window
        cache.set(cache_key, 1, timeout=timeout)
        return 1


def count_search(key: str, limit: int, now_s: float, what: str = "search") -> SearchCount:
    """Count one search for `key` in the current minute (`now_s`: seconds since the epoch).

    `what` names the count: "search" for the page, "suggest" for the suggestions, each its own.
    """
    cache_key, retry_after_s = window_key(f"search:count:{what}:{key}", SEARCH_WINDOW_S, now_s)
    count = count_one(cache_key, SEARCH_WINDOW_S)
    return SearchCount(count=count, limit=limit, retry_after_s=retry_after_s)
