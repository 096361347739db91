"""Our Picks, read side: which picks are live, queued or over, and what to offer staff to pick.

Queries only; the state changes are `stories.actions.add_pick`, `move_pick` and `remove_pick`.
Expiry is a filter on `now`, so an expired pick leaves the reader's pages without any cron.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.urls import reverse

from newsstand.articles.models import Article
from newsstand.stories.models import Pick, Story

# The article bodies can be hundreds of kilobytes; a pick needs its title and publisher only.
HEAVY_ARTICLE_FIELDS = ("article__content_html", "article__content_text", "article__summary")
SEARCH_RESULTS = 10
# "Recent" for the staff search: older stories and articles are rarely worth picking.
SEARCH_WINDOW = timedelta(days=14)


@dataclass(frozen=True)
class PickItem:
    """A pick as the reader shows it: one title, one link, one line of context."""

    pick: Pick
    title: str
    url: str
    source: str  # "Reuters" for an article, "6 sources" for a story
    blurb: str


def live_q(now: datetime) -> Q:
    return Q(starts_at__lte=now) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def _with_targets(picks: QuerySet[Pick]) -> QuerySet[Pick]:
    return picks.select_related("story", "article__publisher").defer(*HEAVY_ARTICLE_FIELDS)


def active_picks(
    now: datetime,
    *,
    limit: int = 10,
    exclude_article_id: int | None = None,
    exclude_story_id: int | None = None,
) -> list[PickItem]:
    """Live picks in editors' order, in one query; optionally leaving out the page's own."""
    picks = Pick.objects.filter(live_q(now))
    if exclude_article_id is not None:
        picks = picks.exclude(article_id=exclude_article_id)
    if exclude_story_id is not None:
        picks = picks.exclude(story_id=exclude_story_id).exclude(article__story_id=exclude_story_id)
    ordered = _with_targets(picks).order_by("position", "-created_at", "-pk")[:limit]
    return [pick_item(p) for p in ordered]


def pick_item(pick: Pick) -> PickItem:
    if pick.story is not None:
        story = pick.story
        return PickItem(
            pick=pick,
            title=story.headline,
            url=story.get_absolute_url(),
            source=story.sources_label if story.publisher_count else "",
            blurb=pick.blurb,
        )
    article = pick.article
    assert article is not None  # the pick_story_xor_article constraint
    return PickItem(
        pick=pick,
        title=article.title,
        url=reverse("reader:article", args=[article.pk]),
        source=article.publisher.name,
        blurb=pick.blurb,
    )


def queued_picks(now: datetime) -> list[PickItem]:
    """Live and scheduled picks (not expired) in editors' order: the list staff reorder."""
    picks = Pick.objects.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
    ordered = _with_targets(picks).order_by("position", "-created_at", "-pk")
    return [pick_item(p) for p in ordered]


def expired_picks(now: datetime, *, limit: int = 20) -> list[PickItem]:
    """The most recently expired picks, newest first."""
    picks = Pick.objects.filter(expires_at__lte=now)
    return [pick_item(p) for p in _with_targets(picks).order_by("-expires_at", "-pk")[:limit]]


def search_stories(query: str, now: datetime, *, limit: int = SEARCH_RESULTS) -> list[Story]:
    """Recent stories whose headline contains `query`; with no query, the top-ranked ones."""
    stories = Story.objects.filter(last_updated_at__gte=now - SEARCH_WINDOW).only(
        "id", "headline", "publisher_count", "last_updated_at", "score"
    )
    if query:
        return list(stories.filter(headline__icontains=query).order_by("-last_updated_at")[:limit])
    return list(stories.order_by("-score", "-last_updated_at")[:limit])


def search_articles(query: str, now: datetime, *, limit: int = SEARCH_RESULTS) -> list[Article]:
    """Recent articles whose title contains `query` (none without a query), newest first."""
    if not query:
        return []
    return list(
        Article.objects.filter(fetched_at__gte=now - SEARCH_WINDOW, title__icontains=query)
        .select_related("publisher")
        .only("id", "title", "published_at", "fetched_at", "publisher__id", "publisher__name")
        .order_by("-fetched_at", "-id")[:limit]
    )
