"""/feeds/: RSS and Atom of the latest articles, per publisher, per section and per topic."""

from collections.abc import Callable
from typing import Any

from django.urls import path
from django.views.decorators.cache import cache_control
from django.views.decorators.http import conditional_page

from newsstand.api import feeds

app_name = "feeds"

# Every reader gets the same teaser-only feed, so shared caches may keep it for a while.
FEED_MAX_AGE_S = 300


def cached(view: Callable[..., Any]) -> Callable[..., Any]:
    """Shared caches may keep the feed; an ETag (of the body) beside the Last-Modified the feed
    view sets, and a 304 to a reader that sends either back while the feed is the same."""
    return cache_control(public=True, max_age=FEED_MAX_AGE_S)(conditional_page(view))


urlpatterns = [
    path("latest/rss/", cached(feeds.ArticleFeed()), name="latest_rss"),
    path("latest/atom/", cached(feeds.LatestAtom()), name="latest_atom"),
    path("publishers/<path:slug>/rss/", cached(feeds.PublisherFeed()), name="publisher_rss"),
    path("publishers/<path:slug>/atom/", cached(feeds.PublisherAtom()), name="publisher_atom"),
    # Section names can hold "/" ("World/Europe"); the suffix still ends the route.
    path("sections/<path:section>/rss/", cached(feeds.SectionFeed()), name="section_rss"),
    path("sections/<path:section>/atom/", cached(feeds.SectionAtom()), name="section_atom"),
    path("topics/<str:slug>/rss/", cached(feeds.TopicFeed()), name="topic_rss"),
    path("topics/<str:slug>/atom/", cached(feeds.TopicAtom()), name="topic_atom"),
]
