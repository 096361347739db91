"""State changes of story clustering; the decisions are in `stories.clustering_engine`.

Assignment: giving articles their stories, repairing and re-clustering the window.

Each article gets exactly one story, once, whichever process or node decides it:

- Decisions are serialised across processes by `assignment_lock` (a PostgreSQL advisory lock
  held for the transaction; on SQLite the database's write lock, which the settings take at
  BEGIN). Under it a process first brings its cache level with the database (`_sync`: the
  articles other processes assigned meanwhile, their stories and their wire-copy sketches),
  then decides a few articles in publication order and persists them. Every decision so sees
  every earlier one, as with a single worker, and the CLI, the worker and N workers decide
  alike.
- Persisting is a conditional update (`story IS NULL`): an article assigned by someone else is
  left alone, and the story made for it is deleted in the same transaction, so a story without
  articles is never visible.
- The clusterer is a per-process CACHE of the window (`WindowCache`) that every process builds
  the same way from the database: the articles published in the last `window_days`, their
  stories, and their wire-copy sketches (`CopySketch`, stored when an article is assigned, so
  a new process does not re-shingle the window). Articles published before the window are
  decided against a clusterer loaded for their own time (`_assign_outside`).
- `assign_leftovers` (every ten minutes, and `newsstand stories assign`) gives a story to any
  article still without one, whatever its age: a crash between storing and assigning leaves
  such articles behind.

A decision to join a story names the member it matched; persistence re-reads that member's
story, so a story another process has merged or split away is followed, and the cache re-reads
every article's story when that happens (or when its copy is older than `MAPPING_REFRESH_S`).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Substr
from django.utils import timezone

from newsstand.articles.models import Article
from newsstand.fields import fit
from newsstand.stories.clustering_engine import (
    ArticleInfo,
    Assignment,
    ClusterConfig,
    StoryClusterer,
)
from newsstand.stories.clustering_engine import recluster as batch_recluster
from newsstand.stories.models import CopySketch, Pick, ReadTally, Story, StoryLink
from newsstand.stories.similarity import ArticleVector
from newsstand.stories.stats import MEMBER_FIELDS, story_stats
from newsstand.stories.window_cache import (
    WindowCache,
    article_ts,
    latest_article_id,
    load_window,
    window_q,
)
from newsstand.stories.wirecopy import Sketch, make_sketch

log = logging.getLogger(__name__)

# Another process's repairs move articles between stories; re-read the mapping this often.
MAPPING_REFRESH_S = 10 * 60
# The start of the body, for a story's lead when its representative has no summary.
TEXT_HEAD_CHARS = 600
# Under the assignment lock a process decides at most this many articles, and stops after
# this long: SQLite's write lock blocks every other writer (ingest, reads) while it is held.
LOCK_BATCH = 25
LOCK_HOLD_S = 0.5
# Names the assignment lock among the database's advisory locks (PostgreSQL); any constant.
ADVISORY_LOCK_KEY = 0x5354_4F52  # "STOR"
# An article published before the window is decided against the assigned articles of its own
# time, loaded for the purpose; at most this many of them.
OUTSIDE_MAX_NEIGHBOURS = 20_000
# Ids per IN (...) query.
ID_CHUNK = 500

_FIELDS = ("section", "topics", "story_id", "copy_of_id")


@dataclass
class _Row:
    """An article as the clusterer needs it: its row, what clustering knows, its vector."""

    row: dict[str, Any]
    info: ArticleInfo
    vector: ArticleVector
    sketch: Sketch | None = None
    sketched: bool = False

    @property
    def id(self) -> int:
        return int(self.row["id"])

    def ensure_sketch(self) -> Sketch | None:
        if not self.sketched:
            self.sketch = make_sketch(_copy_text(self.row))
            self.sketched = True
        return self.sketch


@dataclass
class _Cache:
    clusterer: StoryClusterer
    max_id: int
    mapping_at: float
    stale: bool = False
    # Articles of the window without a story yet (this process's or another's to decide).
    pending: dict[int, _Row] = field(default_factory=dict)
    # Articles without a story published before the window (`_assign_outside`).
    outside: set[int] = field(default_factory=set)


@dataclass
class AssignReport:
    assigned: int = 0
    joined: int = 0
    started: int = 0
    copies: int = 0
    story_ids: set[int] = field(default_factory=set)


@dataclass
class RepairReport:
    checked: int = 0
    merged: int = 0
    split: int = 0


@dataclass
class ReclusterReport:
    articles: int = 0
    stories: int = 0
    created: int = 0
    deleted: int = 0


_window: WindowCache[_Cache] = WindowCache("stories cache")


def reset_cache() -> None:
    """Forget the in-memory index (tests; after settings change)."""
    _window.reset()


@contextmanager
def assignment_lock() -> Iterator[None]:
    """A transaction in which this process alone changes which story an article belongs to.

    PostgreSQL: a transaction-scoped advisory lock, so other writers go on. SQLite: the
    settings open every transaction IMMEDIATE, which takes the database's write lock at BEGIN.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
        yield


