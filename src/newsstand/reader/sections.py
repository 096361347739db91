"""The home page's "Latest by section": the busiest sections, each with its newest stories.

A section's block shows one article per story, so a story twelve publishers covered takes one
line (with "+11 more" linking to the story) instead of twelve. Sections are compared
case-insensitively, as the section pages do ("World" and "world" are one section).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.core.cache import cache
from django.db.models import Count, F, Min, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.utils import timezone

from newsstand.articles.models import Article

# Sections on the home page, and stories in each.
HOME_SECTIONS = 6
STORIES_PER_SECTION = 4
# Articles of a section looked at to find that many distinct stories: a big story can fill a
# section's newest rows with its members.
ROWS_PER_SECTION = STORIES_PER_SECTION * 4
# Which sections count as busy: articles over this window. Cached for SECTIONS_CACHE_S, since
# the count reads every article of the window and a day's ranking barely moves in minutes.
SECTIONS_WINDOW = timedelta(hours=48)
SECTIONS_CACHE_S = 300
SECTIONS_CACHE_KEY = "reader:home-sections"
# A section block shows articles of this age at most, so a quiet section does not show old news.
ARTICLES_WINDOW = timedelta(hours=72)
# Publication dates this far in the future are feed errors, not news from tomorrow.
FUTURE_SLACK = timedelta(hours=1)

_ITEM_FIELDS = (
    "id",
    "title",
    "section",
    "published_at",
    "lead_image_url",
    "publisher__id",
    "publisher__name",
    "publisher__slug",
    "story__id",
    "story__article_count",
    "story__publisher_count",
)


@dataclass(frozen=True, slots=True)
class SectionItem:
    article: Article
    # Other articles in the article's story (0 when it stands alone), for "+N more".
    more: int


@dataclass(slots=True)
class SectionBlock:
    name: str  # as a publisher spells it, for the heading and the section page's address
    items: list[SectionItem] = field(default_factory=list)


def busy_sections(limit: int = HOME_SECTIONS) -> list[tuple[str, str]]:
    """The sections with most articles over SECTIONS_WINDOW (cached), busiest first, as
    (key, name): the key lowercased by the database (SQLite lowercases ASCII only, so Python's
    casefold would not match it), the name as a publisher spells it."""
    names = cache.get_or_set(
        f"{SECTIONS_CACHE_KEY}:{limit}", lambda: _busy_sections(limit), SECTIONS_CACHE_S
    )
    return list(names or [])


def _busy_sections(limit: int) -> list[tuple[str, str]]:
    since = timezone.now() - SECTIONS_WINDOW
    rows = (
        Article.objects.filter(published_at__gte=since)
        .exclude(section="")
        .annotate(key=Lower("section"))
        .values("key")
        .annotate(n=Count("id"), name=Min("section"))
        .order_by("-n", "key")[:limit]
    )
    return [(row["key"], row["name"]) for row in rows]


def pick_items(rows: list[Article], limit: int = STORIES_PER_SECTION) -> list[SectionItem]:
    """Newest first, the first article of each story (and every article without one)."""
    seen: set[int] = set()
    items: list[SectionItem] = []
    for article in rows:
        story = article.story if article.story_id else None
        if story is not None:
            if story.pk in seen:
                continue
            seen.add(story.pk)
        items.append(SectionItem(article, max((story.article_count if story else 1) - 1, 0)))
        if len(items) >= limit:
            break
    return items


def section_blocks(articles: QuerySet[Article], names: list[tuple[str, str]]) -> list[SectionBlock]:
    """Blocks for `names` (from `busy_sections`) from `articles` (without what the reader
    muted), in one query.

    Each section's newest ROWS_PER_SECTION rows are a LIMIT over the publication-date index,
    and the sections are glued with UNION ALL inside an `id IN (…)`: a window function over the
    sections (ROW_NUMBER() per section) sorts every article of ARTICLES_WINDOW first, 1.8 s at
    100,000 articles (bench/web.py's seed), where this takes milliseconds. Django cannot slice
    the parts of a union on SQLite, so each part is Django's own SQL wrapped in a subquery.
    Sections without an article in ARTICLES_WINDOW are left out.
    """
    if not names:
        return []
    now = timezone.now()
    recent = articles.filter(
        published_at__gte=now - ARTICLES_WINDOW, published_at__lte=now + FUTURE_SLACK
    ).annotate(section_key=Lower("section"))
    parts: list[str] = []
    params: list[object] = []
    for i, (key, _name) in enumerate(names):
        newest = (
            recent.filter(section_key=key)
            .order_by(F("published_at").desc(), F("id").desc())
            .values("id")[:ROWS_PER_SECTION]
        )
        sql, part_params = newest.query.sql_with_params()
        # Django's compiled SQL with placeholders; the values go in `params`.
        parts.append(f"SELECT id FROM ({sql}) AS part{i}")  # noqa: S608  # no value is inlined
        params.extend(part_params)
    rows = (
        # Only Django's compiled SQL and its params below, nothing from a request.
        Article.objects.filter(pk__in=RawSQL(" UNION ALL ".join(parts), params))  # noqa: S611
        .annotate(section_key=Lower("section"))
        .select_related("publisher", "story")
        .only(*_ITEM_FIELDS)
        .order_by(F("published_at").desc(), F("id").desc())
    )
    by_key: dict[str, list[Article]] = {}
    for article in rows:
        by_key.setdefault(article.section_key, []).append(article)
    blocks = []
    for key, name in names:
        found = by_key.get(key)
        if found:
            blocks.append(SectionBlock(name, pick_items(found)))
    return blocks
