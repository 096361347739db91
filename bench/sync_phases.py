"""Where a Miniflux page's time goes: the sync pipeline's phases, timed inside real calls.

Run:  nice -n 10 .venv/bin/python bench/sync_phases.py --data-dir DIR [--db postgres]
          [--calls 60] [--cases page,later,site,cold,count]

DIR is a data dir `bench/sync.py --keep` seeded (and, with --db postgres, its database). Each
case makes the change `bench/sync.py` makes before its row, then times
`GET /v1/entries?status=unread&limit=100` through Django's test client, the connection closed
first as a server's request does:
  page   nothing changed: the total is kept                   (bench/sync.py miniflux_page)
  later  the minute moved on: the total is brought up         (miniflux_first_page_later)
  site   an entry marked on the website, no task run yet      (miniflux_first_page_site)
  cold   nothing kept: the total counted in full              (miniflux_first_page_cold)
  count  not a call: the unread total counted in full, its parts built and read in their one
         statement (`count_parts`, `_read_together`), summed from the per-day counts and row
         by row (`by_day=False`, as before them), alternated; p50 of each and the ratio
Inside each call, the functions below are timed where they are called (wall time, inclusive of
what they call), and every SQL statement with its time. Reported per case: the call's p50, then
per phase its p50 and how many times a call ran it, and the statements' p50 in order. The
phases are what docs/benchmarks.md ("Reading apps' sync") breaks the rows down by; the
warm-up calls (5) are left out.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PG_URL = "postgres://postgres@127.0.0.1:5432/newsstand_bench_sync"
WARMUP = 5
CASES = ("page", "later", "site", "cold", "count")
# (module, function): the phases timed, by the names docs/benchmarks.md uses.
PHASES = (
    ("newsstand.sync.queries", "kept_scopes"),
    ("newsstand.sync.tallies", "total"),
    ("newsstand.sync.tallies", "counted"),
    ("newsstand.sync.tallies", "brought_up"),
    ("newsstand.sync.tallies", "_read_together"),
    ("newsstand.sync.tallies", "_changes"),
    ("newsstand.sync.tallies", "_state_delta"),
    ("newsstand.sync.queries", "oldest_entry"),
    ("newsstand.sync.miniflux", "_page"),
)


def _wrap(times: dict[str, list[float]], module: Any, name: str) -> None:
    real = getattr(module, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            times.setdefault(name, []).append((time.perf_counter() - started) * 1000)

    setattr(module, name, timed)


def measure(seeded: dict[str, Any], case: str, calls: int) -> dict[str, Any]:
    import importlib

    from django.contrib.auth import get_user_model
    from django.db import close_old_connections, connection
    from django.test import Client

    from newsstand.personal.actions import mark_read, mark_unread
    from newsstand.personal.state import new_state_token

    reader = get_user_model().objects.get(email=seeded["email"])
    client = Client()
    auth = {"HTTP_X_AUTH_TOKEN": seeded["password"]}
    query = {"status": "unread", "limit": 100}
    first = client.get("/v1/entries", query, **auth).json()["entries"][0]["id"]
    changes: dict[str, Callable[[int], None]] = {
        "page": lambda n: None,
        "later": lambda n: new_state_token(reader.pk, derivable=True),
        "site": lambda n: (mark_unread if n % 2 else mark_read)(reader, [first]),
        "cold": lambda n: new_state_token(reader.pk),
    }
    times: dict[str, list[float]] = {}
    for module_name, name in PHASES:
        _wrap(times, importlib.import_module(module_name), name)
    statements: list[list[float]] = []
    current: list[float] = []

    def each_statement(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            current.append((time.perf_counter() - started) * 1000)

    call_ms: list[float] = []
    for n in range(WARMUP + calls):
        changes[case](n)
        close_old_connections()
        if n == WARMUP:
            times.clear()
        current = []
        with connection.execute_wrapper(each_statement):
            started = time.perf_counter()
            response = client.get("/v1/entries", query, **auth)
            elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.status_code
        if n >= WARMUP:
            call_ms.append(elapsed)
            statements.append(current)
    per_call = max(1, calls)
    width = max(len(s) for s in statements)
    return {
        "call_p50_ms": round(statistics.median(call_ms), 2),
        "phases": {
            name: {
                "p50_ms": round(statistics.median(ms), 2),
                "per_call": round(len(ms) / per_call, 2),
            }
            for name, ms in times.items()
        },
        "statements_p50_ms": [
            round(statistics.median(s[i] for s in statements if len(s) > i), 2)
            for i in range(width)
        ],
    }


def measure_count(seeded: dict[str, Any], calls: int) -> dict[str, float]:
    """The full count of the unread total by day and row by row, alternated (p50 ms)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from newsstand.sync import queries, tallies
    from newsstand.sync.feeds import reader_feeds
    from newsstand.sync.queries import EntryFilter

    reader = get_user_model().objects.get(email=seeded["email"])
    now, flt = timezone.now(), EntryFilter(read=False)
    feeds = reader_feeds(reader)
    ms: dict[bool, list[float]] = {True: [], False: []}
    totals: dict[bool, int] = {}
    for n in range(WARMUP + calls):
        for by_day in (True, False) if n % 2 else (False, True):
            started = time.perf_counter()
            parts = queries.count_parts(reader, now, flt, feeds, by_day=by_day)
            counts, _, _, _ = tallies._read_together(reader, parts)
            elapsed = (time.perf_counter() - started) * 1000
            totals[by_day] = sum(part.sign * c for part, c in zip(parts, counts, strict=True))
            if n >= WARMUP:
                ms[by_day].append(elapsed)
    assert totals[True] == totals[False], totals
    by_day, rows = statistics.median(ms[True]), statistics.median(ms[False])
    return {"by_day_p50_ms": round(by_day, 2), "rows_p50_ms": round(rows, 2), "total": totals[True]}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--calls", type=int, default=60)
    parser.add_argument("--cases", default=",".join(CASES))
    args = parser.parse_args()
    cases = [c for c in args.cases.split(",") if c]
    unknown = set(cases) - set(CASES)
    if unknown:
        parser.error(f"unknown cases: {', '.join(sorted(unknown))}")
    os.environ.update(
        {
            "NEWSSTAND_DATA_DIR": str(args.data_dir),
            "NEWSSTAND_ALLOWED_HOSTS": "testserver",
            "DJANGO_SETTINGS_MODULE": "newsstand.settings",
            "NEWSSTAND_LOG_LEVEL": "WARNING",
            "NEWSSTAND_DATABASE_URL": args.pg_url if args.db == "postgres" else "",
            "NEWSSTAND_SYNC_RATE_PER_MINUTE": "100000000",
        }
    )
    sys.path.insert(0, str(REPO / "src"))
    import django

    django.setup()
    seeded = json.loads((args.data_dir / "bench-sync-seed.json").read_text())
    load = os.getloadavg()
    for case in cases:
        if case == "count":
            counted = measure_count(seeded, args.calls)
            print(
                f"count: by day {counted['by_day_p50_ms']} ms, row by row "
                f"{counted['rows_p50_ms']} ms (p50; total {counted['total']}, load {load[0]:.1f})"
            )
            continue
        result = measure(seeded, case, args.calls)
        print(f"{case}: call p50 {result['call_p50_ms']} ms (load {load[0]:.1f})")
        for name, phase in result["phases"].items():
            print(f"  {name:16s} {phase['p50_ms']:7.2f} ms  x{phase['per_call']}")
        print("  statements p50 ms:", " ".join(f"{ms:.2f}" for ms in result["statements_p50_ms"]))


if __name__ == "__main__":
    main()