# --- loading -------------------------------------------------------------------------------


def _info(row: dict[str, Any], now: datetime) -> ArticleInfo:
    return ArticleInfo(
        id=row["id"],
        published_ts=article_ts(row, now),
        section=row["section"] or "",
        topics=frozenset(t.casefold() for t in row["topics"] or [] if isinstance(t, str)),
    )


def _copy_text(row: dict[str, Any]) -> str:
    return f"{row['title']}\n{row['content_text']}"


def _stored_sketches(ids: Sequence[int]) -> dict[int, Sketch]:
    found: dict[int, Sketch] = {}
    for i in range(0, len(ids), ID_CHUNK):
        rows = CopySketch.objects.filter(article_id__in=ids[i : i + ID_CHUNK]).values_list(
            "article_id", "shingles", "minhash"
        )
        for pk, size, data in rows:
            found[pk] = Sketch.from_bytes(data, size)
    return found


def _fill_sketches(rows: Sequence[_Row]) -> None:
    """The stored sketches of assigned articles; the missing ones are made and stored."""
    assigned = [r for r in rows if r.row["story_id"] is not None and not r.sketched]
    if not assigned:
        return
    stored = _stored_sketches([r.id for r in assigned])
    made = []
    for r in assigned:
        if r.id in stored:
            r.sketch, r.sketched = stored[r.id], True
        elif r.ensure_sketch() is not None:
            made.append(r)
    if made:
        # Articles assigned before sketches were stored: store them once for every process.
        try:
            CopySketch.objects.bulk_create(
                [_sketch_row(r.id, r.sketch) for r in made if r.sketch is not None],
                ignore_conflicts=True,
            )
        except IntegrityError:  # an article deleted meanwhile; the next build tries again
            log.info("stories sketches not stored articles=%d", len(made))


def _sketch_row(article_id: int, sketch: Sketch) -> CopySketch:
    return CopySketch(article_id=article_id, shingles=sketch.size, minhash=sketch.to_bytes())


def _load(qs: Any, clusterer: StoryClusterer) -> Iterator[list[_Row]]:
    """Rows of `qs` in id order, vectorised and with their stored sketches, a batch at a time."""
    now = timezone.now()
    for batch, vectors in load_window(qs, clusterer.vectorize, _FIELDS):
        rows = [_Row(r, _info(r, now), v) for r, v in zip(batch, vectors, strict=True)]
        _fill_sketches(rows)
        yield rows


def _horizon(cfg: ClusterConfig) -> float:
    """Articles published before this POSIX time are outside the window."""
    return time.time() - cfg.window_s


def _index_known(clusterer: StoryClusterer, rows: Sequence[_Row]) -> None:
    """Add assigned articles (their story and copy set as stored) to a clusterer."""
    if not rows:
        return
    clusterer.add_many(
        [r.info for r in rows], [r.vector for r in rows], [r.row["story_id"] for r in rows]
    )
    if clusterer.copies is not None:
        for r in rows:
            if r.sketch is not None:
                clusterer.copies.add_sketch(
                    r.id, r.sketch, r.info.published_ts, copy_set=r.row["copy_of_id"], match=False
                )


