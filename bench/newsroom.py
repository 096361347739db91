"""What bench/chaos.py and bench/soak.py share: a cluster on PostgreSQL and Redis, a newsroom
whose feeds keep getting new items, and readers.

* The cluster is tests/server/cluster.py's (the multi-node test's launcher): web nodes
  (`up --no-worker`) and workers (`worker`), each with its own data dir, on a database this
  module creates and drops (`ClusterSite`), and one Redis database number it flushes.
* `Newsroom`: publishers, each a `PublisherWeb` of its own (so a host of its own for the
  per-host limit) on loopback, serving feeds (RSS with ETag: unchanged, they answer 304) and
  article pages. A clock thread publishes a new item every so often on a random feed; text is
  invented per event (a few write-ups of one event across publishers make a story).
* Feeds are polled every 5 minutes at the most (ingest/scheduling.py); the benches compress
  time by making every feed due again every `POKE_S` (`ClusterSite.poke_feeds`), which is what a
  stream of new items would look like to the scheduler over hours.
* `Readers`: client threads, each from a loopback address of its own (127.0.0.N: the API's and
  search's per-address limits see N clients, as they would in life), asking a random live node
  for home, an article, a search or the JSON API, and recording every answer.
"""

from __future__ import annotations

import contextlib
import random
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import httpx
import psycopg
import redis
from tests.httpserver import PublisherWeb
from tests.ingest.corpus import HTML, RSS
from tests.server.cluster import Cluster, PostgresServer, cluster_env, wait_until

READY_TIMEOUT_S = 180
HTTP_TIMEOUT_S = 60.0
# Every feed is made due this often (see the module's docstring).
POKE_S = 10.0
# Articles and search words the readers pick from are re-read this often.
TARGETS_REFRESH_S = 10.0
# Readers' loopback addresses start here (127.0.0.1 is the benches' own).
FIRST_CLIENT_ADDRESS = 10
PARAGRAPHS = 6
SENTENCES_PER_PARAGRAPH = 4
# An item covers an event already in the news this often; else a new event.
FOLLOW_UP_SHARE = 0.5
RECENT_EVENTS = 8
BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"

_SYLLABLES = ("ka", "lo", "mir", "ven", "dra", "sul", "tek", "ori", "bas", "quen", "zor", "lin")
_FILLER_TEXT = (
    "the council said on Tuesday that officials would meet again after residents raised "
    "concerns about the plan and its cost while the minister promised a full review of what "
    "happened before the end of the month according to people familiar with the talks"
)
_FILLER = _FILLER_TEXT.split()
_VERBS = ("delays", "approves", "rejects", "opens", "closes", "expands", "reviews", "funds")


# ------------------------------------------------------------------ the cluster's site


