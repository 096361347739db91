"""The search page and its search-as-you-type partial. Both only parse, call and render.

A reader's searches are counted (search/throttle.py): past NEWSSTAND_SEARCHES_PER_MINUTE the
page answers 429 with Retry-After and says why. Suggestions match titles only, one request a
keystroke, so they have their own, larger count (NEWSSTAND_SUGGESTIONS_PER_MINUTE): past it the
fragment is empty, with 429 and Retry-After, and the box simply shows nothing.
"""

from __future__ import annotations

import logging
import time
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from newsstand.membership.access import has_full_access
from newsstand.search.forms import SearchForm
from newsstand.search.query import MAX_QUERY_CHARS, clean_text, parse_query
from newsstand.search.searching import search_articles, suggest_articles
from newsstand.search.throttle import SEARCH_WINDOW_S, SearchCount, client_key, count_search

log = logging.getLogger(__name__)

FILTER_PARAMS = ("publisher", "section", "language", "since", "until")


def _over_limit(request: HttpRequest, what: str, limit: int) -> SearchCount | None:
    """Count one `what` ("search" or "suggest") for this reader: its count when past `limit`
    (logged once a minute, not once a request), else None."""
    key = client_key(request)
    counted = count_search(key, limit, time.time(), what=what)
    if counted.allowed:
        return None
    if counted.count == counted.limit + 1:
        # The account, but no client address: logs are kept longer than a minute's count.
        log.warning(
            "%s rate limited who=%s limit=%d window_s=%d",
            what,
            key if key.startswith("user:") else "anonymous",
            counted.limit,
            SEARCH_WINDOW_S,
        )
    return counted


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    typed = clean_text(request.GET.get("q", "")[: MAX_QUERY_CHARS * 2]).strip()
    context: dict[str, object] = {
        "form": form,
        "typed": typed,
        "filters_open": any(request.GET.get(name) for name in FILTER_PARAMS),
        "full_access": has_full_access(request.user),
    }
    if typed:
        counted = _over_limit(request, "search", settings.NEWSSTAND_SEARCHES_PER_MINUTE)
        if counted is not None:
            context["throttled_s"] = counted.retry_after_s
            response = render(request, "search/search.html", context, status=429)
            response["Retry-After"] = str(counted.retry_after_s)
            return response
    if typed and form.is_valid():
        query = parse_query(form.cleaned_data["q"])
        context["notes"] = query.notes
        if not query.is_empty:
            results = search_articles(
                query, form.filters(), user=request.user, page_number=request.GET.get("page")
            )
            context["results"] = results
            context["pager_query"] = urlencode(
                [(k, v) for k, v in request.GET.items() if k != "page" and v]
            )
            log.info(
                "search query_words=%d ranked=%d more=%s page=%d filters=%s",
                len(query.positive_words),
                results.total,
                results.more,
                results.page.number,
                ",".join(k for k in FILTER_PARAMS if request.GET.get(k)) or "-",
            )
    return render(request, "search/search.html", context)


@require_safe
def suggest(request: HttpRequest) -> HttpResponse:
    """Titles matching what is typed so far: a small HTML fragment for the search box."""
    query = parse_query(request.GET.get("q", ""), prefix_last=True)
    if not query.is_empty:
        counted = _over_limit(request, "suggest", settings.NEWSSTAND_SUGGESTIONS_PER_MINUTE)
        if counted is not None:
            response = HttpResponse(b"", status=429)
            response["Retry-After"] = str(counted.retry_after_s)
            return response
    suggestions = suggest_articles(query) if not query.is_empty else []
    response = render(request, "search/_suggestions.html", {"suggestions": suggestions})
    # Never cached by a shared cache: the fragment is per keystroke and cheap.
    response["Cache-Control"] = "private, max-age=60"
    return response
