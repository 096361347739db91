"""What "Start reading" offers: the busiest topics and publishers, and the reader's choice.

Read side and validation only; `foryou.actions.apply_start_choices` writes the follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache
from django.db.models import Count, Max, Q
from django.http import QueryDict
from django.utils import timezone

from newsstand.articles.models import ArticleTopic
from newsstand.personal.models import Follow
from newsstand.personal.targets import LABEL_MAX_CHARS, FollowTarget
from newsstand.sources.models import Publisher
from newsstand.web.icons import icon_url

# How many of each are offered, most active first, counted over ACTIVE_WINDOW.
START_TOPICS = 24
START_PUBLISHERS = 24
ACTIVE_WINDOW = timedelta(days=14)
# The counts read every recent article; they barely move in minutes.
OFFER_CACHE_S = 300
OFFER_CACHE_KEY = "foryou:start-offer"
# A form can name at most this many of each (the page offers fewer); more is junk.
MAX_CHOICES = 200


@dataclass(frozen=True)
class Choice:
    kind: str  # Follow.Kind.TOPIC or PUBLISHER
    key: str  # topic slug or publisher id
    label: str
    logo: str = ""
    articles: int = 0

    @property
    def target(self) -> FollowTarget:
        return FollowTarget(kind=self.kind, key=self.key, label=self.label[:LABEL_MAX_CHARS])


@dataclass(frozen=True)
class Offer:
    topics: tuple[Choice, ...]
    publishers: tuple[Choice, ...]

    def all(self) -> tuple[Choice, ...]:
        return self.topics + self.publishers


def _offer() -> Offer:
    since = timezone.now() - ACTIVE_WINDOW
    # Topics of recent articles, by how many; the slug is the topic, any spelling names it.
    # A site with nothing recent (a paused ingest) offers its topics of all time instead.
    by_slug = (
        ArticleTopic.objects.values("slug")
        .annotate(n=Count("id"), name=Max("name"))
        .order_by("-n", "slug")
    )
    topic_rows = list(by_slug.filter(article__published_at__gte=since)[:START_TOPICS])
    if not topic_rows:
        topic_rows = list(by_slug[:START_TOPICS])
    topics = tuple(
        Choice(Follow.Kind.TOPIC, r["slug"], r["name"], articles=r["n"]) for r in topic_rows
    )
    publishers = tuple(
        Choice(Follow.Kind.PUBLISHER, str(p.pk), p.name, logo=icon_url(p), articles=p.recent)
        for p in Publisher.objects.filter(is_active=True)
        .annotate(recent=Count("articles", filter=Q(articles__published_at__gte=since)))
        .only("id", "name", "slug", "icon_version")
        .order_by("-recent", "name")[:START_PUBLISHERS]
    )
    return Offer(topics=topics, publishers=publishers)


def start_offer() -> Offer:
    """The topics and publishers Start reading lists (cached for OFFER_CACHE_S)."""
    offer: Offer | None = cache.get(OFFER_CACHE_KEY)
    if offer is None:
        offer = _offer()
        cache.set(OFFER_CACHE_KEY, offer, OFFER_CACHE_S)
    return offer


class BadChoice(ValueError):
    """A posted choice that is not on the page; the message is for the reader."""


def read_choices(data: QueryDict, offer: Offer) -> list[Choice]:
    """The ticked choices, each checked against what the page offered; BadChoice otherwise."""
    by_kind = {
        Follow.Kind.TOPIC: {c.key: c for c in offer.topics},
        Follow.Kind.PUBLISHER: {c.key: c for c in offer.publishers},
    }
    words = {Follow.Kind.TOPIC: "topic", Follow.Kind.PUBLISHER: "publisher"}
    chosen: list[Choice] = []
    for field, kind in (("topic", Follow.Kind.TOPIC), ("publisher", Follow.Kind.PUBLISHER)):
        values = data.getlist(field)
        if len(values) > MAX_CHOICES:
            raise BadChoice(f"That is more {words[kind]}s than the page lists; tick some of them.")
        for raw in dict.fromkeys(values):
            choice = by_kind[kind].get(raw.strip())
            if choice is None:
                shown = raw if len(raw) <= 40 else raw[:40] + "…"
                raise BadChoice(
                    f"\u201c{shown}\u201d is not one of the {words[kind]}s listed here. "
                    f"Tick {words[kind]}s from the list and try again."
                )
            chosen.append(choice)
    return chosen


def followed_keys(user_id: int) -> set[tuple[str, str]]:
    """What the reader follows now (kind, key), to tick it on the page."""
    rows = Follow.objects.filter(
        user_id=user_id, muted=False, kind__in=[Follow.Kind.TOPIC, Follow.Kind.PUBLISHER]
    ).values_list("kind", "key")
    return {(k, v) for k, v in rows}