@dataclass
class ClusterSite:
    """A database and a Redis database number of the bench's own, and the cluster on them."""

    server: PostgresServer
    database: str
    redis_url: str
    root: Path
    secret_key: str
    cluster: Cluster = field(init=False)
    db: Any = field(init=False, default=None)  # psycopg.Connection, autocommit
    redis: redis.Redis = field(init=False)

    def open(self, **extra_env: str) -> Cluster:
        """Create the database (dropping an earlier run's), flush the Redis database, migrate."""
        database_url = self.server.recreate(self.database)
        self.redis = redis.Redis.from_url(self.redis_url)
        self.redis.flushdb()
        env = cluster_env(
            database_url=database_url,
            redis_url=self.redis_url,
            secret_key=self.secret_key,
            **extra_env,
        )
        self.cluster = Cluster(env=env, root=self.root)
        self.cluster.run("migrate", "--no-input")
        self.db = psycopg.connect(database_url, autocommit=True)
        return self.cluster

    def close(self, *, drop: bool = True) -> None:
        with contextlib.suppress(Exception):
            self.cluster.stop_all()
        if self.db is not None:
            with contextlib.suppress(Exception):
                self.db.close()
        with contextlib.suppress(Exception):
            redis.Redis.from_url(self.redis_url).flushdb()
        if drop:
            self.server.drop(self.database)

    def one(self, sql: str, *params: Any) -> Any:
        row = self.db.execute(sql, params or None).fetchone()
        return row[0] if row else None

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        return list(self.db.execute(sql, params or None).fetchall())

    def add_feeds(self, urls: Sequence[str]) -> None:
        self.cluster.run(
            "shell",
            "-c",
            f"from newsstand.sources.actions import add_feed;[add_feed(u) for u in {list(urls)!r}]",
        )

    def poke_feeds(self) -> int:
        """Every active feed not yet due is due now; how many."""
        cur = self.db.execute(
            "UPDATE sources_feed SET next_check_at = now() "
            "WHERE is_active AND next_check_at > now()"
        )
        return int(cur.rowcount)

    def stored_guids(self) -> set[str]:
        return {g for (g,) in self.rows("SELECT guid FROM articles_article")}

    def worker_heard(self, pid: int) -> bool:
        return bool(self.one("SELECT count(*) FROM ingest_workerheartbeat WHERE pid = %s", pid))

    def start_nodes(self, webs: int, workers: int, *, web_workers: int, threads: int) -> None:
        for n in range(1, webs + 1):
            self.cluster.start_web(f"web-{n}", web_workers=web_workers)
        for n in range(1, workers + 1):
            self.cluster.start(f"worker-{n}", "worker", "--threads", str(threads))

    def node_ready(self, name: str) -> bool:
        if name.startswith("web"):
            url = self.cluster.base_url(name) + "/readyz"
            return httpx.get(url, timeout=5).status_code == 200
        return self.worker_heard(self.cluster.processes[name].pid)

    def wait_ready(self, names: Sequence[str], timeout_s: float = READY_TIMEOUT_S) -> None:
        for name in names:
            wait_until(
                f"{name} ready\n{self.cluster.log(name)}",
                lambda name=name: self.cluster.alive(name) and self.node_ready(name),
                timeout_s,
            )

    def queue_depth(self, web: str) -> float | None:
        """Tasks waiting in the queue, from a web node's /metrics (None: no answer)."""
        try:
            text = httpx.get(self.cluster.base_url(web) + "/metrics", timeout=10).text
        except httpx.HTTPError:
            return None
        for line in text.splitlines():
            if line.startswith("newsstand_queue_depth "):
                return float(line.split()[1])
        return None


# ------------------------------------------------------------------ the newsroom


@dataclass(frozen=True)
class Item:
    guid: str
    title: str
    url: str
    published: datetime


@dataclass
class _Feed:
    web: PublisherWeb
    path: str
    items: list[Item] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.web.url(self.path)


class _Event:
    def __init__(self, rng: random.Random, number: int) -> None:
        self.number = number
        self.names = [_word(rng).capitalize() for _ in range(4)]
        self.words = [_word(rng) for _ in range(10)]
        self.verb = rng.choice(_VERBS)


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))


