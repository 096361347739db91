"""Search benchmark: 1,000 real queries at 100,000 or 1,000,000 articles, SQLite or PostgreSQL.

Run:  .venv/bin/python bench/search.py [--db sqlite|postgres] [--articles 100000]
                                       [--queries 1000] [--pages 200] [--window-sample 100]
                                       [--window N] [--keep | --data-dir DIR]
      PostgreSQL: --pg-url postgres://postgres@127.0.0.1:5432/ns_search_bench (dropped and
      re-created; never point it at a database you want to keep).
      The corpus is read from ../shared/data, or NEWSSTAND_SHARED_DATA (a git worktree needs it).

Steps, on a fresh temporary NEWSSTAND_DATA_DIR (and database):
  seed     migrate; 300 publishers with a feed each; --articles articles written in bulk with the
           search triggers off (SQLite: executemany; PostgreSQL: COPY), then the index built in
           one pass (`repair_index` re-creates the SQLite triggers and rebuilds; PostgreSQL:
           `rebuild_index`; both compute every public text, ~0.8 ms an article), then ANALYZE.
           Text is real: titles from the shared corpus (naeb-dev, readability), half of them
           spliced from two titles; bodies of 12 random paragraphs (~560 words) from the shared
           article bodies (naeb-dev, aeb); bylines from naeb-dev; dates over the last year,
           rising with the id as ingestion stores them.
  queries  --queries queries drawn from the same titles: 1-3 consecutive words of a random
           title, skipping stop words (what a reader copies from a headline); seeded, so every
           run and backend gets the same list. 50 warm-up queries first, not counted.
           - rank: the backend's ranking (what the page waits for), per query;
           - baseline, timed alternately with rank on the same query: the engine's own match
             on the same index, the newest 20 matches, no scoring (BASELINE_SQL). It is the
             floor any full-text search pays here, so rank / baseline is what our relevance and
             recency ranking adds, and the ratio holds on a busy machine;
           - page: GET /search?q=… through Django's test client for the first --pages queries
             (ranking, articles, snippets, template), with its SQL query count; anonymous, so
             it searches the public index (titles, bylines, teasers: search/public.py);
           - filtered: the same ranking with a publisher filter, and with the last 30 days;
           - suggest: search-as-you-type for 300 prefixes (a title's first word and 3 letters
             of its next);
           - window: for queries with more matches than RANK_WINDOW, the overlap of the first
             page (20) with the exact ranking over every match, for --window-sample of them
             (at 1,000,000 articles on PostgreSQL each exact ranking takes seconds).
Goal (issue #7): rank p99 <= 50 ms at 100,000 articles on SQLite.
Results: a table on stdout and bench/results/search-<db>-<articles>-w<window>.json.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

if TYPE_CHECKING:
    from newsstand.search.query import ParsedQuery

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
PUBLISHERS = 300
PARAGRAPHS_PER_BODY = 12
BATCH = 5_000
WARMUP = 50
SUGGESTIONS = 300
FILTERED = 200
WINDOW_SAMPLE = 100
SEED_SPAN = timedelta(days=365)
SECTIONS = ["World", "Business", "Politics", "Technology", "Science", "Sport", "Culture", "Health"]
LANGUAGES = ["en"] * 18 + ["de", "fr"]
GOAL_P99_MS = 50.0
_WORD = re.compile(r"[^\W_]+")


def shared_data() -> Path:
    return Path(os.environ.get("NEWSSTAND_SHARED_DATA") or REPO.parent / "shared" / "data")


def load_corpus() -> tuple[list[str], list[str], list[str]]:
    """(titles, paragraphs, author names) from the shared corpus."""
    root = shared_data()
    naeb = json.loads((root / "extraction/naeb-dev/articles.json").read_text())
    aeb = json.loads((root / "extraction/aeb/ground-truth.json").read_text())
    titles = [a["title"].strip() for a in naeb.values() if a.get("title")]
    for meta in sorted((root / "extraction/readability/pages").glob("*/expected-metadata.json")):
        title = (json.loads(meta.read_text()).get("title") or "").strip()
        if len(title.split()) >= 3:
            titles.append(title)
    bodies = [a["articleBody"] for a in naeb.values()] + [a["articleBody"] for a in aeb.values()]
    paragraphs = [p.strip() for b in bodies for p in b.split("\n") if len(p.split()) >= 8]
    authors = sorted(
        {n.strip() for a in naeb.values() for n in (a.get("authors") or "").split(",") if n.strip()}
    )
    return titles, paragraphs, authors or ["Staff Reporter"]


def make_queries(titles: list[str], n: int, rng: random.Random) -> list[str]:
    """1-3 consecutive non-stop words of a random title."""
    from newsstand.search.query import STOP_WORDS

    queries: list[str] = []
    while len(queries) < n:
        words = [w for w in _WORD.findall(rng.choice(titles)) if w.lower() not in STOP_WORDS]
        if not words:
            continue
        size = min(len(words), rng.choices([1, 2, 3], weights=[4, 4, 2])[0])
        start = rng.randrange(len(words) - size + 1)
        queries.append(" ".join(words[start : start + size]))
    return queries


def make_prefixes(titles: list[str], n: int, rng: random.Random) -> list[str]:
    prefixes: list[str] = []
    while len(prefixes) < n:
        words = _WORD.findall(rng.choice(titles))
        if len(words) >= 2 and len(words[1]) >= 3:
            prefixes.append(f"{words[0]} {words[1][:3]}")
    return prefixes


def article_rows(
    n: int,
    publishers: list[tuple[int, int]],
    corpus: tuple[list[str], list[str], list[str]],
    rng: random.Random,
) -> Iterator[tuple[Any, ...]]:
    titles, paragraphs, authors = corpus
    now = datetime.now(UTC)
    for i in range(n):
        publisher_id, feed_id = publishers[rng.randrange(len(publishers))]
        title = rng.choice(titles)
        if rng.random() < 0.5:
            a, b = title.split(), rng.choice(titles).split()
            title = " ".join(a[: len(a) // 2] + b[len(b) // 2 :])
        paras = rng.sample(paragraphs, PARAGRAPHS_PER_BODY)
        body = "\n\n".join(paras)
        published = now - SEED_SPAN * (1 - i / n) + timedelta(hours=rng.uniform(-12, 12))
        yield (
            publisher_id,
            feed_id,
            f"https://pub{publisher_id}.example/news/{i}",
            f"g{i}",
            title[:1000],
            json.dumps([rng.choice(authors)]),
            rng.choice(SECTIONS),
            "[]",
            published,
            published,
            "",
            "",
            "",
            " ".join(paras[0].split()[:40]),
            "",
            body,
            rng.choice(LANGUAGES),
            len(body.split()),
            f"{i:064x}",
            "",
            published + timedelta(minutes=5),
        )


COLUMNS = (
    "publisher_id, feed_id, url, guid, title, authors, section, topics, published_at, updated_at,"
    " lead_image_url, lead_image_caption, lead_image_credit, summary, content_html, content_text,"
    " language, word_count, content_hash, extraction_error, fetched_at"
)


def seed(
    n: int, corpus: tuple[list[str], list[str], list[str]], rng: random.Random
) -> dict[str, float]:
    from django.db import connection, transaction

    from newsstand.articles.models import Article
    from newsstand.search import actions
    from newsstand.sources.models import Feed, Publisher

    pubs = Publisher.objects.bulk_create(
        Publisher(name=f"Publisher {i:03d}", slug=f"publisher-{i:03d}", language="en")
        for i in range(PUBLISHERS)
    )
    feeds = Feed.objects.bulk_create(
        Feed(url=f"https://pub{p.pk}.example/rss.xml", publisher=p) for p in pubs
    )
    publishers = [(p.pk, f.pk) for p, f in zip(pubs, feeds, strict=True)]
    progress = tqdm(
        article_rows(n, publishers, corpus, rng),
        total=n,
        desc="seed articles",
        unit=" articles",
        unit_scale=True,
        mininterval=2.0,
    )
    # One iterator for every batch: each iter() of a tqdm is a new generator, and the first one
    # closing (when its batch's zip is dropped) would cut the seeding short after two batches.
    rows = iter(progress)
    t0 = time.perf_counter()
    if connection.vendor == "sqlite":
        from newsstand.search.backends import sqlite

        with connection.cursor() as cur:
            for name in sqlite.TRIGGER_NAMES:
                cur.execute(f"DROP TRIGGER {name}")
        placeholders = ", ".join(["%s"] * len(COLUMNS.split(",")))
        sql = f"INSERT INTO articles_article ({COLUMNS}) VALUES ({placeholders})"
        adapt = connection.ops.adapt_datetimefield_value
        while batch := [r for _, r in zip(range(BATCH), rows, strict=False)]:
            batch = [(*r[:8], adapt(r[8]), adapt(r[9]), *r[10:20], adapt(r[20])) for r in batch]
            with transaction.atomic(), connection.cursor() as cur:
                cur.executemany(sql, batch)
        insert_s = time.perf_counter() - t0
        progress.close()
        print("building the FTS5 indexes (one pass, no progress to show) ...", flush=True)
        t1 = time.perf_counter()
        assert actions.repair_index(), "the triggers were dropped, repair must rebuild"
    else:
        with connection.cursor() as cur:
            cur.execute("ALTER TABLE articles_article DISABLE TRIGGER USER")
            with cur.cursor.copy(f"COPY articles_article ({COLUMNS}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cur.execute("ALTER TABLE articles_article ENABLE TRIGGER USER")
        insert_s = time.perf_counter() - t0
        progress.close()
        print("building the tsvectors and GIN indexes (one pass, no progress) ...", flush=True)
        t1 = time.perf_counter()
        actions.rebuild_index()
    index_s = time.perf_counter() - t1
    seeded = Article.objects.count()
    assert seeded == n, f"seeded {seeded:,} articles of {n:,}"
    t2 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
        if connection.vendor == "sqlite":
            cur.execute("PRAGMA optimize")
    return {
        "insert_s": round(insert_s, 1),
        "index_s": round(index_s, 1),
        "analyze_s": round(time.perf_counter() - t2, 1),
    }


# CPU time of this thread per measured call, beside the wall clock: on a machine shared with
# other work the wall clock includes waiting for a core, the CPU time does not (mostly).
CPU_MS: list[float] = []


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    c0, t0 = time.thread_time(), time.perf_counter()
    result = fn()
    wall = (time.perf_counter() - t0) * 1000
    CPU_MS.append((time.thread_time() - c0) * 1000)
    return wall, result


def timed_cpu(fn: Callable[[], Any]) -> tuple[float, Any]:
    wall, result = timed(fn)
    return wall, (CPU_MS[-1], result)


# The baseline: the engine's own match on the same index, newest first, one page, no scoring
# (what a "sorted by date" search would cost). Run beside every ranked query, alternating, so
# both see the same machine; rank / baseline is what our relevance and recency ranking adds.
BASELINE_SQL = {
    "sqlite": "SELECT rowid FROM search_article_fts WHERE search_article_fts MATCH %s"
    " ORDER BY rowid DESC LIMIT 20",
    "postgresql": "SELECT article_id FROM search_articledocument"
    " WHERE document @@ to_tsquery('newsstand_english', %s) ORDER BY article_id DESC LIMIT 20",
}


def baseline_ids(query: ParsedQuery) -> list[int]:
    from django.db import connection

    if query.is_empty:
        return []
    if connection.vendor == "sqlite":
        from newsstand.search.backends.sqlite import match_expression

        text = match_expression(query)
    else:
        from newsstand.search.backends.postgres import tsquery_text

        text = tsquery_text(query)
    with connection.cursor() as cursor:
        cursor.execute(BASELINE_SQL[connection.vendor], [text])
        return [row[0] for row in cursor.fetchall()]


def summary(ms: list[float]) -> dict[str, float]:
    ordered = sorted(ms)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered), 2),
        "p90_ms": round(ordered[int(len(ordered) * 0.9) - 1], 2),
        "p99_ms": round(ordered[max(0, int(len(ordered) * 0.99) - 1)], 2),
        "max_ms": round(ordered[-1], 2),
    }


def measure(
    queries: list[str], prefixes: list[str], pages: int, window_sample: int
) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from newsstand.search import backends
    from newsstand.search.backends import SearchFilters, get_backend
    from newsstand.search.query import parse_query
    from newsstand.sources.models import Publisher

    backend = get_backend()
    now = timezone.now()
    parsed = [parse_query(q) for q in queries]
    for q in parsed[:WARMUP]:
        backend.rank(q, SearchFilters(), now=now)

    for q in parsed[:WARMUP]:
        baseline_ids(q)

    rank_ms, rank_cpu_ms, ranked_counts, more, baseline_ms = [], [], [], [], []
    for q in tqdm(parsed, desc="rank", unit=" queries", mininterval=5.0):
        baseline_ms.append(timed(lambda q=q: baseline_ids(q))[0])
        ms, (cpu_ms, ranked) = timed_cpu(lambda q=q: backend.rank(q, SearchFilters(), now=now))
        rank_ms.append(ms)
        rank_cpu_ms.append(cpu_ms)
        ranked_counts.append(len(ranked.ids))
        more.append(ranked.more)

    publisher_ids = list(Publisher.objects.values_list("pk", flat=True))
    rng = random.Random(7)
    by_publisher = [
        timed(
            lambda q=q: backend.rank(
                q, SearchFilters(publisher_id=rng.choice(publisher_ids)), now=now
            )
        )[0]
        for q in parsed[:FILTERED]
    ]
    recent = SearchFilters(since=now - timedelta(days=30))
    by_date = [timed(lambda q=q: backend.rank(q, recent, now=now))[0] for q in parsed[:FILTERED]]
    suggest_ms = [
        timed(lambda p=p: backend.suggest(parse_query(p, prefix_last=True), now=now, limit=6))[0]
        for p in prefixes
    ]

    client = Client()
    # The first request imports the views and compiles the templates: not what a reader waits for.
    for text in queries[:3]:
        client.get("/search", {"q": text})
    page_ms, page_cpu_ms, page_queries = [], [], 0
    for text in tqdm(queries[:pages], desc="page", unit=" pages", mininterval=5.0):
        with CaptureQueriesContext(connection) as captured:
            ms, (cpu_ms, response) = timed_cpu(lambda text=text: client.get("/search", {"q": text}))
        assert response.status_code == 200, (text, response.status_code)
        page_ms.append(ms)
        page_cpu_ms.append(cpu_ms)
        page_queries = max(page_queries, len(captured.captured_queries))

    broad = [q for q, m in zip(parsed, more, strict=True) if m]
    overlaps = []
    for q in tqdm(broad[:window_sample], desc="window overlap", unit=" queries", mininterval=5.0):
        windowed = backend.rank(q, SearchFilters(), now=now).ids[:20]
        exact = backend.rank(q, SearchFilters(), now=now, window=10**9).ids[:20]
        overlaps.append(len(set(windowed) & set(exact)) / max(1, len(exact)))

    rank_p = summary(rank_ms)
    base_p = summary(baseline_ms)
    return {
        "rank": rank_p,
        "baseline_unranked_match": base_p,
        "rank_over_baseline": {
            "p50": round(rank_p["p50_ms"] / max(base_p["p50_ms"], 0.01), 1),
            "p99": round(rank_p["p99_ms"] / max(base_p["p99_ms"], 0.01), 1),
        },
        "rank_cpu": summary(rank_cpu_ms),
        "rank_by_publisher": summary(by_publisher),
        "rank_last_30_days": summary(by_date),
        "suggest": summary(suggest_ms),
        "page": summary(page_ms) if page_ms else None,
        "page_cpu": summary(page_cpu_ms) if page_cpu_ms else None,
        "page_max_sql_queries": page_queries,
        "matches": {
            "window": backends.RANK_WINDOW,
            "ranked_median": statistics.median(ranked_counts),
            "zero": sum(1 for n in ranked_counts if n == 0),
            "over_window": len(broad),
        },
        "window_top20_overlap": {
            "queries": len(overlaps),
            "mean": round(statistics.mean(overlaps), 3) if overlaps else None,
            "min": round(min(overlaps), 3) if overlaps else None,
        },
    }


def size_mb(data_dir: Path) -> float:
    from django.db import connection

    if connection.vendor == "sqlite":
        return round(sum(f.stat().st_size for f in data_dir.glob("newsstand.sqlite3*")) / 1e6, 1)
    with connection.cursor() as cur:
        cur.execute("SELECT pg_database_size(current_database())")
        return round(cur.fetchone()[0] / 1e6, 1)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def reset_postgres(url: str) -> None:
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    name = cfg["NAME"]
    if not re.fullmatch(r"ns_[a-z0-9_]+", name) or name == "newsstand":
        raise SystemExit(f"refusing to drop database {name!r}: use a name like ns_search_bench")
    with psycopg.connect(
        host=cfg["HOST"],
        port=cfg["PORT"] or 5432,
        user=cfg["USER"],
        password=cfg["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--pages", type=int, default=200, help="queries also timed as pages")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/ns_search_bench")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir")
    parser.add_argument(
        "--window", type=int, default=0, help="matches ranked per query (default RANK_WINDOW)"
    )
    parser.add_argument(
        "--window-sample",
        type=int,
        default=WINDOW_SAMPLE,
        help="broad queries whose first page is compared with the exact ranking",
    )
    parser.add_argument(
        "--data-dir", type=Path, help="measure an existing --keep'd data dir instead of seeding"
    )
    args = parser.parse_args()

    reuse = args.data_dir is not None
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="newsstand-searchbench-"))
    env = {
        "NEWSSTAND_DATA_DIR": str(data_dir),
        "NEWSSTAND_ALLOWED_HOSTS": "testserver",
        "DJANGO_SETTINGS_MODULE": "newsstand.settings",
        "NEWSSTAND_LOG_LEVEL": "WARNING",
        "NEWSSTAND_DATABASE_URL": args.pg_url if args.db == "postgres" else "",
        # The page step is one client searching hundreds of times a minute: not what is timed.
        "NEWSSTAND_SEARCHES_PER_MINUTE": "1000000",
    }
    os.environ.update(env)
    if args.db == "postgres" and not reuse:
        reset_postgres(args.pg_url)
    sys.path.insert(0, str(REPO / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from newsstand.articles.models import Article
    from newsstand.search import backends

    if args.window:
        backends.RANK_WINDOW = args.window
    load_before = os.getloadavg()
    try:
        call_command("migrate", verbosity=0, interactive=False)
        corpus = load_corpus()
        if reuse:
            seeded: dict[str, Any] = {"reused": str(data_dir)}
            args.articles = Article.objects.count()
        else:
            print(f"seeding {args.articles:,} articles ({connection.vendor}) in {data_dir} ...")
            seeded = seed(args.articles, corpus, random.Random(20260107))
            print(f"seeded: insert {seeded['insert_s']} s, index {seeded['index_s']} s")
        queries = make_queries(corpus[0], args.queries + WARMUP, random.Random(1))[WARMUP:]
        prefixes = make_prefixes(corpus[0], SUGGESTIONS, random.Random(2))
        results = measure(queries, prefixes, args.pages, args.window_sample)
        database_mb = size_mb(data_dir)
    finally:
        if not (args.keep or reuse):
            shutil.rmtree(data_dir, ignore_errors=True)
    report = {
        "db": connection.vendor,
        "articles": args.articles,
        "seed": seeded,
        "database_mb": database_mb,
        **results,
        "machine": {
            "cpus": os.cpu_count(),
            "cpu": cpu_model(),
            "python": platform.python_version(),
            "loadavg_before": [round(x, 1) for x in load_before],
            "loadavg_after": [round(x, 1) for x in os.getloadavg()],
        },
        "goal": {"rank_p99_ms_at_100k_sqlite": GOAL_P99_MS},
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"search-{connection.vendor}-{args.articles}-w{backends.RANK_WINDOW}.json"
    out.write_text(json.dumps(report, indent=1))
    table = io.StringIO()
    writer = csv.writer(table, delimiter="\t")
    writer.writerow(["measure", "n", "p50 ms", "p90 ms", "p99 ms", "max ms"])
    names = (
        "rank",
        "baseline_unranked_match",
        "rank_cpu",
        "rank_by_publisher",
        "rank_last_30_days",
        "suggest",
    )
    for name in (*names, "page", "page_cpu"):
        s = results[name]
        if s is None:
            continue
        writer.writerow([name, s["n"], s["p50_ms"], s["p90_ms"], s["p99_ms"], s["max_ms"]])
    print(table.getvalue())
    keys = ("rank_over_baseline", "matches", "window_top20_overlap", "seed", "database_mb")
    print(json.dumps({k: report[k] for k in (*keys, "machine")}))
    print(f"page max SQL queries: {results['page_max_sql_queries']}; results in {out}")


if __name__ == "__main__":
    main()