def _build(cfg: ClusterConfig | None = None) -> _Cache:
    cfg = cfg or ClusterConfig.from_settings()
    clusterer = StoryClusterer(cfg=cfg)
    max_id = latest_article_id()
    qs = Article.objects.filter(window_q(timezone.now(), cfg.window_s), pk__lte=max_id)
    started = time.monotonic()
    cache = _Cache(clusterer, max_id, time.monotonic())
    for rows in _load(qs, clusterer):
        _index_known(clusterer, [r for r in rows if r.row["story_id"] is not None])
        cache.pending.update((r.id, r) for r in rows if r.row["story_id"] is None)
    log.info(
        "stories cache built articles=%d pending=%d seconds=%.1f",
        len(clusterer),
        len(cache.pending),
        time.monotonic() - started,
    )
    return cache


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC)


def _refresh_mapping(cache: _Cache) -> None:
    """Re-read every cached article's story (another process repaired or re-clustered)."""
    clusterer = cache.clusterer
    ids = [int(i) for i in clusterer.info if i not in cache.pending]  # type: ignore[call-overload]  # article pks
    for i in range(0, len(ids), 5000):
        chunk = ids[i : i + 5000]
        for pk, story_id in Article.objects.filter(pk__in=chunk).values_list("pk", "story_id"):
            if story_id is not None and clusterer.story_of.get(pk) != story_id:
                clusterer.move(pk, story_id)
    cache.mapping_at = time.monotonic()
    cache.stale = False


def _cache() -> _Cache:
    """This process's cache, built or re-read as needed. Call under `_window.lock`."""
    cache = _window.current(latest_article_id()) if _window.state is not None else None
    if cache is None:
        cache = _window.state = _build()
    if cache.stale or time.monotonic() - cache.mapping_at > MAPPING_REFRESH_S:
        _refresh_mapping(cache)
    return cache


def _take(cache: _Cache, rows: Iterable[_Row]) -> None:
    """Place loaded rows: assigned ones in the clusterer, the others pending or outside."""
    horizon = _horizon(cache.clusterer.cfg)
    known = []
    for r in rows:
        if r.info.published_ts < horizon:
            if r.row["story_id"] is None:
                cache.outside.add(r.id)
        elif r.row["story_id"] is None:
            cache.pending.setdefault(r.id, r)
        elif r.id not in cache.clusterer.info:
            known.append(r)
    _index_known(cache.clusterer, known)


def _catch_up(cache: _Cache) -> None:
    """Load the articles stored since the cache last looked (ids above `max_id`)."""
    for rows in _load(Article.objects.filter(pk__gt=cache.max_id), cache.clusterer):
        cache.max_id = max(cache.max_id, max(r.id for r in rows))
        _take(cache, rows)


def _load_given(cache: _Cache, article_ids: Sequence[int]) -> None:
    """Given articles the cache has seen but holds no story for: pending or outside again."""
    ids = sorted(
        {int(i) for i in article_ids}
        - cache.pending.keys()
        - cache.outside
        - {i for i in article_ids if i > cache.max_id}
    )
    for i in range(0, len(ids), ID_CHUNK):
        qs = Article.objects.filter(pk__in=ids[i : i + ID_CHUNK], story__isnull=True)
        for rows in _load(qs, cache.clusterer):
            _take(cache, rows)


def _sync(cache: _Cache) -> None:
    """Bring the cache level with the database. Call under `assignment_lock`."""
    _catch_up(cache)
    ids = sorted(cache.pending)
    for i in range(0, len(ids), ID_CHUNK):
        done = list(
            Article.objects.filter(pk__in=ids[i : i + ID_CHUNK], story__isnull=False).values_list(
                "pk", "story_id", "copy_of_id"
            )
        )
        if not done:
            continue
        rows = [cache.pending.pop(pk) for pk, _, _ in done]
        for r, (_, story_id, copy_of) in zip(rows, done, strict=True):
            r.row["story_id"], r.row["copy_of_id"] = story_id, copy_of
        _fill_sketches(rows)
        _index_known(cache.clusterer, rows)


