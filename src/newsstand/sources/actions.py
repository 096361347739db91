"""State changes for publishers and feeds: OPML import, the default catalogue, adding and
retiring. Deciding what to create is pure (catalog/opml); this module persists it in bulk."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.db import transaction

from newsstand.fields import fit
from newsstand.sources.catalog import (
    CatalogFeed,
    CatalogPublisher,
    load_catalog,
    publisher_name,
    site_key,
    slug_for_site,
)
from newsstand.sources.models import Feed, Publisher
from newsstand.sources.opml import OpmlOutline, export_opml, parse_opml

__all__ = [
    "ImportReport",
    "InvalidFeedURL",
    "add_feed",
    "export_feeds_opml",
    "import_opml",
    "load_default_catalog",
    "retire_publisher",
]

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # (done, total)
# Below SQLite's bound-parameter limit with room to spare.
QUERY_CHUNK = 500
URL_MAX_CHARS = 2000


class InvalidFeedURL(ValueError):
    """A feed URL that Newsstand cannot poll; the message says why."""


@dataclass(frozen=True)
class ImportReport:
    publishers_created: int
    feeds_created: int
    feeds_existing: int
    skipped: tuple[str, ...] = ()

    def summary(self) -> str:
        text = (
            f"{self.feeds_created} feeds added, {self.feeds_existing} already present, "
            f"{self.publishers_created} new publishers"
        )
        return text + (f", {len(self.skipped)} skipped" if self.skipped else "")


def normalise_feed_url(url: str) -> str:
    """The URL as stored, or InvalidFeedURL with a reason a person can act on."""
    cleaned = url.strip()
    parts = urlsplit(cleaned)
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidFeedURL(
            f"{url!r} is not a web address (it must start with http:// or https://)"
        )
    if not parts.hostname:
        raise InvalidFeedURL(f"{url!r} has no host name")
    if len(cleaned) > URL_MAX_CHARS:
        raise InvalidFeedURL(f"The address is longer than {URL_MAX_CHARS} characters")
    return cleaned


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), QUERY_CHUNK):
        yield items[start : start + QUERY_CHUNK]


def _apply(drafts: list[CatalogPublisher], progress: Progress | None) -> tuple[int, int, int]:
    """Create the publishers and feeds in `drafts` that do not exist yet; never update."""
    all_urls = [f.url for d in drafts for f in d.feeds]
    total = len(all_urls)
    existing_urls: set[str] = set()
    for chunk in _chunks(all_urls):
        existing_urls.update(Feed.objects.filter(url__in=chunk).values_list("url", flat=True))
    needed = [d for d in drafts if any(f.url not in existing_urls for f in d.feeds)]
    slugs = [d.slug for d in needed]
    by_slug: dict[str, Publisher] = {}
    for chunk in _chunks(slugs):
        by_slug.update({p.slug: p for p in Publisher.objects.filter(slug__in=chunk)})
    new_publishers = [
        Publisher(
            slug=d.slug,
            name=fit(Publisher, "name", d.name),
            homepage=d.homepage,
            country=d.country,
            language=d.language,
            topics=list(d.topics),
        )
        for d in needed
        if d.slug not in by_slug
    ]
    with transaction.atomic():
        Publisher.objects.bulk_create(new_publishers, ignore_conflicts=True)
        for chunk in _chunks(slugs):
            by_slug.update({p.slug: p for p in Publisher.objects.filter(slug__in=chunk)})
        new_feeds = [
            Feed(
                url=f.url,
                title=fit(Feed, "title", f.title),
                section=fit(Feed, "section", f.section),
                publisher=by_slug[d.slug],
            )
            for d in needed
            for f in d.feeds
            if f.url not in existing_urls
        ]
        Feed.objects.bulk_create(new_feeds, ignore_conflicts=True)
    if progress is not None:
        progress(total, total)
    return len(new_publishers), len(new_feeds), len(existing_urls)


def _drafts_from_outlines(
    outlines: list[OpmlOutline], progress: Progress | None
) -> tuple[list[CatalogPublisher], list[str]]:
    skipped: list[str] = []
    seen: set[str] = set()
    groups: dict[str, list[OpmlOutline]] = defaultdict(list)
    for done, outline in enumerate(outlines, start=1):
        try:
            url = normalise_feed_url(outline.xml_url)
        except InvalidFeedURL as exc:
            skipped.append(f"{outline.title or outline.xml_url}: {exc}")
            continue
        if url not in seen:
            seen.add(url)
            groups[site_key(url)].append(
                OpmlOutline(outline.title, url, outline.html_url, outline.category)
            )
        if progress is not None and done % 100 == 0:
            progress(done, len(outlines))
    drafts = [
        CatalogPublisher(
            slug=slug_for_site(key),
            name=publisher_name([o.title for o in items if o.title], key),
            homepage=next((o.html_url for o in items if o.html_url), ""),
            topics=tuple(sorted({o.category[0] for o in items if o.category})),
            feeds=tuple(CatalogFeed(url=o.xml_url, title=o.title) for o in items),
        )
        for key, items in groups.items()
    ]
    return drafts, skipped


def import_opml(data: bytes, *, progress: Progress | None = None) -> ImportReport:
    """Add the feeds in an OPML file. Idempotent: feeds already present are left as they are.

    Raises sources.opml.OpmlError if the file cannot be read at all.
    """
    outlines = parse_opml(data)
    drafts, skipped = _drafts_from_outlines(outlines, progress)
    publishers, feeds, existing = _apply(drafts, progress)
    report = ImportReport(publishers, feeds, existing, tuple(skipped))
    log.info("opml imported outlines=%d %s", len(outlines), report.summary())
    return report


def load_default_catalog(*, progress: Progress | None = None) -> ImportReport:
    """Add the shipped catalogue's publishers and feeds; idempotent."""
    publishers, feeds, existing = _apply(load_catalog(), progress)
    report = ImportReport(publishers, feeds, existing)
    log.info("default catalogue loaded %s", report.summary())
    return report


