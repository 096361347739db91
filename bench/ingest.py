"""Ingest benchmark: `newsstand ingest --once` against a local publisher web of 1,000 feeds.

Run:  .venv/bin/python bench/ingest.py [--feeds 1000] [--items 2] [--jobs 4,8,16,32]
                                       [--cycles 10] [--hosts 16] [--database-url URL]

Three processes, so the web server never competes with the ingester for its GIL:
  server   an asyncio HTTP/1.1 server on 127.0.0.1 .. 127.0.0.<hosts> (one port), serving
           /feeds/<i>.xml with a strong ETag (304 on If-None-Match), /p/<i>/<j>.html, a
           permissive /robots.txt, and /__stats (request counts).
  worker   Django on a fresh data dir (SQLite, or --database-url), NEWSSTAND_ALLOW_PRIVATE_URLS=1;
           runs `ingest --once --jobs N` in-process (call_command) and measures itself.
  this     builds the corpus, starts both, runs the baseline, prints and writes the results.

Corpus: every feed in $NEWSSTAND_SHARED_DATA/feeds that Newsstand parses with at least 2
entries is a template. Feed i is template i % T, re-emitted as RSS 2.0 from its parsed entries
(real titles, summaries, authors, dates) with each item's link and GUID rewritten to
/p/<i>/<j>.html on the feed's host; re-emitting is what guarantees no item points off the
machine. Only the first --items entries are kept so the first ingest stays minutes long. Page
(i, j) is a real page from extraction/*/html/*.html.gz. Feeds spread over --hosts loopback
addresses so the per-host limit (politeness.PER_HOST_CONCURRENCY) acts as it would on the web.
One publisher per feed, so the same page text under two feeds is not merged by content hash.

Phases:
  first ingest   every feed due, every page new: pages/s (page requests served / wall time)
                 and feeds/s; peak RSS of the worker (ru_maxrss).
  304 cycles     the bench sets next_check_at = now (and clears leases) for all feeds before
                 each cycle, so all 1,000 are due; every feed answers 304. One cycle per
                 --jobs value, the fastest is kept, then --cycles more with it, RSS after each.
                 Target: one cycle <= 30 s on 2 cores.
  baseline       plain httpx conditional GETs of the same 1,000 feed URLs with the same thread
                 count (one httpx.Client, ThreadPoolExecutor) in this process: the floor for
                 the 304 cycle without any database work.
Results: a table on stdout and bench/results/ingest.json.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results" / "ingest.json"
SHARED = Path(os.environ.get("NEWSSTAND_SHARED_DATA") or REPO.parent / "shared" / "data")
ROBOTS_TXT = b"User-agent: *\nAllow: /\n"


# ---------------------------------------------------------------- corpus (orchestrator)


def _django(data_dir: Path, database_url: str | None) -> None:
    os.environ["NEWSSTAND_DATA_DIR"] = str(data_dir)
    os.environ["NEWSSTAND_ALLOW_PRIVATE_URLS"] = "1"
    os.environ.setdefault("NEWSSTAND_LOG_LEVEL", "WARNING")
    if database_url:
        os.environ["NEWSSTAND_DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsstand.settings")
    sys.path.insert(0, str(REPO / "src"))
    import django

    django.setup()


def _rss(title: str, base: str, items: list[dict[str, Any]]) -> bytes:
    from email.utils import format_datetime

    out = [
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>',
        f"<title>{escape(title)}</title><link>{escape(base)}/</link>",
    ]
    for it in items:
        out.append("<item>")
        out.append(f"<title>{escape(it['title'])}</title><link>{escape(it['url'])}</link>")
        out.append(f'<guid isPermaLink="true">{escape(it["url"])}</guid>')
        if it["summary"]:
            out.append(f"<description>{escape(it['summary'])}</description>")
        for author in it["authors"]:
            out.append(f"<author>{escape(author)}</author>")
        for cat in it["categories"]:
            out.append(f"<category>{escape(cat)}</category>")
        if it["published"] is not None:
            out.append(f"<pubDate>{format_datetime(it['published'])}</pubDate>")
        out.append("</item>")
    out.append("</channel></rss>")
    return "".join(out).encode()


def build_corpus(n_feeds: int, n_items: int, n_hosts: int, port: int, out: Path) -> dict[str, Any]:
    """Write feeds/<i>.xml and pages/<k>.html under `out`; return the manifest."""
    from newsstand.ingest.feeds import FeedParseError, parse_feed

    templates = []
    for path in sorted((SHARED / "feeds").rglob("*")):
        if path.suffix.lower() not in {".xml", ".rss", ".atom", ".rdf", ".json"}:
            continue
        if path.name.endswith((".serde.json", ".expected.json")) or "output" in path.parts:
            continue
        try:
            parsed = parse_feed(path.read_bytes(), "http://feeds.invalid/")
        except (FeedParseError, ValueError):
            continue
        if len(parsed.entries) >= 2:
            templates.append(parsed)
    pages = sorted((SHARED / "extraction").glob("*/html/*.html.gz"))
    (out / "feeds").mkdir(parents=True, exist_ok=True)
    (out / "pages").mkdir(exist_ok=True)
    for k, page in enumerate(pages):
        (out / "pages" / f"{k}.html").write_bytes(gzip.decompress(page.read_bytes()))
    feeds = []
    for i in range(n_feeds):
        tpl = templates[i % len(templates)]
        base = f"http://127.0.0.{1 + i % n_hosts}:{port}"
        items = [
            {
                "title": e.title or f"Item {j}",
                "url": f"{base}/p/{i}/{j}.html",
                "summary": e.summary_html,
                "authors": e.authors,
                "categories": e.categories,
                "published": e.published,
            }
            for j, e in enumerate(tpl.entries[:n_items])
        ]
        (out / "feeds" / f"{i}.xml").write_bytes(_rss(tpl.title or f"Feed {i}", base, items))
        feeds.append(f"{base}/feeds/{i}.xml")
    return {"feeds": feeds, "templates": len(templates), "pages": len(pages)}


# ---------------------------------------------------------------- server process


def serve(corpus: Path, port: int, n_hosts: int, ready_file: Path) -> None:
    feeds = {
        int(p.stem): p.read_bytes() for p in (corpus / "feeds").glob("*.xml")
    }  # in memory: the server must not be the bottleneck
    pages: list[bytes] = []
    k = 0
    while (corpus / "pages" / f"{k}.html").exists():
        pages.append((corpus / "pages" / f"{k}.html").read_bytes())
        k += 1
    stats = {"feed_200": 0, "feed_304": 0, "page": 0, "robots": 0, "other": 0}
    page_re = re.compile(r"^/p/(\d+)/(\d+)\.html$")
    feed_re = re.compile(r"^/feeds/(\d+)\.xml$")

    def respond(status: str, body: bytes, headers: dict[str, str]) -> bytes:
        head = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        return ("\r\n".join(head) + "\r\n\r\n").encode() + body

    def route(path: str, headers: dict[str, str]) -> bytes:
        if m := feed_re.match(path):
            i = int(m.group(1))
            body = feeds.get(i)
            if body is None:
                stats["other"] += 1
                return respond("404 Not Found", b"", {})
            etag = f'"f{i}"'
            if headers.get("if-none-match") == etag:
                stats["feed_304"] += 1
                return respond("304 Not Modified", b"", {"ETag": etag})
            stats["feed_200"] += 1
            return respond("200 OK", body, {"ETag": etag, "Content-Type": "application/rss+xml"})
        if m := page_re.match(path):
            stats["page"] += 1
            i, j = int(m.group(1)), int(m.group(2))
            body = pages[(i * 31 + j * 7) % len(pages)]
            return respond("200 OK", body, {"Content-Type": "text/html; charset=utf-8"})
        if path == "/robots.txt":
            stats["robots"] += 1
            return respond("200 OK", ROBOTS_TXT, {"Content-Type": "text/plain"})
        if path == "/__stats":
            return respond("200 OK", json.dumps(stats).encode(), {"Content-Type": "text/json"})
        stats["other"] += 1
        return respond("404 Not Found", b"", {})

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                _method, target, _version = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        name, _, value = line.partition(":")
                        headers[name.strip().lower()] = value.strip()
                writer.write(route(target.split("?", 1)[0], headers))
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    break
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        hosts = [f"127.0.0.{h}" for h in range(1, n_hosts + 1)]
        server = await asyncio.start_server(handle, hosts, port, backlog=1024)
        ready_file.write_text("ready")
        async with server:
            await server.serve_forever()

    asyncio.run(main())


# ---------------------------------------------------------------- worker process


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def work(args: argparse.Namespace) -> None:
    _django(Path(args.data_dir), args.database_url)
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.utils import timezone

    from newsstand.articles.models import Article
    from newsstand.ingest import politeness
    from newsstand.ingest.models import FeedCheck
    from newsstand.sources.models import Feed, Publisher

    call_command("migrate", "--no-input", verbosity=0)
    if args.database_url:
        call_command("flush", "--no-input", verbosity=0)
    feeds = json.loads(Path(args.manifest).read_text())["feeds"]
    pubs = Publisher.objects.bulk_create(
        Publisher(name=f"Bench {i}", slug=f"bench-{i}") for i in range(len(feeds))
    )
    Feed.objects.bulk_create(Feed(publisher=p, url=u) for p, u in zip(pubs, feeds, strict=True))
    reset_queries()
    connection.close()

    def cycle(jobs: int) -> dict[str, Any]:
        Feed.objects.update(next_check_at=timezone.now(), leased_until=None)
        connection.close()
        out = StringIO()
        started = time.perf_counter()
        call_command("ingest", "--once", "--jobs", str(jobs), "--no-progress", stdout=out)
        return {
            "jobs": jobs,
            "wall_s": round(time.perf_counter() - started, 3),
            "rss_mb": round(_rss_mb(), 1),
            "summary": out.getvalue().strip(),
        }

    emit = lambda kind, data: print(json.dumps({"kind": kind, **data}), flush=True)  # noqa: E731
    emit("start", {"rss_mb": round(_rss_mb(), 1)})
    first = cycle(args.first_jobs)
    first["articles"] = Article.objects.count()
    first["page_errors"] = sum(FeedCheck.objects.values_list("page_errors", flat=True))
    first["feed_errors"] = FeedCheck.objects.filter(outcome="error").count()
    first["peak_rss_mb"] = round(_peak_rss_mb(), 1)
    emit("first", first)
    for jobs in args.jobs:
        emit("probe", cycle(jobs))
    best = int(sys.stdin.readline())  # the orchestrator picks, having the server's counts
    politeness.reset()
    for _ in range(args.cycles):
        emit("cycle", cycle(best))
    emit("end", {"peak_rss_mb": round(_peak_rss_mb(), 1)})


# ---------------------------------------------------------------- orchestrator


def _stats(base: str) -> dict[str, int]:
    import httpx

    return dict(httpx.get(base + "/__stats", timeout=10).json())


def baseline(feeds: list[str], jobs: int) -> float:
    import httpx

    with httpx.Client(
        limits=httpx.Limits(max_connections=64, max_keepalive_connections=16), timeout=30
    ) as client:

        def get(pair: tuple[int, str]) -> int:
            i, url = pair
            return client.get(url, headers={"If-None-Match": f'"f{i}"'}).status_code

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            codes = list(pool.map(get, enumerate(feeds)))
        elapsed = time.perf_counter() - started
    assert all(c == 304 for c in codes), set(codes)
    return elapsed


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _machine() -> dict[str, Any]:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpus": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def orchestrate(args: argparse.Namespace) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="newsstand-bench-ingest-"))
    port = _free_port()
    _django(tmp / "scratch", None)  # only for parse_feed while building the corpus
    corpus = build_corpus(args.feeds, args.items, args.hosts, port, tmp / "web")
    manifest = tmp / "manifest.json"
    manifest.write_text(json.dumps(corpus))
    ready = tmp / "ready"
    me = [sys.executable, str(Path(__file__).resolve())]
    server = subprocess.Popen(
        [*me, "--serve", str(tmp / "web"), "--port", str(port), "--hosts", str(args.hosts),
         "--ready", str(ready)]
    )  # fmt: skip
    try:
        while not ready.exists():
            if server.poll() is not None:
                raise SystemExit("the bench web server failed to start")
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "NEWSSTAND_LOG_LEVEL": "WARNING"}
        cmd = [*me, "--worker", "--data-dir", str(tmp / "data"), "--manifest", str(manifest),
               "--first-jobs", str(args.first_jobs), "--cycles", str(args.cycles),
               "--jobs", ",".join(map(str, args.jobs))]  # fmt: skip
        if args.database_url:
            cmd += ["--database-url", args.database_url]
        log_path = tmp / "worker.log"
        with log_path.open("w") as log:
            worker = subprocess.Popen(
                cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True, env=env
            )
            assert worker.stdout and worker.stdin
            events: list[dict[str, Any]] = []
            served: list[dict[str, int]] = []
            for line in worker.stdout:
                event = json.loads(line)
                events.append(event)
                served.append(_stats(base))
                print(
                    f"  {event['kind']}: { ({k: v for k, v in event.items() if k != 'summary'}) }"
                )
                if event["kind"] == "probe" and len(
                    [e for e in events if e["kind"] == "probe"]
                ) == len(args.jobs):
                    probes = [e for e in events if e["kind"] == "probe"]
                    best = min(probes, key=lambda e: e["wall_s"])["jobs"]
                    worker.stdin.write(f"{best}\n")
                    worker.stdin.flush()
            if worker.wait() != 0:
                raise SystemExit(f"the worker failed; see {log_path}")
        first = next(e for e in events if e["kind"] == "first")
        first_served = served[events.index(first)]
        probes = [e for e in events if e["kind"] == "probe"]
        cycles = [e for e in events if e["kind"] == "cycle"]
        best = cycles[0]["jobs"]
        base_s = baseline(corpus["feeds"], best)
        children_peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    finally:
        server.terminate()
        server.wait()
    rss = [c["rss_mb"] for c in cycles]
    half = len(rss) // 2
    growth = (statistics.mean(rss[half:]) - statistics.mean(rss[:half])) if half else 0.0
    result = {
        "command": " ".join(["bench/ingest.py", *sys.argv[1:]]),
        "machine": _machine(),
        "database": args.database_url.split("@")[-1] if args.database_url else "sqlite",
        "corpus": {
            "feeds": args.feeds,
            "items_per_feed": args.items,
            "hosts": args.hosts,
            "feed_templates": corpus["templates"],
            "distinct_pages": corpus["pages"],
        },
        "first_ingest": {
            "jobs": first["jobs"],
            "wall_s": first["wall_s"],
            "page_requests": first_served["page"],
            "pages_per_s": round(first_served["page"] / first["wall_s"], 1),
            "feeds_per_s": round(args.feeds / first["wall_s"], 1),
            "articles_stored": first["articles"],
            "page_errors": first["page_errors"],
            "feed_errors": first["feed_errors"],
            "peak_rss_mb": first["peak_rss_mb"],
        },
        "not_modified_probe": [{"jobs": p["jobs"], "wall_s": p["wall_s"]} for p in probes],
        "not_modified_cycles": {
            "jobs": best,
            "wall_s": [c["wall_s"] for c in cycles],
            "median_wall_s": statistics.median(c["wall_s"] for c in cycles),
            "feeds_per_s": round(args.feeds / statistics.median(c["wall_s"] for c in cycles), 1),
            "rss_mb_after_each": rss,
            "rss_growth_mb_second_half_vs_first": round(growth, 1),
            "within_30s": max(c["wall_s"] for c in cycles) <= 30.0,
        },
        "baseline_httpx_304_wall_s": round(base_s, 3),
        "children_peak_rss_mb": round(children_peak_mb, 1),
    }
    shutil.rmtree(tmp, ignore_errors=True)  # kept above only when a step failed, to look into
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    _print_table(result)


def _print_table(r: dict[str, Any]) -> None:
    f, c = r["first_ingest"], r["not_modified_cycles"]
    rows = [
        ("first ingest, jobs", f["jobs"]),
        ("first ingest wall s", f["wall_s"]),
        ("pages fetched", f["page_requests"]),
        ("pages/s", f["pages_per_s"]),
        ("feeds/s", f["feeds_per_s"]),
        ("articles stored", f["articles_stored"]),
        ("peak RSS MB (worker)", f["peak_rss_mb"]),
        (
            "304 probe jobs:wall s",
            ", ".join(f"{p['jobs']}:{p['wall_s']}" for p in r["not_modified_probe"]),
        ),
        ("304 cycle jobs", c["jobs"]),
        ("304 cycle median s", c["median_wall_s"]),
        ("304 cycle feeds/s", c["feeds_per_s"]),
        ("304 cycles <= 30 s", c["within_30s"]),
        ("RSS MB after each", " ".join(f"{x:.0f}" for x in c["rss_mb_after_each"])),
        ("RSS growth MB (2nd half - 1st)", c["rss_growth_mb_second_half_vs_first"]),
        ("baseline httpx 304s s", r["baseline_httpx_304_wall_s"]),
    ]
    width = max(len(k) for k, _ in rows)
    print(f"\nIngest bench ({r['corpus']['feeds']} feeds, {r['database']}, "
          f"{r['machine']['cpus']} CPUs: {r['machine']['cpu']})")  # fmt: skip
    for k, v in rows:
        print(f"  {k:<{width}}  {v}")
    print(f"  written to {RESULTS.relative_to(REPO)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--items", type=int, default=2, help="items kept per feed")
    parser.add_argument("--hosts", type=int, default=16, help="loopback hosts to spread over")
    parser.add_argument("--first-jobs", type=int, default=4)
    parser.add_argument(
        "--jobs", type=lambda s: [int(x) for x in s.split(",")], default=[4, 8, 16, 32]
    )
    parser.add_argument("--cycles", type=int, default=10)
    parser.add_argument("--database-url", help="PostgreSQL URL (default: SQLite in a temp dir)")
    # internal: the two child processes
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--ready", help=argparse.SUPPRESS)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    parser.add_argument("--manifest", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(Path(args.serve), args.port, args.hosts, Path(args.ready))
    elif args.worker:
        work(args)
    else:
        orchestrate(args)


if __name__ == "__main__":
    main()
