"""Web benchmark: the reader's pages under load on a seeded 100k-article SQLite database.

Run:  .venv/bin/python bench/web.py [--articles 100000] [--stories 20000] [--duration 15]
                                    [--connections 20] [--threads 2] [--modes cached,uncached]
                                    [--cache-url URL] [--data-dir DIR] [--profile]

Steps, on a fresh temporary NEWSSTAND_DATA_DIR (or --data-dir, seeded once and reused):
  seed     migrate; 300 publishers (a feed each), --stories stories and --articles articles
           written with bulk_create in batches. Synthetic text (the bench measures the web tier,
           not extraction) at realistic sizes: ~800-word bodies as HTML paragraphs with a lead
           <figure>, titles, summaries, lead image URLs, sections, topics, authors. Stories carry
           their counts and a representative; 300 are ranked so Top stories has content; 6 picks.
           Then ANALYZE and PRAGMA optimize.
  queries  each page through Django's test client, SQL counted (CaptureQueriesContext): a first
           render (page cache empty) and a cached copy.
  load     per mode (--modes): `newsstand up --no-worker` (gunicorn, 2 sync workers) on a free
           127.0.0.1 port with NEWSSTAND_PAGE_CACHE_S=60 ("cached", the default setting) or 0
           ("uncached"); `wrk --latency` at --connections / --threads for --duration seconds per
           target: a static file of the home page's byte size in STATIC_ROOT, served by the same
           server (WhiteNoise) in the same run (the floor for this server on this machine), `/`,
           one story page and 50 article pages (a Lua script rotates through them). Requests
           carry a browser User-Agent, so article views count reads as real ones do (buffered
           per process by default; NEWSSTAND_READS_FLUSH_S=0 in the environment writes one
           INSERT ... ON CONFLICT per view); "article-bot" is the same 50 pages as a robot, which
           counts nothing: the difference is the cost of counting. With the cache on, every
           page is first fetched 3 times one by one, so all are stored before the clock starts
           (the run measures the steady state of hits; a first render costs what "uncached"
           shows); then wrk warms up for 3 s. Each target is also run for 5 s on one connection: the
           service time of one request, which at 20 connections on 2 workers is multiplied by
           the queue (~10 deep).
Goals (issue "The reader app"): home p99 <= 50 ms, article p99 <= 30 ms at 20 connections on
2 workers; no page over 10 SQL queries. --profile prints a cProfile of each page's view.
Results: a table per mode on stdout and bench/results/web.json.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results" / "web.json"
PUBLISHERS = 300
BATCH = 2_000
RANKED_STORIES = 300
ARTICLE_PAGES = 50
PARAGRAPHS_PER_BODY = 10
WORDS_PER_PARAGRAPH = 80  # x 10 paragraphs: the ~800-word body of a typical news article
SEED_WINDOW = timedelta(days=7)
READY_TIMEOUT_S = 60
WARMUP_S = 3
PRIME_ROUNDS = 3
SINGLE_S = 5
WRK_TIMEOUT_S = 10
STATIC_NAME = "bench-home-size.html"
BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
ROBOT_UA = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
PAGE_CACHE_S = {"cached": "60", "uncached": "0"}
SEED_FILE = "bench-seed.json"
# Query counting runs in this process; a memory cache keeps it off the server's (maybe shared) one.
PRIVATE_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
GOALS_P99_MS = {"home": 50.0, "article": 30.0}
MAX_QUERIES = 10
SECTIONS = ["World", "Business", "Politics", "Technology", "Science", "Sport", "Culture", "Health"]
TOPICS = ["elections", "markets", "climate", "ai", "football", "courts", "energy", "trade"]
_SYLLABLES = ["ka", "lo", "mir", "ven", "dra", "sul", "tek", "ori", "bas", "quen", "zor", "lin"]


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 3)))


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(_word(rng) for _ in range(words)).capitalize() + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng, WORDS_PER_PARAGRAPH // 5) for _ in range(5))


def seed(n_articles: int, n_stories: int, rng: random.Random) -> dict[str, Any]:
    """Fill the empty database; returns ids the load step needs and the time it took."""
    from django.db import connection
    from django.utils import timezone

    from newsstand.articles.models import Article
    from newsstand.sources.models import Feed, Publisher
    from newsstand.stories.models import Pick, Story

    t0 = time.perf_counter()
    now = timezone.now()
    pubs = Publisher.objects.bulk_create(
        Publisher(
            name=f"Publisher {i:03d} {_word(rng).capitalize()}",
            slug=f"publisher-{i:03d}",
            homepage=f"https://pub{i}.example/",
            country="GB",
            language="en",
            topics=[rng.choice(TOPICS)],
        )
        for i in range(PUBLISHERS)
    )
    feeds = Feed.objects.bulk_create(
        Feed(url=f"https://pub{p.pk}.example/rss.xml", publisher=p, section=rng.choice(SECTIONS))
        for p in pubs
    )
    # Story sizes: every story at least one article, the rest spread Zipf-like by random draws.
    # Story sizes: at least one article each; the rest skewed towards the first stories (u**1.5:
    # the biggest get ~100 articles, most 1-4), as a day's news has a few big events.
    sizes = [1] * n_stories
    for _ in range(n_articles - n_stories):
        sizes[min(int(n_stories * rng.random() ** 1.5), n_stories - 1)] += 1
    stories: list[Story] = []
    for i in range(n_stories):
        updated = now - SEED_WINDOW * rng.random() ** 2
        stories.append(
            Story(
                headline=_sentence(rng, 10),
                lead=_sentence(rng, 30),
                first_seen_at=updated - timedelta(hours=rng.uniform(0, 24)),
                last_updated_at=updated,
                sections=[rng.choice(SECTIONS)],
                topics=rng.sample(TOPICS, 2),
                article_count=sizes[i],
            )
        )
    for start in range(0, n_stories, BATCH):
        Story.objects.bulk_create(stories[start : start + BATCH])
    pool = [_paragraph(rng) for _ in range(2_000)]
    n = 0
    batch: list[Article] = []
    for story, size in zip(stories, sizes, strict=True):
        for _ in range(size):
            n += 1
            pi = rng.randrange(PUBLISHERS)
            paras = rng.sample(pool, PARAGRAPHS_PER_BODY)
            image = f"https://img.pub{pi}.example/{n}/lead.jpg"
            caption = _sentence(rng, 12)
            html = (
                f'<figure><img src="{image}" alt=""><figcaption>{caption}</figcaption></figure>'
                + "".join(f"<p>{p}</p>" for p in paras)
            )
            published = story.last_updated_at - timedelta(hours=rng.uniform(0, 24))
            batch.append(
                Article(
                    publisher_id=pubs[pi].pk,
                    feed_id=feeds[pi].pk,
                    story_id=story.pk,
                    url=f"https://pub{pi}.example/news/{n}",
                    guid=f"pub{pi}-{n}",
                    title=_sentence(rng, 11),
                    authors=[f"{_word(rng).capitalize()} {_word(rng).capitalize()}"],
                    section=rng.choice(SECTIONS),
                    topics=rng.sample(TOPICS, 2),
                    published_at=published,
                    updated_at=published + timedelta(minutes=rng.choice([0, 0, 30])),
                    lead_image_url=image,
                    lead_image_caption=caption,
                    lead_image_credit="Photo: Agency",
                    summary=_sentence(rng, 35),
                    content_html=html,
                    content_text="\n\n".join(paras),
                    language="en",
                    word_count=PARAGRAPHS_PER_BODY * WORDS_PER_PARAGRAPH,
                    content_hash=f"{n:064x}",
                    fetched_at=published + timedelta(minutes=5),
                )
            )
            if len(batch) >= BATCH:
                Article.objects.bulk_create(batch)
                batch = []
    if batch:
        Article.objects.bulk_create(batch)
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE stories_story SET"
            " representative_id = (SELECT MIN(a.id) FROM articles_article a"
            "   WHERE a.story_id = stories_story.id),"
            " publisher_count = (SELECT COUNT(DISTINCT a.publisher_id) FROM articles_article a"
            "   WHERE a.story_id = stories_story.id)"
        )
    ranked = sorted(stories, key=lambda s: -s.article_count)[:RANKED_STORIES]
    for rank, s in enumerate(ranked):
        s.score = 10.0 - rank * 0.01
        s.score_details = {"breadth": {"raw": 3, "contribution": 1.2}}
        s.ranked_at = now
    Story.objects.bulk_update(ranked, ["score", "score_details", "ranked_at"])
    picked_articles = list(
        Article.objects.order_by("-published_at").values_list("pk", flat=True)[:3]
    )
    Pick.objects.bulk_create(
        [
            Pick(story_id=s.pk, position=i, blurb="Worth reading")
            for i, s in enumerate(ranked[10:13])
        ]
        + [Pick(article_id=a, position=3 + i) for i, a in enumerate(picked_articles)]
    )
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
        cur.execute("PRAGMA optimize")
    connection.close()
    top_story = ranked[0]
    article_ids = list(Article.objects.order_by("?").values_list("pk", flat=True)[:ARTICLE_PAGES])
    return {
        "seed_s": round(time.perf_counter() - t0, 1),
        "story_id": top_story.pk,
        "story_articles": top_story.article_count,
        "article_ids": article_ids,
    }


def count_queries(paths: dict[str, str]) -> dict[str, dict[str, Any]]:
    """SQL statements and response bytes per page: a first render and a cached copy."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    with override_settings(CACHES=PRIVATE_CACHE, NEWSSTAND_PAGE_CACHE_S=60):
        return _count_queries(paths, cache, connection, Client, CaptureQueriesContext)


