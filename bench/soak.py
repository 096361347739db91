"""Soak bench: many readers on a cluster for minutes with ingest running; errors and memory.

Run:  nice -n 10 .venv/bin/python -m bench.soak [--minutes 10] [--clients 50] [--think-s 1.0]
          [--pg-url postgres://postgres@127.0.0.1:5432] [--database newsstand_soak]
          [--redis-url redis://127.0.0.1:6379/13] [--keep DIR]

Everything is on loopback and ends by itself. Steps:
  cluster  database `newsstand_soak` (dropped and created; dropped at the end unless --keep), Redis
           database 13 (flushed before and after); `migrate`; 2 web nodes (`up --no-worker`,
           --web-workers gunicorn workers each) and 2 workers (`worker --threads 2`), each with
           its own data dir (tests/server/cluster.py, the multi-node test's launcher).
  newsroom 4 publishers, 3 feeds each, 3 items per feed to start (all stored before the clock
           starts), then a new item every --publish-every-s; every feed made due every 10 s
           (bench/newsroom.py).
  load     --clients client threads, each from a loopback address of its own, in turn on home,
           an article, a search and the JSON API (an article, the latest articles, stories or
           top stories) of a random web node, --think-s (±50%) between requests, for --minutes.
  memory   every --sample-s, each node's resident memory: its processes together (a web node's
           `up`, gunicorn's master and workers; a worker's one process).
Verdict: errors = 5xx answers and connection errors (timeouts included), goal 0; memory is flat
when the average of the last third of a node's samples is within 10% of the middle third's (the
first third is warm-up: caches filling, the embedding model loading). The slope is a least-squares
fit over all samples, in MiB per minute. Prints the readers' table and the memory table; the last
line is "soak: M min, C clients, R requests, E errors, memory flat on F/N nodes: PASS|FAIL"
(exit 1 on FAIL). JSON in bench/results/soak.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tests.server.cluster import PostgresServer, wait_until

from bench.newsroom import (
    ANSWER_HEADER,
    POKE_S,
    TARGETS_REFRESH_S,
    Answer,
    ClusterSite,
    Newsroom,
    Readers,
    Targets,
    answers_table,
    format_table,
)

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results" / "soak.json"
SECRET_KEY = "soak-bench-" + "s" * 50
WEB_NODES = 2
WORKERS = 2
WORKER_THREADS = 2
PUBLISHERS = 4
FEEDS_PER_PUBLISHER = 3
ITEMS_PER_FEED = 3
FIRST_INGEST_TIMEOUT_S = 300.0
# Flat: the last third's average within this share of the middle third's.
FLAT_SHARE = 0.10
LOOP_S = 0.5
KIB_PER_MIB = 1024


@dataclass
class Memory:
    node: str
    samples: list[tuple[float, int]] = field(default_factory=list)  # (minutes, KiB)

    def mib(self) -> list[float]:
        return [kib / KIB_PER_MIB for _, kib in self.samples]

    def slope_mib_per_min(self) -> float:
        if len(self.samples) < 2:
            return 0.0
        xs = [t for t, _ in self.samples]
        return float(statistics.linear_regression(xs, self.mib()).slope)

    def thirds(self) -> tuple[float, float]:
        """Averages of the middle and last thirds of the samples."""
        values = self.mib()
        third = len(values) // 3
        if third == 0:
            return float("nan"), float("nan")
        return statistics.fmean(values[third : 2 * third]), statistics.fmean(values[2 * third :])

    def change(self) -> float:
        middle, last = self.thirds()
        return (last - middle) / middle if middle else float("nan")

    @property
    def flat(self) -> bool:
        return abs(self.change()) <= FLAT_SHARE

    def row(self) -> list[str]:
        values = self.mib()
        middle, last = self.thirds()
        return [
            self.node,
            str(len(values)),
            f"{values[0]:.0f}" if values else "—",
            f"{values[-1]:.0f}" if values else "—",
            f"{max(values):.0f}" if values else "—",
            f"{self.slope_mib_per_min():+.2f}",
            f"{middle:.0f}",
            f"{last:.0f}",
            f"{self.change() * 100:+.1f}%",
            "flat" if self.flat else "**GROWING**",
        ]


MEMORY_HEADER = ["node", "samples", "first MiB", "last MiB", "max MiB", "slope MiB/min"]
MEMORY_HEADER += ["middle third MiB", "last third MiB", "change", "verdict"]


def errors_of(answers: list[Answer]) -> list[Answer]:
    return [a for a in answers if a.outcome in ("5xx", "conn")]


def summary_line(minutes: float, clients: int, answers: list[Answer], memory: list[Memory]) -> str:
    errors = errors_of(answers)
    flat = sum(1 for m in memory if m.flat)
    passed = not errors and flat == len(memory) and bool(answers)
    return (
        f"soak: {minutes:g} min, {clients} clients, {len(answers)} requests, "
        f"{len(errors)} errors, memory flat on {flat}/{len(memory)} nodes: "
        f"{'PASS' if passed else 'FAIL'}"
    )


def soak(site: ClusterSite, newsroom: Newsroom, args: argparse.Namespace) -> dict[str, object]:
    cluster = site.cluster
    site.add_feeds(newsroom.feed_urls)
    launched = time.monotonic()
    site.start_nodes(WEB_NODES, WORKERS, web_workers=args.web_workers, threads=WORKER_THREADS)
    names = list(cluster.processes)
    site.wait_ready(names)
    first = set(newsroom.published())
    wait_until(
        "the first items stored", lambda: first <= site.stored_guids(), FIRST_INGEST_TIMEOUT_S
    )
    took = time.monotonic() - launched
    print(f"cluster up, first {len(first)} items stored: {took:.0f} s", flush=True)
    targets = Targets()
    targets.refresh(site, newsroom.words)
    webs = [(n, cluster.base_url(n)) for n in names if n.startswith("web")]
    readers = Readers(
        clients=args.clients,
        nodes=lambda: webs,
        targets=targets,
        think_s=args.think_s,
        seed=args.seed,
    )
    memory = [Memory(n) for n in names]
    articles_before = int(site.one("SELECT count(*) FROM articles_article"))
    duration_s = args.minutes * 60
    began = time.monotonic()
    newsroom.start_clock(args.publish_every_s, max_items=int(duration_s / args.publish_every_s) + 1)
    readers.start()
    last_poke = last_targets = last_sample = last_report = -1e9
    dead: list[str] = []
    try:
        while (elapsed := time.monotonic() - began) < duration_s:
            now = time.monotonic()
            if now - last_sample >= args.sample_s:
                last_sample = now
                for m in memory:
                    m.samples.append((elapsed / 60, cluster.rss_kib(m.node)))
            if now - last_poke >= POKE_S:
                last_poke = now
                site.poke_feeds()
            if now - last_targets >= TARGETS_REFRESH_S:
                last_targets = now
                targets.refresh(site, newsroom.words)
            if now - last_report >= 60:
                last_report = now
                answers = readers.snapshot()
                print(
                    f"{elapsed / 60:4.1f} min: {len(answers)} requests, "
                    f"{len(errors_of(answers))} errors, "
                    + ", ".join(f"{m.node} {m.mib()[-1]:.0f} MiB" for m in memory),
                    flush=True,
                )
            dead = [n for n in names if not cluster.alive(n)]
            if dead:
                print(f"node(s) stopped: {dead}", flush=True)
                break
            time.sleep(LOOP_S)
        elapsed = time.monotonic() - began
        for m in memory:
            m.samples.append((elapsed / 60, cluster.rss_kib(m.node)))
    finally:
        readers.stop()
        newsroom.stop_clock()
    answers = readers.snapshot()
    return {
        "answers": answers,
        "memory": memory,
        "elapsed_s": elapsed,
        "dead": dead,
        "articles_stored": int(site.one("SELECT count(*) FROM articles_article")) - articles_before,
        "published": len(newsroom.published()) - len(first),
        "feed_checks": int(site.one("SELECT count(*) FROM ingest_feedcheck")),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--think-s", type=float, default=1.0)
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers per node")
    parser.add_argument("--sample-s", type=float, default=10.0)
    parser.add_argument("--publish-every-s", type=float, default=3.0)
    parser.add_argument("--page-delay-s", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", default="newsstand_soak")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--keep", type=Path, help="keep the nodes' logs and data dirs here")
    args = parser.parse_args(argv)

    root = Path(tempfile.mkdtemp(prefix="newsstand-soak-")) if args.keep is None else args.keep
    root.mkdir(parents=True, exist_ok=True)
    started_at = datetime.now(UTC)
    site = ClusterSite(
        server=PostgresServer.from_url(args.pg_url),
        database=args.database,
        redis_url=args.redis_url,
        root=root,
        secret_key=SECRET_KEY,
    )
    newsroom = Newsroom(
        publishers=PUBLISHERS,
        feeds_per_publisher=FEEDS_PER_PUBLISHER,
        items_per_feed=ITEMS_PER_FEED,
        page_delay_s=args.page_delay_s,
        seed=args.seed,
    ).start()
    try:
        site.open()
        result = soak(site, newsroom, args)
    finally:
        newsroom.stop()
        site.close(drop=args.keep is None)
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)

    answers: list[Answer] = result["answers"]  # type: ignore[assignment]  # soak()'s own
    memory: list[Memory] = result["memory"]  # type: ignore[assignment]  # soak()'s own
    elapsed_s = float(result["elapsed_s"])  # type: ignore[arg-type]  # soak()'s own
    rate = len(answers) / elapsed_s if elapsed_s else 0.0
    print()
    print(format_table(ANSWER_HEADER, answers_table(answers)))
    print()
    print(
        f"{rate:.1f} requests/s over {elapsed_s / 60:.1f} min; ingest during the soak: "
        f"{result['published']} items published, {result['articles_stored']} articles stored, "
        f"{result['feed_checks']} feed checks in all"
    )
    for error in errors_of(answers)[:20]:
        print(f"  error: {error.node} {error.kind} status {error.status} {error.error}")
    print()
    print(format_table(MEMORY_HEADER, [m.row() for m in memory]))
    minutes = round(elapsed_s / 60, 1)
    line = summary_line(minutes, args.clients, answers, memory)
    if result["dead"]:
        line = line.replace("PASS", "FAIL") + f" (stopped: {result['dead']})"
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "started_at": started_at.isoformat(),
                "machine": platform.platform(),
                "python": platform.python_version(),
                "args": {k: str(v) for k, v in vars(args).items()},
                "readers": answers_table(answers),
                "requests_per_s": rate,
                "memory": {m.node: m.samples for m in memory},
                "memory_table": [m.row() for m in memory],
                "errors": [str(e) for e in errors_of(answers)[:200]],
                "summary": line,
            },
            indent=2,
        )
    )
    print()
    print(line)
    return 0 if "PASS" in line else 1


if __name__ == "__main__":
    sys.exit(main())
