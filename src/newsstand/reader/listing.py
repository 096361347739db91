"""Paged article lists shared by the home, publisher and section pages."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import F, QuerySet
from django.db.models.functions import Substr
from django.http import HttpRequest

from newsstand.articles.models import Article
from newsstand.reader.presentation import ArticleCard, make_teaser

ARTICLES_PER_PAGE = 30
# Enough of the body for a 200-character teaser after whitespace is squashed.
TEASER_SOURCE_CHARS = 400

# What a card needs; the body columns can be hundreds of kilobytes per row.
CARD_FIELDS = (
    "id",
    "title",
    "section",
    "summary",
    "published_at",
    "fetched_at",
    "lead_image_url",
    "publisher__id",
    "publisher__name",
    "publisher__slug",
)


def card_queryset(articles: QuerySet[Article]) -> QuerySet[Article]:
    """`articles` narrowed to card columns, newest first; undated ones last on every database."""
    return (
        articles.select_related("publisher")
        .only(*CARD_FIELDS)
        .annotate(text_head=Substr("content_text", 1, TEASER_SOURCE_CHARS))
        # Postgres puts NULLs first in a descending sort unless told otherwise.
        .order_by(F("published_at").desc(nulls_last=True), "-id")
    )


def card_page(request: HttpRequest, articles: QuerySet[Article]) -> tuple[Page, list[ArticleCard]]:
    """The `?page=` page of `articles` as cards; a bad page number falls back like Paginator's."""
    page = Paginator(card_queryset(articles), ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
    cards = [
        ArticleCard(article=a, teaser=make_teaser(a.summary, getattr(a, "text_head", "")))
        for a in page.object_list
    ]
    return page, cards
