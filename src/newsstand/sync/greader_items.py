"""Google Reader's items and their streams' names, shared by the API's calls (sync.greader):
stream ids, item ids, each entry as JSON or as Google Reader's Atom, content past the gate.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from newsstand.articles.models import Article
from newsstand.sources.models import Publisher
from newsstand.sync import queries
from newsstand.sync.entries import Gate
from newsstand.sync.feeds import ReaderFeeds, SyncFeed, publisher_feed
from newsstand.sync.jsonresponse import JsonResponse
from newsstand.sync.links import (
    article_links,
    feed_url,
    follow_feed_url,
    follow_page_url,
    home_url,
    site,
)
from newsstand.sync.queries import CATEGORY_TITLE, EntryFilter

ITEM_PREFIX = "tag:google.com,2005:reader/item/"
STATE = "user/-/state/com.google/"
READING_LIST = STATE + "reading-list"
READ = STATE + "read"
STARRED = STATE + "starred"
KEPT_UNREAD = STATE + "kept-unread"
LABEL = "user/-/label/"
FOLDER = LABEL + CATEGORY_TITLE  # the publishers' folder; sections and topics have theirs
# Tags that mean nothing here (sharing, liking): accepted and ignored, as Miniflux does.
IGNORED_TAGS = frozenset(STATE + s for s in ("broadcast", "broadcast-friends", "like", "fresh"))
DEFAULT_N = 20  # Google Reader's page size when `n` is not given
MAX_IDS = 10_000  # ids a call at most (Google Reader's own cap on `n`)
MAX_ITEMS = 1_000  # items with content a call at most: each carries its body
MICROSECONDS_DIGITS = 16  # a `ts` this long is in microseconds, a shorter one in seconds
GR_NS = "http://www.google.com/schemas/reader/atom/"
GR_SCHEME = "http://www.google.com/reader/"
CONTENT_TYPE_TEXT = "text/plain; charset=utf-8"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def long_id(article_id: int) -> str:
    return f"{ITEM_PREFIX}{article_id:016x}"


@dataclasses.dataclass(frozen=True)
class Stream:
    id: str
    title: str
    flt: EntryFilter


# Items -------------------------------------------------------------------------------------


def usec(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


@dataclasses.dataclass(frozen=True)
class Origin:
    """The feed an item is listed in (sync.feeds.ReaderFeeds.feed_of)."""

    stream_id: str
    title: str
    html_url: str
    feed_url: str


def origin_of(feed: SyncFeed) -> Origin:
    publisher = feed.publisher
    if publisher is not None:
        page, address = publisher.homepage or home_url(), feed_url(publisher)
    else:
        page, address = follow_page_url(feed), follow_feed_url(feed)
    return Origin(f"feed/{feed.id}", feed.title, page, address)


@dataclasses.dataclass(frozen=True)
class Item:
    """One entry as Google Reader shows it, content past the gate."""

    article: Article
    publisher: Publisher
    link: str
    html: str
    categories: list[str]
    origin: Origin

    @property
    def published(self) -> datetime:
        return self.article.published_at or self.article.fetched_at

    @property
    def updated(self) -> datetime:
        return self.article.updated_at or self.published

    @property
    def author(self) -> str:
        return ", ".join(a for a in self.article.authors if a)


def items_of(user: Any, articles: list[Article], now: datetime, reader: ReaderFeeds) -> list[Item]:
    """Items of the entries, in the reader's feeds (`reader`, read once a call)."""
    queries.mark_state(user, articles)
    gate = Gate(user, articles, now)
    publishers = Publisher.objects.in_bulk({a.publisher_id for a in articles})
    items = []
    link_of = article_links()
    for article in articles:
        categories = [READING_LIST]
        feed_id = reader.feed_of(article)
        # A section's or topic's, else its publisher's (followed, or of a saved article).
        feed = reader.follow_feed(feed_id) or publisher_feed(publishers[article.publisher_id])
        if reader.has(feed_id):
            categories.append(LABEL + feed.category_title)
        if getattr(article, "is_read", False):
            categories.append(READ)
        if getattr(article, "is_starred", False):
            categories.append(STARRED)
        link = link_of(article)
        html = gate.show(article, link).html
        publisher = publishers[article.publisher_id]
        items.append(Item(article, publisher, link, html, categories, origin_of(feed)))
    return items


