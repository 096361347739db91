"""Chaos bench: kill -9 random workers and web nodes of a running cluster, then count what broke.

Run:  nice -n 10 .venv/bin/python -m bench.chaos [--kills 20] [--readers 4] [--seed 17]
          [--pg-url postgres://postgres@127.0.0.1:5432] [--database newsstand_chaos]
          [--redis-url redis://127.0.0.1:6379/12] [--keep DIR]

Everything is on loopback and ends by itself (every loop is bounded). Steps:
  cluster  database `newsstand_chaos` (dropped and created; dropped at the end unless --keep), Redis
           database 12 (flushed before and after); `migrate`; 2 web nodes (`up --no-worker`,
           one gunicorn worker each) and 2 workers (`worker --threads 2`), each with its own data
           dir, as tests/server/test_multinode.py starts them (tests/server/cluster.py).
  newsroom 4 publishers (a PublisherWeb each, so 4 hosts), 3 feeds each, 3 items per feed to
           start; then a new item every --publish-every-s on a random feed; every page answers
           after --page-delay-s, so kills land mid-refresh. Every feed is made due every 10 s
           (bench/newsroom.py: the 5-minute poll interval compressed).
  readers  --readers client threads on home, an article, a search and the JSON API, each asking a
           random web node that is up.
  chaos    --kills times, every 8-16 s: kill -9 of a random node that is up (a web node's whole
           session, gunicorn's workers with it), restarted 1-4 s later; it counts as up again
           once it answers /readyz (web) or its heartbeat is in the database (worker).
  verdict  when every node is back: the newsroom stops publishing, every feed is made due, and
           the cluster has FINAL_FETCH_S to fetch them all. Then:
           lost        items the newsroom published that are not stored (by GUID);
           duplicated  URLs or GUIDs stored twice, articles without a story, stories without
                       articles (after SETTLE_S for the last assignments);
           stuck       feeds not fetched within FINAL_FETCH_S of the end, feeds due whose lease
                       ran out and nobody took, a task queue that never empties, fewer live
                       workers than started; and the killed workers' own fetches (their running
                       leases, still unrenewed 15 s after the kill) not started again by a live
                       worker within FINAL_FETCH_S of the kill (the issue's promise).
           Also shown: the longest any feed stayed due (it includes moments with no worker up),
           and host slots in Redis not renewed for DEAD_SLOT_S (a dead worker's).
           Readers' connection errors on a node while it was down are expected and counted
           apart; a 5xx, or a connection error on a node that was up, is an error.
Prints a table of the kills and one of the verdict; the last line is
"chaos: N kills ... lost L, duplicated D, stuck S: PASS|FAIL" (exit 1 on FAIL). JSON in
bench/results/chaos.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import platform
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
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
from newsstand.ingest import politeness

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results" / "chaos.json"
SECRET_KEY = "chaos-bench-" + "c" * 50
WEB_NODES = 2
WORKERS = 2
WORKER_THREADS = 2
KILL_GAP_S = (8.0, 16.0)
RESTART_DELAY_S = (1.0, 4.0)
PUBLISHERS = 4
FEEDS_PER_PUBLISHER = 3
ITEMS_PER_FEED = 3
# The promise: a dead worker's feeds are fetched again within a minute.
FINAL_FETCH_S = 60.0
# Story assignment runs after a refresh has recorded its check: a moment for the last ones.
SETTLE_S = 30.0
FIRST_INGEST_TIMEOUT_S = 300.0
BACK_UP_TIMEOUT_S = 240.0
QUEUE_SAMPLES = 6
QUEUE_SAMPLE_GAP_S = 2.0
HOUSEKEEPING_S = 0.25
# newsstand.ingest.leases.RUNNING_LEASE_S (importing it needs Django set up): a lease ending
# within this is a fetch running, a longer one a claim waiting in the queue.
RUNNING_LEASE_S = 30
ORPHAN_CHECK_S = 15.0  # leases.LEASE_RENEW_S (10 s) and a margin
# A host slot in Redis (ingest/politeness.py) taken or last renewed this long ago is taken for a
# dead worker's: the newsroom answers in --page-delay-s, and a live holder renews every 10 s.
DEAD_SLOT_S = 20.0
SLOT_SAMPLE_S = 1.0
SLOT_KEYS = "newsstand:polite:slots:*"
READY_CHECK_S = 1.0


@dataclass
class Node:
    name: str
    up: bool = False
    killed_at: float | None = None
    restart_at: float | None = None
    restarted: bool = False
    last_ready_check: float = 0.0

    @property
    def role(self) -> str:
        return "web" if self.name.startswith("web") else "worker"


@dataclass
class Kill:
    number: int
    at_s: float  # since the chaos began
    node: str
    pid: int
    running: int  # fetches in progress in the whole cluster (running leases) at the kill
    killed_at: float  # monotonic
    killed_wall: datetime  # the database's clock
    back_at: float | None = None  # monotonic, when it was up again
    # A worker's running leases at the kill; those still unrenewed ORPHAN_CHECK_S later were its
    # own fetches, cut off (a live holder renews every LEASE_RENEW_S, a finished one clears).
    leases: dict[int, datetime] = field(default_factory=dict)
    orphans: list[int] | None = None
    # Seconds from the kill until another worker started each orphan again (its lease taken as
    # a running one, or already released), and until that or a later check ended (None: never).
    retaken_s: dict[int, float] = field(default_factory=dict)
    rechecked_s: dict[int, float | None] = field(default_factory=dict)

    @property
    def down_s(self) -> float | None:
        return None if self.back_at is None else self.back_at - self.killed_at


@dataclass
class Verdict:
    published: int = 0
    stored: int = 0
    lost: list[str] = field(default_factory=list)
    duplicate_urls: int = 0
    duplicate_guids: int = 0
    without_story: int = 0
    empty_stories: int = 0
    final_fetch_s: float | None = None  # all feeds fetched this long after the end
    not_fetched: int = 0
    expired_leases: int = 0
    queue_depth_min: float | None = None
    workers_alive: int = 0
    longest_due_s: float = 0.0
    orphans: int = 0  # killed workers' fetches cut off
    retake_max_s: float | None = None  # the slowest orphan's restart, after its kill
    retaken_late: int = 0  # orphans started again more than FINAL_FETCH_S after the kill
    never_retaken: int = 0
    recheck_max_s: float | None = None  # the slowest orphan's next completed check
    dead_slots_max: int = 0
    slot_held_max_s: float = 0.0
    dead_slot_s: float = 0.0
    host_blocked_s: float = 0.0
    answers: dict[str, int] = field(default_factory=dict)
    expected_conn: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def duplicated(self) -> int:
        return self.duplicate_urls + self.duplicate_guids + self.without_story + self.empty_stories

    @property
    def stuck(self) -> int:
        return (
            self.not_fetched
            + self.expired_leases
            + (1 if self.queue_depth_min is None or self.queue_depth_min > 0 else 0)
            + max(0, WORKERS - self.workers_alive)
            + self.retaken_late
            + self.never_retaken
        )


# ------------------------------------------------------------------ verdict (pure)


def classify_answers(
    answers: list[Answer], downs: dict[str, list[tuple[float, float]]]
) -> tuple[dict[str, int], int, list[str]]:
    """Counts per outcome; connection errors on a node while it was down (a kill until it was
    up again); and the unexpected failures (5xx, connection errors on a node that was up)."""
    counts: dict[str, int] = {}
    expected = 0
    errors: list[str] = []
    for a in answers:
        counts[a.outcome] = counts.get(a.outcome, 0) + 1
        if a.outcome == "conn":
            end = a.started + a.seconds
            if any(start <= end and a.started <= stop for start, stop in downs.get(a.node, [])):
                expected += 1
                continue
            errors.append(f"{a.node} {a.kind}: {a.error}")
        elif a.outcome == "5xx":
            errors.append(f"{a.node} {a.kind}: HTTP {a.status}")
    return counts, expected, errors


def verdict_rows(v: Verdict, kills: int) -> list[list[str]]:
    def mark(ok: bool) -> str:
        return "ok" if ok else "**FAIL**"

    fetch_s = "never" if v.final_fetch_s is None else f"{v.final_fetch_s:.1f} s"
    return [
        ["kills (kill -9, restarted)", str(kills), "20", ""],
        ["items published / stored", f"{v.published} / {v.stored}", "", ""],
        ["lost (published, not stored)", str(len(v.lost)), "0", mark(not v.lost)],
        ["URLs stored twice", str(v.duplicate_urls), "0", mark(not v.duplicate_urls)],
        ["GUIDs stored twice", str(v.duplicate_guids), "0", mark(not v.duplicate_guids)],
        ["articles without a story", str(v.without_story), "0", mark(not v.without_story)],
        ["stories without articles", str(v.empty_stories), "0", mark(not v.empty_stories)],
        [
            "all feeds fetched after the end in",
            fetch_s,
            f"≤ {FINAL_FETCH_S:.0f} s",
            mark(v.not_fetched == 0),
        ],
        ["feeds not fetched then", str(v.not_fetched), "0", mark(v.not_fetched == 0)],
        ["due feeds with an expired lease", str(v.expired_leases), "0", mark(not v.expired_leases)],
        [
            "task queue depth (lowest of the last samples)",
            "no answer" if v.queue_depth_min is None else f"{v.queue_depth_min:.0f}",
            "0",
            mark(v.queue_depth_min == 0),
        ],
        [
            "workers alive at the end",
            str(v.workers_alive),
            str(WORKERS),
            mark(v.workers_alive >= WORKERS),
        ],
        ["killed workers' fetches cut off", str(v.orphans), "", ""],
        [
            "... fetched again (started by a live worker) after the kill within",
            "—" if v.retake_max_s is None else f"{v.retake_max_s:.0f} s",
            f"≤ {FINAL_FETCH_S:.0f} s",
            mark(not v.retaken_late and not v.never_retaken),
        ],
        ["... never fetched again", str(v.never_retaken), "0", mark(not v.never_retaken)],
        [
            "... a check of theirs completed after the kill within",
            "—" if v.recheck_max_s is None else f"{v.recheck_max_s:.0f} s",
            "",
            "",
        ],
        ["longest a feed stayed due during the run", f"{v.longest_due_s:.0f} s", "", ""],
        [
            "host slots held by the dead (most at once; slot-seconds)",
            f"{v.dead_slots_max}; {v.dead_slot_s:.0f}",
            "",
            "",
        ],
        ["... a host's every slot held by the dead", f"{v.host_blocked_s:.0f} s", "", ""],
        [
            "reader requests: ok / 429 / other 4xx",
            f"{v.answers.get('ok', 0)} / {v.answers.get('429', 0)} / {v.answers.get('4xx', 0)}",
            "",
            "",
        ],
        ["connection errors on a node being killed", str(v.expected_conn), "expected", ""],
        ["5xx or connection errors on a node up", str(len(v.errors)), "0", mark(not v.errors)],
    ]


def summary_line(v: Verdict, kills: list[Kill]) -> str:
    workers = sum(1 for k in kills if not k.node.startswith("web"))
    passed = not v.lost and not v.duplicated and not v.stuck and not v.errors
    return (
        f"chaos: {len(kills)} kills ({workers} workers, {len(kills) - workers} web nodes), "
        f"{v.published} items: lost {len(v.lost)}, duplicated {v.duplicated}, stuck {v.stuck}, "
        f"reader errors {len(v.errors)}: {'PASS' if passed else 'FAIL'}"
    )


# ------------------------------------------------------------------ the run


class Chaos:
    def __init__(self, site: ClusterSite, newsroom: Newsroom, args: argparse.Namespace) -> None:
        self.site = site
        self.newsroom = newsroom
        self.args = args
        self.rng = random.Random(args.seed)
        self.nodes: dict[str, Node] = {}
        self.kills: list[Kill] = []
        self.targets = Targets()
        self.last_poke = 0.0
        self.last_targets = 0.0
        self.longest_due_s = 0.0
        self.last_slots = 0.0
        self.slot_held_max_s = 0.0
        self.dead_slots_max = 0
        self.dead_slot_s = 0.0
        self.host_blocked_s = 0.0
        self.began = time.monotonic()
        self.readers_answers: list[Answer] = []

    def live_webs(self) -> list[tuple[str, str]]:
        return [
            (n.name, self.site.cluster.base_url(n.name))
            for n in self.nodes.values()
            if n.role == "web" and n.up
        ]

    def housekeeping(self) -> None:
        """Restarts due, nodes back up, feeds made due, readers' targets refreshed."""
        now = time.monotonic()
        for node in self.nodes.values():
            if node.up:
                continue
            if not node.restarted and node.restart_at is not None and now >= node.restart_at:
                self.site.cluster.restart(node.name)
                node.restarted = True
            elif node.restarted and now - node.last_ready_check >= READY_CHECK_S:
                node.last_ready_check = now
                try:
                    ready = self.site.cluster.alive(node.name) and self.site.node_ready(node.name)
                except Exception:
                    ready = False
                if ready:
                    node.up = True
                    for kill in self.kills:
                        if kill.node == node.name and kill.back_at is None:
                            kill.back_at = time.monotonic()
        self.watch_kills(now)
        self.sample_slots()
        if now - self.last_poke >= POKE_S:
            self.last_poke = now
            due = self.site.one(
                "SELECT coalesce(extract(epoch FROM max(now() - next_check_at)), 0) "
                "FROM sources_feed WHERE is_active AND next_check_at <= now()"
            )
            self.longest_due_s = max(self.longest_due_s, float(due))
            self.site.poke_feeds()
        if now - self.last_targets >= TARGETS_REFRESH_S:
            self.last_targets = now
            self.targets.refresh(self.site, self.newsroom.words)

    def watch_kills(self, now: float) -> None:
        """Find each worker kill's orphans once ORPHAN_CHECK_S has passed; note restarts."""
        for kill in self.kills:
            if kill.orphans is None and now - kill.killed_at >= ORPHAN_CHECK_S:
                current = dict(
                    self.site.rows(
                        "SELECT id, leased_until FROM sources_feed WHERE id = ANY(%s)",
                        list(kill.leases),
                    )
                )
                held = kill.leases.items()
                kill.orphans = sorted(f for f, until in held if current.get(f) == until)
            self.watch_orphans(kill, now)

    def orphans_decided(self, now: float) -> bool:
        """Every kill's orphans known, and each started again or past FINAL_FETCH_S."""
        return all(
            k.orphans is not None
            and (len(k.retaken_s) == len(k.orphans) or now - k.killed_at > FINAL_FETCH_S)
            for k in self.kills
        )

    def wait_watching(self, check: Callable[[], bool], timeout_s: float) -> bool:
        """Poll `check` until it holds (True) or `timeout_s` passes (False), watching the
        kills' orphans meanwhile."""
        deadline = time.monotonic() + timeout_s
        while True:
            self.watch_kills(time.monotonic())
            with contextlib.suppress(Exception):
                if check():
                    return True
            if time.monotonic() > deadline:
                return False
            time.sleep(HOUSEKEEPING_S)

    def watch_orphans(self, kill: Kill, now: float) -> None:
        """Note when each of `kill`'s orphans is started again by someone."""
        waiting = [f for f in kill.orphans or [] if f not in kill.retaken_s]
        if not waiting:
            return
        rows = self.site.rows(
            "SELECT id, leased_until, now() FROM sources_feed WHERE id = ANY(%s)", waiting
        )
        for feed_id, until, db_now in rows:
            if until == kill.leases[feed_id]:
                continue  # still the dead worker's
            if until is None or until <= db_now + timedelta(seconds=RUNNING_LEASE_S):
                kill.retaken_s[feed_id] = now - kill.killed_at

    def sample_slots(self) -> None:
        """Host slots in Redis held longer than DEAD_SLOT_S (see the constant)."""
        now = time.monotonic()
        if now - self.last_slots < SLOT_SAMPLE_S:
            return
        gap = now - self.last_slots if self.last_slots else SLOT_SAMPLE_S
        self.last_slots = now
        store = self.site.redis
        seconds, micros = store.time()
        now_ms = seconds * 1000 + micros / 1000
        dead_by_host = {}
        for key in store.scan_iter(match=SLOT_KEYS, count=100):
            held = [
                politeness.SLOT_TTL_S - (score - now_ms) / 1000
                for _, score in store.zrange(key, 0, -1, withscores=True)
            ]
            dead = [h for h in held if h > DEAD_SLOT_S]
            if dead:
                dead_by_host[key] = len(dead)
                self.slot_held_max_s = max(self.slot_held_max_s, *dead)
        total = sum(dead_by_host.values())
        self.dead_slots_max = max(self.dead_slots_max, total)
        self.dead_slot_s += total * gap
        limit = politeness.PER_HOST_CONCURRENCY
        self.host_blocked_s += gap * sum(1 for n in dead_by_host.values() if n >= limit)

    def idle(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.housekeeping()
            time.sleep(HOUSEKEEPING_S)

    def kill_one(self, number: int) -> None:
        up = [n for n in self.nodes.values() if n.up]
        deadline = time.monotonic() + BACK_UP_TIMEOUT_S
        while not up:
            if time.monotonic() > deadline:
                raise TimeoutError("no node came back up")
            self.idle(1.0)
            up = [n for n in self.nodes.values() if n.up]
        node = self.rng.choice(up)
        pid = self.site.cluster.processes[node.name].pid
        leases = dict(
            self.site.rows(
                "SELECT id, leased_until FROM sources_feed WHERE leased_until > now() "
                "AND leased_until <= now() + make_interval(secs => %s)",
                RUNNING_LEASE_S,
            )
        )
        running = len(leases)
        node.up = False
        killed_wall = self.site.one("SELECT now()")
        # Before the signal: a reader's request cut off by it ends after this.
        killed_at = time.monotonic()
        self.site.cluster.kill(node.name)
        node.killed_at = killed_at
        node.restart_at = killed_at + self.rng.uniform(*RESTART_DELAY_S)
        node.restarted = False
        kill = Kill(
            number,
            killed_at - self.began,
            node.name,
            pid,
            running,
            killed_at,
            killed_wall,
            leases=leases if node.role == "worker" else {},
        )
        self.kills.append(kill)
        print(
            f"kill {number:2d} at {kill.at_s:6.1f} s: {node.name} (pid {pid}; "
            f"{running} fetches running in the cluster)",
            flush=True,
        )

    def downs(self) -> dict[str, list[tuple[float, float]]]:
        out: dict[str, list[tuple[float, float]]] = {}
        for k in self.kills:
            out.setdefault(k.node, []).append((k.killed_at, k.back_at or float("inf")))
        return out

    def run(self) -> Verdict:
        site, cluster = self.site, self.site.cluster
        site.add_feeds(self.newsroom.feed_urls)
        launched = time.monotonic()
        site.start_nodes(WEB_NODES, WORKERS, web_workers=1, threads=WORKER_THREADS)
        self.nodes = {name: Node(name) for name in cluster.processes}
        site.wait_ready(list(self.nodes))
        for node in self.nodes.values():
            node.up = True
        first = set(self.newsroom.published())
        wait_until(
            "the first items stored",
            lambda: first <= site.stored_guids(),
            FIRST_INGEST_TIMEOUT_S,
        )
        took = time.monotonic() - launched
        print(f"cluster up, first {len(first)} items stored: {took:.0f} s", flush=True)
        self.targets.refresh(site, self.newsroom.words)
        readers = Readers(
            clients=self.args.readers,
            nodes=self.live_webs,
            targets=self.targets,
            think_s=self.args.think_s,
            seed=self.args.seed,
        )
        self.began = time.monotonic()
        self.newsroom.start_clock(self.args.publish_every_s, max_items=100_000)
        readers.start()
        try:
            for number in range(1, self.args.kills + 1):
                self.idle(self.rng.uniform(*KILL_GAP_S))
                self.kill_one(number)
            deadline = time.monotonic() + BACK_UP_TIMEOUT_S
            while not all(n.up for n in self.nodes.values()):
                if time.monotonic() > deadline:
                    down = [n.name for n in self.nodes.values() if not n.up]
                    raise TimeoutError(f"not back up: {down}")
                self.idle(1.0)
            print(f"all nodes back up at {time.monotonic() - self.began:.0f} s", flush=True)
            self.newsroom.stop_clock()
            return self.judge()
        finally:
            readers.stop()
            self.readers_answers = readers.snapshot()

    def judge(self) -> Verdict:
        site = self.site
        v = Verdict(longest_due_s=self.longest_due_s)
        end = site.one("SELECT now()")
        site.one("UPDATE sources_feed SET next_check_at = now() WHERE is_active RETURNING 1")
        started = time.monotonic()
        unfetched = "SELECT count(*) FROM sources_feed WHERE is_active AND " + (
            "(last_checked_at IS NULL OR last_checked_at < %s)"
        )
        if self.wait_watching(lambda: site.one(unfetched, end) == 0, FINAL_FETCH_S):
            v.final_fetch_s = time.monotonic() - started
        v.not_fetched = int(site.one(unfetched, end))
        # The last kills' orphans: started again, or a minute gone (the wait above is shorter
        # when every feed was fetched early).
        self.wait_watching(lambda: self.orphans_decided(time.monotonic()), FINAL_FETCH_S + 20)
        recheck: list[float] = []
        for kill in self.kills:
            for feed_id in kill.orphans or []:
                next_check = site.one(
                    "SELECT min(checked_at) FROM ingest_feedcheck "
                    "WHERE feed_id = %s AND checked_at > %s",
                    feed_id,
                    kill.killed_wall,
                )
                seconds = None
                if next_check is not None:
                    seconds = (next_check - kill.killed_wall).total_seconds()
                    recheck.append(seconds)
                kill.rechecked_s[feed_id] = seconds
        retake = [s for k in self.kills for s in k.retaken_s.values()]
        v.orphans = sum(len(k.orphans or []) for k in self.kills)
        v.never_retaken = v.orphans - len(retake)
        v.retake_max_s = max(retake) if retake else None
        v.retaken_late = sum(1 for r in retake if r > FINAL_FETCH_S)
        v.recheck_max_s = max(recheck) if recheck else None
        v.dead_slots_max = self.dead_slots_max
        v.slot_held_max_s = self.slot_held_max_s
        v.dead_slot_s = self.dead_slot_s
        v.host_blocked_s = self.host_blocked_s
        v.expired_leases = int(
            site.one(
                "SELECT count(*) FROM sources_feed WHERE is_active AND next_check_at <= now() "
                "AND leased_until IS NOT NULL AND leased_until < now()"
            )
        )
        no_story = "SELECT count(*) FROM articles_article WHERE story_id IS NULL"
        with contextlib.suppress(TimeoutError):
            wait_until("every article in a story", lambda: site.one(no_story) == 0, SETTLE_S)
        published = self.newsroom.published()
        stored = site.stored_guids()
        v.published, v.stored = len(published), len(stored)
        v.lost = sorted(set(published) - stored)
        v.duplicate_urls = int(
            site.one(
                "SELECT count(*) FROM (SELECT url FROM articles_article "
                "GROUP BY url HAVING count(*) > 1) d"
            )
        )
        v.duplicate_guids = int(
            site.one(
                "SELECT count(*) FROM (SELECT publisher_id, guid FROM articles_article "
                "GROUP BY publisher_id, guid HAVING count(*) > 1) d"
            )
        )
        v.without_story = int(site.one(no_story))
        v.empty_stories = int(
            site.one(
                "SELECT count(*) FROM stories_story s WHERE NOT EXISTS "
                "(SELECT 1 FROM articles_article a WHERE a.story_id = s.id)"
            )
        )
        depths = []
        for _ in range(QUEUE_SAMPLES):
            depth = site.queue_depth("web-1")
            if depth is not None:
                depths.append(depth)
            time.sleep(QUEUE_SAMPLE_GAP_S)
        v.queue_depth_min = min(depths) if depths else None
        pids = [p.pid for name, p in site.cluster.processes.items() if name.startswith("worker")]
        v.workers_alive = int(
            site.one(
                "SELECT count(*) FROM ingest_workerheartbeat "
                "WHERE seen_at > now() - interval '30 seconds' AND pid = ANY(%s)",
                pids,
            )
        )
        return v


def kill_rows(kills: list[Kill]) -> list[list[str]]:
    return [
        [
            str(k.number),
            f"{k.at_s:.0f}",
            k.node,
            str(k.running),
            "—" if not k.orphans else str(len(k.orphans)),
            _retaken(k),
            "never" if k.down_s is None else f"{k.down_s:.1f}",
        ]
        for k in kills
    ]


def _retaken(kill: Kill) -> str:
    if not kill.orphans:
        return "—"
    if len(kill.retaken_s) < len(kill.orphans):
        return "never"
    return f"{max(kill.retaken_s.values()):.0f}"


KILL_HEADER = ["#", "at s", "node", "fetches running in the cluster", "its fetches cut off"]
KILL_HEADER += ["started again after s", "back up after s"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--think-s", type=float, default=0.5)
    parser.add_argument("--publish-every-s", type=float, default=1.0)
    parser.add_argument("--page-delay-s", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", default="newsstand_chaos")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument(
        "--keep",
        type=Path,
        help="keep the nodes' logs and data dirs here, and the database (the next run drops it)",
    )
    args = parser.parse_args(argv)

    root = Path(tempfile.mkdtemp(prefix="newsstand-chaos-")) if args.keep is None else args.keep
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
    chaos: Chaos | None = None
    try:
        site.open()
        chaos = Chaos(site, newsroom, args)
        verdict = chaos.run()
        downs = chaos.downs()
        verdict.answers, verdict.expected_conn, verdict.errors = classify_answers(
            chaos.readers_answers, downs
        )
    finally:
        newsroom.stop()
        site.close(drop=args.keep is None)
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    assert chaos is not None  # set before run(), which either returned or raised

    print()
    print(format_table(KILL_HEADER, kill_rows(chaos.kills)))
    print()
    print(format_table(["measure", "value", "goal", ""], verdict_rows(verdict, len(chaos.kills))))
    print()
    print(format_table(ANSWER_HEADER, answers_table(chaos.readers_answers)))
    for error in verdict.errors[:20]:
        print("  reader error:", error)
    if verdict.lost:
        print("  lost:", ", ".join(verdict.lost[:20]))
    line = summary_line(verdict, chaos.kills)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "started_at": started_at.isoformat(),
                "machine": platform.platform(),
                "python": platform.python_version(),
                "args": {k: str(v) for k, v in vars(args).items()},
                "kills": [asdict(k) for k in chaos.kills],
                "verdict": asdict(verdict) | {"stuck": verdict.stuck},
                "readers": answers_table(chaos.readers_answers),
                "summary": line,
            },
            indent=2,
            default=str,
        )
    )
    print()
    print(line)
    return 0 if line.endswith("PASS") else 1


if __name__ == "__main__":
    sys.exit(main())
