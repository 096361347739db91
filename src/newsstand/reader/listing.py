"""Paged article lists shared by the home, publisher, section, topic and personal pages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import F, OrderBy, QuerySet
from django.db.models.functions import Substr
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from newsstand.articles.models import Article
from newsstand.personal.state import saved_flag
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


def card_queryset(
    articles: QuerySet[Article], order_by: Sequence[str | OrderBy] | None = None
) -> QuerySet[Article]:
    """`articles` narrowed to card columns, newest first unless `order_by` says otherwise;
    undated ones last on every database."""
    return (
        articles.select_related("publisher")
        .only(*CARD_FIELDS)
        .annotate(text_head=Substr("content_text", 1, TEASER_SOURCE_CHARS))
        # Postgres puts NULLs first in a descending sort unless told otherwise.
        .order_by(*(order_by or (F("published_at").desc(nulls_last=True), "-id")))
    )


def card_page(
    request: HttpRequest,
    articles: QuerySet[Article],
    order_by: Sequence[str | OrderBy] | None = None,
) -> tuple[Page, list[ArticleCard]]:
    """The `?page=` page of `articles` as cards; a bad page number falls back like Paginator's.

    For a signed-in reader each card also knows whether it is saved (`is_saved`, a subquery of
    the page's one query), for its Save button.
    """
    rows = card_queryset(articles, order_by)
    if (flag := saved_flag(request.user)) is not None:
        rows = rows.annotate(is_saved=flag)
    page = Paginator(rows, ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
    cards = [
        ArticleCard(article=a, teaser=make_teaser(a.summary, getattr(a, "text_head", "")))
        for a in page.object_list
    ]
    return page, cards


def is_htmx_fragment(request: HttpRequest) -> bool:
    """An HTMX request for part of a page; htmx's history restore wants the whole page."""
    details = getattr(request, "htmx", None)  # django_htmx.middleware.HtmxMiddleware
    return details is not None and bool(details) and not details.history_restore_request


def render_cards(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """A list page, or for the pager's HTMX request only the next cards and pager to append.

    Both answer the same URL, so the response varies on HX-Request: a cache (the browser's, a
    proxy's) must never hand the fragment to a plain visit or the page to HTMX.
    """
    if is_htmx_fragment(request):
        response = render(request, "reader/_cards.html", {**context, "appended": True})
    else:
        response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response
