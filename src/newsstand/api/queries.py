"""Article lists for the API and the feeds: card columns only, newest first."""

from __future__ import annotations

from django.db.models import F, QuerySet
from django.db.models.functions import Substr

from newsstand.articles.models import Article
from newsstand.web.listing import TEASER_SOURCE_CHARS

# What a list item needs; bodies can be hundreds of kilobytes each and are never listed.
LIST_FIELDS = (
    "id",
    "title",
    "url",
    "section",
    "authors",
    "published_at",
    "lead_image_url",
    "summary",
    "word_count",
    "story_id",
    "publisher__id",
    "publisher__slug",
    "publisher__name",
)


def articles_newest_first(articles: QuerySet[Article]) -> QuerySet[Article]:
    """`articles` with list columns and a `text_head` for teasers; undated ones last."""
    return (
        articles.select_related("publisher")
        .only(*LIST_FIELDS)
        .annotate(text_head=Substr("content_text", 1, TEASER_SOURCE_CHARS))
        # Postgres puts NULLs first in a descending sort unless told otherwise.
        .order_by(F("published_at").desc(nulls_last=True), "-id")
    )
