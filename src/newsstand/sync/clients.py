"""Who an app is (its app password) and how fast it may call: shared by the three APIs."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from newsstand.sync.actions import use_app_password
from newsstand.sync.models import AppPassword

RATE_WINDOW_S = 60


def rate_per_minute() -> int:
    return int(getattr(settings, "NEWSSTAND_SYNC_RATE_PER_MINUTE", 600))


@dataclass(frozen=True)
class Throttled:
    retry_after_s: int


def throttle(client: AppPassword) -> Throttled | None:
    """Count one call of `client` (one app password) in this minute; Throttled past the rate.

    A fixed window in the default cache: per process unless the cache is shared (Redis).
    """
    key = f"sync:rate:{client.pk}"
    cache.add(key, 0, RATE_WINDOW_S)
    try:
        calls = cache.incr(key)
    except ValueError:  # expired between add and incr: this call opens a new window
        cache.set(key, 1, RATE_WINDOW_S)
        calls = 1
    if calls > rate_per_minute():
        return Throttled(retry_after_s=RATE_WINDOW_S)
    return None


def basic_credentials(request: HttpRequest) -> tuple[str, str] | None:
    """(user, password) from `Authorization: Basic …`, or None."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic" or not value.strip():
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


def basic_or_token(request: HttpRequest, token_header: str) -> AppPassword | None:
    """The app password sent as `token_header`, or as Basic auth with the reader's email."""
    token = request.headers.get(token_header, "").strip()
    if token:
        return use_app_password(token)
    creds = basic_credentials(request)
    if creds is None:
        return None
    email, password = creds
    return use_app_password(password, email=email)
