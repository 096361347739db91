"""Read side of sync: what a reader's apps see, and its one read/starred state.

- Feeds are the publishers the reader follows (not muted); one category holds them.
- An entry is an article of a followed publisher published within the sync window
  (NEWSSTAND_SYNC_WINDOW_DAYS), or any article the reader saved.
- Read means a History row (personal.ReadingHistory) exists; unread, that none does.
- Starred means Saved (personal.SavedArticle).

Each function is one or two queries whatever the number of articles; lists read card columns,
and only a page of entries loads bodies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet

from newsstand.articles.models import Article
from newsstand.personal.models import Follow, ReadingHistory, SavedArticle
from newsstand.sources.models import Publisher

# The one category every feed is in: Newsstand has no folders of its own.
CATEGORY_ID = 1
CATEGORY_TITLE = "Following"


def window_days() -> float:
    return float(getattr(settings, "NEWSSTAND_SYNC_WINDOW_DAYS", 30))


def window_start(now: datetime) -> datetime:
    return now - timedelta(days=window_days())


def followed_publisher_ids(user: Any) -> list[int]:
    keys = Follow.objects.filter(
        user_id=user.pk, kind=Follow.Kind.PUBLISHER, muted=False
    ).values_list("key", flat=True)
    return sorted(int(k) for k in keys if k.isascii() and k.isdigit())


def followed_publishers(user: Any) -> list[Publisher]:
    return list(Publisher.objects.filter(pk__in=followed_publisher_ids(user)).order_by("name"))


def read_flag(user: Any) -> Exists:
    return Exists(ReadingHistory.objects.filter(user_id=user.pk, article_id=OuterRef("pk")))


def starred_flag(user: Any) -> Exists:
    return Exists(SavedArticle.objects.filter(user_id=user.pk, article_id=OuterRef("pk")))


@dataclass(frozen=True)
class EntryFilter:
    """What an app asks for; None means "any"."""

    read: bool | None = None
    starred: bool | None = None
    publisher_ids: tuple[int, ...] | None = None
    published_after: datetime | None = None
    published_before: datetime | None = None
    stored_after: datetime | None = None  # when Newsstand stored it (Google Reader's crawl time)
    stored_before: datetime | None = None
    after_id: int | None = None
    before_id: int | None = None
    ids: tuple[int, ...] | None = None
    search: str = ""


def entries(user: Any, now: datetime, flt: EntryFilter = EntryFilter()) -> QuerySet[Article]:
    """The reader's entries matching `flt`, annotated with `is_read` and `is_starred`.

    Unordered: callers order and slice. A starred-only list starts from Saved (the reader's own
    rows), every other from the followed publishers' articles in the window, plus saved ones.
    """
    followed = followed_publisher_ids(user)
    in_window = Q(publisher_id__in=followed, published_at__gte=window_start(now))
    saved = SavedArticle.objects.filter(user_id=user.pk)
    if flt.starred:
        qs = Article.objects.filter(pk__in=saved.values("article_id"))
    else:
        qs = Article.objects.filter(in_window | Q(pk__in=saved.values("article_id")))
    qs = qs.annotate(is_read=read_flag(user), is_starred=starred_flag(user))
    if flt.read is not None:
        qs = qs.filter(is_read=flt.read)
    if flt.starred is False:
        qs = qs.filter(is_starred=False)
    if flt.publisher_ids is not None:
        qs = qs.filter(publisher_id__in=flt.publisher_ids)
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
        qs = qs.filter(pk__in=flt.ids)
    if flt.search.strip():
        # Titles only: the body may be gated, and matching in it would tell what it says.
        qs = qs.filter(title__icontains=flt.search.strip())
    return qs.order_by()


def counters(user: Any, now: datetime) -> tuple[dict[int, int], dict[int, int]]:
    """(read, unread) entry counts per followed publisher, in the window."""
    rows = (
        Article.objects.filter(
            publisher_id__in=followed_publisher_ids(user), published_at__gte=window_start(now)
        )
        .annotate(is_read=read_flag(user))
        .order_by()
        .values("publisher_id")
        .annotate(
            read=Count("pk", filter=Q(is_read=True)), unread=Count("pk", filter=Q(is_read=False))
        )
    )
    reads = {r["publisher_id"]: r["read"] for r in rows}
    unreads = {r["publisher_id"]: r["unread"] for r in rows}
    return reads, unreads


@dataclass(frozen=True)
class FeedUnread:
    unread: int
    newest: datetime  # when the newest entry was stored


def unread_by_publisher(user: Any, now: datetime) -> dict[int, FeedUnread]:
    """Unread entries and the newest one's time stored, per followed publisher with entries."""
    rows = (
        Article.objects.filter(
            publisher_id__in=followed_publisher_ids(user), published_at__gte=window_start(now)
        )
        .annotate(is_read=read_flag(user))
        .order_by()
        .values("publisher_id")
        .annotate(unread=Count("pk", filter=Q(is_read=False)), newest=Max("fetched_at"))
    )
    return {r["publisher_id"]: FeedUnread(r["unread"], r["newest"]) for r in rows}
