"""One feed of N pages ingested over HTTP, against plain trafilatura extracting the same pages.

Run:  python -m bench.ingest_feed [--pages 200] [--repeats 3] [--extract-processes N]

The goal (issue #18): a whole ingest of N pages, `newsstand ingest --once --feed URL` (fetch the
feed and every page over HTTP, parse, extract, store, assign stories, start-up included), takes
no longer than plain trafilatura needs to extract the same pages alone
(`python -m bench.trafilatura_cli --jobs 1 FILES`: start-up, reading the files and
`trafilatura.extract(html, url=url)` with standard settings, one process).

Pages: the first N of the shared extraction pages taken in turn from aeb, naeb-dev and wcxb-dev
(sorted by file name), so news and non-news pages mix. A local web server (its own process,
asyncio HTTP/1.1 on 127.0.0.1) serves /feed.xml (RSS 2.0, one item per page with its real URL
as the title's source) and /p/<k>.html. Each repeat ingests into a fresh data directory, made
and migrated before the clock starts; the two commands alternate which goes first. Medians are
reported; results go to bench/results/ingest_feed.json.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import platform
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEWSSTAND_SHARED_DATA") or REPO.parent / "shared" / "data")
RESULTS = REPO / "bench" / "results" / "ingest_feed.json"
SETS = ("aeb", "naeb-dev", "wcxb-dev")


def pick_pages(n: int) -> list[Path]:
    lists = [sorted((SHARED / "extraction" / s / "html").glob("*.html.gz")) for s in SETS]
    picked: list[Path] = []
    for index in range(max(map(len, lists))):
        for pages in lists:
            if index < len(pages) and len(picked) < n:
                picked.append(pages[index])
    return picked


def serve(folder: Path, port: int, ready: Path) -> None:
    feed = (folder / "feed.xml").read_bytes()
    pages = sorted(folder.glob("p/*.html"), key=lambda p: int(p.stem))
    bodies = {f"/p/{p.name}": p.read_bytes() for p in pages}

    def respond(status: str, body: bytes, kind: str) -> bytes:
        head = f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\nContent-Type: {kind}\r\n\r\n"
        return head.encode() + body

    def route(path: str) -> bytes:
        if path == "/feed.xml":
            return respond("200 OK", feed, "application/rss+xml")
        if path == "/robots.txt":
            return respond("200 OK", b"User-agent: *\nAllow: /\n", "text/plain")
        if path in bodies:
            return respond("200 OK", bodies[path], "text/html; charset=utf-8")
        return respond("404 Not Found", b"", "text/plain")

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                target = head.decode("latin-1").split("\r\n", 1)[0].split(" ")[1]
                writer.write(route(target.split("?", 1)[0]))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ValueError, IndexError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", port)
        ready.write_text("ready")
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def build(pages: list[Path], folder: Path, base: str) -> list[Path]:
    """Write the feed and the pages (served) and plain .html copies (for trafilatura)."""
    (folder / "p").mkdir(parents=True)
    items = []
    files = []
    for k, path in enumerate(pages):
        html = gzip.decompress(path.read_bytes())
        (folder / "p" / f"{k}.html").write_bytes(html)
        files.append(folder / "p" / f"{k}.html")
        items.append(
            f"<item><title>Page {k}</title><link>{base}/p/{k}.html</link>"
            f'<guid isPermaLink="true">{base}/p/{k}.html</guid>'
            f"<description>{escape(path.name)}</description></item>"
        )
    (folder / "feed.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Bench feed</title><link>{base}/</link>{''.join(items)}</channel></rss>"
    )
    return files


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _newsstand(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    exe = REPO / ".venv" / "bin" / "newsstand"
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "newsstand"]
    env = {
        **os.environ,
        "NEWSSTAND_DATA_DIR": str(data_dir),
        "NEWSSTAND_ALLOW_PRIVATE_URLS": "1",  # the bench's web is on loopback
        "NEWSSTAND_LOG_LEVEL": "WARNING",
        # This checkout's code, also from a worktree (the venv's install points at another).
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(REPO / "src"), os.environ.get("PYTHONPATH")])
        ),
    }
    env.pop("NEWSSTAND_DATABASE_URL", None)
    return subprocess.run([*command, *args], env=env, capture_output=True, text=True, check=False)


def ingest_once(
    feed_url: str, data_dir: Path, extract_processes: int | None = None
) -> tuple[float, float, int, int]:
    """Seconds for `ingest --once --feed` and for its refresh alone (fetching, extracting and
    storing, as the feed's check recorded it: the rest is start-up and story assignment),
    articles stored and those with text; with `extract_processes`, that many extracting
    processes (the command's own default: one per CPU)."""
    done = _newsstand("migrate", "--no-input", data_dir=data_dir)
    if done.returncode:
        raise SystemExit(f"migrate failed: {done.stderr[-2000:]}")
    start = time.perf_counter()
    processes = [] if extract_processes is None else ["--extract-processes", str(extract_processes)]
    done = _newsstand(
        "ingest", "--once", "--feed", feed_url, "--no-progress", *processes, data_dir=data_dir
    )
    elapsed = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"ingest failed: {done.stderr[-2000:]}")
    with sqlite3.connect(data_dir / "newsstand.sqlite3") as db:
        articles = db.execute("select count(*) from articles_article").fetchone()[0]
        with_text = db.execute(
            "select count(*) from articles_article where length(content_text) > 0"
        ).fetchone()[0]
        refresh_ms = db.execute("select max(duration_ms) from ingest_feedcheck").fetchone()[0]
    return elapsed, refresh_ms / 1000, articles, with_text


def trafilatura_once(files: list[Path], urls: dict[str, str]) -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".json") as mapping:
        json.dump(urls, mapping)
        mapping.flush()
        command = [sys.executable, "-m", "bench.trafilatura_cli", "--jobs", "1"]
        command += ["--urls-from", mapping.name, *map(str, files)]
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=REPO)
        elapsed = time.perf_counter() - start
    if done.returncode or len(done.stdout.splitlines()) != len(files):
        raise SystemExit(f"trafilatura baseline failed: {done.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--extract-processes",
        type=int,
        default=None,
        help="passed to `ingest --extract-processes` (default: the command's, one per CPU)",
    )
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--ready", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.ready)
        return

    tmp = Path(tempfile.mkdtemp(prefix="newsstand-bench-ingest-feed-"))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    files = build(pick_pages(args.pages), tmp / "web", base)
    urls = {str(f): f"{base}/p/{f.name}" for f in files}
    ready = tmp / "ready"
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.ingest_feed", "--serve", str(tmp / "web"),
         "--port", str(port), "--ready", str(ready)],
        cwd=REPO,
    )  # fmt: skip
    ingest_s: list[float] = []
    base_s: list[float] = []
    refresh_s: list[float] = []
    stored: list[tuple[int, int]] = []
    try:
        while not ready.exists():
            if server.poll() is not None:
                raise SystemExit("the bench web server failed to start")
            time.sleep(0.05)
        for round_ in range(args.repeats):
            order = ("ingest", "base") if round_ % 2 == 0 else ("base", "ingest")
            for who in order:
                if who == "ingest":
                    seconds, refresh, articles, with_text = ingest_once(
                        f"{base}/feed.xml", tmp / f"data-{round_}", args.extract_processes
                    )
                    ingest_s.append(seconds)
                    refresh_s.append(refresh)
                    stored.append((articles, with_text))
                else:
                    base_s.append(trafilatura_once(files, urls))
                done = ingest_s if who == "ingest" else base_s
                print(f"  round {round_ + 1}: {who} {done[-1]:.1f} s")
    finally:
        server.terminate()
        server.wait()
    ratios = [b / i for b, i in zip(base_s, ingest_s, strict=True)]
    report: dict[str, Any] = {
        "command": "python -m bench.ingest_feed " + " ".join(sys.argv[1:]),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_at_end": os.getloadavg(),
        },
        "pages": len(files),
        "ingest_seconds": ingest_s,
        "trafilatura_seconds": base_s,
        "articles_stored_with_text": stored,
        "ingest_median_s": statistics.median(ingest_s),
        "refresh_median_s": statistics.median(refresh_s),
        "trafilatura_median_s": statistics.median(base_s),
        "ratios_trafilatura_over_ingest": ratios,
        "ratio_median": statistics.median(ratios),
    }
    print(
        f"{len(files)} pages: ingest --once --feed median {report['ingest_median_s']:.1f} s "
        f"(its refresh {report['refresh_median_s']:.1f} s), plain trafilatura median "
        f"{report['trafilatura_median_s']:.1f} s; ratio "
        f"{report['ratio_median']:.2f} (goal >= 1); stored {stored}"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