def _count_queries(
    paths: dict[str, str], cache: Any, connection: Any, Client: Any, CaptureQueriesContext: Any
) -> dict[str, dict[str, Any]]:
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    out: dict[str, dict[str, Any]] = {}
    for name, path in paths.items():
        client.get(path)  # the first request pays for imports and template loading
        cache.clear()  # the page cache and the publisher strip (a private memory cache here)
        with CaptureQueriesContext(connection) as ctx:
            resp = client.get(path)
        with CaptureQueriesContext(connection) as hit:
            client.get(path)
        out[name] = {
            "status": resp.status_code,
            "queries": len(ctx.captured_queries),
            "queries_cached": len(hit.captured_queries),
            "bytes": len(resp.content),
            "sql": [q["sql"][:300] for q in ctx.captured_queries],
        }
    return out


def profile(paths: dict[str, str], repeat: int = 20) -> None:
    from django.test import Client

    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    for name, path in paths.items():
        client.get(path)
        prof = cProfile.Profile()
        t0 = time.perf_counter()
        prof.enable()
        for _ in range(repeat):
            client.get(path)
        prof.disable()
        per_ms = (time.perf_counter() - t0) / repeat * 1000
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(25)
        print(f"\n=== profile {name} {path}: {per_ms:.1f} ms/request in-process ===")
        print(buf.getvalue())


