"""Reading typed values from the environment, for settings."""

from __future__ import annotations

import os
from pathlib import Path

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, *, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{name}={raw!r}: expected one of 1/0, true/false, yes/no, on/off")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r}: expected a whole number") from None


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r}: expected a number, e.g. 0.55") from None


def env_path(name: str, default: Path) -> Path:
    raw = os.environ.get(name)
    return Path(raw).expanduser().resolve() if raw else default


# Entries a local cache (memory or files) holds before culling a third: a few thousand rendered
# pages of 10-120 KB each (file entries are zlib-compressed to about a fifth).
LOCAL_CACHE_MAX_ENTRIES = 5_000
CACHE_URL_FORMS = "locmem://, file:///absolute/dir, redis://host:6379/1, rediss://…, dummy://"


def cache_from_url(url: str) -> dict[str, object]:
    """A Django CACHES entry from NEWSSTAND_CACHE_URL; Django's built-in backends only.

    `locmem://` (one cache per process), `file:///abs/dir` (shared by the processes of one
    machine), `redis://` / `rediss://` (Django's RedisCache, shared by machines), `dummy://`.
    """
    scheme, sep, rest = url.strip().partition("://")
    scheme = scheme.lower()
    if not sep:
        raise ValueError(f"NEWSSTAND_CACHE_URL={url!r}: expected one of {CACHE_URL_FORMS}")
    local_options = {"OPTIONS": {"MAX_ENTRIES": LOCAL_CACHE_MAX_ENTRIES}}
    if scheme == "locmem":
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": rest or "newsstand",
            **local_options,
        }
    if scheme == "file":
        if not rest.startswith("/"):
            raise ValueError(f"NEWSSTAND_CACHE_URL={url!r}: a file cache needs an absolute path")
        return {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": rest,
            **local_options,
        }
    if scheme in ("redis", "rediss"):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url.strip()}
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ValueError(
        f"NEWSSTAND_CACHE_URL={url!r}: unknown scheme; expected one of {CACHE_URL_FORMS}"
    )
