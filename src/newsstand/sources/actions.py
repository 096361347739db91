"""State changes for publishers and feeds: OPML import, the default catalogue, adding and
retiring. Deciding what to create is pure (catalog/opml); this module persists it in bulk."""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone

from newsstand.fields import fit
from newsstand.sources.catalog import (
    CatalogFeed,
    CatalogPublisher,
    load_catalog,
    publisher_name,
    site_key,
    slug_for_site,
)
from newsstand.sources.models import Feed, Publisher, PublisherIcon
from newsstand.sources.naming import NameSource, clean_name, host_name, replaces
from newsstand.sources.opml import OpmlOutline, export_opml, parse_opml

__all__ = [
    "ImportReport",
    "InvalidFeedURL",
    "add_feed",
    "export_feeds_opml",
    "import_opml",
    "load_default_catalog",
    "name_publisher_from_feed",
    "rename_publisher",
    "retire_publisher",
    "set_publisher_icon",
]

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # (done, total)
# Below SQLite's bound-parameter limit with room to spare.
QUERY_CHUNK = 500
URL_MAX_CHARS = 2000
# Hex digits of an icon's digest in its URL: enough that two versions never collide.
ICON_VERSION_CHARS = 12


class InvalidFeedURL(ValueError):
    """A feed URL that Newsstand cannot poll; the message says why."""


@dataclass(frozen=True)
class ImportReport:
    publishers_created: int
    feeds_created: int
    feeds_existing: int
    skipped: tuple[str, ...] = ()
    publishers_renamed: int = 0

    def summary(self) -> str:
        text = (
            f"{self.feeds_created} feeds added, {self.feeds_existing} already present, "
            f"{self.publishers_created} new publishers"
        )
        if self.publishers_renamed:
            text += f", {self.publishers_renamed} renamed"
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
            name_source=NameSource.CATALOGUE,
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


def _rename_to_catalogue(drafts: list[CatalogPublisher]) -> int:
    """Give publishers still named by the catalogue the name it gives now (its names get
    cleaner from release to release); names from the site or staff are left alone."""
    wanted = {d.slug: fit(Publisher, "name", d.name) for d in drafts}
    renamed = 0
    slugs = list(wanted)
    for chunk in _chunks(slugs):
        stale = Publisher.objects.filter(
            slug__in=chunk, name_source=NameSource.CATALOGUE
        ).values_list("pk", "slug", "name")
        for pk, slug, name in list(stale):
            if name != wanted[slug]:
                renamed += Publisher.objects.filter(
                    pk=pk, name=name, name_source=NameSource.CATALOGUE
                ).update(name=wanted[slug])
    return renamed


def load_default_catalog(*, progress: Progress | None = None) -> ImportReport:
    """Add the shipped catalogue's publishers and feeds, and bring the names of publishers it
    named up to date; idempotent."""
    drafts = load_catalog()
    publishers, feeds, existing = _apply(drafts, progress)
    report = ImportReport(
        publishers, feeds, existing, publishers_renamed=_rename_to_catalogue(drafts)
    )
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
            slug=slug_for_site(key),
            defaults={
                "name": fit(Publisher, "name", host_name(key)),
                "name_source": NameSource.HOST,
            },
        )
    feed, created = Feed.objects.get_or_create(url=url, defaults={"publisher": publisher})
    if created:
        log.info("feed added feed_id=%s url=%s publisher=%s", feed.pk, url, publisher.slug)
    return feed


def rename_publisher(publisher: Publisher, name: str, source: NameSource) -> bool:
    """Give `publisher` the name `source` gives it, if that origin may replace the current
    one's (sources.naming.replaces); True if the name changed.

    The update is conditional on the name and origin read, so a name staff type in the
    meantime is never overwritten.
    """
    name = fit(Publisher, "name", " ".join(name.split()))
    current = NameSource(publisher.name_source)
    if not name or not replaces(source, current):
        return False
    if name == publisher.name:
        if source is not current:  # same name, better origin: remember the origin only
            Publisher.objects.filter(pk=publisher.pk, name_source=current).update(
                name_source=source
            )
            publisher.name_source = source
        return False
    updated = Publisher.objects.filter(
        pk=publisher.pk, name=publisher.name, name_source=current
    ).update(name=name, name_source=source)
    if not updated:
        return False
    log.info(
        "publisher renamed publisher=%s from=%r to=%r source=%s",
        publisher.slug,
        publisher.name,
        name,
        source.value,
    )
    publisher.name, publisher.name_source = name, source
    return True


def name_publisher_from_feed(publisher: Publisher, *, feed_url: str, title: str, link: str) -> bool:
    """Name a publisher known only by its address after its feed's title, cleaned
    ("Global Dispatch - Top stories" → "Global Dispatch"); True if renamed.

    A publisher without a homepage gets the feed's link as one, so its site can be read for
    a better name and an icon (ingest.actions.refresh_publisher_identity).
    """
    if not publisher.homepage and link.startswith(("http://", "https://")):
        homepage = fit(Publisher, "homepage", link)
        Publisher.objects.filter(pk=publisher.pk, homepage="").update(homepage=homepage)
        publisher.homepage = homepage
    if NameSource(publisher.name_source) is not NameSource.HOST:
        return False  # the common case on every refresh: no query
    name = clean_name(title, site_key(feed_url))
    return name is not None and rename_publisher(publisher, name, NameSource.FEED)


def set_publisher_icon(
    publisher: Publisher,
    *,
    data: bytes,
    content_type: str,
    width: int,
    height: int,
    source_url: str,
) -> bool:
    """Store the icon checked by ingest.icons as the publisher's; True if it changed.

    Its version, a digest of the bytes, goes in the icon's URL: pages link the new icon as
    soon as it is stored, and browsers keep the old one cached under the old URL.
    """
    version = hashlib.sha256(data).hexdigest()[:ICON_VERSION_CHARS]
    if version == publisher.icon_version:
        return False
    with transaction.atomic():
        PublisherIcon.objects.update_or_create(
            publisher=publisher,
            defaults={
                "data": data,
                "content_type": content_type,
                "width": width,
                "height": height,
                "source_url": fit(PublisherIcon, "source_url", source_url),
                "fetched_at": timezone.now(),
            },
        )
        Publisher.objects.filter(pk=publisher.pk).update(icon_version=version)
    publisher.icon_version = version
    log.info(
        "publisher icon stored publisher=%s bytes=%d type=%s size=%dx%d",
        publisher.slug,
        len(data),
        content_type,
        width,
        height,
    )
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
