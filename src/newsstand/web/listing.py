"""Paged article lists shared by the home, publisher, section, topic, personal and For You pages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import F, OrderBy, QuerySet
from django.db.models.expressions import BaseExpression
from django.db.models.functions import Substr
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from newsstand.articles.models import Article
from newsstand.web.presentation import ArticleCard, make_teaser

ARTICLES_PER_PAGE = 30
# No list reaches this page (30 million cards); a number past it is no page of ours, and one past
# the database's 64-bit integers would crash the query's OFFSET.
MAX_PAGE_NUMBER = 1_000_000
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
    "word_count",
    "publisher__id",
    "publisher__name",
    "publisher__slug",
    "publisher__icon_version",
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


@dataclass(frozen=True)
class LookaheadPage:
    """A page of a list that never counts the list: it fetches one row past the page to know
    whether another follows. A COUNT(*) costs a query on every list page and reads every
    matching row (a section's, at 100,000 articles, where the page itself stops after 31 rows
    of the date index); the pager says "Page 3", not "Page 3 of 3,334".

    Quacks like the parts of Django's `Page` the templates use; `paginator` is None.
    """

    number: int
    object_list: list[Any]
    per_page: int
    _has_next: bool
    paginator: None = None

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0

    def __len__(self) -> int:
        return len(self.object_list)


def page_number(raw: str | None) -> int:
    """Like Paginator.get_page: junk, zero and negatives mean the first page; a number past
    MAX_PAGE_NUMBER is a 404."""
    try:
        number = int(raw or 1)
    except (TypeError, ValueError):
        return 1
    if number > MAX_PAGE_NUMBER:
        raise Http404("No list has that many pages.")
    return max(number, 1)


def lookahead_page(rows: QuerySet[Any], raw_number: str | None, per_page: int) -> LookaheadPage:
    """Page `raw_number` of `rows`; past the end, the last page (one COUNT, only then)."""
    number = page_number(raw_number)
    start = (number - 1) * per_page
    found = list(rows[start : start + per_page + 1])
    if not found and number > 1:
        last = max((rows.count() + per_page - 1) // per_page, 1)
        number, start = last, (last - 1) * per_page
        found = list(rows[start : start + per_page + 1])
    return LookaheadPage(number, found[:per_page], per_page, len(found) > per_page)


def card_page(
    request: HttpRequest,
    articles: QuerySet[Article],
    order_by: Sequence[str | OrderBy] | None = None,
    *,
    counted: bool = False,
    flags: Mapping[str, BaseExpression] | None = None,
    per_page: int = ARTICLES_PER_PAGE,
) -> tuple[Page[Article] | LookaheadPage, list[ArticleCard]]:
    """The `?page=` page of `articles` as cards; a bad page number falls back like Paginator's.

    Lists are not counted (`LookaheadPage`) unless `counted` (a page that shows the total).
    `flags` annotate each card within the page's one query: the caller passes the reader's own
    (`personal.state.card_flags`: `is_saved` for the Save button), which this layer cannot know.
    """
    rows = card_queryset(articles, order_by)
    if flags:
        rows = rows.annotate(**flags)
    page: Page[Article] | LookaheadPage
    if counted:
        page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    else:
        page = lookahead_page(rows, request.GET.get("page"), per_page)
    cards = [
        ArticleCard(
            article=a,
            teaser=make_teaser(a.summary, getattr(a, "text_head", ""), body_words=a.word_count),
        )
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
        response = render(request, "web/_cards.html", {**context, "appended": True})
    else:
        response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response
