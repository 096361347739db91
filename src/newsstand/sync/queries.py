"""Read side of sync: what a reader's apps see, and its one read/starred state.

- Feeds are the publishers, sections and topics the reader follows (`sync.feeds`).
- An entry is an article of a feed published within the sync window
  (NEWSSTAND_SYNC_WINDOW_DAYS), or any article the reader saved.
- Read means a History row (personal.ReadingHistory) exists; unread, that none does.
- Starred means Saved (personal.SavedArticle).

Each function is one or two queries whatever the number of articles; lists read card columns,
and only a page of entries loads bodies.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)

from newsstand.articles.models import MAX_ID, Article
from newsstand.personal.models import ReadingHistory, SavedArticle
from newsstand.personal.state import state_token
from newsstand.sync.feeds import (
    CATEGORY_IDS,
    CATEGORY_TITLES,
    PUBLISHERS,
    ReaderFeeds,
    reader_feeds,
)
from newsstand.sync.lookups import FollowedPublishers
from newsstand.sync.models import PublisherDay, PublisherWeek, ReadDay, ReadWeek

# The category of the publishers the reader follows ("Following"); sections and topics have
# categories of their own (sync.feeds).
CATEGORY_ID = CATEGORY_IDS[PUBLISHERS]
CATEGORY_TITLE = CATEGORY_TITLES[PUBLISHERS]

# Counts kept in the cache are keyed by everything they depend on except the sync window's
# start, which moves on by the minute in the key; this bounds how long they may be kept.
COUNT_KEEP_S = 300

# The latest time an app may name: a year short of the last one datetime holds, so the time a
# step after it (Google Reader's inclusive `ts`) is still one.
LATEST_TIME = datetime(9999, 1, 1, tzinfo=UTC)


def possible_ids(ids: Iterable[int]) -> tuple[int, ...]:
    """Those of `ids` an entry can have (1 to MAX_ID), in their order."""
    return tuple(i for i in ids if 0 < i <= MAX_ID)


def window_days() -> float:
    return float(getattr(settings, "NEWSSTAND_SYNC_WINDOW_DAYS", 30))


def window_start(now: datetime) -> datetime:
    return now - timedelta(days=window_days())


def read_flag(user: Any) -> Exists:
    return Exists(ReadingHistory.objects.filter(user_id=user.pk, article_id=OuterRef("pk")))


def starred_flag(user: Any) -> Exists:
    return Exists(SavedArticle.objects.filter(user_id=user.pk, article_id=OuterRef("pk")))


@dataclass(frozen=True)
class EntryFilter:
    """What an app asks for; None means "any"."""

    read: bool | None = None
    starred: bool | None = None
    feed_ids: tuple[int, ...] | None = None  # sync.feeds numbers; one that isn't the reader's: none
    published_after: datetime | None = None
    published_before: datetime | None = None
    stored_after: datetime | None = None  # when Newsstand stored it (Google Reader's crawl time)
    stored_before: datetime | None = None
    after_id: int | None = None
    before_id: int | None = None
    ids: tuple[int, ...] | None = None
    search: str = ""


def entries(
    user: Any,
    now: datetime,
    flt: EntryFilter = EntryFilter(),
    feeds: ReaderFeeds | None = None,
    *,
    not_before: datetime | None = None,
    scope: str | None = None,
) -> QuerySet[Article]:
    """The reader's entries matching `flt`; `mark_state` sets read and starred on a page of them.

    Unordered: callers order and slice. A starred-only list starts from Saved (the reader's own
    rows), every other from the feeds' articles in the window, plus saved ones. Read and
    starred filter as EXISTS in WHERE (an anti-join, or a semi-join) and are not selected: as a
    column, PostgreSQL computes the flag by hashing all of the reader's History (90,000 rows:
    35 ms) even for a page of 100. `feeds` saves reading the reader's follows again.

    `not_before`: a publication time the caller already bounds the rows by (where the last
    page of an ascending list ended, `after_cursor`), written into the one lower bound: given
    two, SQLite starts its index range at the window's and walks every row up to the page, so
    each page costs more than the one before it.

    `scope`: the caller's `kept_scope`, under which the earliest time an entry can have is kept
    (a query on every page otherwise: 1.3 ms on SQLite, 2.7 on PostgreSQL).
    """
    feeds = feeds or reader_feeds(user)
    saved = SavedArticle.objects.filter(user_id=user.pk).values("article_id")
    if flt.starred:
        qs = Article.objects.filter(pk__in=saved)
    else:
        qs = Article.objects.filter(_in_window(feeds, now) | Q(pk__in=saved))
        if flt.ids is not None:
            # Found by their ids: no range of dates to start from, and no query for one.
            oldest = None
        elif scope is None:
            oldest = _oldest_entry(user, now)
        else:
            oldest = oldest_entry(user, now, scope)
        if oldest is not None and not_before is not None:
            oldest = max(oldest, not_before)
        bound = oldest if oldest is not None else not_before
        if bound is not None:
            # Implied by the OR above, but written apart the planners can start an index range
            # there rather than walk every article ever published (SQLite: 28 -> 7 ms a page).
            qs = qs.filter(published_at__gte=bound)
    return _filtered(qs, user, flt, feeds)


def oldest_entry(user: Any, now: datetime, scope: str) -> datetime | None:
    """`_oldest_entry`, kept in `scope` (`kept_scope`)."""
    # In a tuple: None (no bound holds) is kept too. Kept a minute at most (the scope has the
    # window's start to the minute), the bound is at most that much early, which every entry
    # still meets.
    return kept(user, now, OLDEST_ENTRY, lambda: (_oldest_entry(user, now),), scope)[0]


OLDEST_ENTRY = "oldest-entry"  # what `oldest_entry` is kept as


def keep_oldest_entry(user: Any, now: datetime, scope: str, saved: tuple[Any, int]) -> None:
    """Keep in `scope` the earliest time an entry can have, from what `saved_dates` selects
    (read by a caller in a statement of its own: a full count reads it with the total)."""
    cache.set(kept_key(scope, OLDEST_ENTRY), (oldest_of(now, *saved),), COUNT_KEEP_S)


SAVED_PUBLISHED = "entry_published"  # the column `saved_dates` selects


def saved_dates(user: Any) -> tuple[QuerySet[Any], QuerySet[Any]]:
    """The reader's saved articles' publication times (`SAVED_PUBLISHED`), and those saved
    articles that have none: the earliest of the one and the number of the other bound the
    entries (`oldest_of`)."""
    saved = (
        SavedArticle.objects.filter(user_id=user.pk)
        .order_by()
        .annotate(**{SAVED_PUBLISHED: F("article__published_at")})
    )
    return (
        saved.filter(**{f"{SAVED_PUBLISHED}__isnull": False}).values(SAVED_PUBLISHED),
        saved.filter(**{f"{SAVED_PUBLISHED}__isnull": True}).values("pk"),
    )


def oldest_of(now: datetime, oldest_saved: datetime | None, undated_saved: int) -> datetime | None:
    """The earliest publication time an entry can have: the window's start, or an older saved
    article's; None if the reader saved an undated one (no bound holds then)."""
    if undated_saved:
        return None
    start = window_start(now)
    return min(start, oldest_saved) if oldest_saved is not None else start


