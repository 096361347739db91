"""For You settings: defaults here, overridden key by key by `settings.NEWSSTAND_FORYOU`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from newsstand.config import group_from_mapping, load_group
from newsstand.stories.clustering_engine import ClusterConfig


@dataclass(frozen=True)
class ForYouSettings:
    """How the reader model weighs signals and how a page is ranked and diversified."""

    # Freshness: an article's score halves for every this many hours since it was published.
    half_life_hours: float = 24.0
    # Only articles published this recently are candidates. The corpus holds the stories
    # window (`ClusterConfig.window_days`), which `from_settings` makes the default; this one
    # is for a `ForYouSettings()` made by hand (tests, the offline evaluation).
    candidate_hours: float = ClusterConfig.window_days * 24
    # A signal's weight in the profile halves for every this many days since it happened.
    profile_half_life_days: float = 30.0
    # The newest signals used for the profile; older ones have decayed to little anyway.
    max_signals: int = 1000
    # Term buckets kept in the profile's TF-IDF centroid, the heaviest: a thousand reads make
    # ~100,000, and every query pays for each one.
    profile_terms: int = 3000
    # Signal weights: saved > long dwell > read. A dwell of `long_dwell_seconds` or more counts
    # `long_dwell_weight`; shorter dwells count in proportion, never less than a plain read.
    read_weight: float = 1.0
    long_dwell_weight: float = 2.0
    long_dwell_seconds: float = 90.0
    saved_weight: float = 3.0
    # Added to the relevance (fused similarity to the profile, 0..1) before freshness applies.
    publisher_boost: float = 0.08
    section_boost: float = 0.04
    topic_boost: float = 0.06
    story_boost: float = 0.15
    # Times the story's Top-stories score relative to the best one's (0..1).
    top_story_boost: float = 0.10
    # Diversity: at most this many articles of one publisher on a page (and one per story).
    max_per_publisher: int = 3
    page_size: int = 30
    # Candidate generation: nearest articles to the profile (by embedding and by the window's
    # inverted index, each), the newest signals queried one by one, and followed articles.
    similar_candidates: int = 300
    seed_signals: int = 5
    seed_neighbours: int = 30
    followed_candidates: int = 300
    # Of each Top story, only its newest articles are candidates (the page shows one anyway).
    top_story_candidates: int = 5
    # "Because you read X" is said only when the item is at least this similar to X.
    explain_min_similarity: float = 0.45
    # An article without a story yet this similar to one the reader read before it arrived is
    # a report of the same event (the fused similarity story clustering joins stories at,
    # `ClusterConfig.threshold`), and stays off their page.
    same_story_similarity: float = ClusterConfig.threshold
    # Each followed publisher, section, topic and story with a candidate gets an article
    # within the first this many items of the page.
    follow_slots: int = 10

    @classmethod
    def from_settings(cls) -> ForYouSettings:
        """The defaults, overridden key by key by settings.NEWSSTAND_FORYOU (read now)."""
        return load_group(cls, "NEWSSTAND_FORYOU", positive=_POSITIVE, defaults=cls._window())

    @classmethod
    def from_mapping(cls, configured: Mapping[str, Any]) -> ForYouSettings:
        """The defaults overridden by `configured`; unknown keys and bad values are errors.

        `candidate_hours` follows the stories window unless it is set.
        """
        return group_from_mapping(
            cls, "NEWSSTAND_FORYOU", configured, positive=_POSITIVE, defaults=cls._window()
        )

    @classmethod
    def _window(cls) -> ForYouSettings:
        """The defaults with `candidate_hours` the stories window as configured."""
        return cls(candidate_hours=ClusterConfig.from_settings().window_days * 24)


# Counts that must be at least one (durations must be positive by their name).
_POSITIVE = frozenset(
    {"max_signals", "profile_terms", "max_per_publisher", "page_size", "follow_slots"}
)