def item_json(item: Item) -> dict[str, Any]:
    article = item.article
    content = {"direction": "ltr", "content": item.html}
    return {
        "id": long_id(article.pk),
        "crawlTimeMsec": str(usec(article.fetched_at) // 1000),
        "timestampUsec": str(usec(article.fetched_at)),
        "published": int(item.published.timestamp()),
        "updated": int(item.updated.timestamp()),
        "title": article.title,
        "author": item.author,
        "alternate": [{"href": item.link, "type": "text/html"}],
        "canonical": [{"href": item.link}],
        "summary": content,
        "content": content,
        "categories": item.categories,
        "origin": {
            "streamId": item.origin.stream_id,
            "title": item.origin.title,
            "htmlUrl": item.origin.html_url,
        },
        "enclosure": [],
    }


def contents_json(
    request: HttpRequest, stream: Stream, items: list[Item], continuation: str | None
) -> JsonResponse:
    data: dict[str, Any] = {
        "direction": "ltr",
        "id": stream.id,
        "title": stream.title,
        "description": "",
        "self": [{"href": site(request.path)}],
        "alternate": [{"href": home_url(), "type": "text/html"}],
        "updated": int(timezone.now().timestamp()),
        "author": "",
        "items": [item_json(i) for i in items],
    }
    if continuation:
        data["continuation"] = continuation
    return JsonResponse(data)


class ReaderAtomFeed(Atom1Feed):
    """Atom as Google Reader wrote it: the gr: namespace, item ids in the long form, read and
    starred as categories, the continuation, and each entry's source feed."""

    def root_attributes(self) -> dict[str, str]:
        return super().root_attributes() | {"xmlns:gr": GR_NS}

    def add_root_elements(self, handler: Any) -> None:
        super().add_root_elements(handler)
        if self.feed.get("continuation"):
            handler.addQuickElement("gr:continuation", self.feed["continuation"])

    def item_attributes(self, item: dict[str, Any]) -> dict[str, str]:
        return {"gr:crawl-timestamp-msec": item["crawl_msec"]}

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        for term in item["gr_categories"]:
            label = term.rsplit("/", 1)[-1]
            handler.addQuickElement(
                "category", "", {"term": term, "scheme": GR_SCHEME, "label": label}
            )
        handler.addQuickElement("content", item["html"], {"type": "html"})
        handler.startElement("source", {"gr:stream-id": item["stream_id"]})
        handler.addQuickElement("id", item["source_id"])
        handler.addQuickElement("title", item["source_title"])
        handler.addQuickElement("link", "", {"rel": "alternate", "href": item["source_link"]})
        handler.endElement("source")


def atom_response(
    request: HttpRequest, stream: Stream, items: list[Item], continuation: str | None
) -> HttpResponse:
    feed = ReaderAtomFeed(
        title=stream.title,
        link=home_url(),
        description="",
        feed_url=site(request.get_full_path()),
        feed_guid=f"tag:google.com,2005:reader/{stream.id}",
        continuation=continuation or "",
    )
    for item in items:
        article, publisher = item.article, item.publisher
        feed.add_item(
            title=article.title,
            link=item.link,
            # None leaves out <summary>: the entry's text is in <content>, written below.
            description=None,  # type: ignore[arg-type]  # the stubs say str; Django takes None
            # RFC 4287 wants an author on every entry: the publisher's name when the feed has none.
            author_name=item.author or publisher.name,
            pubdate=item.published,
            updateddate=item.updated,
            unique_id=long_id(article.pk),
            html=item.html,
            crawl_msec=str(usec(article.fetched_at) // 1000),
            gr_categories=item.categories,
            stream_id=item.origin.stream_id,
            source_id=f"tag:google.com,2005:reader/feed/{item.origin.feed_url}",
            source_title=item.origin.title,
            source_link=item.origin.html_url,
        )
    return HttpResponse(feed.writeString("utf-8"), content_type=feed.content_type)
