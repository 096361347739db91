"""Reading typed values from the environment, for settings; and settings groups, for the code.

The `env_*` readers run in settings.py. `load_group` runs when the code needs a group of
tunables (a frozen dataclass whose fields carry the defaults): it reads the group's dict from
django.conf.settings at that moment, so a test's `settings` fixture, or a setting changed at run
time, takes effect without reloading a module.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import typing
from collections.abc import Collection, Mapping
from email.utils import parseaddr
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

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


def env_list(name: str, default: list[str]) -> list[str]:
    """Comma-separated text; unset means `default`, set but empty means an empty list."""
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [part.strip() for part in raw.split(",") if part.strip()]


def env_path(name: str, default: Path) -> Path:
    raw = os.environ.get(name)
    return Path(raw).expanduser().resolve() if raw else default


def env_numbers(**keys: str) -> dict[str, float]:
    """A settings group's overrides from the environment: {key: number} for each variable set.

    `env_numbers(window_days="NEWSSTAND_STORIES_WINDOW_DAYS")` is `{}` when the variable is not
    set, so the default stays where it is written once: the group's dataclass.
    """
    return {
        key: env_float(name, 0.0)
        for key, name in keys.items()
        if (os.environ.get(name) or "").strip()
    }


# --- settings groups --------------------------------------------------------------------------

# Fields named like durations must be positive: a zero half-life or window divides by zero or
# empties everything.
_DURATION_SUFFIXES = ("_hours", "_days", "_seconds", "_h", "_s")


def load_group[T: DataclassInstance](
    cls: type[T], setting: str, *, positive: Collection[str] = (), defaults: T | None = None
) -> T:
    """`cls`'s defaults (or `defaults`) overridden key by key by the dict `settings.<setting>`,
    read now. A missing or empty setting means the defaults.
    """
    from django.conf import settings

    configured: Mapping[str, Any] = getattr(settings, setting, None) or {}
    return group_from_mapping(cls, setting, configured, positive=positive, defaults=defaults)


@functools.cache
def _int_fields(cls: type) -> frozenset[str]:
    """The fields annotated `int` (resolving the string annotations of postponed evaluation)."""
    return frozenset(k for k, t in typing.get_type_hints(cls).items() if t is int)


def group_from_mapping[T: DataclassInstance](
    cls: type[T],
    setting: str,
    configured: Mapping[str, Any],
    *,
    positive: Collection[str] = (),
    defaults: T | None = None,
) -> T:
    """`cls`'s defaults (or `defaults`) overridden by `configured`; a bad key or value names
    `setting`.

    Every value is a number and none is negative; `int` fields take whole numbers only;
    durations (by name) and the fields in `positive` must be above zero.
    """
    whole = _int_fields(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(configured) - known)
    if unknown:
        raise ValueError(
            f"{setting} has unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
    values: dict[str, Any] = {}
    for key, raw in configured.items():
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise ValueError(f"{setting} {key}={raw!r}: expected a number") from None
        if key in whole:
            if value != int(value):
                raise ValueError(f"{setting} {key}={raw!r}: expected a whole number")
            values[key] = int(value)
        else:
            values[key] = value
    result = dataclasses.replace(defaults, **values) if defaults is not None else cls(**values)
    for key in known:
        value = getattr(result, key)
        if key.endswith(_DURATION_SUFFIXES) or key in positive:
            if value <= 0:
                raise ValueError(f"{setting} {key} must be positive, not {value}")
        elif value < 0:
            raise ValueError(f"{setting} {key} must not be negative, not {value}")
    return result


# Outgoing mail (account emails: verification, password reset, email change).
EMAIL_TIMEOUT_S = 10  # an unreachable SMTP server fails the request instead of hanging it
_SMTP_SCHEMES = {
    # scheme: (default port, STARTTLS, implicit TLS)
    "smtp": (25, False, False),
    "smtp+tls": (587, True, False),
    "smtps": (465, False, True),
}
_MAIL_BACKENDS = "django.core.mail.backends"


def email_mailer(url: str | None, file_path: str | None) -> dict[str, Any]:
    """Django's MAILERS["default"]: SMTP from a URL, else files in a directory, else the console.

    `smtp://user:pass@host:port` is plain SMTP (port 25), `smtp+tls://` upgrades with STARTTLS
    (port 587), `smtps://` is TLS from the start (port 465). User and password are
    percent-decoded, so `%40` in the URL is an `@` in the password.
    """
    url = (url or "").strip()
    file_path = (file_path or "").strip()
    if url and file_path:
        raise ValueError(
            "NEWSSTAND_EMAIL_URL and NEWSSTAND_EMAIL_FILE_PATH are both set: choose one "
            "(SMTP or files)"
        )
    if file_path:
        return {
            "BACKEND": f"{_MAIL_BACKENDS}.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(Path(file_path).expanduser().resolve())},
        }
    if not url:
        return {"BACKEND": f"{_MAIL_BACKENDS}.console.EmailBackend"}

    def bad(reason: str) -> ValueError:
        # The URL may hold a password: never echo it back.
        return ValueError(f"NEWSSTAND_EMAIL_URL: {reason}")

    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _SMTP_SCHEMES:
        schemes = ", ".join(f"{s}://" for s in _SMTP_SCHEMES)
        raise bad(f"unknown scheme {parts.scheme!r}; expected one of {schemes}")
    if not parts.hostname:
        raise bad("no host, e.g. smtp+tls://user:password@mail.example.org:587")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise bad("takes only user, password, host and port (percent-encode / ? # in a password)")
    default_port, use_tls, use_ssl = _SMTP_SCHEMES[scheme]
    try:
        port = parts.port or default_port
    except ValueError:
        raise bad("the port is not a number between 1 and 65535") from None
    return {
        "BACKEND": f"{_MAIL_BACKENDS}.smtp.EmailBackend",
        "OPTIONS": {
            "host": parts.hostname,
            "port": port,
            "username": unquote(parts.username or ""),
            "password": unquote(parts.password or ""),
            "use_tls": use_tls,
            "use_ssl": use_ssl,
            "timeout": EMAIL_TIMEOUT_S,
        },
    }


def email_from(raw: str | None, default: str) -> str:
    """The From address of every email Newsstand sends: `news@example.org` or `Name <addr>`."""
    value = (raw or "").strip()
    if not value:
        return default
    _name, address = parseaddr(value)
    if "@" not in address:
        raise ValueError(
            f"NEWSSTAND_EMAIL_FROM={raw!r}: expected an address, e.g. "
            "'Newsstand <news@example.org>'"
        )
    return value


def env_int_list(name: str, default: tuple[int, ...]) -> tuple[int, ...]:
    """Comma-separated whole numbers, e.g. NEWSSTAND_TRIAL_REMINDER_DAYS=11,14."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return tuple(int(part) for part in raw.split(",") if part.strip())
    except ValueError:
        raise ValueError(f"{name}={raw!r}: expected whole numbers separated by commas") from None


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
            "BACKEND": "newsstand.server.filecache.FileCache",
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


