"""For You settings: defaults here, overridden key by key by `settings.NEWSSTAND_FORYOU`."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from django.conf import settings

# Keys that count things rather than measure them; they must be whole numbers.
_COUNTS = frozenset(
    {
        "max_signals",
        "profile_terms",
        "max_per_publisher",
        "page_size",
        "similar_candidates",
        "seed_signals",
        "seed_neighbours",
        "followed_candidates",
        "top_story_candidates",
    }
)


@dataclass(frozen=True)
class ForYouSettings:
    """How the reader model weighs signals and how a page is ranked and diversified."""

    # Freshness: an article's score halves for every this many hours since it was published.
    half_life_hours: float = 24.0
    # Only articles published this recently are candidates (the stories window, 3 days).
    candidate_hours: float = 72.0
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

    @classmethod
    def from_settings(cls) -> ForYouSettings:
        configured: dict[str, Any] = getattr(settings, "NEWSSTAND_FORYOU", None) or {}
        return cls.from_mapping(configured)

    @classmethod
    def from_mapping(cls, configured: dict[str, Any]) -> ForYouSettings:
        """The defaults overridden by `configured`; unknown keys and bad values are errors."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(configured) - known)
        if unknown:
            raise ValueError(
                f"NEWSSTAND_FORYOU has unknown key(s) {', '.join(unknown)}; "
                f"known: {', '.join(sorted(known))}"
            )
        values: dict[str, Any] = {}
        for key, raw in configured.items():
            try:
                value = float(raw)
            except (TypeError, ValueError):
                raise ValueError(f"NEWSSTAND_FORYOU {key}={raw!r}: expected a number") from None
            if key in _COUNTS:
                if value != int(value):
                    raise ValueError(f"NEWSSTAND_FORYOU {key}={raw!r}: expected a whole number")
                values[key] = int(value)
            else:
                values[key] = value
        result = replace(cls(), **values)
        for f in fields(result):
            value = getattr(result, f.name)
            must_be_positive = f.name.endswith(("_hours", "_days", "_seconds")) or f.name in {
                "max_signals",
                "profile_terms",
                "max_per_publisher",
                "page_size",
            }
            if must_be_positive and value <= 0:
                raise ValueError(f"NEWSSTAND_FORYOU {f.name} must be positive, not {value}")
            if value < 0:
                raise ValueError(f"NEWSSTAND_FORYOU {f.name} must not be negative, not {value}")
        return result