def _oldest_entry(user: Any, now: datetime) -> datetime | None:
    """`oldest_of` the reader's saved articles."""
    found = SavedArticle.objects.filter(user_id=user.pk).aggregate(
        oldest=Min("article__published_at"),
        undated=Count("pk", filter=Q(article__published_at__isnull=True)),
    )
    return oldest_of(now, found["oldest"], found["undated"])


def count_entries(
    user: Any, now: datetime, flt: EntryFilter = EntryFilter(), feeds: ReaderFeeds | None = None
) -> int:
    """How many entries match `flt`: `entries(...).count()`, counted in parts (`count_parts`)."""
    return sum(part.sign * part.number() for part in count_parts(user, now, flt, feeds))


@dataclass(frozen=True)
class Part:
    """Rows whose number adds to a count of entries, or (`sign` -1) takes from it; or, with
    `summed`, rows of per-day counts whose `summed` column adds up to that number."""

    rows: QuerySet[Any]
    sign: int = 1
    article: str = "pk"  # the column that names each row's article
    summed: str | None = None

    def among(self, ids: Any) -> Part:
        """These rows, of the articles `ids` (a list or a subquery of ids) only."""
        if self.summed is not None:
            raise ValueError("per-day counts name no article")
        return replace(self, rows=self.rows.filter(**{f"{self.article}__in": ids}))

    def number(self) -> int:
        """What the part adds up to, in its own query."""
        if self.summed is None:
            return self.rows.count()
        return int(self.rows.aggregate(n=Sum(self.summed))["n"] or 0)


