"""Briefing benchmark: the minute tick's pure decision, `schedule.due`, over many readers.

Run:  .venv/bin/python -m bench.briefing [--readers 50000] [--zones 300] [--repeats 5] [--seed 7]

Readers get a random send time (quarter hours) in one of the first --zones IANA zones, the
schedule chosen long ago, no deliveries yet (the worst case: every reader in its window is due).
Prints the median seconds of --repeats calls and how many were due.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time as clock
from datetime import UTC, datetime, time

from newsstand.briefing.schedule import PreferenceFacts, due, known_time_zones


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=50_000)
    parser.add_argument("--zones", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    zones = sorted(z for z in known_time_zones() if "/" in z)[: args.zones]
    since = datetime(2026, 1, 1, tzinfo=UTC)
    prefs = [
        PreferenceFacts(
            i, time(rng.randrange(24), rng.choice((0, 15, 30, 45))), rng.choice(zones), since
        )
        for i in range(args.readers)
    ]
    now = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    timings = []
    found = 0
    for _ in range(args.repeats):
        start = clock.perf_counter()
        found = len(due(prefs, now))
        timings.append(clock.perf_counter() - start)
    median = statistics.median(timings)
    print(f"due() over {args.readers} readers in {len(zones)} zones: {median:.3f} s, {found} due")


if __name__ == "__main__":
    main()
