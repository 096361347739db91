"""What a reader's apps see as feeds: the publishers, sections and topics the reader follows.

- A publisher followed (not muted) is a feed numbered as the publisher, in category 1,
  "Following".
- A section or topic followed is a feed numbered `FOLLOW_FEED_BASE` + its Follow row's id, in
  category 2, "Sections", or 3, "Topics". It holds the section's or topic's articles from
  publishers the reader neither follows nor mutes.
- Every entry belongs to one feed (`ReaderFeeds.feed_of`): its publisher's if followed, else the
  first followed section it is in, else the first followed topic. So an article is never listed
  twice, and the feeds' unread numbers add up to the reader's.

Pure apart from `reader_feeds`, which reads the reader's follows (one query), and the
publishers' rows, read only when feeds are listed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db import connection
from django.db.models import Q

from newsstand.articles.models import ArticleTopic, Section
from newsstand.articles.topics import topic_slug
from newsstand.personal.models import Follow
from newsstand.sources.models import Publisher
from newsstand.sync.lookups import FollowedPublishers

# Section and topic feeds are numbered from here (publisher ids stay far below it), so one
# number names one feed in every API; JavaScript apps read ids as doubles, exact to 2**53.
FOLLOW_FEED_BASE = 1_000_000_000

PUBLISHERS, SECTIONS, TOPICS = "publisher", "section", "topic"
CATEGORY_IDS = {PUBLISHERS: 1, SECTIONS: 2, TOPICS: 3}
CATEGORY_TITLES = {PUBLISHERS: "Following", SECTIONS: "Sections", TOPICS: "Topics"}


@dataclass(frozen=True)
class SyncFeed:
    id: int
    kind: str  # PUBLISHERS, SECTIONS or TOPICS
    key: str  # the publisher's id, the section's name or the topic's slug
    title: str
    publisher: Publisher | None = None  # a publisher feed's publisher

    @property
    def category_id(self) -> int:
        return CATEGORY_IDS[self.kind]

    @property
    def category_title(self) -> str:
        return CATEGORY_TITLES[self.kind]


@dataclass(frozen=True)
class ReaderFeeds:
    """The reader's feeds. Entries' queries need only the ids, so the publishers' rows are read
    when a list of feeds is asked for (`publishers`), not for every call."""

    publisher_ids: tuple[int, ...]  # sorted
    sections: tuple[SyncFeed, ...] = ()
    topics: tuple[SyncFeed, ...] = ()
    muted_publisher_ids: tuple[int, ...] = ()
    user_id: int = 0  # whose feeds (publishers_q reads their follows again on PostgreSQL)
    listed: bool = False  # publishers_q names the ids on every database (`as_they_are`)

    @cached_property
    def _publisher_set(self) -> frozenset[int]:
        return frozenset(self.publisher_ids)

    @cached_property
    def _muted_set(self) -> frozenset[int]:
        return frozenset(self.muted_publisher_ids)

    @cached_property
    def _follow_feeds(self) -> dict[int, SyncFeed]:
        return {f.id: f for f in (*self.sections, *self.topics)}

    @property
    def follows(self) -> tuple[Any, ...]:
        """What the feeds are made of, to tell whether two readings of them differ."""
        return (self.publisher_ids, self.sections, self.topics, self.muted_publisher_ids)

    def as_they_are(self) -> ReaderFeeds:
        """These feeds as they are now, to be queried later as they were: their publishers
        named, not read from the follows again (sync.tallies keeps them beside a total)."""
        return ReaderFeeds(
            self.publisher_ids,
            self.sections,
            self.topics,
            self.muted_publisher_ids,
            user_id=self.user_id,
            listed=True,
        )

    @cached_property
    def publishers(self) -> list[SyncFeed]:
        """The publisher feeds by name (one query)."""
        rows = Publisher.objects.filter(pk__in=self.publisher_ids).order_by("name")
        return [publisher_feed(p) for p in rows]

    @property
    def all(self) -> list[SyncFeed]:
        return [*self.publishers, *self.sections, *self.topics]

    def has(self, feed_id: int) -> bool:
        return feed_id in self._publisher_set or feed_id in self._follow_feeds

    def get(self, feed_id: int) -> SyncFeed | None:
        """One of the reader's feeds, or None (a publisher feed costs one query)."""
        if feed_id in self._follow_feeds:
            return self._follow_feeds[feed_id]
        if feed_id in self._publisher_set:
            publisher = Publisher.objects.filter(pk=feed_id).first()
            return publisher_feed(publisher) if publisher else None
        return None

    def follow_feed(self, feed_id: int) -> SyncFeed | None:
        """A section or topic feed of the reader's, without a query."""
        return self._follow_feeds.get(feed_id)

    @property
    def section_names(self) -> list[str]:
        return [f.key for f in self.sections]

    def in_category(self, category_id: int) -> list[SyncFeed]:
        return [f for f in self.all if f.category_id == category_id]

    def ids_in_category(self, category_id: int) -> list[int]:
        """The ids of the category's feeds, without a query."""
        if category_id == CATEGORY_IDS[PUBLISHERS]:
            return list(self.publisher_ids)
        return [f.id for f in self._follow_feeds.values() if f.category_id == category_id]

    def categories(self) -> list[tuple[int, str]]:
        """The categories with feeds in them; "Following" always, as apps expect one."""
        kinds = [PUBLISHERS] + [k for k in (SECTIONS, TOPICS) if getattr(self, k + "s")]
        return [(CATEGORY_IDS[k], CATEGORY_TITLES[k]) for k in kinds]

    def _outside_publishers(self) -> Q:
        # Articles that section and topic feeds may hold: not a followed or muted publisher's.
        return ~Q(publisher_id__in=[*self.publisher_ids, *self.muted_publisher_ids])

    def followed_publishers(self) -> FollowedPublishers:
        """The publishers followed, as `followed_by` lookups take them (sync.lookups)."""
        return FollowedPublishers(self.user_id, self.publisher_ids, listed=self.listed)

    def is_publisher(self, feed_id: int) -> bool:
        return feed_id in self._publisher_set

    def publishers_q(self) -> Q:
        """The articles of the publishers followed (sync.lookups: a list, or on PostgreSQL a
        subquery of the follows)."""
        return Q(publisher__followed_by=self.followed_publishers())

    def others_q(self) -> Q:
        """The articles of the section and topic feeds (none if the reader follows none)."""
        if not (self.sections or self.topics):
            return Q(pk__in=[])
        return self._outside_publishers() & (
            Q(section__in=self.section_names) | Q(pk__in=self._topic_articles(self.topics))
        )

    def window_q(self) -> Q:
        """The articles of every feed (before the sync window's dates are applied)."""
        q = self.publishers_q()
        if self.sections or self.topics:
            q |= self.others_q()
        return q

    def feeds_q(self, feed_ids: tuple[int, ...]) -> Q:
        """The articles of these feeds; ids that aren't the reader's feeds match nothing."""
        publishers = [i for i in feed_ids if i in self._publisher_set]
        q = Q(publisher_id__in=publishers)
        for feed_id in feed_ids:
            feed = self._follow_feeds.get(feed_id)
            if feed is not None:
                q |= self.feed_q(feed)
        return q

    def feed_q(self, feed: SyncFeed) -> Q:
        """The articles that belong to `feed` (see `feed_of`)."""
        if feed.kind == PUBLISHERS:
            return Q(publisher_id=int(feed.key))
        if feed.kind == SECTIONS:
            return self._outside_publishers() & Q(section=feed.key)
        return (
            self._outside_publishers()
            & ~Q(section__in=self.section_names)
            & Q(pk__in=self._topic_articles([feed]))
        )

    @staticmethod
    def _topic_articles(topics: Iterable[SyncFeed]) -> Any:
        slugs = [f.key for f in topics]
        return ArticleTopic.objects.filter(slug__in=slugs).values("article_id")

    def feed_of(self, article: Any) -> int:
        """The one feed an entry is listed in; a saved article of no feed: its publisher."""
        publisher_id = int(article.publisher_id)
        if publisher_id in self._publisher_set or publisher_id in self._muted_set:
            return publisher_id
        for feed in self.sections:
            if article.section == feed.key:
                return feed.id
        if self.topics:
            slugs = {topic_slug(t) for t in article.topics if isinstance(t, str)}
            for feed in self.topics:
                if feed.key in slugs:
                    return feed.id
        return publisher_id


