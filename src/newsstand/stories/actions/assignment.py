"""State changes of story clustering; the decisions are in `stories.clustering_engine`.

Assignment: giving articles their stories, repairing and re-clustering the window.

The clusterer (`StoryClusterer`) is a per-process CACHE of the database
(`stories.window_cache.WindowCache`). It is built on first use from the last
`NEWSSTAND_STORIES_WINDOW_DAYS` of articles and then kept in step: every call first loads the
articles with ids above the highest one it has seen (stored by another process, or not yet
assigned), so the CLI ingest and the consumer's worker threads agree. A lock serialises the
threads of one process. A decision to join a story names the member it matched; persistence
re-reads that member's story, so a story another process has merged or split away is followed,
and the cache re-reads every article's story when that happens (or when its copy of the
mapping is older than `MAPPING_REFRESH_S`).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import transaction
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
from newsstand.stories.models import Pick, ReadTally, Story
from newsstand.stories.similarity import ArticleVector
from newsstand.stories.stats import MEMBER_FIELDS, story_stats
from newsstand.stories.window_cache import (
    LOAD_BATCH,
    WindowCache,
    article_ts,
    latest_article_id,
    load_window,
    window_q,
)

log = logging.getLogger(__name__)

# Another process's repairs move articles between stories; re-read the mapping this often.
MAPPING_REFRESH_S = 10 * 60
# Wire copies appear within hours of the original: only this much history is sketched when the
# cache is built (MinHash sketching costs ~2 ms an article).
COPY_WARM_S = 24 * 3600
# The start of the body, for a story's lead when its representative has no summary.
TEXT_HEAD_CHARS = 600

_FIELDS = ("section", "topics", "story_id", "copy_of_id")


@dataclass
class _Cache:
    clusterer: StoryClusterer
    max_id: int
    mapping_at: float
    stale: bool = False


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


# --- loading -------------------------------------------------------------------------------


def _info(row: dict[str, Any], now: datetime) -> ArticleInfo:
    return ArticleInfo(
        id=row["id"],
        published_ts=article_ts(row, now),
        section=row["section"] or "",
        topics=frozenset(t.casefold() for t in row["topics"] or [] if isinstance(t, str)),
    )


def _rows(
    qs: Any, clusterer: StoryClusterer
) -> Iterator[tuple[dict[str, Any], ArticleInfo, ArticleVector]]:
    """Window rows in id order, vectorised a batch at a time."""
    now = timezone.now()
    for batch, vectors in load_window(qs, clusterer.vectorize, _FIELDS):
        for row, vector in zip(batch, vectors, strict=True):
            yield row, _info(row, now), vector


def _window_q(cfg: ClusterConfig) -> Q:
    return window_q(timezone.now(), cfg.window_s)


def _copy_text(row: dict[str, Any]) -> str:
    return f"{row['title']}\n{row['content_text']}"


_Row = tuple[dict[str, Any], ArticleInfo, ArticleVector]


def _build(cfg: ClusterConfig | None = None) -> tuple[_Cache, list[_Row]]:
    cfg = cfg or ClusterConfig.from_settings()
    clusterer = StoryClusterer(cfg=cfg)
    max_id = latest_article_id()
    pending: list[_Row] = []
    warm_from = time.time() - COPY_WARM_S
    qs = Article.objects.filter(_window_q(cfg), pk__lte=max_id)
    started = time.monotonic()
    known: list[_Row] = []

    def flush() -> None:
        clusterer.add_many(
            [r[1] for r in known], [r[2] for r in known], [r[0]["story_id"] for r in known]
        )
        if clusterer.copies is not None:
            for row, info, _ in known:
                if info.published_ts >= warm_from:
                    clusterer.copies.add(row["id"], _copy_text(row), _dt(info.published_ts))
        known.clear()

    for row, info, vector in _rows(qs, clusterer):
        if row["story_id"] is None:
            pending.append((row, info, vector))
            continue
        known.append((row, info, vector))
        if len(known) >= LOAD_BATCH:
            flush()
    flush()
    log.info(
        "stories cache built articles=%d pending=%d seconds=%.1f",
        len(clusterer),
        len(pending),
        time.monotonic() - started,
    )
    return _Cache(clusterer, max_id, time.monotonic()), pending


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC)


def _refresh_mapping(cache: _Cache) -> None:
    """Re-read every cached article's story (another process repaired or re-clustered)."""
    clusterer = cache.clusterer
    ids = [int(i) for i in clusterer.info]  # type: ignore[call-overload]  # article pks
    for i in range(0, len(ids), 5000):
        chunk = ids[i : i + 5000]
        for pk, story_id in Article.objects.filter(pk__in=chunk).values_list("pk", "story_id"):
            if story_id is not None and clusterer.story_of.get(pk) != story_id:
                clusterer.move(pk, story_id)
    cache.mapping_at = time.monotonic()
    cache.stale = False


# --- assignment ----------------------------------------------------------------------------