def prime(base: str, paths: list[str]) -> None:
    """GET each path a few times, one at a time (with a memory cache each worker has its own)."""
    for _ in range(PRIME_ROUNDS):
        for path in paths:
            req = urllib.request.Request(base + path, headers={"User-Agent": ROBOT_UA})
            with urllib.request.urlopen(req, timeout=READY_TIMEOUT_S) as r:
                r.read()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "newsstand", "up", "--bind", f"127.0.0.1:{port}", "--no-worker"],
            env=env,
            stdout=fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited early; see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.2)
    stop_server(proc)
    raise SystemExit(f"server not ready within {READY_TIMEOUT_S} s; see {log}")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not m:
        raise ValueError(f"unparsed wrk latency {text!r}")
    return float(m.group(1)) * _UNITS_MS[m.group(2)]


def parse_wrk(output: str) -> dict[str, Any]:
    """req/s, p50/p90/p99 (ms), request count and errors from `wrk --latency` output."""
    pct = {int(p): _ms(v) for p, v in re.findall(r"^\s+(\d+)%\s+(\S+)\s*$", output, re.M)}
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sock = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if not rps or not total or 99 not in pct:
        raise ValueError(f"unparsed wrk output:\n{output}")
    return {
        "rps": float(rps.group(1)),
        "p50_ms": pct.get(50),
        "p90_ms": pct.get(90),
        "p99_ms": pct[99],
        "requests": int(total.group(1)),
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": sum(int(x) for x in sock.groups()) if sock else 0,
    }


