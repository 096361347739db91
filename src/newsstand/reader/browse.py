"""Browsing by source: the publishers index, a publisher's page, the sections index and
section pages."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from newsstand.articles.models import Article, Section
from newsstand.personal.state import card_flags, hide_muted_publishers
from newsstand.reader.pagecache import anonymous_page
from newsstand.sources.models import Publisher
from newsstand.web.listing import card_page, render_cards

# The home page's strip: the publishers with most articles over this window.
STRIP_PUBLISHERS = 12
STRIP_WINDOW = timedelta(days=7)
STRIP_CACHE_S = 300
STRIP_CACHE_KEY = "reader:publisher-strip"
# A publisher page lists its busiest sections; feeds with hundreds of sections exist.
PUBLISHER_SECTIONS = 24
# The sections index counts every article by section: one aggregate over the table (cached;
# counts barely move in minutes), and this week's count beside it.
SECTIONS_INDEX_CACHE_S = 300
SECTIONS_INDEX_CACHE_KEY = "reader:sections-index"
SECTIONS_RECENT = timedelta(days=7)


def publisher_strip(limit: int = STRIP_PUBLISHERS) -> list[Publisher]:
    """Active publishers by article count over STRIP_WINDOW, in one aggregate query.

    Cached for STRIP_CACHE_S: the aggregate reads every article of the window (~250 ms at
    100,000 articles on SQLite, bench/web.py) and a week's ranking barely moves in minutes.
    """
    key = f"{STRIP_CACHE_KEY}:{limit}"
    strip: list[Publisher] | None = cache.get(key)
    if strip is None:
        strip = _publisher_strip(limit)
        cache.set(key, strip, STRIP_CACHE_S)
    return strip


def active_publisher_count() -> int:
    """How many publishers Newsstand fetches: the home page's "N trusted sources".

    Cached like the strip: one COUNT, and a catalogue changes by hand, a few times a week.
    """
    key = f"{STRIP_CACHE_KEY}:active-count"
    count: int | None = cache.get(key)
    if count is None:
        count = Publisher.objects.filter(is_active=True).count()
        cache.set(key, count, STRIP_CACHE_S)
    return count


def _publisher_strip(limit: int) -> list[Publisher]:
    since = timezone.now() - STRIP_WINDOW
    return list(
        Publisher.objects.filter(is_active=True)
        .annotate(recent=Count("articles", filter=Q(articles__published_at__gte=since)))
        .filter(recent__gt=0)
        .only("id", "name", "slug", "icon_version")
        .order_by("-recent", "name")[:limit]
    )


@anonymous_page
@require_safe
def publishers(request: HttpRequest) -> HttpResponse:
    """Every publisher with its article count; retired ones listed apart."""
    rows = list(
        Publisher.objects.annotate(article_count=Count("articles"))
        .only("id", "name", "slug", "icon_version", "country", "language", "is_active")
        .order_by("name")
    )
    context = {
        "active": [p for p in rows if p.is_active],
        "retired": [p for p in rows if not p.is_active],
    }
    return render(request, "reader/publishers.html", context)


@anonymous_page
@require_safe
def publisher(request: HttpRequest, slug: str) -> HttpResponse:
    """About a publisher, its sections and its latest articles."""
    pub = get_object_or_404(Publisher, slug=slug)
    page, cards = card_page(
        request, Article.objects.filter(publisher=pub), flags=card_flags(request.user)
    )
    sections = list(
        Article.objects.filter(publisher=pub)
        .exclude(section="")
        .values("section")
        .annotate(n=Count("id"))
        .order_by("-n", "section")[:PUBLISHER_SECTIONS]
    )
    context = {"publisher": pub, "page": page, "cards": cards, "sections": sections}
    return render_cards(request, "reader/publisher.html", context)


def _section_counts() -> list[dict[str, object]]:
    since = timezone.now() - SECTIONS_RECENT
    rows = (
        Article.objects.exclude(section="")
        .values("section")
        .annotate(total=Count("id"), recent=Count("id", filter=Q(published_at__gte=since)))
        .order_by("section")
    )
    return [dict(r) for r in rows]


@anonymous_page
@require_safe
def sections(request: HttpRequest) -> HttpResponse:
    """Every section with articles, by name, with how many there are (all, this week)."""
    rows = cache.get_or_set(SECTIONS_INDEX_CACHE_KEY, _section_counts, SECTIONS_INDEX_CACHE_S)
    return render(request, "reader/sections.html", {"sections": rows or []})


def _section_name(section: str) -> str:
    """The section an address names: a Section by slug or name, else the text itself (an
    article's section from before the list, or one staff have since removed)."""
    found = (
        Section.objects.filter(Q(slug=section) | Q(name__iexact=section))
        .values_list("name", flat=True)
        .first()
    )
    return found or section


def _section_articles(section: str, publisher: Publisher | None) -> QuerySet[Article]:
    # Sections are mapped at ingest (articles.sections); the address may be in any case.
    articles = Article.objects.filter(section__iexact=section)
    if publisher is not None:
        articles = articles.filter(publisher=publisher)
    return articles


@anonymous_page
@require_safe
def section(request: HttpRequest, section: str) -> HttpResponse:
    """One section across publishers, or one publisher's with `?publisher=<slug>`."""
    pub = None
    if slug := request.GET.get("publisher"):
        pub = get_object_or_404(Publisher.objects.only("id", "name", "slug"), slug=slug)
    section = _section_name(section)
    articles = _section_articles(section, pub)
    if pub is None:
        # Muting hides a publisher from lists across publishers, not when asked for by name.
        articles = hide_muted_publishers(request.user, articles)
    page, cards = card_page(request, articles, flags=card_flags(request.user))
    # Show the name as a publisher spells it rather than as typed in the address bar.
    if cards:
        name = cards[0].article.section
    else:
        # Empty for this reader only if they muted every publisher in it: the page still exists.
        names = list(
            _section_articles(section, pub).order_by().values_list("section", flat=True)[:1]
        )
        if not names:
            raise Http404("No articles in this section.")
        name = names[0]
    context = {
        "section": name,
        "publisher": pub,
        "pager_query": urlencode({"publisher": pub.slug}) if pub else "",
        "page": page,
        "cards": cards,
    }
    return render_cards(request, "reader/section.html", context)
