"""Unread and read entries per feed: Miniflux's `/v1/feeds/counters`, Google Reader's
`unread-count`.

The publishers' counts come from the per-day and per-week counts
(`queries.whole_day_counts`), the window's first, partial day counted row by row, as a full
total is (`queries.count_parts`); each section and topic feed is counted apart, row by row.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Max, Q, QuerySet, Sum

from newsstand.articles.models import Article
from newsstand.sync.feeds import ReaderFeeds, reader_feeds
from newsstand.sync.queries import (
    first_whole_day,
    kept,
    read_flag,
    whole_day_counts,
    window_start,
)


def counters(user: Any, now: datetime) -> tuple[dict[int, int], dict[int, int]]:
    """(read, unread) entry counts per feed with entries, in the window.

    Unread counted as such (NOT EXISTS in WHERE: an anti-join) rather than with the read flag
    per row: PostgreSQL evaluates a flag in an aggregate as a subquery per article.
    """
    return kept(user, now, "counters", lambda: _counters(user, now))


def _counters(user: Any, now: datetime) -> tuple[dict[int, int], dict[int, int]]:
    feeds = reader_feeds(user)
    totals, unread = _publisher_counts(user, now, feeds)
    for feed in [*feeds.sections, *feeds.topics]:
        articles = _window(now, feeds.feed_q(feed))
        totals[feed.id] = articles.count()
        unread[feed.id] = articles.filter(~read_flag(user)).count()
    reads = {pk: n - unread.get(pk, 0) for pk, n in totals.items()}
    return reads, {pk: unread.get(pk, 0) for pk in totals}


def _publisher_counts(
    user: Any, now: datetime, feeds: ReaderFeeds
) -> tuple[dict[int, int], dict[int, int]]:
    """Entries and unread entries per publisher followed, for those with entries.

    The whole days' articles less their reads from the per-day and per-week counts (about 8
    rows a publisher each, grouped), the first day's articles and unread ones row by row: 6
    grouped statements where counting the window's articles and anti-joining them with History
    took 65-110 ms at 100,000 entries (docs/benchmarks.md, Sync: `miniflux_counters_first`).
    """
    followed = feeds.followed_publishers()
    start = window_start(now)
    day, whole_days = first_whole_day(start)
    days = _summed(whole_day_counts(day, followed), "articles")
    days_read = _summed(whole_day_counts(day, followed, user.pk), "reads")
    first = Article.objects.filter(
        publisher__followed_by=followed, published_at__gte=start, published_at__lt=whole_days
    ).order_by()
    first_all = _per_publisher(first)
    first_unread = _per_publisher(first.filter(~read_flag(user)))
    totals: dict[int, int] = {}
    unread: dict[int, int] = {}
    for pk in days.keys() | first_all.keys():
        total = days.get(pk, 0) + first_all.get(pk, 0)
        if total:  # a day's count back to 0 keeps its row
            totals[pk] = total
            unread[pk] = days.get(pk, 0) - days_read.get(pk, 0) + first_unread.get(pk, 0)
    return totals, unread


def _summed(counts: Iterable[QuerySet[Any]], column: str) -> dict[int, int]:
    """`column` summed per publisher over the rows of each of `counts` (days, then weeks)."""
    summed: Counter[int] = Counter()
    for rows in counts:
        grouped = rows.values("publisher_id").annotate(n=Sum(column))
        summed.update({pk: int(n) for pk, n in grouped.values_list("publisher_id", "n")})
    return summed


def _window(now: datetime, q: Q) -> QuerySet[Article]:
    """Articles matching `q` in the window, unordered."""
    return Article.objects.filter(q, published_at__gte=window_start(now)).order_by()


def _per_publisher(qs: QuerySet[Article]) -> dict[int, int]:
    rows = qs.values("publisher_id").annotate(n=Count("pk")).values_list("publisher_id", "n")
    return dict(rows)


@dataclass(frozen=True)
class FeedUnread:
    unread: int
    newest: datetime  # when the newest entry was stored


def unread_by_feed(user: Any, now: datetime) -> dict[int, FeedUnread]:
    """Unread entries and the newest one's time stored, per feed with entries."""
    return kept(user, now, "unread-by-feed", lambda: _unread_by_feed(user, now))


def _unread_by_feed(user: Any, now: datetime) -> dict[int, FeedUnread]:
    feeds = reader_feeds(user)
    newest_ids = dict(
        _window(now, feeds.publishers_q())
        .values("publisher_id")
        .annotate(newest=Max("pk"))
        .values_list("publisher_id", "newest")
    )
    _, unread = _publisher_counts(user, now, feeds)
    for feed in [*feeds.sections, *feeds.topics]:
        articles = _window(now, feeds.feed_q(feed))
        newest = articles.aggregate(newest=Max("pk"))["newest"]
        if newest is not None:
            newest_ids[feed.id] = newest
            unread[feed.id] = articles.filter(~read_flag(user)).count()
    # The newest id per feed comes from the index; its time stored from those rows alone.
    stored = dict(
        Article.objects.filter(pk__in=newest_ids.values()).values_list("pk", "fetched_at")
    )
    return {pk: FeedUnread(unread.get(pk, 0), stored[newest]) for pk, newest in newest_ids.items()}