# --- assignment ----------------------------------------------------------------------------


def assign_stories(article_ids: Sequence[int] | None = None) -> AssignReport:
    """Give every article without a story one (the given ids and any newer articles).

    Returns what this process decided; articles other processes decided meanwhile are not
    counted. Each few articles are decided and persisted in one transaction under the
    assignment lock.
    """
    report = AssignReport()
    with _window.lock:
        cache = _cache()
        if article_ids:
            _load_given(cache, article_ids)
        # Most of the vectorising, before taking the lock.
        _catch_up(cache)
        try:
            while cache.pending:
                upcoming = sorted(cache.pending.values(), key=_order)[:LOCK_BATCH]
                for r in upcoming:
                    r.ensure_sketch()
                with assignment_lock():
                    _sync(cache)
                    _decide_some(cache, report)
            if cache.outside:
                outside, cache.outside = sorted(cache.outside), set()
                _assign_outside(outside, report)
        except Exception:
            # The cache may hold decisions whose transaction rolled back: rebuild it next time.
            _window.state = None
            raise
    if report.assigned:
        log.info(
            "stories assigned articles=%d joined=%d started=%d copies=%d",
            report.assigned,
            report.joined,
            report.started,
            report.copies,
        )
    return report


def _order(r: _Row) -> tuple[float, int]:
    return (r.info.published_ts, r.id)


def _decide_some(cache: _Cache, report: AssignReport) -> None:
    """Decide and persist the earliest pending articles, `LOCK_BATCH` or `LOCK_HOLD_S` at most."""
    clusterer = cache.clusterer
    started = time.monotonic()
    touched: set[int] = set()
    for r in sorted(cache.pending.values(), key=_order)[:LOCK_BATCH]:
        decision = clusterer.decide(r.info, r.vector, copy_sketch=r.ensure_sketch())
        del cache.pending[r.id]
        story_id = _persist(decision, r, cache, touched)
        if story_id is None:
            if clusterer.copies is not None:
                clusterer.copies.discard(r.id)
        else:
            clusterer.record(r.info, r.vector, story_id)
            _count(report, decision, story_id)
        if time.monotonic() - started > LOCK_HOLD_S:
            break
    refresh_story_stats(touched)


def _count(report: AssignReport, decision: Assignment, story_id: int) -> None:
    report.assigned += 1
    report.story_ids.add(story_id)
    if decision.copy_of is not None:
        report.copies += 1
    if decision.story is None:
        report.started += 1
    else:
        report.joined += 1


def assign_stories_safely(article_ids: Sequence[int]) -> AssignReport | None:
    """`assign_stories` for ingestion's hook: a clustering failure never fails an ingest (and
    gives None)."""
    if not article_ids:
        return None
    try:
        return assign_stories(article_ids)
    except Exception:
        log.exception("story assignment failed articles=%d", len(article_ids))
        return None


def assign_leftovers() -> AssignReport:
    """Give a story to every article that has none, whatever its age (a crash between storing
    and assigning leaves such articles; the periodic task and `stories assign` call this).

    Stories without articles (left by versions that assigned without the lock) are deleted.
    """
    ids = list(Article.objects.filter(story__isnull=True).values_list("pk", flat=True))
    report = assign_stories(ids)
    # Every story is committed with its first article, so an empty one is never in the making.
    empty = list(Story.objects.filter(articles__isnull=True).values_list("pk", flat=True))
    if empty:
        with assignment_lock():
            refresh_story_stats(empty)
        log.info("stories without articles deleted=%d", len(empty))
    return report