def count_parts(
    user: Any,
    now: datetime,
    flt: EntryFilter = EntryFilter(),
    feeds: ReaderFeeds | None = None,
    base: QuerySet[Article] | None = None,
    *,
    by_day: bool = True,
) -> list[Part]:
    """`entries(...)` as parts whose signed counts add up to its count.

    The window's entries are counted through the (publisher, published_at, id) index alone,
    and saved ones outside the window apart: counted as one, the OR with the saved ones stops
    the planner using that index for either (SQLite: 63 ms instead of 40 for 10,000 unread of
    100,000 entries). The unread (or read) ones of the publishers followed are the window's
    less those in History, each counted from its own index (History keeps a copy of each
    article's publisher and date): asked as "not in History", each of the window's 100,000
    articles is a probe of History's index (SQLite: 73 ms, against 8 + 6 for the two counts).
    `base` is `feeds_articles(feeds)`, for a caller that builds several.

    `by_day`: where the filter allows (`_counted_by_day`), the window's articles and reads of
    the publishers followed are summed from the per-day and per-week counts
    (`whole_day_counts`: about 8 rows a publisher), all but the window's first, partial day,
    which is counted row by row: the count 5.2 ms on SQLite and 8.9 on PostgreSQL at the
    benchmark's size, against 12 and 31 row by row (`bench/sync_phases.py --cases count`).
    Off for parts that must be narrowed to some articles (`Part.among`).
    """
    feeds = feeds or reader_feeds(user)
    if flt.starred:
        return [Part(entries(user, now, flt, feeds))]
    start = window_start(now)
    saved = SavedArticle.objects.filter(user_id=user.pk).values("article_id")
    base = feeds_articles(feeds) if base is None else base
    in_window = base.filter(pk=OuterRef("pk"), published_at__gte=start)
    outside = Article.objects.filter(pk__in=saved).filter(~Exists(in_window))
    saved_part = Part(_filtered(outside, user, flt, feeds))
    publishers = _publishers_apart(flt, feeds)
    if publishers is None:
        window = _filtered(base.filter(published_at__gte=start), user, flt, feeds)
        return [Part(window), saved_part]
    parts: list[Part] = []
    read_sign = -1 if flt.read is False else 1
    if by_day and _counted_by_day(flt):
        first_day, whole_days = first_whole_day(start)
        if flt.read is False:
            parts.extend(
                Part(rows, summed="articles") for rows in whole_day_counts(first_day, publishers)
            )
        parts.extend(
            Part(rows, read_sign, summed="reads")
            for rows in whole_day_counts(first_day, publishers, user.pk)
        )
        # The window's first, partial day row by row, read or not by History's (reader,
        # article) key: a few thousand articles found by their date. Counted as the day's
        # articles less its reads, the reads would be found per publisher (500 probes) or by
        # scanning all the reader's History (PostgreSQL, with the follows as a subquery).
        first = Article.objects.filter(
            publisher__followed_by=publishers, published_at__gte=start, published_at__lt=whole_days
        )
        parts.append(Part(_filtered(first, user, flt, feeds)))
    else:
        if flt.read is False:
            in_feeds = Article.objects.filter(
                publisher__followed_by=publishers, published_at__gte=start
            )
            parts.append(Part(_filtered(in_feeds, user, replace(flt, read=None), feeds)))
        read = ReadingHistory.objects.filter(
            user_id=user.pk,
            article_publisher_id__followed_by=publishers,
            article_published_at__gte=start,
        )
        if flt.published_after is not None:
            read = read.filter(article_published_at__gt=flt.published_after)
        if flt.published_before is not None:
            read = read.filter(article_published_at__lt=flt.published_before)
        parts.append(Part(read.order_by(), read_sign, "article_id"))
    if flt.feed_ids is None and (feeds.sections or feeds.topics):
        others = Article.objects.filter(feeds.others_q(), published_at__gte=start)
        parts.append(Part(_filtered(others, user, flt, feeds)))
    return [*parts, saved_part]


def first_whole_day(start: datetime) -> tuple[date, datetime]:
    """The first day (UTC) that begins at or after `start`, as a date and as the time it
    begins: what the per-day counts hold from, and where counting row by row stops."""
    utc = start.astimezone(UTC)
    day = utc.date() if utc.time() == time.min else utc.date() + timedelta(days=1)
    return day, datetime.combine(day, time.min, tzinfo=UTC)


