"""What the three sync APIs tell apps alike: addresses on this site, and why apps only read."""

from __future__ import annotations

import base64
import functools
from collections.abc import Callable, Iterable

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

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


def article_links() -> Callable[[Article], str]:
    """Where an app sends the reader for each article: its page here, behind the gate (its
    `get_absolute_url`). Made once for a batch of entries: the path's template is looked up
    once (per entry, the script prefix and the URLconf are two context-local reads, 200 for a
    page of 100)."""
    head, tail = _template_here("reader:article")
    base = site(head)
    return lambda article: f"{base}{article.pk}{tail}"


def feed_url(publisher: Publisher) -> str:
    """The publisher's outgoing RSS feed here: what apps show as the feed's address."""
    return feed_url_of(publisher.slug)


def feed_url_of(slug: str) -> str:
    """`feed_url` of the publisher with this slug."""
    return site(_path("feeds:publisher_rss", slug))


# Stands for the one argument in a reversed path; matches both the int and the slug converter.
_MARKER = "7357735773577357"


def _path(name: str, value: int | str) -> str:
    """`reverse(name, args=[value])` for ids and slugs, which need no quoting, from a template
    reversed once per process: a page of 100 entries called reverse for every entry and every
    feed (docs/benchmarks.md, Sync: the page before and after)."""
    head, tail = _template_here(name)
    return f"{head}{value}{tail}"


def _template_here(name: str) -> tuple[str, str]:
    """The path's template under this request's script prefix and URLconf."""
    return _template(name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@functools.lru_cache(maxsize=32)
def _template(name: str, prefix: str, urlconf: str) -> tuple[str, str]:
    # Keyed by the script prefix and the URLconf that reverse would use, so it is always the
    # same answer as reverse's.
    head, _, tail = reverse(name, args=[_MARKER], urlconf=urlconf).partition(_MARKER)
    return head, tail


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