def _persist(decision: Assignment, r: _Row, cache: _Cache | None, touched: set[int]) -> int | None:
    """Store one decision (in the caller's transaction, under the assignment lock).

    Returns the article's story: the decided one, or the one someone else gave it first
    (None when the article is gone). The story the article joined or started is added to
    `touched`, whose stats the caller refreshes once for the batch, in the same transaction
    (`refresh_story_stats`), three statements for the batch rather than for each article:
    assigning 200 articles dated within the window took 2.8-3.1 s of CPU one by one, 2.1-2.3 s
    so (`bench/story_assignment.py`).
    """
    story_id = None
    if decision.anchor is not None:
        anchor = Article.objects.filter(pk=int(decision.anchor))  # type: ignore[call-overload]  # article pks
        story_id = anchor.values_list("story_id", flat=True).first()
        if story_id != decision.story:
            log.info(
                "stories cache stale article_id=%s anchor=%s cached=%s db=%s",
                r.id,
                decision.anchor,
                decision.story,
                story_id,
            )
            if cache is not None:
                cache.stale = True
    created = story_id is None
    if story_id is None:
        story_id = Story.objects.create(headline=fit(Story, "headline", r.row["title"] or "")).pk
    copy_of = decision.copy_of
    if copy_of is not None and not Article.objects.filter(pk=int(copy_of)).exists():  # type: ignore[call-overload]  # article pk
        copy_of = None
    updated = Article.objects.filter(pk=r.id, story__isnull=True).update(
        story_id=story_id, copy_of_id=copy_of
    )
    if not updated:
        # Assigned by someone else first (or deleted): theirs stands, ours is not kept.
        if created:
            Story.objects.filter(pk=story_id).delete()
        actual = Article.objects.filter(pk=r.id).values_list("story_id", flat=True).first()
        log.info("stories already assigned article_id=%s story=%s", r.id, actual)
        if cache is not None:
            cache.stale = True
        return actual
    if r.sketch is not None:
        CopySketch.objects.bulk_create([_sketch_row(r.id, r.sketch)], ignore_conflicts=True)
    link_stories(story_id, decision.related)
    touched.add(int(story_id))
    return int(story_id)


def link_stories(story_id: int, related: Iterable[tuple[Hashable, float]]) -> int:
    """Record that `story_id` and each related story are related (both ways, best score kept).

    Stories that no longer exist are skipped. Returns the number of links written.
    """
    scores: dict[int, float] = {}
    for other, score in related:
        o = int(other)  # type: ignore[call-overload]  # story pks
        if o != story_id:
            scores[o] = max(score, scores.get(o, 0.0))
    if not scores:
        return 0
    alive = set(Story.objects.filter(pk__in=list(scores)).values_list("pk", flat=True))
    wanted = {(story_id, o): s for o, s in scores.items() if o in alive}
    wanted |= {(o, story_id): s for (_, o), s in list(wanted.items())}
    existing = {
        (link.story_id, link.other_id): link
        for link in StoryLink.objects.filter(
            Q(story_id=story_id, other_id__in=alive) | Q(story_id__in=alive, other_id=story_id)
        )
    }
    raised = []
    for key, score in wanted.items():
        link = existing.get(key)
        if link is not None and score > link.score:
            link.score = score
            raised.append(link)
    StoryLink.objects.bulk_update(raised, ["score"])
    StoryLink.objects.bulk_create(
        [
            StoryLink(story_id=a, other_id=b, score=s)
            for (a, b), s in wanted.items()
            if (a, b) not in existing
        ]
    )
    return len(raised) + sum(1 for k in wanted if k not in existing)


# --- outside the window ------------------------------------------------------------------


def _time_q(lo: float, hi: float) -> Q:
    start, end = _dt(lo), _dt(hi)
    return Q(published_at__range=(start, end)) | Q(
        published_at__isnull=True, fetched_at__range=(start, end)
    )


def _groups(rows: list[_Row], window_s: float) -> list[list[_Row]]:
    """Rows in publication order, split wherever two are more than a window apart."""
    groups: list[list[_Row]] = []
    for r in sorted(rows, key=_order):
        if groups and r.info.published_ts - groups[-1][-1].info.published_ts <= window_s:
            groups[-1].append(r)
        else:
            groups.append([r])
    return groups


