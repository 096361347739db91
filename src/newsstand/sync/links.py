"""What the three sync APIs tell apps alike: addresses on this site, and why apps only read."""

from __future__ import annotations

import base64
from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse

from newsstand.articles.models import Article
from newsstand.sources.models import Publisher, PublisherIcon
from newsstand.sync.feeds import SECTIONS, SyncFeed
from newsstand.web.icons import icon_url

READ_ONLY = (
    "Newsstand chooses its publishers and keeps their articles: apps read, follow on the site, "
    "and mark entries read or starred, but cannot change feeds, categories, users or entries."
)


def site(path: str) -> str:
    """The absolute address of `path` on this site."""
    return settings.NEWSSTAND_SITE_URL + path


def article_link(article: Article) -> str:
    """Where an app sends the reader for the article: its page here, behind the gate."""
    return site(article.get_absolute_url())


def feed_url(publisher: Publisher) -> str:
    """The publisher's outgoing RSS feed here: what apps show as the feed's address."""
    return site(reverse("feeds:publisher_rss", args=[publisher.slug]))


def follow_page_url(feed: SyncFeed) -> str:
    """A section's or topic's page here."""
    if feed.kind == SECTIONS:
        return site(reverse("reader:section", args=[feed.key]))
    return site(reverse("reader:topic", args=[feed.key]))


def follow_feed_url(feed: SyncFeed) -> str:
    """The section's or topic's outgoing RSS feed here."""
    if feed.kind == SECTIONS:
        return site(reverse("feeds:section_rss", args=[feed.key]))
    return site(reverse("feeds:topic_rss", args=[feed.key]))


def home_url() -> str:
    return site(reverse("reader:home"))


def icon_link(publisher: Publisher) -> str:
    """The publisher's icon here (the stored one, else its monogram), for apps that fetch it."""
    return site(icon_url(publisher))


def icons_as_data(publisher_ids: Iterable[int]) -> dict[int, str]:
    """Stored icons as `<type>;base64,<data>` (what Miniflux and Fever send), by publisher id;
    publishers without one are left out. One query."""
    rows = PublisherIcon.objects.filter(publisher_id__in=list(publisher_ids)).values_list(
        "publisher_id", "content_type", "data"
    )
    return {
        pk: f"{kind};base64,{base64.b64encode(bytes(data)).decode()}" for pk, kind, data in rows
    }