class Newsroom:
    """Publishers on loopback whose feeds keep growing (see the module's docstring)."""

    def __init__(
        self,
        *,
        publishers: int,
        feeds_per_publisher: int,
        items_per_feed: int,
        page_delay_s: float,
        seed: int,
    ) -> None:
        self.rng = random.Random(seed)
        self.page_delay_s = page_delay_s
        self.lock = threading.Lock()
        self.webs = [PublisherWeb() for _ in range(publishers)]
        self.feeds = [
            _Feed(web, f"/p{p}/feed-{f}.xml")
            for p, web in enumerate(self.webs)
            for f in range(feeds_per_publisher)
        ]
        self.events: list[_Event] = []
        self.words: list[str] = []  # every event word, for searches
        self._count = 0
        self._stop = threading.Event()
        self._clock: threading.Thread | None = None
        for feed in self.feeds:
            feed.web.handle(feed.path, self._feed_handler(feed))
            for _ in range(items_per_feed):
                self.publish(feed)

    def start(self) -> Newsroom:
        for web in self.webs:
            web.start()
        return self

    def stop(self) -> None:
        self.stop_clock()
        for web in self.webs:
            with contextlib.suppress(Exception):
                web.stop()

    @property
    def feed_urls(self) -> list[str]:
        return [f.url for f in self.feeds]

    def published(self) -> dict[str, Item]:
        with self.lock:
            return {i.guid: i for f in self.feeds for i in f.items}

    def publish(self, feed: _Feed | None = None) -> Item:
        """One new item on `feed` (a random one by default), its page served from now on."""
        with self.lock:
            feed = feed or self.rng.choice(self.feeds)
            if self.events and self.rng.random() < FOLLOW_UP_SHARE:
                event = self.rng.choice(self.events[-RECENT_EVENTS:])
            else:
                event = _Event(self.rng, len(self.events))
                self.events.append(event)
                self.words.extend(event.words[:3])
            self._count += 1
            n = self._count
            title = f"{event.names[0]} {event.verb} {event.names[1]} plan in {event.names[2]} ({n})"
            html = _article_html(title, event, random.Random(self.rng.random()))
            path = f"{feed.path.rsplit('/', 1)[0]}/story-{n}.html"
            feed.web.handle(path, self._page_handler(html.encode()))
            item = Item(f"item-{n}", title, feed.web.url(path), datetime.now(UTC))
            feed.items.append(item)
            return item

    def start_clock(self, every_s: float, *, max_items: int) -> None:
        """Publish an item every `every_s` until stop_clock, or `max_items` of them."""

        def run() -> None:
            for _ in range(max_items):
                if self._stop.wait(every_s):
                    return
                self.publish()

        self._stop.clear()
        self._clock = threading.Thread(target=run, name="newsroom-clock", daemon=True)
        self._clock.start()

    def stop_clock(self) -> None:
        self._stop.set()
        if self._clock is not None:
            self._clock.join()
            self._clock = None

    def _feed_handler(self, feed: _Feed) -> Callable[[Any], None]:
        def handler(req: Any) -> None:
            with self.lock:
                items = list(reversed(feed.items))
            etag = f'"n{len(items)}"'
            if req.headers.get("If-None-Match") == etag:
                req.send_response(304)
                req.send_header("ETag", etag)
                req.send_header("Content-Length", "0")
                req.end_headers()
                return
            body = "".join(
                f"<item><title>{escape(i.title)}</title><link>{escape(i.url)}</link>"
                f"<guid>{i.guid}</guid><description>{escape(i.title)}.</description>"
                f"<pubDate>{format_datetime(i.published, usegmt=True)}</pubDate></item>"
                for i in items
            )
            rss = (
                f'<?xml version="1.0"?><rss version="2.0"><channel>'
                f"<title>Publisher {feed.web.port} {feed.path}</title>"
                f"<link>{feed.web.base_url}/</link>{body}</channel></rss>"
            )
            with contextlib.suppress(OSError):  # the worker was killed mid-answer
                req.send_body(200, rss.encode(), {**RSS, "ETag": etag})

        return handler

    def _page_handler(self, body: bytes) -> Callable[[Any], None]:
        def handler(req: Any) -> None:
            time.sleep(self.page_delay_s)
            with contextlib.suppress(OSError):
                req.send_body(200, body, HTML)

        return handler


def _article_html(title: str, event: _Event, rng: random.Random) -> str:
    paragraphs = []
    for _ in range(PARAGRAPHS):
        sentences = []
        for _ in range(SENTENCES_PER_PARAGRAPH):
            words = rng.sample(_FILLER, 8) + rng.sample(event.words, 3) + [rng.choice(event.names)]
            rng.shuffle(words)
            sentences.append(" ".join(words).capitalize() + ".")
        paragraphs.append(f"<p>{' '.join(sentences)}</p>")
    return (
        f'<!doctype html><html lang="en"><head><title>{escape(title)}</title></head><body>'
        f"<article><h1>{escape(title)}</h1>{''.join(paragraphs)}</article></body></html>"
    )


# ------------------------------------------------------------------ readers

KINDS = ("home", "article", "search", "api")


@dataclass(frozen=True)
class Answer:
    kind: str
    node: str
    started: float  # time.monotonic()
    seconds: float
    status: int  # 0: no HTTP answer (see error)
    error: str = ""

    @property
    def outcome(self) -> str:
        if self.status == 0:
            return "conn"
        if self.status >= 500:
            return "5xx"
        if self.status == 429:
            return "429"
        if self.status >= 400:
            return "4xx"
        return "ok"


@dataclass
class Targets:
    """What readers ask for: article ids and search words, refreshed from the database."""

    article_ids: list[int] = field(default_factory=list)
    words: list[str] = field(default_factory=list)

    def refresh(self, site: ClusterSite, words: Sequence[str]) -> None:
        ids = [i for (i,) in site.rows("SELECT id FROM articles_article ORDER BY id")]
        if ids:
            self.article_ids = ids
        self.words = list(words)


