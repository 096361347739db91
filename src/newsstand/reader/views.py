"""The reader's pages. Views only query and render; the decisions live in presentation.py."""

from __future__ import annotations

import logging

from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from newsstand.articles.models import Article
from newsstand.reader.browse import publisher_strip
from newsstand.reader.listing import TEASER_SOURCE_CHARS, card_page
from newsstand.reader.pagecache import anonymous_page
from newsstand.reader.presentation import (
    make_teaser,
    strip_duplicate_lead,
    was_updated,
)
from newsstand.reader.reads import count_read
from newsstand.stories.coverage import related_for, story_coverage
from newsstand.stories.models import Story
from newsstand.stories.picks import active_picks
from newsstand.stories.top import top_stories

logger = logging.getLogger(__name__)

# Top stories and Our Picks: how many on the home page, and in the article page's aside.
HOME_TOP_STORIES = 8
HOME_PICKS = 6
ASIDE_ITEMS = 5


@anonymous_page
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    page, cards = card_page(request, Article.objects.all())
    context = {"page": page, "cards": cards, "top_stories": [], "our_picks": []}
    if page.number == 1:
        context["top_stories"] = top_stories(HOME_TOP_STORIES)
        context["our_picks"] = active_picks(timezone.now(), limit=HOME_PICKS)
        context["publisher_strip"] = publisher_strip()
    return render(request, "reader/home.html", context)


@anonymous_page
@require_safe
def article(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_object_or_404(Article.objects.select_related("publisher"), pk=pk)
    body = strip_duplicate_lead(
        obj.content_html, obj.lead_image_url, obj.lead_image_caption, obj.lead_image_credit
    )
    related, carriers = related_for(obj)
    context = {
        "article": obj,
        "related_stories": related,
        "also_carried_by": carriers,
        # content_html is sanitised at ingest (ingest.sanitizer); it is the only field marked safe.
        "body_html": mark_safe(body),  # noqa: S308 - sanitised on the way in, see above
        "updated": was_updated(obj.published_at, obj.updated_at),
        "description": make_teaser(obj.summary, obj.content_text[:TEASER_SOURCE_CHARS]),
        "top_stories": top_stories(ASIDE_ITEMS, exclude_story_id=obj.story_id),
        "our_picks": active_picks(
            timezone.now(),
            limit=ASIDE_ITEMS,
            exclude_article_id=obj.pk,
            exclude_story_id=obj.story_id,
        ),
    }
    count_read(request, obj)
    return render(request, "reader/article.html", context)


@anonymous_page
@require_safe
def story(request: HttpRequest, pk: int) -> HttpResponse:
    """One story: every publisher's coverage of it, and a timeline."""
    obj = get_object_or_404(Story.objects.select_related("representative__publisher"), pk=pk)
    coverage = story_coverage(obj)
    if not coverage.article_count:
        raise Http404("This story has no articles.")
    return render(request, "reader/story.html", {"story": obj, "coverage": coverage})


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
