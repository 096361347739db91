"""Stories for the ranking and picks tests, with articles from distinct publishers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from newsstand.articles.models import Article
from newsstand.stories.models import Story
from tests.reader.factories import make_article, make_publisher


def make_story(
    headline: str = "A story",
    *,
    publishers: int = 1,
    updated: datetime | None = None,
    published: datetime | None = None,
    **kwargs: Any,
) -> Story:
    """A story covered by `publishers` articles, one per new publisher, published at `published`."""
    updated = updated or timezone.now()
    story = Story.objects.create(
        headline=headline,
        lead=kwargs.pop("lead", f"The lead of {headline}."),
        first_seen_at=updated,
        last_updated_at=updated,
        article_count=publishers,
        publisher_count=publishers,
        **kwargs,
    )
    articles: list[Article] = []
    for i in range(publishers):
        articles.append(
            make_article(
                make_publisher(f"Outlet {i}"),
                title=headline,
                published_at=published or updated,
                story=story,
            )
        )
    if articles:
        story.representative = articles[0]
        story.save(update_fields=["representative"])
    return story
