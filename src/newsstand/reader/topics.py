"""Topic pages: every article filed under a feed category, across publishers (/topics/<slug>/)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from newsstand.articles.models import Article, ArticleTopic
from newsstand.personal.state import card_flags, hide_muted_publishers
from newsstand.web.listing import card_page, render_cards


@require_safe
def topic(request: HttpRequest, slug: str) -> HttpResponse:
    # Feeds spell a topic many ways ("World news", "World News"); the first stored names the
    # page, read off the (slug, article) index.
    names = list(
        ArticleTopic.objects.filter(slug=slug)
        .order_by("article_id")
        .values_list("name", flat=True)[:1]
    )
    if not names:
        raise Http404("No articles on this topic.")
    articles = hide_muted_publishers(request.user, Article.objects.filter(topic_index__slug=slug))
    page, cards = card_page(request, articles, flags=card_flags(request.user))
    context = {"topic": names[0], "slug": slug, "page": page, "cards": cards}
    return render_cards(request, "reader/topic.html", context)