def whole_day_counts(
    first_day: date, publishers: FollowedPublishers, user_id: int | None = None
) -> tuple[QuerySet[Any], QuerySet[Any]]:
    """The count rows that together hold the publishers' articles (or, with `user_id`, that
    reader's reads of them) published on `first_day` or later: per day up to the first whole
    week (none to six days), per week from it on. Each row's number is in `articles` (`reads`).

    30 per-day rows a publisher were what a full count read, 15,000 for 500 publishers from
    each table (sync.models.PublisherWeek has the figures)."""
    week = first_day + timedelta(days=-first_day.weekday() % 7)  # the Monday on or after
    if user_id is None:
        days: QuerySet[Any] = PublisherDay.objects.all()
        weeks: QuerySet[Any] = PublisherWeek.objects.all()
    else:
        days = ReadDay.objects.filter(user_id=user_id)
        weeks = ReadWeek.objects.filter(user_id=user_id)
    return (
        days.filter(
            publisher_id__followed_by=publishers, day__gte=first_day, day__lt=week
        ).order_by(),
        weeks.filter(publisher_id__followed_by=publishers, week__gte=week).order_by(),
    )


def _counted_by_day(flt: EntryFilter) -> bool:
    """Whether the per-day counts hold what `flt` asks of the publishers' articles: any of
    their dates in the window, read or unread (`_publishers_apart` has left out the rest)."""
    return flt.published_after is None and flt.published_before is None


def _publishers_apart(flt: EntryFilter, feeds: ReaderFeeds) -> FollowedPublishers | None:
    """The publishers whose read or unread entries `count_parts` counts from History's index,
    or None where the filter asks what History's copies do not hold (saved or not, when
    stored, ids, titles) or names section or topic feeds."""
    if flt.read is None or flt.starred is not None or flt.search.strip():
        return None
    unheld = (flt.stored_after, flt.stored_before, flt.after_id, flt.before_id, flt.ids)
    if any(value is not None for value in unheld):
        return None
    if flt.feed_ids is None:
        return feeds.followed_publishers()
    if not all(feeds.is_publisher(i) for i in flt.feed_ids):
        return None
    return FollowedPublishers(feeds.user_id, tuple(sorted(set(flt.feed_ids))), listed=True)


def feeds_articles(feeds: ReaderFeeds) -> QuerySet[Article]:
    """Every article of the reader's feeds, any date, unordered: the base the window's
    querysets are narrowed from. Built once, its 500-publisher condition is prepared once (2-3
    ms each time, where a call builds four of them)."""
    return Article.objects.filter(feeds.window_q()).order_by()


@dataclass(frozen=True)
class Membership:
    """A changed article as a kept total sees it (`entries_membership`)."""

    in_window: bool  # in the reader's feeds and window then (an entry whether saved or not)
    read: bool  # in History now
    saved: bool  # in Saved now


def entries_membership(
    user: Any,
    then: datetime,
    flt: EntryFilter,
    feeds: ReaderFeeds,
    base: QuerySet[Article],
    ids: list[int],
) -> dict[int, Membership]:
    """Of `ids`, those matching `flt` but for its read and starred conditions: whether each was
    in the window at `then`, and is read and saved now. One query."""
    fixed = replace(flt, read=None, starred=None)
    in_window = Exists(base.filter(pk=OuterRef("pk"), published_at__gte=window_start(then)))
    rows = (
        _filtered(Article.objects.filter(pk__in=ids), user, fixed, feeds)
        .annotate(in_window=in_window, is_read=read_flag(user), is_saved=starred_flag(user))
        .values_list("pk", "in_window", "is_read", "is_saved")
    )
    return {pk: Membership(bool(w), bool(r), bool(s)) for pk, w, r, s in rows}


def leaving_window(
    user: Any,
    then: datetime,
    now: datetime,
    flt: EntryFilter,
    feeds: ReaderFeeds,
    base: QuerySet[Article] | None = None,
) -> QuerySet[Article]:
    """Entries at `then` that are none at `now`: the window's, published before its new start
    and not saved (a saved article stays an entry)."""
    if flt.starred:
        return Article.objects.none()
    base = feeds_articles(feeds) if base is None else base
    saved = SavedArticle.objects.filter(user_id=user.pk).values("article_id")
    band = base.filter(published_at__gte=window_start(then), published_at__lt=window_start(now))
    return _filtered(band.exclude(pk__in=saved), user, flt, feeds)