def assign_stories(article_ids: Sequence[int] | None = None) -> AssignReport:
    """Give every article without a story one (the given ids and any newer articles).

    Returns what happened; each article is persisted in its own transaction.
    """
    report = AssignReport()
    with _window.lock:
        pending: list[_Row] = []
        cache = _window.current(latest_article_id()) if _window.state is not None else None
        if cache is None:
            cache, pending = _build()
            _window.state = cache
        if cache.stale or time.monotonic() - cache.mapping_at > MAPPING_REFRESH_S:
            _refresh_mapping(cache)
        clusterer = cache.clusterer
        # Newer articles, and any given article still without a story (even one the cache
        # already holds: its assignment may have been lost).
        newer = Q(pk__gt=cache.max_id)
        if article_ids:
            newer |= Q(pk__in=list(article_ids), pk__lte=cache.max_id, story__isnull=True)
        known = {row[0]["id"] for row in pending}
        for row, info, vector in _rows(Article.objects.filter(newer), clusterer):
            if row["id"] in known:
                continue
            cache.max_id = max(cache.max_id, row["id"])
            if row["story_id"] is not None:
                clusterer.add(info, vector, row["story_id"], copy_text=_copy_text(row))
            else:
                pending.append((row, info, vector))
        for row, info, vector in sorted(pending, key=lambda p: (p[1].published_ts, p[0]["id"])):
            decision = clusterer.decide(info, vector, copy_text=_copy_text(row))
            story_id = _persist(decision, row, cache)
            clusterer.record(info, vector, story_id)
            report.assigned += 1
            report.story_ids.add(story_id)
            if decision.copy_of is not None:
                report.copies += 1
            if decision.story is None:
                report.started += 1
            else:
                report.joined += 1
    if report.assigned:
        log.info(
            "stories assigned articles=%d joined=%d started=%d copies=%d",
            report.assigned,
            report.joined,
            report.started,
            report.copies,
        )
    return report


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


def _persist(decision: Assignment, row: dict[str, Any], cache: _Cache) -> int:
    with transaction.atomic():
        story_id = None
        if decision.anchor is not None:
            anchor = Article.objects.filter(pk=int(decision.anchor))  # type: ignore[call-overload]  # article pks
            story_id = anchor.values_list("story_id", flat=True).first()
            if story_id != decision.story:
                log.info(
                    "stories cache stale article_id=%s anchor=%s cached=%s db=%s",
                    row["id"],
                    decision.anchor,
                    decision.story,
                    story_id,
                )
                cache.stale = True
        if story_id is None:
            story_id = Story.objects.create(headline=fit(Story, "headline", row["title"] or "")).pk
        copy_of = decision.copy_of
        if copy_of is not None and not Article.objects.filter(pk=int(copy_of)).exists():  # type: ignore[call-overload]  # article pk
            copy_of = None
        Article.objects.filter(pk=row["id"]).update(story_id=story_id, copy_of_id=copy_of)
        refresh_story_stats([story_id])
    return int(story_id)


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
    """Move everything of story `absorb` into `keep` (articles, picks, read tallies)."""
    Article.objects.filter(story_id=absorb).update(story_id=keep)
    Pick.objects.filter(story_id=absorb).update(story_id=keep)
    for tally in ReadTally.objects.filter(story_id=absorb):
        updated = ReadTally.objects.filter(story_id=keep, hour=tally.hour).update(
            count=F("count") + tally.count
        )
        if not updated:
            ReadTally.objects.create(story_id=keep, hour=tally.hour, count=tally.count)
    Story.objects.filter(pk=absorb).delete()


def repair_stories(*, since: timedelta = timedelta(hours=2)) -> RepairReport:
    """Merge near-duplicate stories and split incoherent ones among those changed lately."""
    assign_stories()
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
            with transaction.atomic():
                _absorb(int(keep), int(absorb))  # type: ignore[call-overload]  # story pks
                refresh_story_stats([int(keep)])  # type: ignore[call-overload]
            for doc_id in list(clusterer.members.get(absorb, ())):
                clusterer.move(doc_id, keep)
            report.merged += 1
            log.info("stories merged keep=%s absorb=%s score=%.3f", keep, absorb, score)
        for story, groups in plan.splits:
            with transaction.atomic():
                touched = [int(story)]  # type: ignore[call-overload]
                for group in groups[1:]:
                    new = Story.objects.create(headline="")
                    pks = [int(d) for d in group]  # type: ignore[call-overload]  # article pks
                    Article.objects.filter(pk__in=pks).update(story_id=new.pk)
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
        qs = Article.objects.filter(_window_q(cfg), pk__lte=max_id)
        total = qs.count()
        items: list[tuple[ArticleInfo, ArticleVector, Hashable | None]] = []
        old_story: dict[int, int | None] = {}
        for row, info, vector in _rows(qs, clusterer):
            items.append((info, vector, row["copy_of_id"]))
            old_story[row["id"]] = row["story_id"]
            if progress:
                progress("vectorise", len(items), total)
        done = [0]

        def step(n: int) -> None:
            done[0] += n
            if progress:
                progress("cluster", done[0], total)

        labels = batch_recluster(clusterer, items, jobs=jobs, progress=step)
        groups: dict[Hashable, list[int]] = {}
        for doc_id, label in labels.items():
            groups.setdefault(label, []).append(int(doc_id))  # type: ignore[call-overload]
        # Largest clusters choose first among the old stories they hold most of.
        claimed: set[int] = set()
        target: dict[Hashable, int] = {}
        with transaction.atomic():
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
        for doc_id, label in labels.items():
            clusterer.move(doc_id, target[label])
        clusterer.story_of = {d: target[labels[d]] for d in labels}
        clusterer.members = {}
        for d, s in clusterer.story_of.items():
            clusterer.members.setdefault(s, set()).add(d)
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


# -----------------------------------------------------------------------------------------