def add_feed(url: str, publisher: Publisher | None = None) -> Feed:
    """The Feed for `url`, created if new. Without a publisher, the feed's site is one."""
    url = normalise_feed_url(url)
    existing = Feed.objects.filter(url=url).first()
    if existing is not None:
        return existing
    if publisher is None:
        key = site_key(url)
        publisher, _ = Publisher.objects.get_or_create(
            slug=slug_for_site(key), defaults={"name": fit(Publisher, "name", key)}
        )
    feed, created = Feed.objects.get_or_create(url=url, defaults={"publisher": publisher})
    if created:
        log.info("feed added feed_id=%s url=%s publisher=%s", feed.pk, url, publisher.slug)
    return feed


def name_publisher_from_feed(publisher: Publisher, *, feed_url: str, title: str, link: str) -> bool:
    """Give a publisher that `add_feed` named after its site the name its feed declares.

    "example.com" is only a placeholder; the channel's own title ("Example Daily") is what
    readers know the publisher by. Names staff or the catalogue chose are never touched.
    """
    title = fit(Publisher, "name", " ".join(title.split()))
    if not title or publisher.name != fit(Publisher, "name", site_key(feed_url)):
        return False
    fields: dict[str, str] = {"name": title}
    if not publisher.homepage and link.startswith(("http://", "https://")):
        fields["homepage"] = fit(Publisher, "homepage", link)
    Publisher.objects.filter(pk=publisher.pk, name=publisher.name).update(**fields)
    for key, value in fields.items():
        setattr(publisher, key, value)
    log.info("publisher named from its feed publisher=%s name=%r", publisher.slug, title)
    return True


def retire_publisher(publisher: Publisher) -> int:
    """Stop polling a publisher and all its feeds (kept, with their articles); returns the
    number of feeds retired."""
    with transaction.atomic():
        Publisher.objects.filter(pk=publisher.pk).update(is_active=False)
        count = Feed.objects.filter(publisher=publisher, is_active=True).update(is_active=False)
    publisher.is_active = False
    log.info("publisher retired publisher=%s feeds=%d", publisher.slug, count)
    return count


def export_feeds_opml(*, active_only: bool = False) -> bytes:
    """All feeds as OPML, one folder per publisher."""
    feeds = Feed.objects.select_related("publisher").order_by("publisher__name", "url")
    if active_only:
        feeds = feeds.filter(is_active=True, publisher__is_active=True)
    return export_opml(
        OpmlOutline(
            title=f.title,
            xml_url=f.url,
            html_url=f.publisher.homepage,
            category=(f.publisher.name,),
        )
        for f in feeds
    )
