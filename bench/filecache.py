"""Writes to the one-machine file cache: Django's FileBasedCache against server.filecache.FileCache.

    .venv/bin/python -m bench.filecache [--entries 1000,4000] [--writes 300]

Each cache is filled with N entries (below MAX_ENTRIES, so neither culls), then times `set` of
small values, the two interleaved in one run. Django's lists the whole directory on every write
to decide whether to cull; FileCache does so at most every CULL_EVERY_S per process.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", default="1000,4000", help="entries already in the cache")
    parser.add_argument("--writes", type=int, default=300, help="timed writes per cache")
    args = parser.parse_args()
    # Both caches work without Django set up (no settings, no apps): nothing more is loaded.
    sys.path.insert(0, str(REPO / "src"))
    from django.core.cache.backends.filebased import FileBasedCache

    from newsstand.server.filecache import FileCache

    print("entries\tDjango FileBasedCache p50 ms\tFileCache p50 ms\tratio")
    for entries in (int(n) for n in args.entries.split(",")):
        options = {"OPTIONS": {"MAX_ENTRIES": entries * 10}}
        with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
            caches = {"django": FileBasedCache(a, options), "ours": FileCache(b, options)}
            for cache in caches.values():
                for n in range(entries):
                    cache.set(f"fill-{n}", n)
            timings: dict[str, list[float]] = {name: [] for name in caches}
            for n in range(args.writes):
                for name, cache in caches.items():
                    start = time.perf_counter()
                    cache.set(f"key-{n}", n)
                    timings[name].append((time.perf_counter() - start) * 1000)
            django_ms = statistics.median(timings["django"])
            ours_ms = statistics.median(timings["ours"])
            print(f"{entries}\t{django_ms:.2f}\t{ours_ms:.2f}\t{django_ms / ours_ms:.1f}")


if __name__ == "__main__":
    main()
