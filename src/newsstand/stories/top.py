"""Top stories, read side: the stored ranking as reader blocks and as the staff breakdown.

Queries only; `stories.ranking` computes the scores, `stories.actions.rank_stories` stores them.
Readers and staff get one order (`reader_order`): stories several publishers cover first, then
by score; the staff page shows each story's tier beside the parts of its score.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, QuerySet, Value, When

from newsstand.articles.models import Article
from newsstand.sources.models import Publisher
from newsstand.stories.models import Story
from newsstand.web.presentation import image_src

TOP_STORY_FIELDS = (
    "id",
    "headline",
    "lead",
    "publisher_count",
    "article_count",
    "representative_id",
    "last_updated_at",
    "score",
)
# The representative article's parts a reader block shows: its image and publisher.
REPRESENTATIVE_FIELDS = (
    "representative__id",
    "representative__title",
    "representative__lead_image_url",
    "representative__section",
    "representative__publisher__id",
    "representative__publisher__name",
    "representative__publisher__slug",
    "representative__publisher__logo",
)
# The order staff read the breakdown in; matches stories.ranking.score_story's parts.
SIGNALS = ("breadth", "velocity", "reads", "recency")
# (one, many): staff read "1 publisher", "3 publishers".
SIGNAL_UNITS = {
    "breadth": ("publisher", "publishers"),
    "velocity": ("new article", "new articles"),
    "reads": ("read", "reads"),
    "recency": ("hour since update", "hours since update"),
}


def signal_unit(name: str, raw: float) -> str:
    one, many = SIGNAL_UNITS[name]
    return one if raw == 1 else many


@dataclass(frozen=True)
class TopStory:
    story: Story
    url: str

    @property
    def sources(self) -> str:
        return self.story.sources_label

    @property
    def representative(self) -> Article | None:
        """The story's chosen article, when loaded (`top_stories(with_representative=True)`)."""
        if "representative" not in self.story._state.fields_cache:
            return None
        return self.story.representative

    @property
    def image_url(self) -> str:
        rep = self.representative
        return image_src(rep.lead_image_url) if rep is not None else ""

    @property
    def publisher(self) -> Publisher | None:
        rep = self.representative
        return rep.publisher if rep is not None else None

    @property
    def others(self) -> int:
        """How many publishers beside the representative's cover the story."""
        return max(self.story.publisher_count - 1, 0)


# Stories covered by at least this many publishers rank above every other story.
COVERED_PUBLISHERS = 2
# Top stories the home page lists under its lead. The lead is the best-ranked story with a
# picture among one more than these (so the list stays full when the lead leaves it).
HOME_TOP_STORIES = 8
HOME_LEAD_CANDIDATES = HOME_TOP_STORIES + 1


def home_lead(top: Sequence[TopStory]) -> int | None:
    """Which of these Top stories (readers' order) leads the home page, by its index: the
    best-ranked with a picture among the first `HOME_LEAD_CANDIDATES`; None when none has one.
    The home page (reader.front.choose_lead) and the staff ranking both ask this."""
    for index, item in enumerate(top[:HOME_LEAD_CANDIDATES]):
        if item.image_url:
            return index
    return None


def reader_order(stories: QuerySet[Story]) -> QuerySet[Story]:
    """Ranked stories (score above 0) in the order readers see them.

    Stories that several publishers cover come first: "top stories right now" is what the news
    is talking about, and a single outlet's piece only fills the block when there are too few.
    Within each tier, by score. Each story carries `covered` (1 or 0), its tier.
    """
    covered = Case(When(publisher_count__gte=COVERED_PUBLISHERS, then=Value(1)), default=Value(0))
    return (
        stories.filter(score__gt=0)
        .annotate(covered=covered)
        .order_by("-covered", "-score", "-last_updated_at", "-pk")
    )


def top_stories(
    limit: int = 8, *, exclude_story_id: int | None = None, with_representative: bool = False
) -> list[TopStory]:
    """The top stories as readers see them (`reader_order`), in one query; unranked (score 0)
    stories never show. `with_representative` joins each story's chosen article and its
    publisher (a reader's block shows the image and the publisher's name), still in the one
    query."""
    stories = Story.objects.all()
    if with_representative:
        stories = stories.select_related("representative__publisher").only(
            *TOP_STORY_FIELDS, *REPRESENTATIVE_FIELDS
        )
    else:
        stories = stories.only(*TOP_STORY_FIELDS)
    if exclude_story_id is not None:
        stories = stories.exclude(pk=exclude_story_id)
    return [TopStory(story=s, url=s.get_absolute_url()) for s in reader_order(stories)[:limit]]


@dataclass(frozen=True)
class SignalRow:
    name: str
    unit: str
    raw: float
    contribution: float
    # Bar length as a percentage of the page's largest absolute contribution.
    bar_percent: int


@dataclass(frozen=True)
class RankingRow:
    story: Story
    url: str
    signals: tuple[SignalRow, ...]
    # True: covered by `COVERED_PUBLISHERS` or more, ranked above every story that is not.
    covered: bool
    # True: the home page opens on this story (`home_lead`), above those ranked before it.
    leads_home: bool = False


def _number(value: Any) -> float:
    try:
        result = float(value)
    except (TypeError, ValueError):
        return 0.0
    return result if math.isfinite(result) else 0.0


def ranking_rows(limit: int = 50) -> list[RankingRow]:
    """The top stories in readers' order with their stored breakdowns, bars scaled to the
    largest contribution."""
    stories = list(
        reader_order(
            Story.objects.select_related("representative").only(
                *TOP_STORY_FIELDS,
                "score_details",
                "ranked_at",
                "representative__id",
                "representative__lead_image_url",
            )
        )[:limit]
    )
    lead = home_lead([TopStory(story=s, url="") for s in stories])
    parsed: list[list[tuple[str, float, float]]] = []
    for story in stories:
        details = story.score_details if isinstance(story.score_details, dict) else {}
        signals = []
        for name in SIGNALS:
            found = details.get(name)
            part: dict[str, Any] = found if isinstance(found, dict) else {}
            signals.append((name, _number(part.get("raw")), _number(part.get("contribution"))))
        parsed.append(signals)
    largest = max((abs(c) for signals in parsed for _, _, c in signals), default=0.0) or 1.0
    return [
        RankingRow(
            story=story,
            url=story.get_absolute_url(),
            signals=tuple(
                SignalRow(name, signal_unit(name, raw), raw, c, round(100 * abs(c) / largest))
                for name, raw, c in signals
            ),
            covered=bool(getattr(story, "covered", 0)),
            leads_home=index == lead,
        )
        for index, (story, signals) in enumerate(zip(stories, parsed, strict=True))
    ]