def _assign_outside(article_ids: Sequence[int], report: AssignReport) -> None:
    """Decide articles published before the window against the assigned articles of their time.

    Each group of such articles gets a clusterer of its own, loaded with the articles assigned
    within a window either side of it; under the lock it is topped up with any article assigned
    meanwhile, so the decision is the one the window's cache would have made at that time.
    """
    cfg = ClusterConfig.from_settings()
    probe = StoryClusterer(cfg=cfg)
    rows: list[_Row] = []
    for i in range(0, len(article_ids), ID_CHUNK):
        qs = Article.objects.filter(pk__in=article_ids[i : i + ID_CHUNK], story__isnull=True)
        for batch in _load(qs, probe):
            rows.extend(batch)
    for group in _groups(rows, cfg.window_s):
        lo = group[0].info.published_ts - cfg.window_s
        hi = group[-1].info.published_ts + cfg.window_s
        clusterer = StoryClusterer(model=probe.model, cfg=cfg)
        # Vectorise outside the lock: the order of the id range does not matter, the cap does.
        around = Article.objects.filter(_time_q(lo, hi), story__isnull=False)
        pks = list(around.order_by("-pk").values_list("pk", flat=True)[:OUTSIDE_MAX_NEIGHBOURS])
        if len(pks) == OUTSIDE_MAX_NEIGHBOURS:
            log.warning("stories outside the window: neighbours capped at %d", len(pks))
        for j in range(0, len(pks), ID_CHUNK):
            for batch in _load(Article.objects.filter(pk__in=pks[j : j + ID_CHUNK]), clusterer):
                _index_known(clusterer, batch)
        for k in range(0, len(group), LOCK_BATCH):
            part = group[k : k + LOCK_BATCH]
            for r in part:
                r.ensure_sketch()
            with assignment_lock():
                _top_up(clusterer, around)
                touched: set[int] = set()
                for r in part:
                    decision = clusterer.decide(r.info, r.vector, copy_sketch=r.sketch)
                    story_id = _persist(decision, r, None, touched)
                    if story_id is not None:
                        clusterer.record(r.info, r.vector, story_id)
                        _count(report, decision, story_id)
                refresh_story_stats(touched)
    # The window's cache learns of none of these: they are older than it holds.


def _top_up(clusterer: StoryClusterer, around: Any) -> None:
    """Articles of `around` assigned (or moved) since the clusterer was loaded."""
    missing = []
    for pk, story_id in around.values_list("pk", "story_id"):
        if pk not in clusterer.info:
            missing.append(pk)
        elif clusterer.story_of.get(pk) != story_id:
            clusterer.move(pk, story_id)
    for j in range(0, len(missing), ID_CHUNK):
        for batch in _load(Article.objects.filter(pk__in=missing[j : j + ID_CHUNK]), clusterer):
            _index_known(clusterer, batch)


def refresh_story_stats(story_ids: Iterable[int]) -> int:
    """Recompute the denormalised fields of these stories from their members.

    A story left without articles is deleted (its picks and read tallies go with it only when
    no repair moved them first). Returns the number of stories updated.
    """
    ids = sorted(set(story_ids))
    updated = 0
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        members: dict[int, list[dict[str, Any]]] = {}
        rows = (
            Article.objects.filter(story_id__in=chunk)
            .annotate(text_head=Substr("content_text", 1, TEXT_HEAD_CHARS))
            .values(*MEMBER_FIELDS, "text_head")
        )
        for row in rows:
            members.setdefault(row["story_id"], []).append(row)
        stories = list(Story.objects.filter(pk__in=chunk))
        changed = []
        for story in stories:
            group = members.get(story.pk)
            if not group:
                continue
            stats = story_stats(group)
            story.headline = fit(Story, "headline", stats.headline)
            story.lead = stats.lead
            story.representative_id = stats.representative_id
            story.first_seen_at = stats.first_seen_at
            story.last_updated_at = stats.last_updated_at
            story.article_count = stats.article_count
            story.publisher_count = stats.publisher_count
            story.sections = stats.sections
            story.topics = stats.topics
            changed.append(story)
        Story.objects.bulk_update(changed, _STAT_FIELDS)
        updated += len(changed)
        empty = [s.pk for s in stories if s.pk not in members]
        if empty:
            Story.objects.filter(pk__in=empty).delete()
    return updated


