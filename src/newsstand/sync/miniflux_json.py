"""Miniflux's JSON shapes (sync.miniflux): categories, feeds and entries with Miniflux's own field
names and types, each entry's content past the gate."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from newsstand.sources.models import Publisher
from newsstand.sync import queries
from newsstand.sync.entries import Gate
from newsstand.sync.feeds import (
    CATEGORY_IDS,
    CATEGORY_TITLES,
    PUBLISHERS,
    ReaderFeeds,
    SyncFeed,
    reader_feeds,
)
from newsstand.sync.links import (
    article_links,
    feed_url,
    feed_url_of,
    follow_feed_url,
    follow_page_url,
    home_url,
)
from newsstand.sync.queries import CATEGORY_ID, CATEGORY_TITLE

ZERO_TIME = "0001-01-01T00:00:00Z"  # Go's zero time, what Miniflux sends for "never"
# The publisher columns `feed_json` reads (links.feed_url: the slug).
FEED_FIELDS = ("pk", "name", "slug", "homepage", "icon_version")


def rfc3339(moment: datetime | None) -> str:
    if moment is None:
        return ZERO_TIME
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def category_json(
    user: Any,
    category_id: int = CATEGORY_ID,
    title: str = CATEGORY_TITLE,
    *,
    unread: int | None = None,
    feeds: int | None = None,
) -> dict:
    data: dict[str, Any] = {
        "id": category_id,
        "title": title,
        "user_id": user.pk,
        "hide_globally": False,
    }
    if unread is not None:
        data["feed_count"] = feeds
        data["total_unread"] = unread
    return data


# What every feed says alike (Newsstand fetches feeds itself; apps cannot set these).
_FEED_SETTINGS: dict[str, Any] = {
    "next_check_at": ZERO_TIME,
    "etag_header": "",
    "last_modified_header": "",
    "parsing_error_message": "",
    "parsing_error_count": 0,
    "scraper_rules": "",
    "rewrite_rules": "",
    "crawler": False,
    "blocklist_rules": "",
    "keeplist_rules": "",
    "urlrewrite_rules": "",
    "user_agent": "",
    "cookie": "",
    "username": "",
    "password": "",
    "disabled": False,
    "no_media_player": False,
    "ignore_http_cache": False,
    "allow_self_signed_certificates": False,
    "fetch_via_proxy": False,
}


def feed_json(user: Any, feed: SyncFeed, now: datetime) -> dict[str, Any]:
    publisher = feed.publisher
    return _for_reader(
        _feed_alike(
            feed.id,
            feed_url(publisher) if publisher else follow_feed_url(feed),
            (publisher.homepage or home_url()) if publisher else follow_page_url(feed),
            feed.title,
            feed.category_id,
            feed.category_title,
            # Icons are numbered as their publishers; null for a feed without a stored icon.
            bool(publisher and publisher.icon_version),
        ),
        user,
        rfc3339(now),
    )


def _for_reader(alike: dict[str, Any], user: Any, checked_at: str) -> dict[str, Any]:
    """A feed's JSON for this reader and time (`_feed_alike`'s copy, its placeholders set)."""
    data = dict(alike)
    data["user_id"] = user.pk
    data["checked_at"] = checked_at
    data["category"] = {**alike["category"], "user_id": user.pk}
    return data


# A publisher's feed is the same for every reader but for three fields, and a page of 100
# entries names about as many publishers: built once per process (the key holds every value it
# depends on, so a renamed publisher is a new key), 1 ms of each page otherwise.
@functools.lru_cache(maxsize=4096)
def _feed_alike(
    feed_id: int,
    url: str,
    site_url: str,
    title: str,
    category_id: int,
    category_title: str,
    has_icon: bool,
) -> dict[str, Any]:
    """A feed's JSON with None for what depends on the reader and the time (`_for_reader`).
    Shared between calls: copied, never changed."""
    return {
        "id": feed_id,
        "user_id": None,
        "feed_url": url,
        "site_url": site_url,
        "title": title,
        "checked_at": None,
        **_FEED_SETTINGS,
        "category": {
            "id": category_id,
            "title": category_title,
            "user_id": None,
            "hide_globally": False,
        },
        "icon": {"feed_id": feed_id, "icon_id": feed_id} if has_icon else None,
        "hide_globally": False,
        "apprise_service_urls": "",
    }


def entry_json(
    user: Any,
    article: Any,
    gate: Gate,
    feed_id: int,
    feeds: dict[int, dict[str, Any]],
    link_of: Callable[[Any], str],
) -> dict[str, Any]:
    link = link_of(article)
    shown = gate.show(article, link)
    return {
        "id": article.pk,
        "user_id": user.pk,
        "feed_id": feed_id,
        "status": "read" if article.is_read else "unread",
        "hash": hashlib.sha256(article.url.encode()).hexdigest(),
        "title": article.title,
        "url": link,
        "comments_url": "",
        "published_at": rfc3339(article.published_at or article.fetched_at),
        "created_at": rfc3339(article.fetched_at),
        "changed_at": rfc3339(article.updated_at or article.fetched_at),
        "content": shown.html,
        "author": ", ".join(a for a in article.authors if a),
        "share_code": "",
        "starred": bool(article.is_starred),
        "reading_time": article.reading_minutes,
        "enclosures": [],
        "feed": feeds.get(feed_id),
        "tags": [t for t in article.topics if isinstance(t, str)],
    }


def feeds_by_id(
    user: Any, reader: ReaderFeeds, feed_ids: set[int], now: datetime
) -> dict[int, dict[str, Any]]:
    """The feeds a page of entries is in: sections and topics from the reader's follows, and
    publishers (followed, or of a saved article) read in one query."""
    shown: dict[int, dict[str, Any]] = {}
    for pk in feed_ids:
        feed = reader.follow_feed(pk)
        if feed is not None:
            shown[pk] = feed_json(user, feed, now)
    # Only what a feed's JSON shows, as plain values: the whole row (descriptions, identity
    # checks) was most of the time this took for a page's hundred feeds, and the model's
    # instances half of the rest.
    rows = Publisher.objects.filter(pk__in=feed_ids - set(shown)).values_list(*FEED_FIELDS)
    checked_at = rfc3339(now)
    category_id, category_title = CATEGORY_IDS[PUBLISHERS], CATEGORY_TITLES[PUBLISHERS]
    for pk, name, slug, homepage, icon_version in rows:
        alike = _feed_alike(
            pk,
            feed_url_of(slug),
            homepage or home_url(),
            name,
            category_id,
            category_title,
            bool(icon_version),
        )
        shown[pk] = _for_reader(alike, user, checked_at)
    return shown


def entries_page(
    user: Any, articles: list[Any], now: datetime, reader: ReaderFeeds | None = None
) -> list[dict[str, Any]]:
    """Entries' JSON; `reader` saves reading the reader's follows again."""
    queries.mark_state(user, articles)
    gate = Gate(user, articles, now)
    reader = reader or reader_feeds(user)
    feed_of = {a.pk: reader.feed_of(a) for a in articles}
    feeds = feeds_by_id(user, reader, set(feed_of.values()), now)
    link_of = article_links()
    return [entry_json(user, a, gate, feed_of[a.pk], feeds, link_of) for a in articles]