def run_wrk(
    base: str,
    paths: list[str],
    args: argparse.Namespace,
    duration_s: float,
    workdir: Path,
    connections: int | None = None,
    user_agent: str = BROWSER_UA,
) -> dict[str, Any]:
    script = workdir / "rotate.lua"
    listed = ", ".join(json.dumps(p) for p in paths)
    script.write_text(
        f"local paths = {{{listed}}}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i + 1\n"
        '  return wrk.format("GET", paths[(i % #paths) + 1])\n'
        "end\n"
    )
    cmd = [
        "wrk",
        f"-t{min(args.threads, connections or args.connections)}",
        f"-c{connections or args.connections}",
        f"-d{duration_s:g}s",
        f"--timeout={WRK_TIMEOUT_S}s",
        "--latency",
        "-H",
        f"User-Agent: {user_agent}",
        "-s",
        str(script),
        base + paths[0],
    ]
    out = subprocess.run(
        cmd, capture_output=True, text=True, check=True, timeout=duration_s + 30
    ).stdout
    return parse_wrk(out)


def _print_table(mode: str, results: dict[str, Any], queries: dict[str, Any]) -> None:
    static = results["static"]
    print(f"\n{mode}:")
    header = (
        f"{'target':<12}{'bytes':>9}{'SQL':>5}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'x static p99':>14}{'goal':>12}{'1-conn p50':>12}"
    )
    print(header)
    print("-" * len(header))
    for name, r in results.items():
        q = queries.get(name.removesuffix("-bot"), {})
        goal = GOALS_P99_MS.get(name)
        verdict = f"<={goal:g} {'ok' if r['p99_ms'] <= goal else 'MISS'}" if goal else ""
        if not r["requests"]:
            verdict = "no data"  # nothing finished within wrk's timeout
        sql = q.get("queries_cached" if mode == "cached" else "queries", "-")
        r["bytes"] = q.get("bytes", static.get("bytes"))
        r["p99_vs_static"] = round(r["p99_ms"] / static["p99_ms"], 1)
        r["rps_vs_static"] = round(r["rps"] / static["rps"], 3)
        print(
            f"{name:<12}{r['bytes']!s:>9}{sql!s:>5}{r['rps']:>9.0f}"
            f"{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}{r['p99_vs_static']:>14}{verdict:>12}"
            f"{r['c1_p50_ms']:>12.2f}"
        )
        if r["non_2xx"] or r["socket_errors"]:
            print(f"  !! {name}: {r['non_2xx']} non-2xx, {r['socket_errors']} socket errors")