# The task queue (NEWSSTAND_TASK_QUEUE_URL). Every form is written out: an address that is not
# one of them stops the process, where it once fell back to a file queue on the local disk.
QUEUE_URL_FORMS = (
    "empty (SQLite in the data dir), sqlite:///abs/file, redis://host:6379/0, rediss://…, "
    "postgres://user:pass@host:5432/db"
)
# Huey's queue name. The Redis queue is a sorted set (PriorityRedisHuey, for the ticks' priority)
# under a name of its own: the list the plain RedisHuey kept under "newsstand" would answer
# WRONGTYPE to a sorted-set command after an upgrade.
QUEUE_NAME = "newsstand"
REDIS_QUEUE_NAME = "newsstand_tasks"


@dataclasses.dataclass(frozen=True)
class TaskQueue:
    """The task queue a URL names: Huey's settings, and whether other machines can share it."""

    kind: str  # "sqlite", "redis" or "postgres"
    huey: dict[str, Any]

    @property
    def shared(self) -> bool:
        return self.kind != "sqlite"


def task_queue_from_url(
    url: str, *, data_dir: Path, workers: int, immediate: bool = False
) -> TaskQueue:
    """Huey's settings (Django's HUEY) from NEWSSTAND_TASK_QUEUE_URL.

    Empty is a SQLite file in the data dir (one machine); `redis://` and `rediss://` are Redis
    with priorities (PriorityRedisHuey); `postgres://` is a table in PostgreSQL (PostgresHuey).
    `immediate` (tasks run inline where they are enqueued) applies to the SQLite queue only.
    """
    consumer = {"workers": workers, "worker_type": "thread"}
    url = url.strip()
    scheme, sep, rest = url.partition("://")
    scheme = scheme.lower()
    if not url or scheme == "sqlite":
        if url and (not sep or not rest.startswith("/") or rest == "/"):
            raise ValueError(
                f"NEWSSTAND_TASK_QUEUE_URL={url!r}: a SQLite queue needs an absolute file, "
                "e.g. sqlite:////var/lib/newsstand/tasks.sqlite3"
            )
        # sqlite:///abs/file as file:// URLs are written; SQLAlchemy's four slashes work too.
        filename = "/" + rest.lstrip("/") if url else str(data_dir / "tasks.sqlite3")
        return TaskQueue(
            "sqlite",
            {
                "huey_class": "huey.SqliteHuey",
                "name": QUEUE_NAME,
                "filename": filename,
                # Tasks run in the consumer, also under DEBUG (huey's default runs them inline).
                "immediate": immediate,
                "consumer": consumer,
            },
        )
    if scheme in ("redis", "rediss") and sep:
        return TaskQueue(
            "redis",
            {
                "huey_class": "huey.PriorityRedisHuey",
                "name": REDIS_QUEUE_NAME,
                "url": url,
                "immediate": False,
                "consumer": consumer,
            },
        )
    if scheme in ("postgres", "postgresql") and sep:
        return TaskQueue(
            "postgres",
            {
                "huey_class": "huey.PostgresHuey",
                "name": QUEUE_NAME,
                "dsn": url,
                "immediate": False,
                "consumer": consumer,
            },
        )
    # The URL may hold a password: name the scheme only.
    raise ValueError(
        f"NEWSSTAND_TASK_QUEUE_URL: unknown form {scheme + '://' if sep else 'without a scheme'}; "
        f"expected one of {QUEUE_URL_FORMS}"
    )


def shared_redis_url(cache_url: str, queue_url: str) -> str:
    """The Redis the processes of a cluster coordinate through (per-host fetch slots, robots.txt
    rules, back-offs): the cache's if it is Redis, else the task queue's; "" for none."""
    for url in (cache_url, queue_url):
        if url.strip().lower().startswith(("redis://", "rediss://")):
            return url.strip()
    return ""


def is_local_cache(cache: Mapping[str, Any]) -> bool:
    """True when a CACHES entry lives in this machine's memory or disk, out of other nodes'
    reach."""
    return str(cache.get("BACKEND", "")).rsplit(".", 1)[-1] in {
        "LocMemCache",
        "FileBasedCache",
        "FileCache",
        "DummyCache",
    }
