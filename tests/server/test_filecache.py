"""The file cache culls now and then, not on every write (server/filecache.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsstand.server import filecache
from newsstand.server.filecache import FileCache


def test_writes_list_the_directory_once_per_interval_and_culling_still_happens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [1000.0]
    monkeypatch.setattr(filecache.time, "monotonic", lambda: clock[0])
    cache = FileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 30, "CULL_FREQUENCY": 3}})
    listed = []
    real_list = cache._list_cache_files

    def counted_list() -> list[str]:
        listed.append(1)
        return real_list()

    monkeypatch.setattr(cache, "_list_cache_files", counted_list)
    for n in range(60):
        cache.set(f"key-{n}", n)
    assert len(listed) == 1  # the first write's cull, none after within the interval
    assert len(list(tmp_path.glob("*.djcache"))) == 60
    assert cache.get("key-59") == 59
    clock[0] += filecache.CULL_EVERY_S + 1
    cache.set("one-more", 1)
    assert len(listed) == 2
    # Past MAX_ENTRIES the cull removed a third of the entries, as Django's does.
    assert len(list(tmp_path.glob("*.djcache"))) == 60 - 60 // 3 + 1