def _load(
    mode: str,
    env: dict[str, str],
    targets: dict[str, list[str]],
    args: argparse.Namespace,
    data_dir: Path,
) -> dict[str, Any]:
    """One server run with the page cache on or off; every target under wrk."""
    server_env = {**env, "NEWSSTAND_PAGE_CACHE_S": PAGE_CACHE_S[mode]}
    port = _free_port()
    proc = start_server(server_env, port, data_dir / f"server-{mode}.log")
    results: dict[str, Any] = {}
    try:
        base = f"http://127.0.0.1:{port}"
        for name, paths in targets.items():
            ua = ROBOT_UA if name.endswith("-bot") else BROWSER_UA
            if mode == "cached":
                # Every page rendered and stored before the clock starts, however slow a first
                # render is on a busy machine: the run measures the steady state of hits.
                prime(base, paths)
            run_wrk(base, paths, args, WARMUP_S, data_dir, user_agent=ua)
            results[name] = run_wrk(base, paths, args, args.duration, data_dir, user_agent=ua)
            # One connection: the service time of one request, without the queue of 20.
            alone = run_wrk(base, paths, args, SINGLE_S, data_dir, connections=1, user_agent=ua)
            results[name]["c1_p50_ms"] = alone["p50_ms"]
            print(f"  {mode} {name}: {results[name]}")
    finally:
        stop_server(proc)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--stories", type=int, default=20_000)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds of load per target")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--modes", default="cached,uncached", help="page cache on and/or off, in this order"
    )
    parser.add_argument(
        "--cache-url", default="", help="NEWSSTAND_CACHE_URL for the server (default: its own)"
    )
    parser.add_argument(
        "--data-dir", type=Path, help="seed here once and reuse it (kept); default: a temp dir"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile each page's view")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir")
    args = parser.parse_args()
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if not modes or set(modes) - set(PAGE_CACHE_S):
        raise SystemExit(f"--modes: choose from {', '.join(PAGE_CACHE_S)}")
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="newsstand-webbench-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "NEWSSTAND_DATA_DIR": str(data_dir),
        "NEWSSTAND_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DJANGO_SETTINGS_MODULE": "newsstand.settings",
        "NEWSSTAND_LOG_LEVEL": "WARNING",
    }
    if args.cache_url:
        env["NEWSSTAND_CACHE_URL"] = args.cache_url
    os.environ.update(env)
    sys.path.insert(0, str(REPO / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    seed_file = data_dir / SEED_FILE
    try:
        if seed_file.exists():
            seeded = json.loads(seed_file.read_text())
            print(f"reusing the database seeded in {data_dir}")
        else:
            call_command("migrate", verbosity=0, interactive=False)
            print(f"seeding {args.articles:,} articles / {args.stories:,} stories in {data_dir}")
            seeded = seed(args.articles, args.stories, random.Random(20260101))
            seed_file.write_text(json.dumps(seeded))
            print(f"seeded in {seeded['seed_s']} s")
        article_paths = [f"/articles/{pk}/" for pk in seeded["article_ids"]]
        pages = {
            "home": "/",
            "story": f"/stories/{seeded['story_id']}/",
            "article": article_paths[0],
        }
        queries = count_queries(pages)
        if args.profile:
            profile(pages)
        home_bytes = queries["home"]["bytes"]
        static_root = Path(settings.STATIC_ROOT)
        # The home page's byte count, served by WhiteNoise from STATIC_ROOT (scanned at start).
        (static_root / STATIC_NAME).write_bytes(b"<!-- static -->" + b"x" * (home_bytes - 15))
        targets = {
            "static": [f"/static/{STATIC_NAME}"],
            "home": ["/"],
            "story": [pages["story"]],
            "article": article_paths,
            "article-bot": article_paths,
        }
        runs = {mode: _load(mode, env, targets, args, data_dir) for mode in modes}
    finally:
        if args.data_dir is None and not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)

    print(
        f"\nwrk -t{args.threads} -c{args.connections} -d{args.duration:g}s --latency, "
        f"gunicorn 2 sync workers, cache {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}"
        f", {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs"
    )
    for mode, results in runs.items():
        results["static"]["bytes"] = home_bytes
        _print_table(mode, results, queries)
    over = {k: v["queries"] for k, v in queries.items() if v["queries"] > MAX_QUERIES}
    per_page = {k: (v["queries"], v["queries_cached"]) for k, v in queries.items()}
    print(f"SQL per page (first render, cached copy): {per_page}")
    print(f"pages over {MAX_QUERIES} queries: {over or 'none'}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "when": datetime.now().isoformat(timespec="seconds"),
                "machine": {
                    "platform": platform.platform(),
                    "processor": platform.processor(),
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "loadavg_at_end": os.getloadavg(),
                },
                "config": {
                    **{k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
                    "workers": 2,
                    "server": "newsstand up --no-worker",
                    "cache_backend": settings.CACHES["default"]["BACKEND"],
                },
                "seed": {k: v for k, v in seeded.items() if k != "article_ids"},
                "goals_p99_ms": GOALS_P99_MS,
                "max_queries": MAX_QUERIES,
                "queries": queries,
                "results": runs,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