_STAT_FIELDS = [
    "headline",
    "lead",
    "representative",
    "first_seen_at",
    "last_updated_at",
    "article_count",
    "publisher_count",
    "sections",
    "topics",
]


# --- repair --------------------------------------------------------------------------------


def _absorb(keep: int, absorb: int) -> None:
    """Move everything of story `absorb` into `keep` (articles, picks, read tallies, links)."""
    Article.objects.filter(story_id=absorb).update(story_id=keep)
    Pick.objects.filter(story_id=absorb).update(story_id=keep)
    for tally in ReadTally.objects.filter(story_id=absorb):
        updated = ReadTally.objects.filter(story_id=keep, hour=tally.hour).update(
            count=F("count") + tally.count
        )
        if not updated:
            ReadTally.objects.create(story_id=keep, hour=tally.hour, count=tally.count)
    moved = StoryLink.objects.filter(story_id=absorb).values_list("other_id", "score")
    link_stories(keep, [(other, score) for other, score in moved if other != keep])
    Story.objects.filter(pk=absorb).delete()


def repair_stories(*, since: timedelta = timedelta(hours=2)) -> RepairReport:
    """Merge near-duplicate stories and split incoherent ones among those changed lately.

    Articles left without a story are assigned first (`assign_leftovers`).
    """
    assign_leftovers()
    report = RepairReport()
    with _window.lock:
        cache = _window.state
        if cache is None:
            return report
        clusterer = cache.clusterer
        # Stories that gained articles lately (fetch time: a late-fetched old article counts).
        recent = set(
            Article.objects.filter(fetched_at__gte=timezone.now() - since, story__isnull=False)
            .values_list("story_id", flat=True)
            .distinct()
        )
        stories = [s for s in recent if s in clusterer.members]
        report.checked = len(stories)
        plan = clusterer.plan_repair(stories)
        for keep, absorb, score in plan.merges:
            with assignment_lock():
                # Another process may have merged either away since this cache last looked.
                if Story.objects.filter(pk__in=[keep, absorb]).count() < 2:
                    cache.stale = True
                    continue
                _absorb(int(keep), int(absorb))  # type: ignore[call-overload]  # story pks
                refresh_story_stats([int(keep)])  # type: ignore[call-overload]
            for doc_id in list(clusterer.members.get(absorb, ())):
                clusterer.move(doc_id, keep)
            report.merged += 1
            log.info("stories merged keep=%s absorb=%s score=%.3f", keep, absorb, score)
        for story, groups in plan.splits:
            with assignment_lock():
                touched = [int(story)]  # type: ignore[call-overload]
                for group in groups[1:]:
                    pks = [int(d) for d in group]  # type: ignore[call-overload]  # article pks
                    members = Article.objects.filter(pk__in=pks, story_id=touched[0])
                    if not members.exists():
                        continue
                    new = Story.objects.create(headline="")
                    members.update(story_id=new.pk)
                    for doc_id in group:
                        clusterer.move(doc_id, new.pk)
                    touched.append(new.pk)
                refresh_story_stats(touched)
            report.split += 1
            log.info("stories split story=%s groups=%s", story, [len(g) for g in groups])
    return report


# --- full re-clustering --------------------------------------------------------------------