def feeds_moved(
    user: Any, now: datetime, flt: EntryFilter, old: ReaderFeeds, new: ReaderFeeds
) -> tuple[QuerySet[Article], QuerySet[Article]] | None:
    """The entries at `now` that following or unfollowing publishers added (in `new`'s feeds,
    not `old`'s) and removed, or None where that is not these two sets (sections, topics or
    mutes changed, or `flt` names feeds, whose meaning changed with them).

    With sections, topics and mutes the same, an article that changed sides did so by its
    publisher, so each side is the changed publishers' window only. A saved article is an entry
    on both sides, so on neither.
    """
    if flt.feed_ids is not None or old.follows[1:] != new.follows[1:]:
        return None
    if flt.starred:
        # Starred entries are the saved ones, whatever the feeds (`entries`).
        return Article.objects.none(), Article.objects.none()
    before, after = set(old.publisher_ids), set(new.publisher_ids)
    saved = SavedArticle.objects.filter(user_id=user.pk).values("article_id")
    window = Article.objects.filter(published_at__gte=window_start(now)).exclude(pk__in=saved)

    def side(publisher_ids: set[int], other: ReaderFeeds) -> QuerySet[Article]:
        if not publisher_ids:
            return Article.objects.none()
        moved = window.filter(publisher_id__in=sorted(publisher_ids)).exclude(other.window_q())
        return _filtered(moved, user, flt, new)

    return side(after - before, old), side(before - after, new)


def _in_window(feeds: ReaderFeeds, now: datetime) -> Q:
    # The date first: SQLite tests the terms in this order, and the date is the cheaper one.
    return Q(published_at__gte=window_start(now)) & feeds.window_q()


def _filtered(
    qs: QuerySet[Article], user: Any, flt: EntryFilter, feeds: ReaderFeeds
) -> QuerySet[Article]:
    if flt.read is not None:
        qs = qs.filter(read_flag(user) if flt.read else ~read_flag(user))
    if flt.starred is False:
        qs = qs.filter(~starred_flag(user))
    if flt.feed_ids is not None:
        qs = qs.filter(feeds.feeds_q(flt.feed_ids))
    if flt.published_after is not None:
        qs = qs.filter(published_at__gt=flt.published_after)
    if flt.published_before is not None:
        qs = qs.filter(published_at__lt=flt.published_before)
    if flt.stored_after is not None:
        qs = qs.filter(fetched_at__gt=flt.stored_after)
    if flt.stored_before is not None:
        qs = qs.filter(fetched_at__lt=flt.stored_before)
    if flt.after_id is not None:
        qs = qs.filter(pk__gt=flt.after_id)
    if flt.before_id is not None:
        qs = qs.filter(pk__lt=flt.before_id)
    if flt.ids is not None:
        qs = qs.filter(pk__in=possible_ids(flt.ids))
    if flt.search.strip():
        # Titles only: the body may be gated, and matching in it would tell what it says.
        qs = qs.filter(title__icontains=flt.search.strip())
    return qs.order_by()


def with_state(qs: QuerySet[Article], user: Any) -> QuerySet[Article]:
    """`qs` annotated with `is_read` and `is_starred`, for ordering by them."""
    return qs.annotate(is_read=read_flag(user), is_starred=starred_flag(user))


def mark_state(user: Any, articles: list[Article]) -> list[Article]:
    """Set `is_read` and `is_starred` on loaded entries: one query over their ids (a round
    trip less than two on PostgreSQL, for every page of every API), written as SQL: built by
    the ORM as a union of two querysets, the statement took longer to build than to run (2.6
    ms against 0.3 on SQLite for a page of 100)."""
    ids = [a.pk for a in articles]
    read: set[int] = set()
    starred: set[int] = set()
    if ids:
        quote = connection.ops.quote_name
        history = quote(ReadingHistory._meta.db_table)
        saved = quote(SavedArticle._meta.db_table)
        marks = ", ".join(["%s"] * len(ids))
        one = "SELECT article_id, {0} FROM {1} WHERE user_id = %s AND article_id IN ({2})"
        sql = " UNION ALL ".join(
            one.format(n, table, marks) for n, table in ((0, history), (1, saved))
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [user.pk, *ids, user.pk, *ids])
            for article_id, is_saved in cursor.fetchall():
                (starred if is_saved else read).add(article_id)
    for article in articles:
        article.is_read = article.pk in read  # type: ignore[attr-defined]  # set for the APIs
        article.is_starred = article.pk in starred  # type: ignore[attr-defined]
    return articles


