"""What staff do from the feed-health pages: check a feed now, start polling it again, and
bring a retired publisher back. Retiring lives in `sources.actions.retire_publisher`.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from newsstand.fields import fit
from newsstand.ingest.discovery import VerifiedFeed
from newsstand.ingest.models import FeedCheck
from newsstand.sources import actions as source_actions
from newsstand.sources.models import Feed, Publisher
from newsstand.sources.naming import NameSource

__all__ = ["add_discovered_feed", "check_feed_now", "reactivate_feed", "unretire_publisher"]

log = logging.getLogger(__name__)


def check_feed_now(feed: Feed, *, now: datetime | None = None) -> None:
    """Put the feed at the front of the queue: the next scheduler tick fetches it.

    The lease is left alone, so a worker already fetching the feed finishes undisturbed.
    """
    now = now or timezone.now()
    Feed.objects.filter(pk=feed.pk).update(next_check_at=now)
    feed.next_check_at = now
    log.info("feed check requested by staff", extra={"feed_id": feed.pk})


def reactivate_feed(feed: Feed, *, now: datetime | None = None) -> None:
    """Start polling a stopped feed again, due at once, with its error streak forgotten.

    `last_error` stays as history until the next check succeeds and clears it.
    """
    now = now or timezone.now()
    Feed.objects.filter(pk=feed.pk).update(is_active=True, next_check_at=now, error_count=0)
    feed.is_active = True
    feed.next_check_at = now
    feed.error_count = 0
    log.info("feed reactivated by staff", extra={"feed_id": feed.pk})


def unretire_publisher(publisher: Publisher, *, now: datetime | None = None) -> int:
    """Poll a retired publisher again; returns how many of its feeds were restarted.

    Feeds whose last check said 410 Gone stay stopped: the publisher removed them, and staff
    can reactivate each one from its page if it came back.
    """
    now = now or timezone.now()
    latest_outcome = FeedCheck.objects.filter(feed=OuterRef("pk")).order_by("-checked_at", "-id")
    with transaction.atomic():
        Publisher.objects.filter(pk=publisher.pk).update(is_active=True)
        gone = (
            Feed.objects.filter(publisher=publisher, is_active=False)
            .annotate(last_outcome=Subquery(latest_outcome.values("outcome")[:1]))
            .filter(last_outcome=FeedCheck.Outcome.GONE)
            .values("pk")
        )
        count = (
            Feed.objects.filter(publisher=publisher, is_active=False)
            .exclude(pk__in=gone)
            .update(is_active=True, next_check_at=now, error_count=0)
        )
    publisher.is_active = True
    log.info("publisher un-retired by staff", extra={"publisher": publisher.slug, "feeds": count})
    return count


def add_discovered_feed(found: VerifiedFeed) -> tuple[Feed, bool]:
    """Add a feed staff picked from discovery; returns it and whether it is new.

    Discovery already read the feed and the page it was found on, so the feed's title names
    the feed, and the site's own name (else the feed's, cleaned) names a publisher that only
    had its address for a name. Raises `sources.actions.InvalidFeedURL` for an address that
    cannot be a feed.
    """
    existing = Feed.objects.filter(url=found.url).select_related("publisher").first()
    if existing is not None:
        return existing, False
    with transaction.atomic():
        feed = source_actions.add_feed(found.url)
        if found.title and not feed.title:
            title = fit(Feed, "title", found.title)
            Feed.objects.filter(pk=feed.pk).update(title=title)
            feed.title = title
        _name_publisher(feed.publisher, found)
    log.info("staff added feed feed_id=%s url=%s", feed.pk, feed.url)
    return feed, True


def _name_publisher(publisher: Publisher, found: VerifiedFeed) -> None:
    if found.homepage and not publisher.homepage:
        homepage = fit(Publisher, "homepage", found.homepage)
        Publisher.objects.filter(pk=publisher.pk, homepage="").update(homepage=homepage)
        publisher.homepage = homepage
    if found.site_name and source_actions.rename_publisher(
        publisher, found.site_name, NameSource.SITE
    ):
        return
    source_actions.name_publisher_from_feed(
        publisher, feed_url=found.url, title=found.title, link=""
    )
