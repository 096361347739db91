"""Settings read from the environment fail with a message that names the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsstand.config import cache_from_url, env_bool, env_float, env_int, env_path


def test_booleans(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NS_X", "Yes")
    assert env_bool("NS_X", default=False) is True
    monkeypatch.setenv("NS_X", "0")
    assert env_bool("NS_X", default=True) is False
    monkeypatch.delenv("NS_X")
    assert env_bool("NS_X", default=True) is True
    monkeypatch.setenv("NS_X", "maybe")
    with pytest.raises(ValueError, match="NS_X='maybe'"):
        env_bool("NS_X", default=False)


def test_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NS_N", "4")
    assert env_int("NS_N", 2) == 4
    assert env_float("NS_N", 0.5) == 4.0
    monkeypatch.setenv("NS_N", " ")
    assert env_int("NS_N", 2) == 2
    monkeypatch.setenv("NS_N", "four")
    with pytest.raises(ValueError, match="NS_N='four': expected a whole number"):
        env_int("NS_N", 2)
    with pytest.raises(ValueError, match="NS_N='four': expected a number"):
        env_float("NS_N", 0.5)


def test_paths(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NS_P", str(tmp_path / "a" / ".." / "b"))
    assert env_path("NS_P", Path("/default")) == tmp_path / "b"
    monkeypatch.delenv("NS_P")
    assert env_path("NS_P", Path("/default")) == Path("/default")


def test_cache_urls() -> None:
    assert cache_from_url("locmem://")["BACKEND"].endswith("LocMemCache")
    file_cache = cache_from_url("file:///var/lib/newsstand/cache")
    assert file_cache["BACKEND"].endswith("FileBasedCache")
    assert file_cache["LOCATION"] == "/var/lib/newsstand/cache"
    redis = cache_from_url("rediss://:secret@cache.internal:6380/2")
    assert redis == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "rediss://:secret@cache.internal:6380/2",
    }
    assert cache_from_url("dummy://")["BACKEND"].endswith("DummyCache")
    with pytest.raises(ValueError, match="absolute path"):
        cache_from_url("file://cache")
    with pytest.raises(ValueError, match="unknown scheme"):
        cache_from_url("memcached://127.0.0.1:11211")
    with pytest.raises(ValueError, match="expected one of"):
        cache_from_url("/var/cache")
