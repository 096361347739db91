"""The reader's pages. Views only query and render; the decisions live in presentation.py."""

from __future__ import annotations

import logging

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import F
from django.db.models.functions import Substr
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from newsstand.articles.models import Article
from newsstand.reader.presentation import (
    ArticleCard,
    make_teaser,
    strip_duplicate_lead,
    was_updated,
)

logger = logging.getLogger(__name__)

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


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    articles = (
        Article.objects.select_related("publisher")
        .only(*CARD_FIELDS)
        .annotate(text_head=Substr("content_text", 1, TEASER_SOURCE_CHARS))
        # Undated articles sort after dated ones on every database (Postgres puts NULLs first).
        .order_by(F("published_at").desc(nulls_last=True), "-id")
    )
    page = Paginator(articles, ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
    cards = [
        ArticleCard(article=a, teaser=make_teaser(a.summary, getattr(a, "text_head", "")))
        for a in page.object_list
    ]
    return render(request, "reader/home.html", {"page": page, "cards": cards})


@require_safe
def article(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_object_or_404(Article.objects.select_related("publisher"), pk=pk)
    body = strip_duplicate_lead(
        obj.content_html, obj.lead_image_url, obj.lead_image_caption, obj.lead_image_credit
    )
    context = {
        "article": obj,
        # content_html is sanitised at ingest (ingest.sanitizer); it is the only field marked safe.
        "body_html": mark_safe(body),  # noqa: S308 - sanitised on the way in, see above
        "updated": was_updated(obj.published_at, obj.updated_at),
        "description": make_teaser(obj.summary, obj.content_text[:TEASER_SOURCE_CHARS]),
    }
    return render(request, "reader/article.html", context)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """Readiness: the process answers and the database does too."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("healthz: database check failed")
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