class Readers:
    """`clients` threads reading until stop(): each picks a live node (`nodes()`), a page kind
    in turn, waits `think_s` (±50%) between requests, and records an `Answer`."""

    def __init__(
        self,
        *,
        clients: int,
        nodes: Callable[[], list[tuple[str, str]]],
        targets: Targets,
        think_s: float,
        seed: int,
    ) -> None:
        self.clients = clients
        self.nodes = nodes
        self.targets = targets
        self.think_s = think_s
        self.seed = seed
        self.answers: list[Answer] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for n in range(self.clients):
            thread = threading.Thread(target=self._run, args=(n,), name=f"reader-{n}", daemon=True)
            self._threads.append(thread)
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(HTTP_TIMEOUT_S + 5)

    def snapshot(self) -> list[Answer]:
        with self._lock:
            return list(self.answers)

    def _path(self, kind: str, rng: random.Random) -> str:
        ids, words = self.targets.article_ids, self.targets.words
        if kind == "article" and ids:
            return f"/articles/{rng.choice(ids)}/"
        if kind == "search" and words:
            return f"/search?q={rng.choice(words)}"
        if kind == "api":
            if ids and rng.random() < 0.5:
                return f"/api/articles/{rng.choice(ids)}"
            return rng.choice(("/api/articles", "/api/stories", "/api/top-stories"))
        return "/"

    def _run(self, n: int) -> None:
        rng = random.Random(self.seed * 1000 + n)
        address = f"127.0.0.{FIRST_CLIENT_ADDRESS + n}"
        clients: dict[str, httpx.Client] = {}
        step = rng.randrange(len(KINDS))
        # Start spread over one think time, not all at once.
        self._stop.wait(rng.uniform(0, self.think_s))
        try:
            while not self._stop.is_set():
                live = self.nodes()
                if not live:
                    self._stop.wait(0.5)
                    continue
                name, base = rng.choice(live)
                client = clients.get(name)
                if client is None:
                    client = clients[name] = httpx.Client(
                        base_url=base,
                        timeout=HTTP_TIMEOUT_S,
                        headers={"User-Agent": BROWSER_UA},
                        transport=httpx.HTTPTransport(local_address=address),
                    )
                kind = KINDS[step % len(KINDS)]
                step += 1
                path = self._path(kind, rng)
                started = time.monotonic()
                try:
                    status = client.get(path).status_code
                    error = ""
                except httpx.HTTPError as exc:
                    status, error = 0, f"{type(exc).__name__}: {exc}"[:300]
                    # A connection that failed may be half-open: start afresh.
                    client.close()
                    clients.pop(name, None)
                answer = Answer(kind, name, started, time.monotonic() - started, status, error)
                with self._lock:
                    self.answers.append(answer)
                self._stop.wait(self.think_s * rng.uniform(0.5, 1.5))
        finally:
            for client in clients.values():
                client.close()


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def answers_table(answers: Sequence[Answer]) -> list[list[str]]:
    """One row per page kind (and all): requests, ok, 429, 4xx, 5xx, conn, p50/p95/p99 ms."""
    rows = []
    for kind in (*KINDS, "all"):
        group = [a for a in answers if kind in ("all", a.kind)]
        counts = {o: sum(1 for a in group if a.outcome == o) for o in ("ok", "429", "4xx", "5xx")}
        conn = sum(1 for a in group if a.outcome == "conn")
        ms = sorted(a.seconds * 1000 for a in group if a.status)
        rows.append(
            [
                kind,
                str(len(group)),
                str(counts["ok"]),
                str(counts["429"]),
                str(counts["4xx"]),
                str(counts["5xx"]),
                str(conn),
                f"{percentile(ms, 50):.0f}",
                f"{percentile(ms, 95):.0f}",
                f"{percentile(ms, 99):.0f}",
            ]
        )
    return rows


ANSWER_HEADER = ["page", "requests", "ok", "429", "other 4xx", "5xx", "conn err", "p50 ms"]
ANSWER_HEADER += ["p95 ms", "p99 ms"]


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table (also readable as plain text)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