def by_id(qs: QuerySet[Article], *, newest_first: bool = False) -> QuerySet[Article]:
    """`qs` in id order (the order Newsstand stored the articles), sorted once filtered.

    Ordered by the bare primary key, the planners walk the whole table in id order and read
    every article's row, bodies included, to find the reader's entries (SQLite does, 0.35 s for
    100,000 entries); `id + 0` is served by no index, so they find the entries through the
    (publisher, published_at, id) index first and sort only those ids (docs/benchmarks.md, Sync).
    """
    key = ExpressionWrapper(F("pk") + 0, output_field=IntegerField())
    return qs.order_by(key.desc() if newest_first else key.asc())


def kept[T](
    user: Any, now: datetime, what: str, compute: Callable[[], T], scope: str | None = None
) -> T:
    """`compute()`, kept in the shared cache until the reader's state or the articles change.

    Counting a reader's unread entries is an anti-join of the window's entries with History
    (50-80 ms at 100,000 entries; docs/benchmarks.md, Sync), while an app asks for the same
    total on every page it fetches. `what` names the call and its filter; `kept_scope` holds the
    rest of what the value depends on (a call that keeps several things reads it once).
    """
    key = kept_key(scope or kept_scope(user, now), what)
    found = cache.get(key)
    if found is not None:
        return found
    value = compute()
    cache.set(key, value, COUNT_KEEP_S)
    return value


def kept_scope(user: Any, now: datetime) -> str:
    """What every kept value depends on: the reader's state token (new with every History,
    Saved or follow change, personal.actions), the newest article's id (one index lookup: new
    articles change it) and the window's start to the minute."""
    return kept_scopes(user, now)[0]


def kept_scopes(user: Any, now: datetime) -> tuple[str, str]:
    """`kept_scope`, and the same without the window's start: the scope of where pages ended.

    A page's end stays where it is when the window moves on a minute (what leaves the window is
    at the far end of the list, or before where an app is paging, which it cannot tell from an
    entry it marked read meanwhile); with the minute in, each minute's first page past offset 0
    walked every entry before it again (58 ms at p99 paging 10,000 entries).
    """
    newest = newest_article_id()
    minute = window_start(now).replace(second=0, microsecond=0).isoformat()
    state = f"{state_token(user.pk)}|{newest}"
    digest = [hashlib.sha256(raw.encode()).hexdigest()[:24] for raw in (f"{state}|{minute}", state)]
    return f"sync:kept:{user.pk}:{digest[0]}", f"sync:pages:{user.pk}:{digest[1]}"


def newest_article_id() -> int:
    """The newest article's id (one index lookup), 0 with none: new articles change it."""
    return Article.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def kept_key(scope: str, what: str) -> str:
    """The cache key of `what` within `scope` (`kept_scope`)."""
    return f"{scope}:" + hashlib.sha256(what.encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Cursor:
    """Where a page of an ordered list ended: its last row's sort value and id."""

    value: Any
    pk: int


def after_cursor(
    qs: QuerySet[Article], field: str, cursor: Cursor, *, descending: bool
) -> QuerySet[Article]:
    """The rows of `qs` with a `field` value that come after `cursor` in the order (`field`,
    pk), ascending or not; `nulls_after` gives the rows without a value that follow them.

    What turns an app's next OFFSET into a seek: OFFSET 9,900 walks and anti-joins every row
    before it (200-400 ms at 100,000 entries), the seek starts where the last page ended. The
    bound comes first on its own (`published_at >= v AND (published_at > v OR id > pk)`), so
    the planners start the index range there; written as one OR they scan from the start
    (PostgreSQL: 28 ms instead of 7.5).
    """
    op = "lt" if descending else "gt"
    if field == "pk":
        return qs.filter(**{f"pk__{op}": cursor.pk})
    bound = Q(**{f"{field}__{op}e": cursor.value})
    beyond = Q(**{f"{field}__{op}": cursor.value}) | Q(**{f"pk__{op}": cursor.pk})
    return qs.filter(bound & beyond)


def nulls_after(qs: QuerySet[Article], field: str, *, descending: bool) -> QuerySet[Article]:
    """The rows of `qs` without a `field` value, when the database orders them after every
    value (largest and ascending, or smallest and descending); else none."""
    if field == "pk" or not Article._meta.get_field(field).null:
        return qs.none()
    if connection.features.nulls_order_largest == descending:
        return qs.none()
    return qs.filter(**{f"{field}__isnull": True})
