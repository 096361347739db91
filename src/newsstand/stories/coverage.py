"""A story's coverage as readers see it: by publisher, as a timeline, wire copies folded.

Read side. `story_coverage` runs one query and `related_for` two; the grouping
(`fold_copies`, `group_by_publisher`) is pure functions over the rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F

from newsstand.articles.models import Article
from newsstand.sources.models import Publisher
from newsstand.stories.clustering_engine import ClusterConfig
from newsstand.stories.models import Story, StoryLink
from newsstand.web.presentation import image_src, shown_caption

# What a coverage row shows; the bodies stay in the database.
MEMBER_FIELDS = (
    "id",
    "title",
    "url",
    "published_at",
    "fetched_at",
    "section",
    "copy_of_id",
    "story_id",
    "publisher__id",
    "publisher__name",
    "publisher__slug",
    "publisher__icon_version",
)
# Read as well for the story page's picture (`story_picture`), and only for it: the article
# page's Related block and the API's story have no use for them.
PICTURE_FIELDS = ("lead_image_url", "lead_image_caption", "lead_image_credit")
# Related Stories on an article page: at most this many links in all.
RELATED_ITEMS = 6
# Members read for the related block; a story bigger than this shows its newest ones.
MAX_MEMBERS = 200


@dataclass(frozen=True)
class CoverageItem:
    article: Article
    # Other publishers carrying the same wire copy, by name, in publication order.
    also_carried_by: tuple[str, ...] = ()

    @property
    def when(self) -> datetime:
        return self.article.published_at or self.article.fetched_at


@dataclass(frozen=True)
class PublisherCoverage:
    name: str
    items: tuple[CoverageItem, ...]
    publisher: Publisher | None = None  # for its logo; loaded with the articles


@dataclass(frozen=True)
class StoryPicture:
    """A story's picture: one of its articles' lead image, with that article's caption and
    credit as the article page shows them."""

    src: str
    caption: str
    credit: str
    article: Article


@dataclass(frozen=True)
class StoryCoverage:
    story: Story
    by_publisher: tuple[PublisherCoverage, ...]
    timeline: tuple[CoverageItem, ...]
    article_count: int
    publisher_count: int
    picture: StoryPicture | None = None


@dataclass(frozen=True)
class RelatedItem:
    kind: str  # "coverage" (this story, another publisher) or "story" (a related story)
    title: str
    url: str
    meta: str


def _when(a: Article) -> datetime:
    return a.published_at or a.fetched_at


def fold_copies(members: Sequence[Article]) -> list[CoverageItem]:
    """One item per wire-copy set (its original, or its earliest member), others named."""
    by_root: dict[int, list[Article]] = {}
    for a in members:
        by_root.setdefault(a.copy_of_id or a.pk, []).append(a)
    items = []
    for root, group in by_root.items():
        group.sort(key=lambda a: (a.pk != root, _when(a), a.pk))
        head, rest = group[0], group[1:]
        carriers = tuple(
            dict.fromkeys(a.publisher.name for a in rest if a.publisher_id != head.publisher_id)
        )
        items.append(CoverageItem(head, carriers))
    return sorted(items, key=lambda i: (i.when, i.article.pk))


def group_by_publisher(items: Sequence[CoverageItem]) -> list[PublisherCoverage]:
    """Publishers in the order they first covered the story, each with its items in time order."""
    groups: dict[int, list[CoverageItem]] = {}
    publishers: dict[int, Publisher] = {}
    for item in sorted(items, key=lambda i: (i.when, i.article.pk)):
        pid = item.article.publisher_id
        groups.setdefault(pid, []).append(item)
        publishers[pid] = item.article.publisher
    return [
        PublisherCoverage(publishers[pid].name, tuple(g), publishers[pid])
        for pid, g in groups.items()
    ]


def _members(story_id: int, *extra_fields: str) -> list[Article]:
    return list(
        Article.objects.filter(story_id=story_id)
        .select_related("publisher")
        .only(*MEMBER_FIELDS, *extra_fields)
        .order_by(F("published_at").asc(nulls_last=True), "pk")[:MAX_MEMBERS]
    )


def story_coverage(story: Story, *, picture: bool = False) -> StoryCoverage:
    """Everything the story page shows, from one query over the story's articles; its picture
    (`story_picture`, which reads `story.representative_id`) only when `picture` is asked."""
    members = _members(story.pk, *(PICTURE_FIELDS if picture else ()))
    items = fold_copies(members)
    return StoryCoverage(
        story=story,
        by_publisher=tuple(group_by_publisher(items)),
        timeline=tuple(items),
        article_count=len(members),
        publisher_count=len({a.publisher_id for a in members}),
        picture=story_picture(story, members) if picture else None,
    )


def story_picture(story: Story, members: Sequence[Article]) -> StoryPicture | None:
    """The picture of the story's representative article (the one its headline comes from),
    else of its first article that has one, in publication order; None when none has."""
    ordered = sorted(members, key=lambda a: a.pk != story.representative_id)
    for article in ordered:
        if src := image_src(article.lead_image_url):
            return StoryPicture(
                src=src,
                caption=shown_caption(article.lead_image_caption, article.title),
                credit=article.lead_image_credit,
                article=article,
            )
    return None


def carried_by(article: Article, members: Sequence[Article]) -> tuple[str, ...]:
    """Other publishers of this article's wire-copy set, found among its story's members."""
    root = article.copy_of_id or article.pk
    names = [
        a.publisher.name
        for a in members
        if (a.copy_of_id or a.pk) == root
        and a.pk != article.pk
        and a.publisher_id != article.publisher_id
    ]
    return tuple(dict.fromkeys(names))


def related_for(article: Article) -> tuple[list[RelatedItem], tuple[str, ...]]:
    """Related Stories for an article page, and who else carries its wire copy.

    Other publishers' coverage of the same story comes first (one per publisher), then the
    stories linked to this one (`StoryLink`, recorded by clustering when an article of one had
    the other among its candidates) scoring at least `related_floor`, best first;
    `RELATED_ITEMS` in all. Nothing else: an article without related coverage gets an empty
    list (the page hides the block) rather than filler. Two queries at most.
    """
    items: list[RelatedItem] = []
    carriers: tuple[str, ...] = ()
    if article.story_id is None:
        return items, carriers
    members = _members(article.story_id)
    carriers = carried_by(article, members)
    root = article.copy_of_id or article.pk
    seen = {article.publisher_id}
    # A wire-copy set counts once, as its original.
    heads = [item.article for item in fold_copies(members)]
    for a in sorted(heads, key=lambda a: (_when(a), a.pk), reverse=True):
        if a.publisher_id in seen or (a.copy_of_id or a.pk) == root:
            continue
        seen.add(a.publisher_id)
        items.append(RelatedItem("coverage", a.title, a.get_absolute_url(), a.publisher.name))
        if len(items) >= RELATED_ITEMS - 2:
            break
    floor = ClusterConfig.from_settings().related_floor
    links = (
        StoryLink.objects.filter(
            story_id=article.story_id, score__gte=floor, other__article_count__gt=0
        )
        .select_related("other")
        .only("score", "other__id", "other__headline", "other__publisher_count")
        .order_by("-score", "other_id")[: RELATED_ITEMS - len(items)]
    )
    for link in links:
        s = link.other
        items.append(RelatedItem("story", s.headline, s.get_absolute_url(), s.sources_label))
    return items, carriers