def publisher_feed(publisher: Publisher) -> SyncFeed:
    return SyncFeed(publisher.pk, PUBLISHERS, str(publisher.pk), publisher.name, publisher)


def reader_feeds(user: Any) -> ReaderFeeds:
    """The reader's feeds: sections and topics in the order followed (one query)."""
    rows = _follow_rows(user.pk)
    publisher_keys = [(k, m) for _, kind, k, _, m in rows if kind == PUBLISHERS and _id(k)]
    followed = tuple(sorted({int(k) for k, m in publisher_keys if not m}))
    muted = tuple(sorted(int(k) for k, m in publisher_keys if m))
    section_keys = [(pk, k, label) for pk, kind, k, label, m in rows if kind == SECTIONS and not m]
    names: dict[str, str] = {}
    if section_keys:
        # A section is followed by its folded name; articles carry the Section's own name.
        names = {s.casefold(): s for s in Section.objects.values_list("name", flat=True)}
    sections = []
    for pk, k, label in sorted(section_keys):
        name = names.get(k, label or k)
        sections.append(SyncFeed(FOLLOW_FEED_BASE + pk, SECTIONS, name, name))
    topics = [
        SyncFeed(FOLLOW_FEED_BASE + pk, TOPICS, k, label or k)
        for pk, kind, k, label, m in sorted(rows)
        if kind == TOPICS and not m
    ]
    return ReaderFeeds(followed, tuple(sections), tuple(topics), muted, user.pk)


def _follow_rows(user_id: int) -> list[tuple[int, str, str, str, bool]]:
    """The reader's follows of feeds, as (pk, kind, key, label, muted). Read on every sync call,
    500 rows in the benchmark: in SQL, as the ORM's values_list took twice as long (2.2 ms
    against 1.1 on SQLite), turning each row's columns through its converters."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in ("id", "kind", "key", "label", "muted"))
    kinds = (PUBLISHERS, SECTIONS, TOPICS)
    sql = (
        f"SELECT {columns} FROM {quote(Follow._meta.db_table)} "  # noqa: S608 - names from the model, values are parameters
        f"WHERE {quote('user_id')} = %s AND {quote('kind')} IN (%s, %s, %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id, *kinds])
        return [(pk, kind, key, label, bool(muted)) for pk, kind, key, label, muted in cursor]


def _id(key: str) -> bool:
    return key.isascii() and key.isdigit()