def recluster_window(
    *,
    days: float | None = None,
    jobs: int = 1,
    progress: Callable[[str, int, int], None] | None = None,
) -> ReclusterReport:
    """Re-cluster every article of the window from scratch and persist the stories.

    Existing story rows are reused where a new cluster holds most of an old story's articles
    (pages and picks keep their address); old stories left empty are deleted after their picks
    and read tallies move to where most of their articles went. The result becomes this
    process's cache.
    """
    cfg = ClusterConfig.from_settings()
    if days is not None:
        cfg = replace(cfg, window_days=days)
    report = ReclusterReport()
    with _window.lock:
        clusterer = StoryClusterer(cfg=cfg)
        max_id = latest_article_id()
        qs = Article.objects.filter(window_q(timezone.now(), cfg.window_s), pk__lte=max_id)
        total = qs.count()
        items: list[tuple[ArticleInfo, ArticleVector, Hashable | None]] = []
        old_story: dict[int, int | None] = {}
        loaded: list[_Row] = []
        for rows in _load(qs, clusterer):
            for r in rows:
                items.append((r.info, r.vector, r.row["copy_of_id"]))
                old_story[r.id] = r.row["story_id"]
                loaded.append(r)
            if progress:
                progress("vectorise", len(items), total)
        done = [0]

        def step(n: int) -> None:
            done[0] += n
            if progress:
                progress("cluster", done[0], total)

        links: dict[tuple[Hashable, Hashable], float] = {}
        labels = batch_recluster(clusterer, items, jobs=jobs, progress=step, links=links)
        groups: dict[Hashable, list[int]] = {}
        for doc_id, label in labels.items():
            groups.setdefault(label, []).append(int(doc_id))  # type: ignore[call-overload]
        # Largest clusters choose first among the old stories they hold most of.
        claimed: set[int] = set()
        target: dict[Hashable, int] = {}
        with assignment_lock():
            for label, ids in sorted(groups.items(), key=lambda g: -len(g[1])):
                votes = Counter(old_story[i] for i in ids if old_story[i] is not None)
                ranked = sorted(votes.items(), key=lambda v: (-v[1], v[0]))
                reuse = next((s for s, _ in ranked if s not in claimed), None)
                if reuse is None:
                    reuse = Story.objects.create(headline="").pk
                    report.created += 1
                claimed.add(reuse)
                target[label] = reuse
                moved = [i for i in ids if old_story[i] != reuse]
                for j in range(0, len(moved), 500):
                    Article.objects.filter(pk__in=moved[j : j + 500]).update(story_id=reuse)
            orphans = {s for s in old_story.values() if s is not None} - claimed
            for orphan in orphans:
                if Article.objects.filter(story_id=orphan).exists():
                    continue  # still holds articles outside the window
                where = Counter(
                    target[labels[i]] for i, s in old_story.items() if s == orphan
                ).most_common(1)
                if where:
                    _absorb(where[0][0], orphan)
                else:
                    Story.objects.filter(pk=orphan).delete()
                report.deleted += 1
            refresh_story_stats(claimed)
            by_story: dict[int, list[tuple[Hashable, float]]] = {}
            for (a, b), score in links.items():
                if target[a] != target[b]:
                    by_story.setdefault(target[a], []).append((target[b], score))
            for story_id, related in by_story.items():
                link_stories(story_id, related)
        for doc_id, label in labels.items():
            clusterer.move(doc_id, target[label])
        clusterer.story_of = {d: target[labels[d]] for d in labels}
        clusterer.members = {}
        for d, s in clusterer.story_of.items():
            clusterer.members.setdefault(s, set()).add(d)
        if clusterer.copies is not None:
            for r in loaded:
                sketch = r.ensure_sketch()
                if sketch is not None:
                    clusterer.copies.add_sketch(
                        r.id, sketch, r.info.published_ts, copy_set=r.row["copy_of_id"], match=False
                    )
        _window.state = _Cache(clusterer, max_id, time.monotonic())
        report.articles = len(labels)
        report.stories = len(groups)
    log.info(
        "stories reclustered articles=%d stories=%d created=%d deleted=%d",
        report.articles,
        report.stories,
        report.created,
        report.deleted,
    )
    return report
