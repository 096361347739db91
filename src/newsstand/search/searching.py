"""The search page's read side: ranked ids from the backend, one page of articles, snippets.

Queries: the reader's membership for the gate, the ranking (in the public index for a reader
without full access), the page's articles with their publishers, and for a reader without full
access the public texts their snippets are cut from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.utils import timezone
from django.utils.safestring import SafeString

from newsstand.articles.models import Article
from newsstand.membership.access import has_full_access
from newsstand.search.backends import SearchFilters, get_backend
from newsstand.search.models import PublicText
from newsstand.search.public import summary_teaser
from newsstand.search.query import ParsedQuery
from newsstand.search.snippets import make_highlighter

RESULTS_PER_PAGE = 20
SUGGESTIONS = 6

# What a result shows, and what a member's snippet may quote (content_text, loaded for members).
RESULT_FIELDS = (
    "id",
    "title",
    "authors",
    "section",
    "summary",
    "content_text",
    "published_at",
    "fetched_at",
    "language",
    "publisher__id",
    "publisher__name",
    "publisher__slug",
)


@dataclass(frozen=True)
class Result:
    article: Article
    title_html: SafeString
    snippet_html: SafeString


@dataclass
class SearchResults:
    query: ParsedQuery
    page: Page[int]
    results: list[Result]
    # Articles ranked: all matches, or the newest RANK_WINDOW when `more` match.
    total: int
    more: bool
    notes: list[str] = field(default_factory=list)


def search_articles(
    query: ParsedQuery,
    filters: SearchFilters,
    *,
    user: Any,
    page_number: int | str | None = 1,
    now: datetime | None = None,
) -> SearchResults:
    """One page of results for `query`. The gate decides for `user` what is searched and
    quoted: members the whole text, everyone else only what the gate shows them."""
    now = now or timezone.now()
    full_access = has_full_access(user, now)
    ranked = get_backend().rank(query, filters, now=now, public=not full_access)
    page = Paginator(ranked.ids, RESULTS_PER_PAGE).get_page(page_number)
    ids = list(page.object_list)
    articles = _load(ids, with_body=full_access)
    sources = _member_sources(articles) if full_access else _public_sources(ids)
    highlighter = make_highlighter(query)
    results = [
        Result(
            article=a,
            title_html=highlighter.mark(a.title),
            snippet_html=highlighter.snippet(sources.get(pk, "")),
        )
        for pk in ids
        if (a := articles.get(pk)) is not None
    ]
    return SearchResults(
        query=query,
        page=page,
        results=results,
        total=len(ranked.ids),
        more=ranked.more,
        notes=list(query.notes),
    )


def suggest_articles(query: ParsedQuery, *, limit: int = SUGGESTIONS) -> list[Result]:
    """Titles for search-as-you-type, best first, with the typed words marked."""
    ids = get_backend().suggest(query, now=timezone.now(), limit=limit)
    articles = (
        Article.objects.select_related("publisher")
        .only("id", "title", "publisher__id", "publisher__name")
        .in_bulk(ids)
    )
    highlighter = make_highlighter(query)
    return [
        Result(article=a, title_html=highlighter.mark(a.title), snippet_html=SafeString(""))
        for pk in ids
        if (a := articles.get(pk)) is not None
    ]


def _member_sources(articles: dict[int, Article]) -> dict[int, str]:
    """What a member's snippets quote: the body, else the summary."""
    return {
        pk: a.content_text if a.content_text.strip() else summary_teaser(a.summary)
        for pk, a in articles.items()
    }


def _public_sources(ids: list[int]) -> dict[int, str]:
    """What other readers' snippets quote: the public text they were matched against."""
    if not ids:
        return {}
    return dict(PublicText.objects.filter(pk__in=ids).values_list("article_id", "text"))


def _load(ids: list[int], *, with_body: bool = True) -> dict[int, Article]:
    if not ids:
        return {}
    fields = RESULT_FIELDS if with_body else tuple(f for f in RESULT_FIELDS if f != "content_text")
    return Article.objects.select_related("publisher").only(*fields).in_bulk(ids)
