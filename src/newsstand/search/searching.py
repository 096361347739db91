"""The search page's read side: ranked ids from the backend, one page of articles, snippets.

Queries: the ranking (plus a count when more than RANK_WINDOW articles match), the page's
articles with their publishers, and the reader's membership for the gate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.utils import timezone
from django.utils.safestring import SafeString

from newsstand.articles.models import Article
from newsstand.search.backends import SearchFilters, get_backend
from newsstand.search.query import ParsedQuery
from newsstand.search.snippets import make_highlighter, snippet_source

RESULTS_PER_PAGE = 20
SUGGESTIONS = 6

# What a result shows, and what the snippet rule may read.
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
    """One page of results for `query`; snippets obey the gate for `user`."""
    now = now or timezone.now()
    ranked = get_backend().rank(query, filters, now=now)
    page = Paginator(ranked.ids, RESULTS_PER_PAGE).get_page(page_number)
    articles = _load(list(page.object_list))
    highlighter = make_highlighter(query)
    results = [
        Result(
            article=a,
            title_html=highlighter.mark(a.title),
            snippet_html=highlighter.snippet(snippet_source(a, user)),
        )
        for pk in page.object_list
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


def _load(ids: list[int]) -> dict[int, Article]:
    if not ids:
        return {}
    return Article.objects.select_related("publisher").only(*RESULT_FIELDS).in_bulk(ids)
